// SMMU system tests: translation, isolation, exact hit/miss counts and latencies, events.
// One sc_start per TEST_CASE; the platform is built inside the test case.
#include <catch2/catch.hpp>

#include "models/core/stats.h"
#include "tests/support/test_util.h"
#include "tests/system/smmu_platform.h"

using namespace vcmsim;
using namespace vcmsim::test;
using smmu::cd;
using smmu::cmd;
using smmu::evt;
using smmu::event_id;
using smmu::ste;

namespace {

double stat(const std::string& n) { return core::stats_registry::global().value(n); }
uint64_t mem64(smmu_platform& p, uint64_t pa) {
    uint8_t b[8] = {};
    p.mem.store().read(pa - dram_base, b, 8);
    return smmu::load_le64(b);
}

// A stage-1 address space: page tables from a pool, a CD at cd_addr, STE for sid.
struct space {
    sw_pt_memory mem;
    vcm::table_pool& pool;
    vcm::page_table_builder pt;
    space(smmu_sw& sw, vcm::table_pool& p) : mem(sw), pool(p), pt(mem, pool, vcm::pt_format{}) {
        REQUIRE(pt.init());
    }
    void attach(smmu_sw& sw, uint32_t sid, uint64_t cd_addr, uint16_t asid, cd::params p = {}) {
        p.ttb0 = pt.root_pa();
        p.asid = asid;
        sw.put_cd(cd_addr, cd::make(p));
        sw.put_ste(sid, ste::make_s1(cd_addr));
        sw.command(cmd::cfgi_ste(sid));
        REQUIRE(sw.sync());
    }
};

memory::dram_config flat_dram() {
    memory::dram_config c = smmu_platform::dram_cfg();
    c.bandwidth = 0;   // every read takes latency only: 25 ns + 2 ns router hop
    return c;
}
constexpr uint64_t read_ps = 27000;
constexpr uint64_t iova = 0x10000000;

void check_stream_timing(const smmu::smmu_config& sc) {
    smmu_platform p(sc, flat_dram());
    const uint64_t per = 1000000000000ULL / sc.clock_hz;
    std::vector<uint64_t> d;
    p.sw.program = [&](smmu_sw& sw) {
        sw.bring_up();
        vcm::table_pool pool(pool_pa, 4 << 20);
        space s(sw, pool);
        REQUIRE(s.pt.map(iova, data_pa, 16 * 4096, dev_attrs()).ok());
        s.attach(sw, 0, cd_pa, 1);
        // A DMA-like stream: 16 pages, 4 accesses of 64 bytes in each.
        uint8_t buf[64];
        for (unsigned pg = 0; pg < 16; ++pg)
            for (unsigned i = 0; i < 4; ++i) {
                auto r = sw.dma(0, false, iova + pg * 4096 + i * 64, buf, 64, 0);
                REQUIRE(r.status == tlm::TLM_OK_RESPONSE);
                d.push_back(r.delay_ps);
            }
    };
    sc_core::sc_start();
    REQUIRE(p.sw.finished);
    CHECK(stat("smmu.sid0.lookups") == 64);
    CHECK(stat("smmu.sid0.utlb_hits") == 48);
    CHECK(stat("smmu.sid0.utlb_misses") == 16);
    CHECK(stat("smmu.sid0.tlb_hits") == 0);
    CHECK(stat("smmu.sid0.tlb_misses") == 16);
    CHECK(stat("smmu.sid0.walks") == 16);
    CHECK(stat("smmu.sid0.walk_reads") == 4 + 15);   // then the L2 walk-cache entry serves
    const uint64_t hit = sc.utlb_cycles * per;
    const uint64_t miss = (sc.utlb_cycles + 2 * sc.tbu_tcu_cycles + sc.tlb_cycles + sc.walk_cache_cycles) * per;
    // First access: config fetch (STE + CD) and a 4-read walk.
    CHECK(d[0] == miss + sc.config_cycles * per + 2 * read_ps + 4 * read_ps + read_ps);
    CHECK(d[1] == hit + read_ps);
    CHECK(d[4] == miss + read_ps + read_ps);   // next page: one descriptor read
    CHECK(d[5] == hit + read_ps);
}

}  // namespace

