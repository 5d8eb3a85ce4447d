// A small platform for the SMMU system tests: a test "software" thread (MMIO and memory through
// the router), two upstream masters bound to smmu.in (ports 0 and 1), a router and a DRAM. The
// SMMU's `out` goes through the router to the DRAM. Tables are written with debug writes or the
// page-table builder; the SMMU is programmed with timed MMIO accesses only.
#pragma once

#include <cstring>
#include <functional>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>

#include "models/core/tlm_ext.h"
#include "models/interconnect/router.h"
#include "models/memory/dram.h"
#include "models/smmu/smmu.h"
#include "vcm/pgtable/page_table_builder.h"
#include "vcm/pgtable/table_pool.h"

namespace vcmsim::test {

namespace sr = vcmsim::smmu::regs;

constexpr uint64_t dram_base = 0x80000000ULL;
constexpr uint64_t dram_size = 64ULL << 20;
constexpr uint64_t smmu_base = 0x2B400000ULL;
constexpr uint64_t strtab_pa = dram_base + 0x00100000;   // linear stream table
constexpr uint64_t cmdq_pa = dram_base + 0x00200000;
constexpr uint64_t evtq_pa = dram_base + 0x00210000;
constexpr uint64_t cd_pa = dram_base + 0x00300000;        // CDs, 64 B each
constexpr uint64_t pool_pa = dram_base + 0x00400000;      // page-table pages (4 MiB)
constexpr uint64_t data_pa = dram_base + 0x01000000;      // data buffers

struct smmu_sw : sc_core::sc_module {
    tlm_utils::simple_initiator_socket<smmu_sw> sock;
    tlm_utils::simple_initiator_socket_tagged<smmu_sw> m0, m1;
    std::function<void(smmu_sw&)> program;
    bool finished = false;
    unsigned dmi_invalidations[2] = {};
    unsigned cmdq_log2 = 8, evtq_log2 = 8;
    uint32_t cmd_prod = 0;
    uint32_t evt_cons = 0;

    SC_HAS_PROCESS(smmu_sw);
    explicit smmu_sw(const sc_core::sc_module_name& n) : sc_module(n), sock("sock"), m0("m0"), m1("m1") {
        m0.register_invalidate_direct_mem_ptr(this, &smmu_sw::inval, 0);
        m1.register_invalidate_direct_mem_ptr(this, &smmu_sw::inval, 1);
        SC_THREAD(run);
    }
    void inval(int id, sc_dt::uint64, sc_dt::uint64) { ++dmi_invalidations[id]; }
    void run() {
        if (program) program(*this);
        finished = true;
    }

