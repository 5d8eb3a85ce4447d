// SMMU system tests: commands and their effect on the caches, CERROR_ILL and recovery, queue
// wrap, event-queue overflow, use after unmap (DMI included).
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
constexpr uint64_t iova = 0x30000000;

// Maps [iova, iova + pages * 4K) for SID 0 (ASID 7) and attaches it.
struct setup {
    sw_pt_memory mem;
    vcm::table_pool pool{pool_pa, 4 << 20};
    vcm::page_table_builder pt;
    explicit setup(smmu_sw& sw, unsigned pages = 4) : mem(sw), pt(mem, pool, vcm::pt_format{}) {
        REQUIRE(pt.init());
        REQUIRE(pt.map(iova, data_pa, pages * 4096ULL, dev_attrs()).ok());
        cd::params c;
        c.ttb0 = pt.root_pa();
        c.asid = 7;
        sw.put_cd(cd_pa, cd::make(c));
        sw.put_ste(0, ste::make_s1(cd_pa));
        sw.command(cmd::cfgi_ste(0));
        REQUIRE(sw.sync());
    }
};
}  // namespace

TEST_CASE("smmu: TLBI_NH_VA removes exactly that page, CFGI_STE makes a changed STE visible") {
    smmu_platform p;
    unsigned valid_before = 0, valid_after = 0;
    double walks_mid = 0, walks_end = 0, hits_end = 0;
    tlm::tlm_response_status before_cfgi = tlm::TLM_INCOMPLETE_RESPONSE, after_cfgi = tlm::TLM_OK_RESPONSE;
    p.sw.program = [&](smmu_sw& sw) {
        sw.bring_up();
        setup s(sw);
        for (unsigned pg = 0; pg < 3; ++pg) REQUIRE(sw.wr(0, iova + pg * 4096, 0, pg).status == tlm::TLM_OK_RESPONSE);
        valid_before = p.mmu.translation_unit().main_tlb().valid_entries();
        sw.command(cmd::tlbi_nh_va(7, iova + 4096));
        REQUIRE(sw.sync());
        valid_after = p.mmu.translation_unit().main_tlb().valid_entries();
        walks_mid = stat("smmu.sid0.walks");
        const double hits0 = stat("smmu.sid0.tlb_hits");
        for (unsigned pg = 0; pg < 3; ++pg) REQUIRE(sw.wr(0, iova + pg * 4096, 0, pg).status == tlm::TLM_OK_RESPONSE);
        walks_end = stat("smmu.sid0.walks");
        hits_end = stat("smmu.sid0.tlb_hits") - hits0;
        // STE changed to abort: invisible until CFGI_STE + SYNC.
        sw.put_ste(0, ste::make_abort());
        sw.command(cmd::tlbi_nh_all());   // TLBs only: the cached config stays
        REQUIRE(sw.sync());
        before_cfgi = sw.wr(0, iova, 0, 1).status;
        sw.command(cmd::cfgi_ste(0));
        REQUIRE(sw.sync());
        after_cfgi = sw.wr(0, iova, 0, 1).status;
    };
    sc_core::sc_start();
    REQUIRE(p.sw.finished);
    CHECK(valid_before == 3);
    CHECK(valid_after == 2);
    CHECK(walks_end - walks_mid == 1);   // only the invalidated page walks again
    CHECK(hits_end == 2);                // the others hit the main TLB (micro-TLBs were flushed)
    CHECK(before_cfgi == tlm::TLM_OK_RESPONSE);
    CHECK(after_cfgi == tlm::TLM_ADDRESS_ERROR_RESPONSE);
    CHECK(stat("smmu.commands.TLBI_NH_VA") == 1);
    CHECK(stat("smmu.commands.CFGI_STE") == 2);
    CHECK(stat("smmu.commands.CFGI_STE_RANGE") == 1);   // CFGI_ALL at bring-up
}

