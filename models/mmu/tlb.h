// Set-associative TLB for stage-1 leaf mappings, shared by the CPU MMU and the SMMU (plain C++,
// no SystemC). Timing, ports and stats registration belong to the owner (CPU MMU, TBU, TCU);
// this class only holds entries and counts events.
//
// Parameters (tlb_config):
//   entries  total number of entries (>= 1)
//   ways     associativity; 0 = fully associative (ways = entries); must divide entries
//   policy   lru | plru | fifo | random   (plru needs ways to be a power of two)
//   seed     seed of the random policy's private generator (splitmix64 -> xorshift64*)
//
// Organisation: entries of every page size (4K/16K/64K pages, 2M/32M/512M/1G blocks, any
// page_shift 12..52) live side by side. Each entry is indexed and tagged by its OWN page size:
// set = (va >> page_shift) mod sets. lookup() probes each page size currently resident, smallest
// first (a per-size count makes absent sizes free). A global entry (attrs.ng == false) matches
// any ASID; a non-global entry matches its own ASID only.
//
// Replacement (victim choice within the set, when every way is valid; an invalid way is always
// filled first, lowest index first):
//   lru    true LRU: the way whose last lookup hit or fill is oldest.
//   plru   tree-PLRU: ways-1 node bits per set, heap-ordered (node 0 = root, children of node n
//          are 2n+1 (lower ways) and 2n+2 (upper ways)). A bit of 0 means "the victim is in the
//          lower half", 1 "in the upper half". Every hit or fill sets the bits on the path to
//          point AWAY from the accessed way. The victim is found by following the bits from the
//          root. All bits start at 0 (after construction and invalidate_all).
//   fifo   the way filled longest ago; hits do not reorder; an in-place refill keeps its age.
//   random way = next() % ways from the seeded generator; one draw per eviction.
// A fill for a page already present (same va_base, same page_shift, and same ASID or either
// entry global) overwrites that entry in place: no eviction is counted and no duplicate exists.
//
// Deviations: no VMID / stage-2 tagging (stage 1 only), no contiguous-bit coalescing.
#pragma once

#include <cstdint>
#include <vector>

#include "models/mmu/translation.h"

namespace vcmsim::mmu {

enum class replacement : uint8_t { lru, plru, fifo, random };

const char* replacement_name(replacement r);

struct tlb_config {
    unsigned entries = 32;
    unsigned ways = 0;                  // 0 = fully associative
    replacement policy = replacement::lru;
    uint64_t seed = 1;
};

class tlb {
public:
    explicit tlb(const tlb_config& cfg);   // throws std::invalid_argument on a bad config

    // The entry translating (va, asid) or nullptr. The pointer stays valid until the next fill
    // or invalidation. Counts a lookup and a hit or a miss; a hit updates the policy state.
    const mapping* lookup(uint64_t va, uint16_t asid) {
        ++m_lookups;
        const int slot = find(va, asid);
        if (slot < 0) {
            ++m_misses;
            return nullptr;
        }
        ++m_hits;
        m_mru = static_cast<unsigned>(slot);
        if (m_policy == replacement::lru)
            m_stamp[m_mru] = ++m_clock;
        else if (m_policy == replacement::plru)
            touch(m_mru);
        return &m_map[m_mru];
    }
    // Same search without touching counters or policy state (debug / tracing).
    const mapping* probe(uint64_t va, uint16_t asid) const;

    void fill(const mapping& m);

    void invalidate_all();                            // TLBI VMALLE1 / CMD_TLBI_NH_ALL
    void invalidate_asid(uint16_t asid);              // TLBI ASIDE1: non-global entries of asid
    void invalidate_va(uint64_t va, uint16_t asid);   // TLBI VAE1: asid's entries + global ones
    void invalidate_va_all_asids(uint64_t va);        // TLBI VAAE1: every entry covering va