    // ---- software side ---------------------------------------------------------------------
    tlm::tlm_response_status access(tlm::tlm_command cmd, uint64_t a, uint8_t* d, unsigned len) {
        tlm::tlm_generic_payload p;
        p.set_command(cmd);
        p.set_address(a);
        p.set_data_ptr(d);
        p.set_data_length(len);
        p.set_streaming_width(len);
        p.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
        sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
        sock->b_transport(p, delay);
        wait(delay);
        return p.get_response_status();
    }
    uint32_t rd32(uint64_t off) {
        uint8_t d[4] = {};
        access(tlm::TLM_READ_COMMAND, smmu_base + off, d, 4);
        return uint32_t(d[0]) | uint32_t(d[1]) << 8 | uint32_t(d[2]) << 16 | uint32_t(d[3]) << 24;
    }
    void wr32(uint64_t off, uint32_t v) {
        uint8_t d[4] = {uint8_t(v), uint8_t(v >> 8), uint8_t(v >> 16), uint8_t(v >> 24)};
        access(tlm::TLM_WRITE_COMMAND, smmu_base + off, d, 4);
    }
    void wr64(uint64_t off, uint64_t v) {
        uint8_t d[8];
        smmu::store_le64(d, v);
        access(tlm::TLM_WRITE_COMMAND, smmu_base + off, d, 8);
    }
    unsigned dbg(tlm::tlm_command cmd, uint64_t a, uint8_t* d, unsigned len) {
        tlm::tlm_generic_payload p;
        p.set_command(cmd);
        p.set_address(a);
        p.set_data_ptr(d);
        p.set_data_length(len);
        p.set_streaming_width(len);
        return sock->transport_dbg(p);
    }
    void put64(uint64_t pa, uint64_t v) {
        uint8_t d[8];
        smmu::store_le64(d, v);
        dbg(tlm::TLM_WRITE_COMMAND, pa, d, 8);
    }
    uint64_t get64(uint64_t pa) {
        uint8_t d[8] = {};
        dbg(tlm::TLM_READ_COMMAND, pa, d, 8);
        return smmu::load_le64(d);
    }
    void put_ste(uint32_t sid, const smmu::ste& s) {
        for (int i = 0; i < 8; ++i) put64(strtab_pa + uint64_t(sid) * 64 + 8 * i, s.dw[i]);
    }
    void put_cd(uint64_t pa, const smmu::cd& c) {
        for (int i = 0; i < 8; ++i) put64(pa + 8 * i, c.dw[i]);
    }
    void fill(uint64_t pa, unsigned len, uint8_t v) {
        std::vector<uint8_t> b(len, v);
        dbg(tlm::TLM_WRITE_COMMAND, pa, b.data(), len);
    }
    // Linux-like bring-up: linear stream table of 2^log2_sids STEs (all abort), queues, enable.
    void bring_up(unsigned log2_sids = 4, bool enable = true) {
        for (uint32_t s = 0; s < (1u << log2_sids); ++s) put_ste(s, smmu::ste::make_abort());
        wr32(sr::CR0, 0);
        wr32(sr::CR2, sr::CR2_RECINVSID);
        wr64(sr::STRTAB_BASE, strtab_pa);
        wr32(sr::STRTAB_BASE_CFG, log2_sids);
        wr64(sr::CMDQ_BASE, cmdq_pa | cmdq_log2);
        wr32(sr::CMDQ_PROD, 0);
        wr32(sr::CMDQ_CONS, 0);
        wr32(sr::CR0, sr::CR0_CMDQEN);
        wr64(sr::EVENTQ_BASE, evtq_pa | evtq_log2);
        wr32(sr::EVENTQ_PROD, 0);
        wr32(sr::EVENTQ_CONS, 0);
        wr32(sr::CR0, sr::CR0_CMDQEN | sr::CR0_EVENTQEN);
        wr32(sr::IRQ_CTRL, sr::IRQ_EVENTQ_EN | sr::IRQ_GERROR_EN);
        command(smmu::cmd::cfgi_all());
        command(smmu::cmd::tlbi_nsnh_all());
        sync();
        if (enable) wr32(sr::CR0, sr::CR0_CMDQEN | sr::CR0_EVENTQEN | sr::CR0_SMMUEN);
    }
    // Writes one command at PROD and rings the doorbell.
    void command(const smmu::cmd& c) {
        const smmu::queue_ptr p(cmdq_log2, cmd_prod);
        put64(cmdq_pa + uint64_t(p.index()) * 16, c.dw[0]);
        put64(cmdq_pa + uint64_t(p.index()) * 16 + 8, c.dw[1]);
        cmd_prod = p.next().raw();
        wr32(sr::CMDQ_PROD, cmd_prod);
    }
    // CMD_SYNC and poll CMDQ_CONS until it passes the sync (or an error stops the queue).
    bool sync(unsigned max_polls = 100000) {
        command(smmu::cmd::sync(smmu::sync_cs::sig_sev));
        for (unsigned i = 0; i < max_polls; ++i) {
            const uint32_t c = rd32(sr::CMDQ_CONS);
            if ((c & 0xFFFFF) == cmd_prod) return true;
            if (c >> 24) return false;
            wait(10, sc_core::SC_NS);
        }
        return false;
    }
    // Events written since the last call (advances EVENTQ_CONS).
    std::vector<smmu::evt> events() {
        std::vector<smmu::evt> v;
        const uint32_t prod = rd32(sr::EVENTQ_PROD);
        smmu::queue_ptr c(evtq_log2, evt_cons);
        const smmu::queue_ptr p(evtq_log2, prod & 0xFFFFF);
        while (!smmu::queue_ptr::empty(p, c)) {
            smmu::evt e;
            for (int i = 0; i < 4; ++i) e.dw[i] = get64(evtq_pa + uint64_t(c.index()) * 32 + 8 * i);
            v.push_back(e);
            c.inc();
        }
        evt_cons = c.raw() | (prod & sr::EVTQ_OVFLG);   // acknowledge an overflow
        wr32(sr::EVENTQ_CONS, evt_cons);
        evt_cons &= 0xFFFFF;
        return v;
    }

