// CPU model: an in-order core that runs the scenario program on its own SystemC thread.
//
// Ports
//   out   initiator socket toward the interconnect (memory and MMIO)
//   irq   multiport of interrupt lines (sc_signal<bool>), indexed in binding order
//
// The program is a C++ callable (set by the platform's scenario runner or by the VCM driver
// layer) that calls the thread-side API below. Every call is a timed operation: memory
// accesses are bus transactions of at most `line_bytes` (a cache-line fill or write-back),
// each costing `access_cycles` core cycles plus the bus delay; they use DMI when the target
// grants it (DMI accesses cost the granted DMI latency and skip bandwidth booking). MMIO
// accesses synchronise first (leave temporal decoupling), so device side effects happen at the
// CPU's true time. Waits (interrupt, poll, delay) synchronise too.
//
// Memory operations go through the MMU (cpu_mmu.h) once software enables it (SCTLR_EL1.M):
// one translation per bus transaction; a translation fault stops the operation with a report
// of the fault kind, level and address. MMIO accesses and the *_phys operations use physical
// addresses (a deviation: a real kernel maps device memory through its tables too).
//
// Parameters (cpu_config): clock_hz, access_cycles, line_bytes, use_dmi, privileged,
// sysreg_cycles, tlbi_cycles, mmu (micro-TLB, TLB, walk cache, latencies).
// Stats: <name>.loads, .stores, .bytes_read, .bytes_written, .mmio_reads, .mmio_writes,
//        .dmi_accesses, .bus_errors, .irq_waits, .polls, .untimed_accesses (debug mode);
//        <name>.mmu.utlb_hits, .utlb_misses, .tlb_lookups, .tlb_hits, .tlb_misses, .tlb_fills,
//        .tlb_evictions, .walks, .walk_reads, .walk_latency (histogram, ns), .walk_cache_hits,
//        .walk_cache_reads_saved, .faults, .tlbi.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/tlm_quantumkeeper.h>

#include "models/core/log.h"
#include "models/core/master_port.h"
#include "models/core/stats.h"
#include "models/core/timing.h"
#include "models/cpu/cpu_mmu.h"
#include "models/cpu/data_pattern.h"

namespace vcmsim::cpu {

struct cpu_config {
    uint64_t clock_hz = 2000000000;  // core clock
    uint64_t access_cycles = 1;      // core cycles to issue one load/store transaction
    uint64_t line_bytes = 64;        // largest bus transaction of a block operation
    bool use_dmi = true;             // use DMI pointers that targets grant
    bool privileged = true;          // accesses are made at EL1 (false: EL0)
    uint64_t sysreg_cycles = 1;      // cost of a system-register write
    uint64_t tlbi_cycles = 20;       // cost of a TLBI + DSB
    cpu_mmu_config mmu;              // translation (on when software sets SCTLR_EL1.M)
};

using core::op_status;

class cpu : public sc_core::sc_module, public core::master_port, public core::mmu_control {
public:
    tlm_utils::simple_initiator_socket<cpu> out;
    sc_core::sc_port<sc_core::sc_signal_in_if<bool>, 0, sc_core::SC_ZERO_OR_MORE_BOUND> irq;

    SC_HAS_PROCESS(cpu);
    cpu(const sc_core::sc_module_name& name, const cpu_config& cfg);

    // The program run by the CPU thread at time 0; `on_finish` runs when it returns.
    void set_program(std::function<void(cpu&)> program, std::function<void()> on_finish = {});
    bool finished() const { return m_finished; }
    core::ps_t finish_time_ps() const { return m_finish_ps; }
    const cpu_config& config() const { return m_cfg; }

