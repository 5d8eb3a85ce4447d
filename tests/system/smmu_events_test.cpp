// SMMU system tests: every event type from a deliberately bad STE, CD, table or StreamID, with
// the exact record fields; faulting transactions move no data.
#include <catch2/catch.hpp>

#include "models/core/stats.h"
#include "models/mmu/vmsa.h"
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
constexpr uint64_t iova = 0x20000000;
constexpr uint64_t nowhere = 0x40000000;   // no route: bus error

struct expect {
    event_id id;
    uint32_t sid;
    bool ssv;
    uint32_t ssid;
    bool rnw;
    uint64_t addr;
    uint64_t fetch;
    smmu::event_class cls;
};
}  // namespace

TEST_CASE("smmu: each event type carries the right record fields") {
    vcmsim::test::allow_sc_warnings();   // the router warns about the deliberate holes
    smmu_platform p;
    std::vector<evt> ev;
    std::vector<tlm::tlm_response_status> st;
    uint64_t root = 0;
    p.sw.program = [&](smmu_sw& sw) {
        sw.bring_up(5);
        vcm::table_pool pool(pool_pa, 4 << 20);
        sw_pt_memory mem(sw);
        vcm::page_table_builder pt(mem, pool, vcm::pt_format{});
        REQUIRE(pt.init());
        root = pt.root_pa();
        vcm::map_attrs ro = dev_attrs(false);
        REQUIRE(pt.map(iova, data_pa, 4096, dev_attrs()).ok());
        REQUIRE(pt.map(iova + 0x1000, data_pa + 0x1000, 4096, ro).ok());
        vcm::map_attrs noaf = dev_attrs();
        noaf.af = false;
        REQUIRE(pt.map(iova + 0x2000, data_pa + 0x2000, 4096, noaf).ok());
        REQUIRE(pt.map(iova + 0x3000, 0x100000000ULL, 4096, dev_attrs()).ok());   // beyond IPS 32 bits
        cd::params good;
        good.ttb0 = root;
        good.asid = 5;
        sw.put_cd(cd_pa, cd::make(good));                 // CD 0
        cd::params small = good;
        small.ips = 0;                                     // 32-bit output
        sw.put_cd(cd_pa + 64, cd::make(small));
        cd::params inval = good;
        inval.valid = false;
        sw.put_cd(cd_pa + 128, cd::make(inval));
        cd::params badttb = good;
        badttb.ttb0 = nowhere;
        sw.put_cd(cd_pa + 192, cd::make(badttb));
        cd::params stall = good;
        stall.s = true;
        sw.put_cd(cd_pa + 256, cd::make(stall));
        ste v0;                                            // SID 1: V = 0
        sw.put_ste(1, v0);
        ste s2 = ste::make_abort();                        // SID 2: stage 2 → C_BAD_STE
        s2.dw[0] = 1 | (6 << 1);
        sw.put_ste(2, s2);
        sw.put_ste(3, ste::make_s1(cd_pa + 128));          // SID 3: C_BAD_CD
        sw.put_ste(4, ste::make_s1(cd_pa));                // SID 4: good, S1CDMax = 0
        sw.put_ste(5, ste::make_s1(nowhere));              // SID 5: F_CD_FETCH
        sw.put_ste(6, ste::make_s1(cd_pa + 64));           // SID 6: F_ADDR_SIZE
        sw.put_ste(7, ste::make_s1(cd_pa + 192));          // SID 7: F_WALK_EABT
        sw.put_ste(8, ste::make_s1(cd_pa, 2, 0));          // SID 8: 4 CDs, S1DSS terminate
        sw.put_ste(9, ste::make_s1(cd_pa + 256));          // SID 9: CD.S = 1 → C_BAD_CD
        sw.command(cmd::cfgi_all());
        REQUIRE(sw.sync());
        sw.fill(data_pa, 0x3000, 0x5A);
        auto w = [&](uint32_t sid, uint64_t a, bool ssv = false, uint32_t ssid = 0) {
            uint8_t d[4] = {1, 2, 3, 4};
            st.push_back(sw.dma(0, true, a, d, 4, sid, ssv, ssid).status);
        };
        auto r = [&](uint32_t sid, uint64_t a, bool ssv = false, uint32_t ssid = 0) {
            uint8_t d[4] = {};
            st.push_back(sw.dma(0, false, a, d, 4, sid, ssv, ssid).status);
        };
        r(40, iova);                    // C_BAD_STREAMID (32 SIDs)
        w(1, iova);                     // C_BAD_STE
        r(2, iova);                     // C_BAD_STE (stage 2 unsupported)
        r(3, iova);                     // C_BAD_CD
        r(4, iova, true, 1);            // C_BAD_SUBSTREAMID (S1CDMax = 0)
        r(8, iova, true, 4);            // C_BAD_SUBSTREAMID (SSID >= 2^S1CDMax)
        r(5, iova);                     // F_CD_FETCH
        w(4, iova + 0x1000);            // F_PERMISSION (read-only)
        r(4, iova + 0x2000);            // F_ACCESS
        r(4, iova + 0x5000);            // F_TRANSLATION
        r(6, iova + 0x3000);            // F_ADDR_SIZE
        r(7, iova);                     // F_WALK_EABT
        r(9, iova);                     // C_BAD_CD (stall not supported)
        r(8, iova + 0x10, true, 2);     // SSID 2 → CD 2 (invalid CD) → C_BAD_CD
        ev = sw.events();
        // F_STE_FETCH: the stream table moved to a hole (disable, move, enable).
        sw.wr32(sr::CR0, sr::CR0_CMDQEN | sr::CR0_EVENTQEN);
        sw.wr64(sr::STRTAB_BASE, nowhere);
        sw.wr32(sr::CR0, sr::CR0_CMDQEN | sr::CR0_EVENTQEN | sr::CR0_SMMUEN);
        sw.command(cmd::cfgi_all());
        REQUIRE(sw.sync());
        r(3, iova);
        for (auto& e : sw.events()) ev.push_back(e);
    };
    sc_core::sc_start();
    REQUIRE(p.sw.finished);
    using C = smmu::event_class;
    const std::vector<expect> want = {
        {event_id::C_BAD_STREAMID, 40, false, 0, true, iova, 0, C::cd},
        {event_id::C_BAD_STE, 1, false, 0, false, iova, 0, C::cd},
        {event_id::C_BAD_STE, 2, false, 0, true, iova, 0, C::cd},
        {event_id::C_BAD_CD, 3, false, 0, true, iova, 0, C::cd},
        {event_id::C_BAD_SUBSTREAMID, 4, true, 1, true, iova, 0, C::cd},
        {event_id::C_BAD_SUBSTREAMID, 8, true, 4, true, iova, 0, C::cd},
        {event_id::F_CD_FETCH, 5, false, 0, true, iova, nowhere, C::cd},
        {event_id::F_PERMISSION, 4, false, 0, false, iova + 0x1000, 0, C::in},
        {event_id::F_ACCESS, 4, false, 0, true, iova + 0x2000, 0, C::in},
        {event_id::F_TRANSLATION, 4, false, 0, true, iova + 0x5000, 0, C::in},
        {event_id::F_ADDR_SIZE, 6, false, 0, true, iova + 0x3000, 0, C::in},
        {event_id::F_WALK_EABT, 7, false, 0, true, iova, nowhere + ((iova >> 39) & 511) * 8, C::tt},
        {event_id::C_BAD_CD, 9, false, 0, true, iova, 0, C::cd},
        {event_id::C_BAD_CD, 8, true, 2, true, iova + 0x10, 0, C::cd},
        {event_id::F_STE_FETCH, 3, false, 0, true, iova, nowhere + 3 * 64, C::cd},
    };
    REQUIRE(ev.size() == want.size());
    for (size_t i = 0; i < want.size(); ++i) {
        INFO("event " << i << " " << smmu::event_name(want[i].id));
        CHECK(ev[i].id() == want[i].id);
        CHECK(ev[i].sid() == want[i].sid);
        CHECK(ev[i].ssv() == want[i].ssv);
        CHECK(ev[i].ssid() == want[i].ssid);
        CHECK(ev[i].rnw() == want[i].rnw);
        CHECK(ev[i].input_addr() == want[i].addr);
        CHECK(ev[i].fetch_addr() == want[i].fetch);
        CHECK(ev[i].cls() == want[i].cls);
    }
    for (auto s : st) CHECK(s == tlm::TLM_ADDRESS_ERROR_RESPONSE);
    // No data moved: the read-only page still holds the fill pattern.
    uint8_t b[4];
    p.mem.store().read(data_pa + 0x1000 - dram_base, b, 4);
    CHECK(b[0] == 0x5A);
    CHECK(stat("smmu.sid4.faults.F_PERMISSION") == 1);
    CHECK(stat("smmu.sid4.faults.F_TRANSLATION") == 1);
    CHECK(stat("smmu.events") == want.size());
}

TEST_CASE("smmu: GBPA decides abort or bypass while SMMUEN = 0") {
    smmu_platform p;
    tlm::tlm_response_status a = tlm::TLM_OK_RESPONSE, b = tlm::TLM_INCOMPLETE_RESPONSE;
    uint32_t gbpa_reset = 0, gbpa_after = 0;
    uint32_t v = 0;
    p.sw.program = [&](smmu_sw& sw) {
        gbpa_reset = sw.rd32(sr::GBPA);
        a = sw.wr(0, data_pa, 0, 0x1234).status;
        sw.wr32(sr::GBPA, 0);                       // no Update: ignored
        sw.wr32(sr::GBPA, sr::GBPA_UPDATE);         // ABORT = 0 applied
        gbpa_after = sw.rd32(sr::GBPA);
        b = sw.wr(0, data_pa, 0, 0x5678).status;
        sw.rd(0, data_pa, 0, &v);
    };
    sc_core::sc_start();
    CHECK(gbpa_reset == sr::GBPA_ABORT);
    CHECK(a == tlm::TLM_ADDRESS_ERROR_RESPONSE);
    CHECK(gbpa_after == 0);
    CHECK(b == tlm::TLM_OK_RESPONSE);
    CHECK(v == 0x5678);
}