    // ---- upstream masters ------------------------------------------------------------------
    struct result {
        tlm::tlm_response_status status;
        uint64_t delay_ps;
    };
    result dma(int port, bool write, uint64_t iova, uint8_t* d, unsigned len, uint32_t sid,
               bool ssv = false, uint32_t ssid = 0, bool do_wait = true) {
        tlm::tlm_generic_payload p;
        core::txn_ext ext;
        ext.stream_id = sid;
        ext.ssid_valid = ssv;
        ext.substream_id = ssid;
        p.set_extension(&ext);
        p.set_command(write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
        p.set_address(iova);
        p.set_data_ptr(d);
        p.set_data_length(len);
        p.set_streaming_width(len);
        p.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
        sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
        (port ? m1 : m0)->b_transport(p, delay);
        p.clear_extension(&ext);
        if (do_wait) wait(delay);
        return {p.get_response_status(), delay.value()};
    }
    result rd(int port, uint64_t iova, uint32_t sid, uint32_t* v = nullptr) {
        uint8_t d[4] = {};
        result r = dma(port, false, iova, d, 4, sid);
        if (v) std::memcpy(v, d, 4);
        return r;
    }
    result wr(int port, uint64_t iova, uint32_t sid, uint32_t v) {
        uint8_t d[4];
        std::memcpy(d, &v, 4);
        return dma(port, true, iova, d, 4, sid);
    }
};

// Linux io-pgtable style device mapping: AP[1] = 1 (unprivileged access allowed), RW.
inline vcm::map_attrs dev_attrs(bool write = true) {
    vcm::map_attrs a;
    a.user = true;
    a.write = write;
    return a;
}

// pt_memory through the software socket (debug transport).
struct sw_pt_memory : vcm::pt_memory {
    smmu_sw& sw;
    explicit sw_pt_memory(smmu_sw& s) : sw(s) {}
    uint64_t read64(uint64_t pa) override { return sw.get64(pa); }
    void write64(uint64_t pa, uint64_t v) override { sw.put64(pa, v); }
};

struct smmu_platform {
    interconnect::router bus;
    memory::dram mem;
    smmu::smmu mmu;
    smmu_sw sw;
    sc_core::sc_signal<bool> irq_evtq{"irq_evtq"}, irq_gerror{"irq_gerror"}, irq_sync{"irq_sync"};

    explicit smmu_platform(const smmu::smmu_config& sc = default_cfg(),
                           const memory::dram_config& mc = dram_cfg())
        : bus("bus", {}), mem("mem", mc), mmu("smmu", sc), sw("sw") {
        sw.sock.bind(bus.in);
        sw.m0.bind(mmu.in);
        sw.m1.bind(mmu.in);
        mmu.out.bind(bus.in);
        bus.out.bind(mem.in);
        bus.out.bind(mmu.mmio);
        bus.add_route("dram", {dram_base, mc.size}, 0);
        bus.add_route("smmu", {smmu_base, sr::window}, 1);
        mmu.irq_evtq(irq_evtq);
        mmu.irq_gerror(irq_gerror);
        mmu.irq_cmdq_sync(irq_sync);
    }
    static smmu::smmu_config default_cfg() {
        smmu::smmu_config c;
        c.ports = {{"m0", 0, 0, false}, {"m1", 1, 0, false}};
        return c;
    }
    static memory::dram_config dram_cfg() {
        memory::dram_config c;
        c.size = dram_size;
        return c;
    }
};

}  // namespace vcmsim::test
