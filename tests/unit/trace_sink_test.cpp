// The trace sink (models/core/trace): sink -> file -> reader round trip, counter folding,
// window and stream filters, component ids, and the CPU MMU hooks.
#include <catch2/catch.hpp>

#include <cstring>
#include <unordered_map>

#include "models/core/trace.h"
#include "models/cpu/cpu_mmu.h"
#include "platforms/trace/trace_reader.h"
#include "tests/support/test_util.h"
#include "vcm/pgtable/page_table_builder.h"
#include "vcm/pgtable/table_pool.h"

using namespace vcmsim;
using core::trace_record;
namespace tr = vcmsim::platform::trace;

namespace {

std::vector<trace_record> read_all(const std::string& path, tr::trace_meta* meta = nullptr) {
    tr::trace_reader rd(path);
    if (meta) *meta = rd.meta();
    std::vector<trace_record> v;
    trace_record r;
    while (rd.next(r)) v.push_back(r);
    return v;
}

trace_record rec(uint64_t t, core::trace_type type, uint16_t comp, uint16_t stream, uint64_t in = 0) {
    trace_record r;
    r.t_ps = t;
    r.type = static_cast<uint8_t>(type);
    r.comp = comp;
    r.stream = stream;
    r.in_addr = in;
    r.lvl_stage = core::trace_lvl(-1);
    return r;
}

core::trace_header_info info() {
    core::trace_header_info i;
    i.tool = "vcmsim test";
    i.config = "cfg.toml";
    i.config_hash = "abcd1234";
    i.seed = 7;
    return i;
}

}  // namespace

TEST_CASE("trace sink: records round-trip exactly through the file", "[trace]") {
    const std::string dir = test::make_temp_dir("trace_rt");
    core::trace_sink s;
    const uint16_t a = s.register_component("top.smmu0.tlb", "tlb");
    const uint16_t b = s.register_component("top.smmu0.walker");
    CHECK(a == 0);
    CHECK(b == 1);
    CHECK(s.register_component("top.smmu0.tlb") == 0);  // stable ids
    s.register_stream(0x10, "dma0");
    s.set_categories(core::trace_cat::all);
    REQUIRE(s.open(dir + "/t.vtr", info()));
    std::vector<trace_record> in;
    for (uint64_t i = 0; i < 10000; ++i) {  // more than one write buffer
        trace_record r;
        r.t_ps = i * 1000 + 7;
        r.in_addr = 0xffff000000000000ULL | (i << 12);
        r.out_addr = 0x80000000 + i;
        r.dur_ps = static_cast<uint32_t>(i * 3);
        r.comp = b;
        r.stream = static_cast<uint16_t>(i % 3);
        r.ctx = core::trace_ctx(static_cast<uint16_t>(i), 5);
        r.ssid = static_cast<uint32_t>(i & 0xFFFFF) | core::trace_flag::ssid_valid;
        r.type = static_cast<uint8_t>(core::trace_type::walk);
        r.outcome = static_cast<uint8_t>(core::trace_outcome::done);
        r.page_shift = 12;
        r.lvl_stage = core::trace_lvl(3, 1, 2);
        r.aux = static_cast<uint32_t>(i * 11);
        in.push_back(r);
        s.record(r);
    }
    REQUIRE(s.close());
    tr::trace_meta m;
    const auto out = read_all(dir + "/t.vtr", &m);
    REQUIRE(out.size() == in.size());
    CHECK(std::memcmp(out.data(), in.data(), in.size() * sizeof(trace_record)) == 0);
    CHECK(m.comp_names == std::vector<std::string>{"top.smmu0.tlb", "top.smmu0.walker"});
    CHECK(m.comp_kinds == std::vector<std::string>{"tlb", "walker"});
    CHECK(m.streams.at(0x10) == "dma0");
    CHECK(m.config_hash == "abcd1234");
    CHECK(m.seed == 7);
    CHECK(m.lookups_folded == false);
    CHECK(m.records_offset == 64 + 16384);
    CHECK(m.file_bytes == 64 + 16384 + 10000 * 48);
}

