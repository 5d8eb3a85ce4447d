// smmu: an SMMUv3-style IOMMU (stage 1, Non-secure programming interface).
//
// Ports
//   mmio           simple_target_socket: 128 KiB register window (page 0 + page 1), 32- and
//                  64-bit naturally aligned accesses; other sizes → TLM_GENERIC_ERROR_RESPONSE
//   in             multi_passthrough_target_socket: upstream masters; binding i = TBU i
//                  (ports[i] gives its name and default StreamID/SubstreamID)
//   out            simple_initiator_socket toward the interconnect: translated traffic,
//                  stream-table / CD / page-table reads, queue reads, event writes, MSIs
//   irq_evtq       level: event queue non-empty and IRQ_CTRL.EVENTQ_IRQEN
//   irq_gerror     level: an active global error (GERROR != GERRORN) and GERROR_IRQEN
//   irq_cmdq_sync  one-cycle pulse when a CMD_SYNC with CS = SIG_IRQ and no MSI address completes
// Registers: see smmu_regs.h and docs/models/smmu.md (IDR values come from smmu_config).
// Upstream StreamID/SubstreamID: core::txn_ext on the payload, else the port's defaults.
// Faults (terminate model): CD.A = 1 (and every configuration error) → TLM_ADDRESS_ERROR_RESPONSE,
// no data moved; CD.A = 0 → RAZ/WI (reads return zeros, writes dropped, TLM_OK_RESPONSE).
// Timing per upstream access (period p = 1/clock_hz):
//   micro-TLB hit   utlb_cycles
//   micro-TLB miss  utlb + 2 * tbu_tcu + tlb_cycles [+ miss: config + walk, see smmu_tcu.h]
// DMI: one translated page at most, permission-checked; revoked on every TLBI/CFGI command,
// CR0.SMMUEN change, GBPA update and reset.
// Tracing (models/core/trace.h, docs/models/smmu.md "Tracing"): components <name>.tbu<i>.utlb,
// <name>.tcu.{tlb,walk_cache,walker,config}, <name>.evtq, <name>.cmdq; one stream per StreamID.
// Deviations: no stage 2, no ATS/PRI, no stall model, no TTB1 walks, no range TLBI (RIL = 0),
// transactions may not cross a 4 KiB boundary (AXI rule; TLM_BURST_ERROR_RESPONSE).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/multi_passthrough_target_socket.h>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>

#include "models/core/log.h"
#include "models/core/register_bank.h"
#include "models/core/stats.h"
#include "models/core/timing.h"
#include "models/core/trace.h"
#include "models/core/tlm_ext.h"
#include "models/smmu/smmu_params.h"
#include "models/smmu/smmu_queue.h"
#include "models/smmu/smmu_regs.h"
#include "models/smmu/smmu_tbu.h"
#include "models/smmu/smmu_tcu.h"

namespace vcmsim::smmu {

// Trace stream of SMMU-wide records (TLBI, CFGI_ALL): not a StreamID.
constexpr uint16_t trace_no_stream = 0xFFFE;

class smmu : public sc_core::sc_module {
public:
    tlm_utils::simple_target_socket<smmu> mmio;
    tlm_utils::multi_passthrough_target_socket<smmu> in;
    tlm_utils::simple_initiator_socket<smmu> out;
    sc_core::sc_out<bool> irq_evtq, irq_gerror, irq_cmdq_sync;

    SC_HAS_PROCESS(smmu);
    smmu(const sc_core::sc_module_name& name, const smmu_config& cfg);

    // Host-side views for tests and tools.
    const smmu_config& config() const { return m_cfg; }
    core::register_bank& registers() { return m_bank; }
    uint64_t reg_value(uint64_t offset) const;
    const tcu& translation_unit() const { return *m_tcu; }
    const tbu& tbu_of(unsigned port) const { return m_tbus.at(port); }
    bool irq_evtq_level() const { return m_lvl_evtq; }
    bool irq_gerror_level() const { return m_lvl_gerror; }
    uint64_t sync_irqs() const { return m_sync_irqs; }
    uint64_t dmi_revocations() const { return m_dmi_revocations; }
    const fault_info& last_fault() const { return m_last_fault; }   // includes the walk level
    void reset();   // registers to reset values, caches flushed, DMI revoked
    // Trace sink of this SMMU (trace_sink::global() from the constructor): registers the
    // components and the ports' default StreamIDs (labelled with the port names).
    void set_trace(core::trace_sink& sink);
    // Debug (zero-time) mode for setup-only driver work, set by the platform around it: the
    // command queue consumes commands without spending time and reads them, like every
    // structure read, with debug transactions (no bandwidth booked). Upstream traffic is
    // unaffected (no device runs during setup).
    void set_untimed(bool on);

private:
    struct out_bus : smmu_bus {
        smmu* owner = nullptr;
        bool read(uint64_t pa, uint8_t* data, unsigned len, uint64_t& offset_ps) override;
    };

