// The SMMU's central translation control unit (TCU): stream contexts, config cache, main TLB,
// walk cache, the shared stage-1 walker and N walk slots. Plain C++ over an smmu_bus (timed
// reads through the SMMU's `out` socket); the smmu module owns it.
//
// TLB tagging: every (StreamID, SSV, SubstreamID) gets a stream context id on first use; the
// main TLB and the TBU micro-TLBs tag entries with that id (never global), so a stream can only
// hit its own entries. The context remembers the ASID its CD gave it so TLBI by ASID / VA can
// find the entries. The walk cache is tagged by (ASID, TTB, granule, TxSZ) as in mmu::.
//
// Timing of translate() on top of the caller's offset (all in SMMU cycles of period p):
//   tlb_cycles                                  main-TLB lookup
//   + on a miss: [config_cycles + STE/CD read latencies if the config cache misses]
//                + slot wait + walk_cache_cycles + descriptor read latencies
// Walk slots: a walk takes the slot that frees first; it starts at max(arrival, next_free)
// and holds the slot for walk_cache_cycles + its reads.
#pragma once

#include <cstdint>
#include <unordered_map>
#include <vector>

#include "models/core/stats.h"
#include "models/core/timing.h"
#include "models/mmu/tlb.h"
#include "models/mmu/walk_cache.h"
#include "models/mmu/walker.h"
#include "models/smmu/smmu_config.h"
#include "models/smmu/smmu_params.h"

namespace vcmsim::smmu {

struct stream_stats {
    core::counter* lookups = nullptr;
    core::counter* utlb_hits = nullptr;
    core::counter* utlb_misses = nullptr;
    core::counter* tlb_hits = nullptr;
    core::counter* tlb_misses = nullptr;
    core::counter* walks = nullptr;
    core::counter* walk_reads = nullptr;
    core::histogram* walk_latency = nullptr;   // ns
    core::counter* faults[32] = {};            // by event number (< 0x20), created on first use
};

struct tcu_result {
    enum class status : uint8_t { ok, bypass, abort, fault };
    status st = status::abort;
    mmu::mapping map;        // ok: the leaf (asid = context id)
    uint16_t ctx = 0;
    bool wxn = false;
    fault_info flt;          // fault
};

class tcu {
public:
    tcu(const smmu_config& cfg, smmu_bus& bus, core::ps_t period_ps);

    // Context id of a configuration key (created on first use).
    uint16_t context(uint64_t key);
    const stream_cfg& context_cfg(uint16_t ctx) const { return m_ctx[ctx].cfg; }

    tcu_result translate(const txn_info& t, const strtab_regs& regs, mmu::access_type type,
                         uint64_t& offset_ps, stream_stats& st);

    // Invalidation (the TBUs are flushed by the owner).
    void invalidate_all();                              // CFGI_ALL + TLBI_NSNH_ALL
    void tlbi_all();                                    // TLBI_NH_ALL / NSNH_ALL
    void tlbi_asid(uint16_t asid);
    void tlbi_va(uint16_t asid, uint64_t va, bool leaf);
    void tlbi_vaa(uint64_t va, bool leaf);
    // CFGI: configuration keys matching pred lose their cached config and TLB entries.
    template <class P> unsigned cfgi(P pred) {
        const unsigned n = m_cc.invalidate_if(pred);
        for (size_t i = 0; i < m_ctx.size(); ++i)
            if (pred(m_ctx[i].key) && m_ctx[i].cfg_valid) {
                m_ctx[i].cfg_valid = false;
                m_tlb.invalidate_asid(static_cast<uint16_t>(i));
            }
        return n;
    }
    // Fetches the configuration of key into the config cache (CMD_PREFETCH_CONFIG).
    void prefetch(uint32_t sid, const strtab_regs& regs, uint64_t& offset_ps);

    const mmu::tlb& main_tlb() const { return m_tlb; }
    const mmu::walk_cache& walk_cache() const { return m_wc; }
    const config_cache& cfg_cache() const { return m_cc; }
    size_t contexts() const { return m_ctx.size(); }
    core::ps_t period_ps() const { return m_period; }
    // Incremented when the context table is rebuilt (ids reused): the TBUs must flush.
    uint64_t context_generation() const { return m_ctx_gen; }
    uint64_t slot_wait_ps() const { return m_slot_wait_ps; }   // total wait for a free walk slot

private:
    struct ctx_info {
        uint64_t key = 0;
        stream_cfg cfg;
        bool cfg_valid = false;
    };
    struct walk_mem : mmu::table_memory {
        smmu_bus* bus = nullptr;
        uint64_t* offset = nullptr;
        bool read64(uint64_t pa, uint64_t& value, uint64_t& latency_ps) override;
    };
    bool fetch_config(uint16_t ctx, const txn_info& t, const strtab_regs& regs,
                      uint64_t& offset_ps, fault_info& flt);

    const smmu_config& m_cfg;
    smmu_bus& m_bus;
    core::ps_t m_period;
    mmu::tlb m_tlb;
    mmu::walk_cache m_wc;
    walk_mem m_mem;
    mmu::walker m_walker;
    config_cache m_cc;
    std::vector<core::booked_resource> m_slots;
    std::vector<ctx_info> m_ctx;
    std::unordered_map<uint64_t, uint16_t> m_ctx_of;
    uint64_t m_slot_wait_ps = 0;
    uint64_t m_ctx_gen = 0;
    bool m_global_seen = false;   // some global leaf was cached (TLBI_NH_VA must reach it)
};

}  // namespace vcmsim::smmu
