// The CPU's MMU: system registers, an optional micro-TLB, the main TLB, a walk cache and the
// shared VMSAv8-64 walker (models/mmu). Plain C++: the CPU model gives it a table_memory whose
// reads are timed bus transactions, so every walk step is a real read through the interconnect.
//
// Registers (AArch64 EL1&0 regime, the fields the model uses):
//   SCTLR_EL1  M[0] stage-1 enable, WXN[19]
//   TCR_EL1    T0SZ[5:0] EPD0[7] TG0[15:14] (00 4K, 01 64K, 10 16K) T1SZ[21:16] A1[22] EPD1[23]
//              TG1[31:30] (01 16K, 10 4K, 11 64K) IPS[34:32] AS[36] HPD0[41] HPD1[42]
//   TTBR0/1    BADDR[47:1], ASID[63:48] (ASID from TTBR1 when A1; 8 bits unless AS)
//   MAIR_EL1   kept for software; memory attributes do not change timing in this model
// VAs whose bits above 64-T0SZ are all zero use TTBR0, all ones TTBR1; others fault
// (translation, level 0). TBI is not modelled (top byte checked). Writes to the registers do
// not flush the TLBs (as in the architecture): software issues TLBI.
//
// Timing: a micro-TLB hit costs nothing beyond the access; a main-TLB lookup costs
// tlb_cycles; a walk costs the latency of each descriptor read plus walk_step_cycles per read.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "models/core/mmu_control.h"
#include "models/core/trace.h"
#include "models/mmu/tlb.h"
#include "models/mmu/translation.h"
#include "models/mmu/walk_cache.h"
#include "models/mmu/walker.h"

namespace vcmsim::cpu {

using core::sysreg;

struct cpu_mmu_config {
    unsigned utlb_entries = 8;            // fully associative micro-TLB; 0 = none
    mmu::tlb_config tlb{64, 4, mmu::replacement::lru, 1};
    mmu::walk_cache_config walk_cache{16, 4, 0b0111};
    uint64_t tlb_cycles = 2;              // main-TLB lookup after a micro-TLB miss
    uint64_t walk_step_cycles = 2;        // walker cycles per descriptor read
};

struct translation {
    bool ok = false;
    uint64_t pa = 0;
    uint64_t latency_ps = 0;  // added by translation (TLB lookup and walk)
    mmu::fault flt;
};

class cpu_mmu {
public:
    cpu_mmu(const cpu_mmu_config& cfg, mmu::table_memory& mem, uint64_t cycle_ps);

    bool enabled() const { return m_sctlr & 1; }
    void write(sysreg r, uint64_t v);
    uint64_t read(sysreg r) const;

    translation translate(uint64_t va, mmu::access_type type, bool privileged);

    // TLBI VMALLE1, ASIDE1, VAE1, VAAE1 (walk caches are invalidated alongside).
    void tlbi_all();
    void tlbi_asid(uint16_t asid);
    void tlbi_va(uint64_t va, uint16_t asid);
    void tlbi_vaa(uint64_t va);

    // Tracing (models/core/trace.h): registers <name>.utlb, <name>.tlb and <name>.walker with
    // `sink`; now_ps gives the simulated time of a translation (called only while tracing).
    // Records use stream 0xFFFF (the CPU). Off by default: a disabled sink costs one branch.
    void set_trace(core::trace_sink& sink, const std::string& name, std::function<uint64_t()> now_ps);

    const mmu::tlb* utlb() const { return m_utlb.get(); }
    const mmu::tlb& tlb() const { return m_tlb; }
    const mmu::walk_cache& walk_cache() const { return m_wc; }
    uint64_t walks() const { return m_walks; }
    uint64_t walk_reads() const { return m_walk_reads; }
    uint64_t walk_latency_ps() const { return m_walk_latency_ps; }
    uint64_t faults() const { return m_faults; }
    uint64_t faults_of(mmu::fault_kind k) const { return m_fault_kinds[static_cast<unsigned>(k) & 7]; }
    uint64_t last_walk_ps() const { return m_last_walk_ps; }
    uint64_t tlbis() const { return m_tlbis; }

private:
    // Selects TTBR0/TTBR1 and builds the walk regime; false (and a fault) when va is outside
    // both ranges or the range is disabled by EPDn.
    bool regime_for(uint64_t va, mmu::regime& r, uint64_t& upper, mmu::fault& f) const;
    uint16_t current_asid() const;

    cpu_mmu_config m_cfg;
    uint64_t m_cycle_ps;
    uint64_t m_sctlr = 0, m_tcr = 0, m_ttbr0 = 0, m_ttbr1 = 0, m_mair = 0;
    std::unique_ptr<mmu::tlb> m_utlb;
    mmu::tlb m_tlb;
    mmu::walk_cache m_wc;
    mmu::walker m_walker;
    uint64_t m_walks = 0, m_walk_reads = 0, m_walk_latency_ps = 0, m_faults = 0, m_tlbis = 0;
    uint64_t m_last_walk_ps = 0;
    uint64_t m_fault_kinds[8] = {};
    // Tracing: never null (trace_sink::disabled() until set_trace).
    core::trace_sink* m_trace = &core::trace_sink::disabled();
    uint16_t m_tr_utlb = 0, m_tr_tlb = 0, m_tr_walker = 0;
    std::function<uint64_t()> m_trace_now;
    void trace_fault(uint16_t comp, uint64_t t, uint64_t va, uint16_t asid, const mmu::fault& f);
    void trace_inval(core::trace_outcome scope, uint64_t va, uint16_t asid);
};

}  // namespace vcmsim::cpu
