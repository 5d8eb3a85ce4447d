// SMMU system tests: 2-level stream table, substreams through a linear CD table, CMD_SYNC
// completion by MSI and by interrupt, event interrupt level, walk-slot queueing.
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
constexpr uint64_t iova = 0x40000000;
constexpr uint64_t l2_pa = strtab_pa + 0x10000;
}  // namespace

TEST_CASE("smmu: 2-level stream table and substreams via a linear CD table") {
    vcmsim::test::allow_sc_warnings();
    smmu_platform p;
    uint32_t v_nossid = 0, v_ssid1 = 0;
    tlm::tlm_response_status bad_span = tlm::TLM_OK_RESPONSE, bad_ssid = tlm::TLM_OK_RESPONSE;
    std::vector<evt> ev;
    bool irq_with_events = false, irq_after_drain = true;
    p.sw.program = [&](smmu_sw& sw) {
        sw.bring_up(4, false);
        // 2-level: SPLIT 8, 2^10 SIDs; L1[1] covers SIDs 256..511 with Span 9 (256 STEs).
        sw.wr32(sr::CR0, sr::CR0_CMDQEN | sr::CR0_EVENTQEN);
        sw.wr64(sr::STRTAB_BASE, strtab_pa);
        sw.wr32(sr::STRTAB_BASE_CFG, 10 | (8 << 6) | (1 << 16));
        sw.put64(strtab_pa + 8 * 1, smmu::l1std::make(l2_pa, 9).dw);
        sw.put64(strtab_pa + 8 * 2, 0);   // Span 0: invalid
        vcm::table_pool pool(pool_pa, 4 << 20);
        sw_pt_memory mem(sw);
        vcm::page_table_builder a(mem, pool, vcm::pt_format{}), b(mem, pool, vcm::pt_format{});
        REQUIRE(a.init());
        REQUIRE(b.init());
        REQUIRE(a.map(iova, data_pa, 4096, dev_attrs()).ok());
        REQUIRE(b.map(iova, data_pa + 0x1000, 4096, dev_attrs()).ok());
        cd::params c0, c1;
        c0.ttb0 = a.root_pa();
        c0.asid = 10;
        c1.ttb0 = b.root_pa();
        c1.asid = 11;
        sw.put_cd(cd_pa, cd::make(c0));
        sw.put_cd(cd_pa + 64, cd::make(c1));
        const ste s = ste::make_s1(cd_pa, 2, 2);   // 4 CDs, no-SSID traffic uses CD 0
        for (int i = 0; i < 8; ++i) sw.put64(l2_pa + (300 - 256) * 64 + 8 * i, s.dw[i]);
        sw.wr32(sr::CR0, sr::CR0_CMDQEN | sr::CR0_EVENTQEN | sr::CR0_SMMUEN);
        sw.command(cmd::cfgi_all());
        REQUIRE(sw.sync());
        sw.put64(data_pa, 0x1111);
        sw.put64(data_pa + 0x1000, 0x2222);
        uint8_t d[4];
        REQUIRE(sw.dma(0, false, iova, d, 4, 300).status == tlm::TLM_OK_RESPONSE);
        std::memcpy(&v_nossid, d, 4);
        REQUIRE(sw.dma(0, false, iova, d, 4, 300, true, 1).status == tlm::TLM_OK_RESPONSE);
        std::memcpy(&v_ssid1, d, 4);
        bad_span = sw.dma(0, false, iova, d, 4, 600).status;          // L1[2]: Span 0
        bad_ssid = sw.dma(0, false, iova, d, 4, 300, true, 0).status; // SSID 0 with S1DSS = 2
        irq_with_events = p.irq_evtq.read();
        ev = sw.events();
        wait(1, sc_core::SC_NS);
        irq_after_drain = p.irq_evtq.read();
    };
    sc_core::sc_start();
    REQUIRE(p.sw.finished);
    CHECK(v_nossid == 0x1111);
    CHECK(v_ssid1 == 0x2222);
    CHECK(bad_span == tlm::TLM_ADDRESS_ERROR_RESPONSE);
    CHECK(bad_ssid == tlm::TLM_ADDRESS_ERROR_RESPONSE);
    REQUIRE(ev.size() == 2);
    CHECK(ev[0].id() == event_id::C_BAD_STREAMID);
    CHECK(ev[0].sid() == 600);
    CHECK(ev[1].id() == event_id::F_STREAM_DISABLED);
    CHECK(ev[1].sid() == 300);
    CHECK(ev[1].ssv());
    CHECK(ev[1].ssid() == 0);
    CHECK(irq_with_events);
    CHECK(!irq_after_drain);
}