    // smmu.cpp: upstream path, DMI, MMIO transport
    void b_transport(int id, tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
    unsigned transport_dbg(int id, tlm::tlm_generic_payload& trans);
    bool get_direct_mem_ptr(int id, tlm::tlm_generic_payload& trans, tlm::tlm_dmi& dmi);
    void invalidate_direct_mem_ptr(sc_dt::uint64 start, sc_dt::uint64 end);
    void mmio_b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
    unsigned mmio_transport_dbg(tlm::tlm_generic_payload& trans);
    txn_info txn_of(int id, const tlm::tlm_generic_payload& trans) const;
    stream_stats& stats_of(uint32_t sid, int port);
    // Translates for the upstream path; false = terminated (status set in trans).
    bool translate(int id, const txn_info& t, mmu::access_type type, uint64_t& off_ps,
                   uint64_t& pa, bool& raz_wi, const mmu::mapping** leaf);
    void fault(const txn_info& t, const fault_info& f, stream_stats& st, uint32_t tr, uint64_t t_ps,
               uint16_t comp, uint16_t asid);
    bool forward(tlm::tlm_generic_payload& trans, uint64_t pa, sc_core::sc_time& delay);
    strtab_regs strtab() const;
    void revoke_dmi();
    void flush_tbus();
    void end_of_elaboration() override;
    // Tracing helpers (smmu.cpp); callers test the category first.
    void trace_register_tbus();
    std::string port_label(size_t port) const;
    void trace_utlb(const tbu& tb, uint64_t t_ps, const txn_info& t, uint16_t asid, const mmu::mapping* m,
                    uint64_t out, bool hit);
    void trace_cmd(core::trace_outcome scope, uint64_t t_ps, uint32_t sid, uint32_t ssid, uint64_t addr,
                   uint16_t asid, uint32_t removed);

    // smmu_regs.cpp: register file and doorbells
    void build_registers();
    void on_cr0(uint64_t old_v, uint64_t new_v);
    void on_gbpa(uint64_t old_v, uint64_t new_v);
    void on_gerrorn(uint64_t old_v, uint64_t new_v);
    void update_irqs();
    void raise_gerror(uint32_t bits);
    uint32_t r32(uint64_t off) const;
    void w32(uint64_t off, uint32_t v);   // model-side update

    // smmu_cmdq.cpp: command queue
    void cmdq_thread();
    bool execute(const cmd& c, uint64_t& off_ps, uint32_t& err);
    void count_command(uint8_t opcode);

    // smmu_evtq.cpp: event queue
    void record_event(const evt& e, uint64_t t_ps);
    void msi_write(uint64_t addr, uint32_t data, uint32_t gerror_bit);
    void sync_pulse_method();

    smmu_config m_cfg;
    core::clock_domain m_clk;
    core::ps_t m_period;
    core::logger m_log;
    core::stat_group m_stats;
    core::register_bank m_bank;
    out_bus m_bus;
    std::unique_ptr<tcu> m_tcu;
    std::vector<tbu> m_tbus;
    std::unordered_map<uint32_t, std::unique_ptr<stream_stats>> m_stream_stats;
    tlm::tlm_generic_payload m_rd;   // structure / queue reads
    bool m_elaborated = false;
    unsigned m_in_bound = 0;

    // Register shadows the hot path reads without the bank.
    bool m_smmuen = false;
    bool m_gbpa_abort = true;

    // Command queue.
    sc_core::sc_event m_cmdq_kick;
    bool m_cmdq_stalled = false;   // CERROR pending acknowledgement
    bool m_untimed = false;        // debug (zero-time) mode, see set_untimed()
    sc_core::sc_event m_sync_pulse;
    bool m_sync_level = false;
    uint64_t m_sync_irqs = 0;

    bool m_lvl_evtq = false, m_lvl_gerror = false;
    uint64_t m_dmi_revocations = 0;
    uint64_t m_ctx_gen = 0;         // TCU context generation the TBUs were filled under
    bool m_dmi_granted = false;
    fault_info m_last_fault;

    // Tracing: never null (trace_sink::disabled() until set_trace).
    core::trace_sink* m_trace = &core::trace_sink::disabled();
    std::vector<uint16_t> m_tr_utlb;   // per TBU
    uint16_t m_tr_evtq = 0, m_tr_cmdq = 0;

    core::counter* m_cmd_count[256] = {};
    core::counter& m_cmd_unknown;
    core::counter& m_invalidations;
    core::counter& m_events;
    core::counter& m_events_dropped;
    core::counter& m_gerrors;
    core::counter& m_bypassed;
};

}  // namespace vcmsim::smmu
