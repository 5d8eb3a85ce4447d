// traffic_gen: a synthetic bus master (sequential, strided or random addresses, read/write
// mix) or a replayer of a list of timed transactions.
//
// Ports
//   out   simple_initiator_socket: the generated traffic (timed b_transport, txn_ext stream id)
//   mmio  simple_target_socket: registers below
//   irq   sc_out<bool>: high while STATUS.DONE and CTRL.IRQ_ENABLE
//
// Registers (32-bit)
//   0x00 CTRL         0   bit0 START (write 1: start a run unless busy; reads 0; sync),
//                         bit1 IRQ_ENABLE (RW)
//   0x04 STATUS       0   bit0 BUSY (RO), bit1 DONE (W1C), bit2 ERROR (W1C: an error response
//                         was seen in the last run)
//   0x08 COUNT        0   RO transactions completed in the current run (counted when the
//                         b_transport call returns)
//   0x0C ERROR_COUNT  0   RO error responses in the current run
//
// Timing: transaction j issues at max(t0 + trace time (replay only), previous issue +
// issue_cycles clock cycles, completion of transaction j - max_outstanding); it completes at
// issue + the b_transport delay. t0 = start_at_ps (autostart) or the time START was written.
// STATUS.DONE is set at the latest completion (finish_time_ps). Each START restarts the address
// pattern from its seed.
// Write data: the byte at address a is data_byte(seed, a) (independent of the transaction), so
// a checker can regenerate the expected contents of any range.
// Errors are counted (stats, ERROR_COUNT, STATUS.ERROR) and logged; the run continues.
//
// Stats (prefix name()): reads, writes, bytes, errors, latency (histogram, ns),
// finish_time_ps.
#pragma once

#include <cstdint>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>
#include <tlm_utils/tlm_quantumkeeper.h>

#include "models/core/log.h"
#include "models/core/register_bank.h"
#include "models/core/stats.h"
#include "models/core/timing.h"
#include "models/core/tlm_ext.h"
#include "models/devices/address_pattern.h"

namespace vcmsim::devices {

// One replayed transaction; time_ps is relative to the start of the run.
struct trace_record {
    uint64_t time_ps = 0;
    bool is_write = false;
    uint64_t address = 0;
    uint32_t size = 0;        // bytes, > 0
    uint32_t stream_id = 0;
};

struct traffic_gen_config {
    pattern_kind pattern = pattern_kind::sequential;
    uint64_t base = 0;                 // region start (bus address)
    uint64_t size = 1ULL << 20;        // region bytes
    uint64_t txn_bytes = 64;           // bytes per transaction
    uint64_t stride = 0;               // strided: bytes between accesses; 0 = txn_bytes
    uint64_t count = 0;                // transactions per run; 0 = none
    uint32_t read_percent = 100;       // 0..100; reads vs writes, drawn from the seeded rng
    uint64_t seed = 1;                 // address pattern, read/write mix and write data
    uint64_t clock_hz = 1000000000;    // issue clock
    uint64_t issue_cycles = 1;         // clock cycles between issues
    uint32_t max_outstanding = 1;      // transactions in flight
    uint32_t stream_id = 0;            // carried in core::txn_ext (pattern mode)
    uint64_t start_at_ps = 0;          // autostart time
    bool autostart = true;             // start a run at start_at_ps without a START write
    std::vector<trace_record> trace;   // when not empty: replayed instead of the pattern
};

class traffic_gen : public sc_core::sc_module {
public:
    enum reg_offset : uint64_t { CTRL = 0x00, STATUS = 0x04, COUNT = 0x08, ERROR_COUNT = 0x0C };
    static constexpr uint32_t CTRL_START = 1u << 0;
    static constexpr uint32_t CTRL_IRQ_ENABLE = 1u << 1;
    static constexpr uint32_t STATUS_BUSY = 1u << 0;
    static constexpr uint32_t STATUS_DONE = 1u << 1;
    static constexpr uint32_t STATUS_ERROR = 1u << 2;

    tlm_utils::simple_initiator_socket<traffic_gen> out;
    tlm_utils::simple_target_socket<traffic_gen> mmio;
    sc_core::sc_out<bool> irq;

    SC_HAS_PROCESS(traffic_gen);
    // Throws std::invalid_argument on an impossible config (see address_pattern, zero clock or
    // max_outstanding, read_percent > 100, a trace record of size 0).
    traffic_gen(const sc_core::sc_module_name& name, const traffic_gen_config& cfg);

    // The byte a generator with this seed writes at address a.
    static uint8_t data_byte(uint64_t seed, uint64_t a);

    const traffic_gen_config& config() const { return m_cfg; }
    core::register_bank& regs() { return m_regs; }
    bool done() const { return m_status->value & STATUS_DONE; }
    uint64_t reads() const { return m_reads.value(); }
    uint64_t writes() const { return m_writes.value(); }
    uint64_t bytes() const { return m_bytes.value(); }
    uint64_t errors() const { return m_errors.value(); }
    const core::histogram& latency() const { return m_latency; }
    core::ps_t finish_time_ps() const { return m_finish_ps; }

private:
    void b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
    unsigned transport_dbg(tlm::tlm_generic_payload& trans);
    void on_ctrl_write(uint64_t old_v, uint64_t new_v);
    void start(const sc_core::sc_time& delay);
    void issue_thread();
    void run();
    void done_method();
    void update_irq();
    void irq_method();

    traffic_gen_config m_cfg;
    core::clock_domain m_clock;
    address_pattern m_pattern;
    core::logger m_log;
    core::register_bank m_regs;
    core::reg* m_ctrl;
    core::reg* m_status;
    core::reg* m_count;
    core::reg* m_error_count;
    bool m_irq_level = false;
    sc_core::sc_event m_irq_ev;
    bool m_start_pending = false;
    sc_core::sc_time m_access_delay;
    sc_core::sc_event m_start_ev;
    sc_core::sc_event m_done_ev;

    tlm_utils::tlm_quantumkeeper m_qk;
    tlm::tlm_generic_payload m_trans;
    core::txn_ext* m_ext;                    // owned by m_trans
    std::vector<uint8_t> m_buf;
    std::vector<core::ps_t> m_slots;         // completion times, ring of max_outstanding
    core::ps_t m_finish_ps = 0;

    core::stat_group m_stats;
    core::counter& m_reads;
    core::counter& m_writes;
    core::counter& m_bytes;
    core::counter& m_errors;
    core::histogram& m_latency;
};

}  // namespace vcmsim::devices