    // Counters (never reset by invalidation).
    uint64_t lookups() const { return m_lookups; }
    uint64_t hits() const { return m_hits; }
    uint64_t misses() const { return m_misses; }
    uint64_t fills() const { return m_fills; }
    uint64_t evictions() const { return m_evictions; }   // fills that displaced a valid entry
    uint64_t invalidated() const { return m_invalidated; } // entries removed by invalidations
    void reset_counters();

    // The mapping displaced by the most recent fill, or nullptr if that fill used an invalid
    // way or refilled in place.
    const mapping* last_victim() const { return m_has_victim ? &m_victim : nullptr; }

    unsigned entries() const { return m_entries; }
    unsigned ways() const { return m_ways; }
    unsigned sets() const { return m_sets; }
    replacement policy() const { return m_policy; }
    unsigned valid_entries() const { return m_valid; }
    // Raw view of one way (tests, dumps): nullptr if invalid.
    const mapping* entry(unsigned set, unsigned way) const;

private:
    static constexpr uint32_t k_global = 1u << 16;

    unsigned set_of(uint64_t va, unsigned shift) const {
        uint64_t vpn = va >> shift;
        return m_sets_pow2 ? static_cast<unsigned>(vpn & m_set_mask)
                           : static_cast<unsigned>(vpn % m_sets);
    }
    static uint64_t key_of(uint64_t va, unsigned shift) {
        return ((va >> shift) << shift) | (static_cast<uint64_t>(shift) << 1) | 1u;
    }
    int find(uint64_t va, uint16_t asid) const {      // slot index or -1
        // Fast path: the slot of the last hit, when it holds the smallest resident size (so no
        // smaller entry could take precedence).
        const unsigned mru = m_mru;
        const uint64_t mkey = m_key[mru];   // the key encodes the entry's size
        if (m_nshifts != 0 && mkey == key_of(va, m_shifts[0]) &&
            (m_asid_tag[mru] == asid || m_asid_tag[mru] == k_global))
            return static_cast<int>(mru);
        for (unsigned i = 0; i < m_nshifts; ++i) {
            const unsigned shift = m_shifts[i];
            const uint64_t key = key_of(va, shift);
            const unsigned base = set_of(va, shift) * m_ways;
            const uint64_t* keys = &m_key[base];
            const uint32_t* tags = &m_asid_tag[base];
            for (unsigned w = 0; w < m_ways; ++w)
                if (keys[w] == key && (tags[w] == asid || tags[w] == k_global))
                    return static_cast<int>(base + w);
        }
        return -1;
    }
    void touch(unsigned slot);                       // policy update on hit / fill
    unsigned choose_victim(unsigned set);
    void install(unsigned slot, const mapping& m);
    void remove(unsigned slot);
    void size_added(unsigned shift);
    void size_removed(unsigned shift);
    uint64_t next_random();

    unsigned m_entries, m_ways, m_sets;
    bool m_sets_pow2;
    uint64_t m_set_mask;
    replacement m_policy;

    // Per slot (slot = set * ways + way), flat arrays.
    std::vector<uint64_t> m_key;       // va_base | shift << 1 | valid; 0 = invalid
    std::vector<uint32_t> m_asid_tag;  // asid, or k_global for global entries
    std::vector<mapping> m_map;
    std::vector<uint64_t> m_stamp;     // lru: last use; fifo: insertion time
    std::vector<uint8_t> m_plru;       // (ways - 1) node bits per set
    uint64_t m_clock = 0;
    unsigned m_mru = 0;                // slot of the last hit (validated on use)
    uint64_t m_rng;

    // Resident page sizes, ascending, and the number of valid entries of each size.
    uint32_t m_size_count[64] = {};
    uint8_t m_shifts[64] = {};
    unsigned m_nshifts = 0;
    unsigned m_valid = 0;

    uint64_t m_lookups = 0, m_hits = 0, m_misses = 0, m_fills = 0, m_evictions = 0,
             m_invalidated = 0;
    bool m_has_victim = false;
    mapping m_victim;
};

}  // namespace vcmsim::mmu