TEST_CASE("smmu: CMD_SYNC completion by MSI write and by wired interrupt") {
    smmu_platform p;
    uint64_t msi_word_before = 0, msi_word = 0;
    bool pulse_seen = false;
    p.sw.program = [&](smmu_sw& sw) {
        sw.bring_up();
        const uint64_t msi = data_pa + 0x100;
        sw.put64(msi, 0xFFFFFFFFFFFFFFFFULL);
        msi_word_before = sw.get64(msi);
        sw.command(cmd::sync(smmu::sync_cs::sig_irq, msi, 0));   // Linux MSI polling style
        for (int i = 0; i < 1000 && (sw.get64(msi) & 0xFFFFFFFF) != 0; ++i) wait(10, sc_core::SC_NS);
        msi_word = sw.get64(msi);
        sw.command(cmd::sync(smmu::sync_cs::sig_irq));           // no address: wired interrupt
        wait(p.irq_sync.posedge_event());
        pulse_seen = true;
    };
    sc_core::sc_start(10, sc_core::SC_US);
    CHECK(msi_word_before == 0xFFFFFFFFFFFFFFFFULL);
    CHECK(msi_word == 0xFFFFFFFF00000000ULL);
    CHECK(pulse_seen);
    CHECK(p.mmu.sync_irqs() == 1);
    CHECK(stat("smmu.commands.SYNC") == 3);
}

namespace {
// Two misses issued at the same time on different pages of one stream (through two TBUs);
// returns the total time walks waited for a walk slot. (The second walk's descriptor read also
// queues in the DRAM behind reads booked earlier in host order: the loosely-timed booking.)
uint64_t slot_wait(unsigned slots) {
    smmu::smmu_config c = smmu_platform::default_cfg();
    c.walk_slots = slots;
    memory::dram_config mc = smmu_platform::dram_cfg();
    mc.bandwidth = 0;
    smmu_platform p(c, mc);
    p.sw.program = [&](smmu_sw& sw) {
        sw.bring_up();
        vcm::table_pool pool(pool_pa, 4 << 20);
        sw_pt_memory mem(sw);
        vcm::page_table_builder pt(mem, pool, vcm::pt_format{});
        REQUIRE(pt.init());
        REQUIRE(pt.map(iova, data_pa, 2 * 4096, dev_attrs()).ok());
        cd::params cp;
        cp.ttb0 = pt.root_pa();
        sw.put_cd(cd_pa, cd::make(cp));
        sw.put_ste(0, ste::make_s1(cd_pa));
        sw.command(cmd::cfgi_ste(0));
        REQUIRE(sw.sync());
        uint8_t d[4];
        sw.dma(0, false, iova, d, 4, 0, false, 0, false);            // no wait: same start time
        REQUIRE(sw.dma(1, false, iova + 0x1000, d, 4, 0).status == tlm::TLM_OK_RESPONSE);
    };
    sc_core::sc_start();
    REQUIRE(p.sw.finished);
    CHECK(stat("smmu.sid0.walks") == 2);
    return static_cast<uint64_t>(stat("smmu.walk_slot_wait_ps"));
}
}  // namespace

TEST_CASE("smmu: with one walk slot a concurrent walk queues behind the first") {
    // First walk: slot taken at 12 ns (utlb 1 + tbu_tcu 8 + tlb 3) + config 2 + STE 27 + CD 27
    // = 68 ns, held for 4 + 4 * 27 = 112 ns → free at 180 ns. The second request reaches the
    // TCU at 12 ns (config cached) and waits 168 ns.
    CHECK(slot_wait(1) == 168000);
}

TEST_CASE("smmu: with free walk slots a concurrent walk does not wait") {
    CHECK(slot_wait(16) == 0);
}
