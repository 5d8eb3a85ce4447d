// The CPU MMU front end (models/cpu/cpu_mmu): register decoding, TTBR0/TTBR1 selection,
// micro-TLB and main TLB, permission faults and TLB maintenance, over tables written by the
// page-table builder into a host-memory stand-in.
#include <catch2/catch.hpp>

#include <unordered_map>

#include "models/cpu/cpu_mmu.h"
#include "vcm/pgtable/page_table_builder.h"
#include "vcm/pgtable/table_pool.h"

using namespace vcmsim;

namespace {
struct host_memory : mmu::table_memory, vcm::pt_memory {
    std::unordered_map<uint64_t, uint64_t> words;
    uint64_t reads = 0;
    bool read64(uint64_t pa, uint64_t& v, uint64_t& lat) override {
        ++reads;
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

constexpr uint64_t tcr_4k_48 = 16 | (1ULL << 23) | (5ULL << 32) | (1ULL << 36);  // T0SZ 16, EPD1, IPS 48, AS

struct fixture {
    host_memory mem;
    vcm::table_pool pool{0x100000, 0x100000};
    vcm::page_table_builder pt{mem, pool, vcm::pt_format{mmu::granule::g4k, 16, 48, false}};
    cpu::cpu_mmu_config cfg;
    std::unique_ptr<cpu::cpu_mmu> m;
    fixture(unsigned utlb = 4, unsigned wc = 0) {
        REQUIRE(pt.init());
        cfg.utlb_entries = utlb;
        cfg.walk_cache.entries = wc;
        m = std::make_unique<cpu::cpu_mmu>(cfg, mem, 500);
        m->write(core::sysreg::tcr_el1, tcr_4k_48);
        m->write(core::sysreg::ttbr0_el1, pt.root_pa() | (7ULL << 48));
        m->write(core::sysreg::sctlr_el1, 1);
    }
};
}  // namespace

TEST_CASE("cpu mmu: off means identity, on translates through the tables", "[cpu][mmu]") {
    fixture f;
    vcm::map_attrs a;
    REQUIRE(f.pt.map(0x40000000, 0x80003000, 0x1000, a).ok());
    f.m->write(core::sysreg::sctlr_el1, 0);
    auto t0 = f.m->translate(0x40000123, mmu::access_type::read, true);
    CHECK(t0.ok);
    CHECK(t0.pa == 0x40000123);
    CHECK(t0.latency_ps == 0);
    f.m->write(core::sysreg::sctlr_el1, 1);
    auto t1 = f.m->translate(0x40000123, mmu::access_type::read, true);
    REQUIRE(t1.ok);
    CHECK(t1.pa == 0x80003123);
    CHECK(f.m->walks() == 1);
    CHECK(f.m->walk_reads() == 4);
    // tlb lookup (2 cycles of 500 ps) + 4 reads of 10 ns + 4 walk steps of 2 cycles
    CHECK(t1.latency_ps == 1000 + 4 * 10000 + 4 * 1000);
    auto t2 = f.m->translate(0x40000ff8, mmu::access_type::write, true);
    CHECK(t2.ok);
    CHECK(t2.latency_ps == 0);  // micro-TLB hit
    CHECK(f.m->utlb()->hits() == 1);
}

TEST_CASE("cpu mmu: main TLB hit after a micro-TLB eviction costs the TLB latency only", "[cpu][mmu]") {
    fixture f(1);
    vcm::map_attrs a;
    REQUIRE(f.pt.map(0x40000000, 0x80000000, 0x2000, a).ok());
    f.m->translate(0x40000000, mmu::access_type::read, true);
    f.m->translate(0x40001000, mmu::access_type::read, true);  // evicts page 0 from the uTLB
    auto t = f.m->translate(0x40000010, mmu::access_type::read, true);
    CHECK(t.ok);
    CHECK(t.latency_ps == 1000);
    CHECK(f.m->walks() == 2);
    CHECK(f.m->tlb().hits() == 1);
}

TEST_CASE("cpu mmu: permission and translation faults carry kind and level", "[cpu][mmu]") {
    fixture f;
    vcm::map_attrs ro;
    ro.write = false;
    REQUIRE(f.pt.map(0x40000000, 0x80000000, 0x1000, ro).ok());
    auto w = f.m->translate(0x40000000, mmu::access_type::write, true);
    CHECK_FALSE(w.ok);
    CHECK(w.flt.kind == mmu::fault_kind::permission);
    CHECK(w.flt.level == 3);
    auto u = f.m->translate(0x50000000, mmu::access_type::read, true);
    CHECK_FALSE(u.ok);
    CHECK(u.flt.kind == mmu::fault_kind::translation);
    CHECK(u.flt.level == 2);  // the L0 and L1 tables exist (shared with 0x40000000), L2 entry empty
    auto el0 = f.m->translate(0x40000000, mmu::access_type::read, false);
    CHECK(el0.flt.kind == mmu::fault_kind::permission);  // kernel page read at EL0
    CHECK(f.m->faults() == 3);
    CHECK(f.m->faults_of(mmu::fault_kind::permission) == 2);
}

TEST_CASE("cpu mmu: TTBR1 upper range, EPD and out-of-range addresses", "[cpu][mmu]") {
    fixture f;
    vcm::map_attrs a;
    REQUIRE(f.pt.map(0x1000, 0x80005000, 0x1000, a).ok());
    // Upper VAs fault while EPD1 is set, then walk TTBR1 (same tables) once it is cleared.
    auto hi = f.m->translate(0xFFFF000000001000ULL, mmu::access_type::read, true);
    CHECK(hi.flt.kind == mmu::fault_kind::translation);
    CHECK(hi.flt.level == 0);
    f.m->write(core::sysreg::tcr_el1, (tcr_4k_48 & ~(1ULL << 23)) | (16ULL << 16) | (2ULL << 30));
    f.m->write(core::sysreg::ttbr1_el1, f.pt.root_pa());
    auto hi2 = f.m->translate(0xFFFF000000001234ULL, mmu::access_type::read, true);
    REQUIRE(hi2.ok);
    CHECK(hi2.pa == 0x80005234);
    auto mid = f.m->translate(0x0001000000000000ULL, mmu::access_type::read, true);
    CHECK(mid.flt.kind == mmu::fault_kind::translation);
    CHECK(mid.flt.level == 0);
}

TEST_CASE("cpu mmu: ASIDs tag entries and each TLBI form removes the right ones", "[cpu][mmu]") {
    fixture f(0);
    vcm::map_attrs a;
    REQUIRE(f.pt.map(0x40000000, 0x80000000, 0x4000, a).ok());
    for (uint64_t p = 0; p < 4; ++p) f.m->translate(0x40000000 + p * 0x1000, mmu::access_type::read, true);
    CHECK(f.m->walks() == 4);
    f.m->tlbi_va(0x40001000, 7);
    f.m->translate(0x40001000, mmu::access_type::read, true);
    CHECK(f.m->walks() == 5);
    f.m->tlbi_va(0x40002000, 8);  // other ASID: the entry stays
    f.m->translate(0x40002000, mmu::access_type::read, true);
    CHECK(f.m->walks() == 5);
    f.m->tlbi_vaa(0x40002000);
    f.m->translate(0x40002000, mmu::access_type::read, true);
    CHECK(f.m->walks() == 6);
    // A new ASID misses everything (entries are not global) ...
    f.m->write(core::sysreg::ttbr0_el1, f.pt.root_pa() | (9ULL << 48));
    f.m->translate(0x40000000, mmu::access_type::read, true);
    CHECK(f.m->walks() == 7);
    // ... and TLBI ASIDE1 of the old ASID leaves the new one's entry.
    f.m->tlbi_asid(7);
    f.m->translate(0x40000000, mmu::access_type::read, true);
    CHECK(f.m->walks() == 7);
    f.m->tlbi_all();
    f.m->translate(0x40000000, mmu::access_type::read, true);
    CHECK(f.m->walks() == 8);
    CHECK(f.m->tlbis() == 5);
}