TEST_CASE("trace sink: lookups fold into counters per interval when lookups are not traced", "[trace]") {
    const std::string dir = test::make_temp_dir("trace_fold");
    core::trace_sink s;
    const uint16_t c = s.register_component("top.cpu.mmu.tlb");
    s.set_categories(core::trace_cat::defaults);
    s.set_counter_interval(1000);
    REQUIRE(s.open(dir + "/t.vtr", info()));
    CHECK(s.enabled(core::trace_cat::counter));
    CHECK_FALSE(s.enabled(core::trace_cat::lookup));
    // interval [0,1000): stream 1: 3 lookups 2 hits; stream 2: 1 lookup 1 hit
    s.record_lookup(rec(10, core::trace_type::lookup, c, 1, 0x1000), true);
    s.record_lookup(rec(20, core::trace_type::lookup, c, 1, 0x2000), false);
    s.record_lookup(rec(30, core::trace_type::lookup, c, 2, 0x3000), true);
    s.record_lookup(rec(40, core::trace_type::lookup, c, 1, 0x4000), true);
    // interval [3000,4000): stream 1: 1 lookup 0 hits
    s.record_lookup(rec(3500, core::trace_type::lookup, c, 1, 0x5000), false);
    REQUIRE(s.close());
    const auto v = read_all(dir + "/t.vtr");
    REQUIRE(v.size() == 5);
    // miss at 20 (flagged counted), then the fold at 3500 emits [0,1000) counters, then the miss
    CHECK(v[0].type == uint8_t(core::trace_type::lookup));
    CHECK(v[0].t_ps == 20);
    CHECK(v[0].outcome == uint8_t(core::trace_outcome::miss));
    CHECK((v[0].ssid & core::trace_flag::counted) != 0);
    CHECK(v[1].type == uint8_t(core::trace_type::counter));
    CHECK(v[1].t_ps == 0);
    CHECK(v[1].stream == 1);
    CHECK(v[1].in_addr == 3);
    CHECK(v[1].out_addr == 2);
    CHECK(v[1].dur_ps == 1000);
    CHECK(v[2].type == uint8_t(core::trace_type::counter));
    CHECK(v[2].stream == 2);
    CHECK(v[2].in_addr == 1);
    CHECK(v[2].out_addr == 1);
    CHECK(v[3].t_ps == 3500);
    CHECK(v[4].type == uint8_t(core::trace_type::counter));
    CHECK(v[4].t_ps == 3000);
    CHECK(v[4].in_addr == 1);
    CHECK(v[4].out_addr == 0);
}

TEST_CASE("trace sink: every lookup is a record when lookups are traced", "[trace]") {
    const std::string dir = test::make_temp_dir("trace_all");
    core::trace_sink s;
    const uint16_t c = s.register_component("tlb");
    s.set_categories(core::trace_cat::all);
    REQUIRE(s.open(dir + "/t.vtr", info()));
    CHECK_FALSE(s.enabled(core::trace_cat::counter));
    s.record_lookup(rec(10, core::trace_type::lookup, c, 1), true);
    s.record_lookup(rec(20, core::trace_type::lookup, c, 1), false);
    REQUIRE(s.close());
    const auto v = read_all(dir + "/t.vtr");
    REQUIRE(v.size() == 2);
    CHECK(v[0].outcome == uint8_t(core::trace_outcome::hit));
    CHECK(v[1].outcome == uint8_t(core::trace_outcome::miss));
    CHECK(v[1].ssid == 0);
}

TEST_CASE("trace sink: time window and stream filter drop records and lookups", "[trace]") {
    const std::string dir = test::make_temp_dir("trace_filter");
    core::trace_sink s;
    const uint16_t c = s.register_component("walker");
    s.set_categories(core::trace_cat::defaults);
    s.set_window(1000, 2000);
    s.set_streams({5, 0xFFFF});
    s.set_counter_interval(10000);
    REQUIRE(s.open(dir + "/t.vtr", info()));
    for (uint64_t t : {999, 1000, 1999, 2000})
        for (uint16_t sid : {4, 5, 0xFFFF}) {
            s.record(rec(t, core::trace_type::walk, c, sid));
            s.record_lookup(rec(t, core::trace_type::lookup, c, sid), true);
        }
    REQUIRE(s.close());
    const auto v = read_all(dir + "/t.vtr");
    REQUIRE(v.size() == 6);  // 4 walks + 2 counters
    CHECK(v[0].t_ps == 1000);
    CHECK(v[0].stream == 5);
    CHECK(v[1].stream == 0xFFFF);
    CHECK(v[3].t_ps == 1999);
    CHECK(v[4].type == uint8_t(core::trace_type::counter));
    CHECK(v[4].stream == 5);
    CHECK(v[4].in_addr == 2);
    CHECK(v[5].stream == 0xFFFF);
    CHECK(v[5].in_addr == 2);
}

TEST_CASE("trace sink: a closed sink records nothing; an unclosed file is reported truncated", "[trace]") {
    const std::string dir = test::make_temp_dir("trace_closed");
    core::trace_sink s;
    CHECK_FALSE(s.enabled(core::trace_cat::all));
    s.record(rec(1, core::trace_type::walk, 0, 0));  // ignored, no crash
    CHECK(s.records_written() == 0);
    CHECK_FALSE(core::trace_sink::disabled().enabled(core::trace_cat::all | core::trace_cat::counter));
    std::string err;
    CHECK_FALSE(s.open(dir + "/no/such/dir/t.vtr", info(), &err));
    CHECK(err.find("cannot create trace file") != std::string::npos);
    {
        core::trace_sink w;
        w.register_component("x");
        REQUIRE(w.open(dir + "/t.vtr", info()));
        w.record(rec(1, core::trace_type::walk, 0, 0));
        w.flush();
        try {
            tr::trace_reader rd(dir + "/t.vtr");
            FAIL("an unclosed trace must not be accepted");
        } catch (const tr::trace_error& e) {
            CHECK(e.code == 65);
            CHECK(std::string(e.what()).find("never closed") != std::string::npos);
            CHECK(std::string(e.what()).find("1 complete records") != std::string::npos);
        }
    }
}