TEST_CASE("smmu: exact hits, misses and latency of a DMA-like stream (default config)") {
    check_stream_timing(smmu_platform::default_cfg());
}

TEST_CASE("smmu: exact hits, misses and latency of a DMA-like stream (500 MHz, other cycles)") {
    smmu::smmu_config c = smmu_platform::default_cfg();
    c.clock_hz = 500000000;
    c.utlb_cycles = 2;
    c.tbu_tcu_cycles = 5;
    c.tlb_cycles = 6;
    c.walk_cache_cycles = 3;
    c.config_cycles = 4;
    check_stream_timing(c);
}

TEST_CASE("smmu: isolation of two streams with the same IOVA, unmapped stream reaches nothing") {
    smmu_platform p;
    std::vector<evt> ev;
    uint32_t v0 = 0, v1 = 0;
    tlm::tlm_response_status st2 = tlm::TLM_OK_RESPONSE, st3 = tlm::TLM_OK_RESPONSE;
    p.sw.program = [&](smmu_sw& sw) {
        sw.bring_up();
        vcm::table_pool pool(pool_pa, 4 << 20);
        space a(sw, pool), b(sw, pool), c(sw, pool);
        REQUIRE(a.pt.map(iova, data_pa, 4096, dev_attrs()).ok());
        REQUIRE(b.pt.map(iova, data_pa + 0x1000, 4096, dev_attrs()).ok());
        a.attach(sw, 0, cd_pa, 1);
        b.attach(sw, 1, cd_pa + 64, 2);
        c.attach(sw, 2, cd_pa + 128, 3);   // no mapping at all
        sw.fill(data_pa, 0x3000, 0);
        // Interleave with warm TLBs.
        for (int i = 0; i < 3; ++i) {
            REQUIRE(sw.wr(0, iova + 8, 0, 0xA0 + i).status == tlm::TLM_OK_RESPONSE);
            REQUIRE(sw.wr(1, iova + 8, 1, 0xB0 + i).status == tlm::TLM_OK_RESPONSE);
        }
        REQUIRE(sw.rd(0, iova + 8, 0, &v0).status == tlm::TLM_OK_RESPONSE);
        REQUIRE(sw.rd(1, iova + 8, 1, &v1).status == tlm::TLM_OK_RESPONSE);
        st2 = sw.wr(0, iova + 8, 2, 0xDEAD).status;    // SID 2 through port 0
        sw.put_ste(0, ste::make_abort());
        sw.command(cmd::cfgi_ste(0));
        REQUIRE(sw.sync());
        st3 = sw.wr(1, iova + 8, 0, 0xBEEF).status;
        ev = sw.events();
    };
    sc_core::sc_start();
    REQUIRE(p.sw.finished);
    CHECK(v0 == 0xA2);
    CHECK(v1 == 0xB2);
    CHECK(mem64(p, data_pa + 8) == 0xA2);
    CHECK(mem64(p, data_pa + 0x1008) == 0xB2);
    CHECK(st2 == tlm::TLM_ADDRESS_ERROR_RESPONSE);
    CHECK(st3 == tlm::TLM_ADDRESS_ERROR_RESPONSE);
    CHECK(mem64(p, data_pa + 0x2008) == 0);
    REQUIRE(ev.size() == 1);   // abort STE: no event
    CHECK(ev[0].id() == event_id::F_TRANSLATION);
    CHECK(ev[0].sid() == 2);
    CHECK(!ev[0].ssv());
    CHECK(!ev[0].rnw());
    CHECK(ev[0].input_addr() == iova + 8);
    CHECK(p.mmu.last_fault().level == 0);
}