TEST_CASE("smmu: CERROR_ILL stops CONS at the bad command, GERRORN acknowledges and resumes") {
    vcmsim::test::allow_sc_warnings();
    smmu_platform p;
    uint32_t cons_err = 0, gerror = 0, cons_done = 0;
    bool irq_during = false, irq_after = true;
    unsigned valid_stopped = 0, valid_resumed = 1;
    p.sw.program = [&](smmu_sw& sw) {
        sw.bring_up();
        setup s(sw);
        REQUIRE(sw.wr(0, iova, 0, 1).status == tlm::TLM_OK_RESPONSE);
        const uint32_t bad_index = sw.cmd_prod;
        sw.command(cmd::make(0x7F));                // reserved opcode
        sw.command(cmd::tlbi_nh_all());             // must not run before the acknowledgement
        wait(1, sc_core::SC_US);
        cons_err = sw.rd32(sr::CMDQ_CONS);
        gerror = sw.rd32(sr::GERROR);
        irq_during = p.irq_gerror.read();
        valid_stopped = p.mmu.translation_unit().main_tlb().valid_entries();
        // Linux: rewrite the bad slot as CMD_SYNC, then acknowledge.
        const cmd sy = cmd::sync();
        sw.put64(cmdq_pa + bad_index * 16, sy.dw[0]);
        sw.put64(cmdq_pa + bad_index * 16 + 8, sy.dw[1]);
        sw.wr32(sr::GERRORN, gerror);
        REQUIRE(sw.sync());
        cons_done = sw.rd32(sr::CMDQ_CONS);
        irq_after = p.irq_gerror.read();
        valid_resumed = p.mmu.translation_unit().main_tlb().valid_entries();
    };
    sc_core::sc_start();
    REQUIRE(p.sw.finished);
    CHECK((cons_err & 0xFFFFF) == 5);    // 4 bring-up/attach commands, then the bad one
    CHECK((cons_err >> 24) == 1);        // CERROR_ILL
    CHECK(gerror == sr::GERROR_CMDQ_ERR);
    CHECK(irq_during);
    CHECK(valid_stopped == 1);           // the TLBI after it did not run
    CHECK((cons_done >> 24) == 0);
    CHECK((cons_done & 0xFFFFF) == p.sw.cmd_prod);
    CHECK(!irq_after);
    CHECK(valid_resumed == 0);
    CHECK(stat("smmu.gerrors") == 1);
}

TEST_CASE("smmu: queue wrap protocol over many wraps loses and duplicates nothing") {
    smmu::smmu_config c = smmu_platform::default_cfg();
    c.cmdq_log2 = 2;
    c.evtq_log2 = 2;
    smmu_platform p(c);
    std::vector<uint64_t> seen;
    p.sw.cmdq_log2 = 2;
    p.sw.evtq_log2 = 2;
    const unsigned n = 50;
    p.sw.program = [&](smmu_sw& sw) {
        sw.bring_up();
        // Commands: wait for space before each (4-entry queue).
        for (unsigned i = 0; i < n; ++i) {
            for (;;) {
                const smmu::queue_ptr prod(2, sw.cmd_prod), cons(2, sw.rd32(sr::CMDQ_CONS) & 0xFFFFF);
                if (!smmu::queue_ptr::full(prod, cons)) break;
                wait(10, sc_core::SC_NS);
            }
            sw.command(cmd::prefetch_config(i & 15));
        }
        REQUIRE(sw.sync());
        // Events: SID 0 aborts (STE abort → no event): use a bad SID, one fault per iteration.
        for (unsigned i = 0; i < n; ++i) {
            uint32_t v;
            sw.rd(0, 0x1000 + i * 8, 100, &v);
            if (i % 3 == 2)
                for (auto& e : sw.events()) seen.push_back(e.input_addr());
        }
        for (auto& e : sw.events()) seen.push_back(e.input_addr());
    };
    sc_core::sc_start();
    REQUIRE(p.sw.finished);
    CHECK(stat("smmu.commands.PREFETCH_CONFIG") == n);
    REQUIRE(seen.size() == n);
    for (unsigned i = 0; i < n; ++i) CHECK(seen[i] == 0x1000 + i * 8);
    CHECK(stat("smmu.events_dropped") == 0);
}

TEST_CASE("smmu: event-queue overflow toggles OVFLG once and counts dropped events") {
    smmu::smmu_config c = smmu_platform::default_cfg();
    c.evtq_log2 = 2;
    smmu_platform p(c);
    p.sw.evtq_log2 = 2;
    uint32_t prod1 = 0, prod2 = 0;
    size_t got1 = 0, got2 = 0;
    p.sw.program = [&](smmu_sw& sw) {
        sw.bring_up();
        uint32_t v;
        for (unsigned i = 0; i < 6; ++i) sw.rd(0, 0x1000 + i * 8, 100, &v);
        prod1 = sw.rd32(sr::EVENTQ_PROD);
        got1 = sw.events().size();             // also acknowledges OVFLG
        for (unsigned i = 0; i < 5; ++i) sw.rd(0, 0x2000 + i * 8, 100, &v);
        prod2 = sw.rd32(sr::EVENTQ_PROD);
        got2 = sw.events().size();
    };
    sc_core::sc_start();
    REQUIRE(p.sw.finished);
    CHECK(got1 == 4);
    CHECK((prod1 & sr::EVTQ_OVFLG) != 0);
    CHECK((prod1 & 0xFFFFF) == 4);             // index 0, wrap 1
    CHECK(got2 == 4);
    CHECK((prod2 & sr::EVTQ_OVFLG) == 0);      // toggled again after the acknowledgement
    CHECK(stat("smmu.events_dropped") == 3);
    CHECK(stat("smmu.events") == 8);
}

