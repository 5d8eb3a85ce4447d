// SMMU configuration lookup: stream-table walk (linear and 2-level), STE and CD fetch through
// timed bus reads, the architected validity checks, and the TCU's config cache.
//
// resolve_config() follows the record priority of smmuv3-reference.md §7.2: C_BAD_STREAMID →
// F_STE_FETCH → C_BAD_STE → C_BAD_SUBSTREAMID → F_STREAM_DISABLED → F_CD_FETCH → C_BAD_CD.
// Implemented subset: stage 1 only (STE.Config 0b110/0b111 → C_BAD_STE), linear CD tables
// (S1Fmt ≠ 0 with S1CDMax > 0 → C_BAD_STE), terminate model (CD.S = 1 → C_BAD_CD), AArch64
// little-endian tables (CD.AA64 = 0 or CD.ENDI = 1 → C_BAD_CD), no ATS (STE.EATS ≠ 0 →
// C_BAD_STE), NS-EL1 stream world only (STE.STRW ≠ 0 → C_BAD_STE).
#pragma once

#include <cstdint>
#include <vector>

#include "models/mmu/translation.h"
#include "models/smmu/smmu_structs.h"

namespace vcmsim::smmu {

// How the SMMU reads memory (timed reads through its `out` socket). offset_ps is the
// b_transport-style delay offset and grows by the read's latency.
class smmu_bus {
public:
    virtual ~smmu_bus() = default;
    virtual bool read(uint64_t pa, uint8_t* data, unsigned len, uint64_t& offset_ps) = 0;
};

// One upstream access as the TBU sees it (after the port defaults were applied).
struct txn_info {
    uint32_t sid = 0, ssid = 0;
    bool ssv = false, priv = false, instr = false, write = false;
    uint64_t va = 0;
};

// A fault or configuration error to report (event record) and how to terminate.
struct fault_info {
    event_id id = event_id::F_TRANSLATION;
    event_class cls = event_class::in;
    uint64_t fetch_addr = 0;
    int level = -1;          // walk level (translation faults), -1 otherwise
    bool record = true;      // write an event record (CD.R for stage-1 faults)
    bool abort = true;       // abort (CD.A = 1) or RAZ/WI (CD.A = 0)
};

// The resolved configuration of (StreamID, SubstreamID).
struct stream_cfg {
    enum class kind : uint8_t { abort, bypass, translate };
    kind k = kind::abort;
    mmu::regime reg;         // stage-1 regime from the CD
    bool epd0 = false, epd1 = true, rec = true, abrt = true, wxn = false;
    unsigned privcfg = 0, instcfg = 0;
};

// The registers resolve_config needs (a snapshot taken by the SMMU).
struct strtab_regs {
    uint64_t base = 0;       // STRTAB_BASE
    uint32_t cfg = 0;        // STRTAB_BASE_CFG
    bool recinvsid = false;  // CR2.RECINVSID
    unsigned sid_bits = 16, ssid_bits = 8, oas_bits = 48;
    bool gran4k = true, gran16k = true, gran64k = true, two_level = true;
};

// Reads STE (and CD) for t. Returns true and fills cfg, or false and fills flt (flt.record
// false: silent abort, e.g. STE.Config = abort or a bad StreamID without RECINVSID).
// `reads` counts structure reads.
bool resolve_config(smmu_bus& bus, const strtab_regs& regs, const txn_info& t,
                    uint64_t& offset_ps, stream_cfg& cfg, fault_info& flt, unsigned& reads);

// Key of a configuration: StreamID, SSV, SubstreamID.
inline uint64_t config_key(uint32_t sid, bool ssv, uint32_t ssid) {
    return (uint64_t(sid) << 21) | (uint64_t(ssv) << 20) | (ssv ? (ssid & 0xFFFFF) : 0);
}
inline uint32_t key_sid(uint64_t k) { return static_cast<uint32_t>(k >> 21); }
inline bool key_ssv(uint64_t k) { return (k >> 20) & 1; }
inline uint32_t key_ssid(uint64_t k) { return static_cast<uint32_t>(k & 0xFFFFF); }

// Fully associative LRU cache of configuration keys (the data lives with the TCU's stream
// contexts; this class decides hit or miss and what CFGI removes). 0 entries = no caching.
class config_cache {
public:
    explicit config_cache(unsigned entries) : m_e(entries) {}
    bool lookup(uint64_t key);     // refreshes LRU on a hit
    void insert(uint64_t key);
    // Removes entries whose key satisfies pred; returns how many.
    template <class P> unsigned invalidate_if(P pred) {
        unsigned n = 0;
        for (auto& e : m_e)
            if (e.valid && pred(e.key)) { e.valid = false; ++n; }
        return n;
    }
    unsigned valid_entries() const;
    unsigned capacity() const { return static_cast<unsigned>(m_e.size()); }

private:
    struct entry { uint64_t key = 0, stamp = 0; bool valid = false; };
    std::vector<entry> m_e;
    uint64_t m_clock = 0;
};

}  // namespace vcmsim::smmu