// ---- the CPU MMU hooks ----
namespace {
struct host_memory : mmu::table_memory, vcm::pt_memory {
    std::unordered_map<uint64_t, uint64_t> words;
    bool read64(uint64_t pa, uint64_t& v, uint64_t& lat) override {
        auto it = words.find(pa);
        v = it == words.end() ? 0 : it->second;
        lat = 10000;
        return true;
    }
    uint64_t read64(uint64_t pa) override {
        auto it = words.find(pa);
        return it == words.end() ? 0 : it->second;
    }
    void write64(uint64_t pa, uint64_t v) override { words[pa] = v; }
};
}  // namespace

TEST_CASE("trace: the CPU MMU records lookups per TLB level, walks, faults and TLBIs", "[trace][cpu]") {
    const std::string dir = test::make_temp_dir("trace_cpu");
    host_memory mem;
    vcm::table_pool pool{0x100000, 0x100000};
    vcm::page_table_builder pt{mem, pool, vcm::pt_format{mmu::granule::g4k, 16, 48, false}};
    REQUIRE(pt.init());
    REQUIRE(pt.map(0x40000000, 0x80003000, 0x1000, vcm::map_attrs{}).ok());
    cpu::cpu_mmu_config cfg;
    cfg.utlb_entries = 4;
    cfg.walk_cache.entries = 0;
    cpu::cpu_mmu m(cfg, mem, 500);
    m.write(core::sysreg::tcr_el1, 16 | (1ULL << 23) | (5ULL << 32) | (1ULL << 36));
    m.write(core::sysreg::ttbr0_el1, pt.root_pa() | (7ULL << 48));
    m.write(core::sysreg::sctlr_el1, 1);
    core::trace_sink s;
    uint64_t now = 5000;
    m.set_trace(s, "top.cpu.mmu", [&] { return now; });
    m.translate(0x40000010, mmu::access_type::read, true);  // untraced: sink closed
    s.set_categories(core::trace_cat::all);
    REQUIRE(s.open(dir + "/t.vtr", info()));
    m.tlbi_all();
    now = 100000;
    m.translate(0x40000123, mmu::access_type::read, true);  // uTLB miss, TLB miss, walk
    now = 200000;
    m.translate(0x40000200, mmu::access_type::read, true);  // uTLB hit
    now = 300000;
    m.translate(0x50000000, mmu::access_type::read, true);  // miss, miss, walk fault
    m.tlbi_va(0x40000000, 7);
    REQUIRE(s.close());
    tr::trace_meta meta;
    const auto v = read_all(dir + "/t.vtr", &meta);
    CHECK(meta.comp_names == std::vector<std::string>{"top.cpu.mmu.utlb", "top.cpu.mmu.tlb", "top.cpu.mmu.walker"});
    CHECK(meta.streams.at(0xFFFF) == "cpu");
    REQUIRE(v.size() == 10);
    auto is = [&](size_t i, core::trace_type t, uint16_t comp, uint64_t time) {
        INFO("record " << i);
        CHECK(v[i].type == uint8_t(t));
        CHECK(v[i].comp == comp);
        CHECK(v[i].t_ps == time);
        CHECK(v[i].stream == 0xFFFF);
    };
    is(0, core::trace_type::inval, 1, 5000);
    CHECK(v[0].outcome == uint8_t(core::trace_outcome::inval_all));
    is(1, core::trace_type::lookup, 0, 100000);
    CHECK(v[1].outcome == uint8_t(core::trace_outcome::miss));
    is(2, core::trace_type::lookup, 1, 100000);
    CHECK(v[2].ctx == 7);
    is(3, core::trace_type::walk, 2, 101000);  // after the 2-cycle TLB lookup
    CHECK(v[3].dur_ps == 4 * 10000 + 4 * 1000);
    CHECK(v[3].out_addr == 0x80003123);
    CHECK(v[3].in_addr == 0x40000123);
    CHECK(v[3].page_shift == 12);
    CHECK((v[3].lvl_stage & 0xF) == 3);
    CHECK((v[3].aux & 0xFFFF) == 4);
    CHECK(v[3].outcome == uint8_t(core::trace_outcome::done));
    is(4, core::trace_type::lookup, 0, 200000);
    CHECK(v[4].outcome == uint8_t(core::trace_outcome::hit));
    CHECK(v[4].out_addr == 0x80003200);
    is(5, core::trace_type::lookup, 0, 300000);
    is(6, core::trace_type::lookup, 1, 300000);
    is(7, core::trace_type::walk, 2, 301000);
    CHECK(v[7].outcome == uint8_t(core::trace_outcome::fault));
    is(8, core::trace_type::fault, 2, 301000 + v[7].dur_ps);
    CHECK(v[8].aux == uint32_t(mmu::fault_kind::translation));
    CHECK(v[8].in_addr == 0x50000000);
    is(9, core::trace_type::inval, 1, 300000);
    CHECK(v[9].outcome == uint8_t(core::trace_outcome::inval_va));
    CHECK(v[9].in_addr == 0x40000000);
    CHECK(v[9].ctx == 7);
}