    // ---- thread-side API: only from the program ----
    op_status read(uint64_t addr, uint8_t* data, uint64_t len) override;
    op_status write(uint64_t addr, const uint8_t* data, uint64_t len) override;
    op_status fill(uint64_t addr, uint64_t len, pattern_kind p, uint64_t seed);
    // Compares memory with a pattern; mismatches counts differing bytes, first_bad their first
    // address.
    op_status verify(uint64_t addr, uint64_t len, pattern_kind p, uint64_t seed,
                     uint64_t& mismatches, uint64_t& first_bad);
    op_status checksum(uint64_t addr, uint64_t len, uint64_t& sum);
    op_status copy(uint64_t dst, uint64_t src, uint64_t len);
    op_status mmio_write(uint64_t addr, uint64_t value, unsigned size = 4) override;
    op_status mmio_read(uint64_t addr, uint64_t& value, unsigned size = 4) override;
    // Waits until interrupt line `line` is high; false on timeout (timeout_ps 0 = no timeout)
    // or when the line does not exist.
    bool wait_irq(unsigned line, core::ps_t timeout_ps) override;
    // Polls a register every interval_ps until (value & mask) == expect; false on timeout.
    bool poll(uint64_t addr, uint64_t mask, uint64_t expect, core::ps_t timeout_ps,
              core::ps_t interval_ps, unsigned size = 4) override;
    void delay(core::ps_t ps) override;
    op_status read_phys(uint64_t addr, uint8_t* data, uint64_t len) override;
    op_status write_phys(uint64_t addr, const uint8_t* data, uint64_t len) override;
    void write_sysreg(sysreg r, uint64_t value) override;
    uint64_t read_sysreg(sysreg r) const override { return m_mmu.read(r); }
    void tlbi_all() override;
    void tlbi_asid(uint16_t asid) override;
    void tlbi_va(uint64_t va, uint16_t asid) override;
    void tlbi_vaa(uint64_t va) override;
    const cpu_mmu& mmu() const { return m_mmu; }
    void sync();                      // leave temporal decoupling now
    // Debug (zero-time) mode for setup-only work, set by the platform around it: memory
    // accesses become debug transactions (transport_dbg: no time, no bandwidth booked), MMIO
    // accesses still reach the device (b_transport, its delay dropped), system-register writes
    // and TLBIs cost nothing, and polls spin in delta cycles (at most 100 000) so simulated
    // time does not advance. Counted in <name>.untimed_accesses.
    void set_untimed(bool on) { m_untimed = on; }
    bool untimed() const { return m_untimed; }
    core::ps_t now_ps() const override;  // simulated time including the local offset

private:
    void run();
    // One bus access of len <= line_bytes at a physical address; adds its time to the quantum.
    bool bus_access(tlm::tlm_command cmd, uint64_t addr, uint8_t* data, unsigned len,
                    bool allow_dmi);
    bool dmi_access(tlm::tlm_command cmd, uint64_t addr, uint8_t* data, unsigned len);
    tlm::tlm_generic_payload& payload(tlm::tlm_command cmd, uint64_t addr, uint8_t* data, unsigned len);
    bool untimed_access(tlm::tlm_command cmd, uint64_t addr, uint8_t* data, unsigned len, bool mmio);
    void invalidate_dmi(sc_dt::uint64 start, sc_dt::uint64 end);
    op_status load(uint64_t addr, uint8_t* data, uint64_t len, bool translate);
    op_status store(uint64_t addr, const uint8_t* data, uint64_t len, bool translate);
    // Visits [addr, addr+len) in line-sized pieces; f(phys_addr, offset, n). With translate,
    // each piece is translated first (a fault ends the walk with its report).
    template <typename F>
    op_status for_each_line(uint64_t addr, uint64_t len, mmu::access_type type, bool translate, F&& f);

    // Walk reads: timed reads through `out`, issued at the walk's own running offset.
    struct walk_port : mmu::table_memory {
        cpu* owner = nullptr;
        sc_core::sc_time offset;
        bool read64(uint64_t pa, uint64_t& value, uint64_t& latency_ps) override;
    };

    cpu_config m_cfg;
    core::clock_domain m_clk;
    core::logger m_log;
    tlm_utils::tlm_quantumkeeper m_qk;
    std::function<void(cpu&)> m_program;
    std::function<void()> m_on_finish;
    bool m_finished = false;
    bool m_untimed = false;            // debug (zero-time) mode, see set_untimed()
    core::ps_t m_finish_ps = 0;
    std::vector<tlm::tlm_dmi> m_dmi;   // granted regions, few
    tlm::tlm_generic_payload m_txn;
    std::vector<uint8_t> m_buf;        // scratch of line_bytes
    std::vector<uint8_t> m_expect;     // scratch of line_bytes (verify)
    walk_port m_walk_port;
    cpu_mmu m_mmu;

    core::stat_group m_stats;
    core::counter& m_loads;
    core::counter& m_stores;
    core::counter& m_bytes_read;
    core::counter& m_bytes_written;
    core::counter& m_mmio_reads;
    core::counter& m_mmio_writes;
    core::counter& m_dmi_accesses;
    core::counter& m_bus_errors;
    core::counter& m_irq_waits;
    core::counter& m_polls;
    core::counter& m_untimed_accesses;
    core::histogram& m_walk_latency;
};

}  // namespace vcmsim::cpu