TEST_CASE("smmu: use after unmap: after TLBI + CMD_SYNC no access succeeds, DMI included") {
    smmu_platform p;
    unsigned dmi_inv_before = 0, dmi_inv_after = 0;
    bool granted = false, granted_after = true;
    uint64_t dmi_start = 0, dmi_end = 0;
    tlm::tlm_response_status st = tlm::TLM_OK_RESPONSE;
    p.sw.program = [&](smmu_sw& sw) {
        sw.bring_up();
        setup s(sw, 2);
        sw.fill(data_pa, 0x2000, 0);
        REQUIRE(sw.wr(0, iova + 0x1000, 0, 0x11).status == tlm::TLM_OK_RESPONSE);
        tlm::tlm_generic_payload g;
        core::txn_ext ext;
        g.set_extension(&ext);
        g.set_address(iova + 0x1010);
        g.set_command(tlm::TLM_WRITE_COMMAND);
        tlm::tlm_dmi d;
        granted = sw.m0->get_direct_mem_ptr(g, d);
        dmi_start = d.get_start_address();
        dmi_end = d.get_end_address();
        if (granted) d.get_dmi_ptr()[0x20] = 0x22;   // write through DMI at iova + 0x1020
        dmi_inv_before = sw.dmi_invalidations[0];
        std::vector<std::pair<uint64_t, uint64_t>> removed;
        REQUIRE(s.pt.unmap(iova + 0x1000, 0x1000, &removed).ok());
        sw.command(cmd::tlbi_nh_va(7, iova + 0x1000));
        REQUIRE(sw.sync());
        dmi_inv_after = sw.dmi_invalidations[0];
        st = sw.wr(0, iova + 0x1000, 0, 0x33).status;
        tlm::tlm_dmi d2;
        granted_after = sw.m0->get_direct_mem_ptr(g, d2);
        g.clear_extension(&ext);
    };
    sc_core::sc_start();
    REQUIRE(p.sw.finished);
    CHECK(granted);
    CHECK(dmi_start == iova + 0x1000);
    CHECK(dmi_end == iova + 0x1FFF);
    CHECK(dmi_inv_after > dmi_inv_before);
    CHECK(st == tlm::TLM_ADDRESS_ERROR_RESPONSE);
    CHECK(!granted_after);
    uint8_t b[0x30];
    p.mem.store().read(data_pa + 0x1000 - dram_base, b, sizeof b);
    CHECK(b[0] == 0x11);
    CHECK(b[0x20] == 0x22);
    CHECK(stat("smmu.sid0.faults.F_TRANSLATION") == 1);
}

TEST_CASE("smmu: effect of TLBI_NH_ASID, TLBI_NH_VAA, CFGI_CD, CFGI_CD_ALL, PREFETCH_CONFIG on the caches") {
    smmu_platform p;
    std::vector<unsigned> tlb, cc;
    p.sw.program = [&](smmu_sw& sw) {
        sw.bring_up();
        setup s(sw);   // SID 0, ASID 7
        sw_pt_memory mem(sw);
        vcm::page_table_builder pt1(mem, s.pool, vcm::pt_format{});
        REQUIRE(pt1.init());
        REQUIRE(pt1.map(iova, data_pa + 0x10000, 4 * 4096, dev_attrs()).ok());
        cd::params c;
        c.ttb0 = pt1.root_pa();
        c.asid = 8;
        sw.put_cd(cd_pa + 64, cd::make(c));
        sw.put_ste(1, ste::make_s1(cd_pa + 64));
        sw.command(cmd::cfgi_ste(1));
        REQUIRE(sw.sync());
        const auto& t = p.mmu.translation_unit();
        auto snap = [&] {
            tlb.push_back(t.main_tlb().valid_entries());
            cc.push_back(t.cfg_cache().valid_entries());
        };
        auto touch = [&] {
            for (uint32_t sid = 0; sid < 2; ++sid)
                for (unsigned pg = 0; pg < 2; ++pg)
                    REQUIRE(sw.wr(sid, iova + pg * 4096, sid, pg).status == tlm::TLM_OK_RESPONSE);
        };
        touch();
        snap();                                            // 0: 4 entries, 2 configs
        sw.command(cmd::tlbi_nh_asid(7));
        REQUIRE(sw.sync());
        snap();                                            // 1: SID 1's two remain
        touch();
        sw.command(cmd::tlbi_nh_vaa(iova));
        REQUIRE(sw.sync());
        snap();                                            // 2: page 0 gone in both
        sw.command(cmd::cfgi_cd(1, 0));
        REQUIRE(sw.sync());
        snap();                                            // 3: SID 1 config and entries gone
        sw.command(cmd::cfgi_cd_all(0));
        REQUIRE(sw.sync());
        snap();                                            // 4: nothing left
        sw.command(cmd::prefetch_config(1));
        REQUIRE(sw.sync());
        snap();                                            // 5: SID 1 config prefetched
        touch();
        sw.command(cmd::tlbi_nsnh_all());
        REQUIRE(sw.sync());
        snap();                                            // 6: TLB empty, configs kept
    };
    sc_core::sc_start();
    REQUIRE(p.sw.finished);
    CHECK(tlb == std::vector<unsigned>{4, 2, 2, 1, 0, 0, 0});
    CHECK(cc == std::vector<unsigned>{2, 2, 2, 1, 0, 1, 2});
    CHECK(stat("smmu.invalidations") == 2 /* bring-up */ + 2 /* attach */ + 5);
}
