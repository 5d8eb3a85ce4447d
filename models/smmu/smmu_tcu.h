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
// Tracing (set_trace): LOOKUP records on <smmu>.tcu.tlb and <smmu>.tcu.walk_cache, WALK records
// on <smmu>.tcu.walker, when the caller passes the sink's active categories to translate().
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "models/core/stats.h"
#include "models/core/timing.h"
#include "models/core/trace.h"
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

// The trace record's ssid field of a transaction (SubstreamID | ssid_valid flag).
inline uint32_t trace_ssid(const txn_info& t) {
    return t.ssv ? (t.ssid & core::trace_flag::ssid_mask) | core::trace_flag::ssid_valid : 0;
}

struct tcu_result {
    enum class status : uint8_t { ok, bypass, abort, fault };
    enum class source : uint8_t { tlb, config, walker };   // where a fault was found
    status st = status::abort;
    source src = source::tlb;
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

    // tr: the trace sink's active categories for this translation (0 = not traced, e.g. DMI
    // probes, whose lookups are not counted in the stream's stats either).
    tcu_result translate(const txn_info& t, const strtab_regs& regs, mmu::access_type type,
                         uint64_t& offset_ps, stream_stats& st, uint32_t tr = 0);

    // Tracing: registers <smmu>.tcu.tlb, .walk_cache (when the walk cache has entries),
    // .walker and .config (faults of the configuration fetch) with sink.
    void set_trace(core::trace_sink& sink, const std::string& smmu_name);
    uint16_t trace_comp(tcu_result::source s) const {
        return s == tcu_result::source::tlb ? m_tr_tlb : s == tcu_result::source::config ? m_tr_config : m_tr_walker;
    }

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
    void trace_lookup(uint16_t comp, uint64_t t_ps, const txn_info& t, uint16_t asid,
                      const mmu::mapping* m, bool hit, int level);
    void trace_walk(const txn_info& t, uint16_t asid, const mmu::walk_result& w, uint64_t at,
                    uint64_t start, uint64_t dur, uint32_t tr);
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
    core::trace_sink* m_trace = &core::trace_sink::disabled();
    uint16_t m_tr_tlb = 0, m_tr_wc = 0, m_tr_walker = 0, m_tr_config = 0;
};

}  // namespace vcmsim::smmu
