// Walk cache: per-level cache of stage-1 TABLE descriptors (Arm TCU "walk cache"; Intel
// paging-structure cache). Plain C++, no SystemC; timing and stats registration belong to the
// owner (TCU, CPU MMU), this class only holds entries and counts events.
//
// An entry caches the table descriptor read at level L for one VA region: key = (level L,
// va >> level_shift(L), asid, ttb, granule, tsz) → next-level table PA plus the APTable /
// UXNTable / PXNTable restrictions accumulated from the start level down to and including L.
// A hit at level L lets the walk start at level L + 1 (a hit on the L2 table descriptor of a 4K
// 4-level walk leaves exactly one read, the L3 page descriptor).
//
// Parameters (walk_cache_config):
//   entries      total entries; 0 disables the cache (every lookup misses, nothing counted)
//   ways         associativity (clamped to entries; entries is rounded down to a multiple)
//   levels_mask  bit L set = table descriptors read at level L are cached (levels 0..2)
// Set index = hash(level, tag) mod sets; true LRU within a set (last hit or fill).
//
// Counters: lookups (one per walk that consults the cache), hits[level] (the deepest level that
// hit), misses, fills, reads_saved (= hit level - start level + 1 per hit), invalidated.
// Invalidation by VA scans every entry (O(entries)); lookups never allocate.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "models/mmu/translation.h"

namespace vcmsim::mmu {

struct walk_cache_config {
    unsigned entries = 0;           // 0 = disabled
    unsigned ways = 4;
    unsigned levels_mask = 0b0111;  // levels 0..2
};

// What a hit returns: the walk continues at level + 1 from next_table.
struct walk_cache_hit {
    int level = -1;                 // level of the cached table descriptor
    uint64_t next_table = 0;        // PA of the level + 1 table
    uint8_t ap_table = 0;           // accumulated through `level`
    bool uxn_table = false;
    bool pxn_table = false;
};

class walk_cache {
public:
    explicit walk_cache(const walk_cache_config& cfg);

    bool enabled() const { return m_sets != 0; }
    bool caches_level(int level) const {
        return enabled() && level >= 0 && level <= 2 && ((m_cfg.levels_mask >> level) & 1);
    }

    // Deepest cached table descriptor for (r, va) at a level in [start_level, 2]. Counts one
    // lookup and a hit or a miss (nothing when disabled). A hit refreshes the entry's LRU age.
    bool lookup(const regime& r, uint64_t va, int start_level, walk_cache_hit& out);
    // Caches the table descriptor read at `level` (no-op when the level is not cached). The
    // hit fields carry the next table and the restrictions accumulated through `level`.
    void fill(const regime& r, uint64_t va, const walk_cache_hit& h);

    void invalidate_all();
    void invalidate_asid(uint16_t asid);
    void invalidate_va(uint64_t va);                  // every level's entry covering va, any asid
    void invalidate_va(uint64_t va, uint16_t asid);   // same, for one asid only

    // Counters (never reset by invalidation).
    uint64_t lookups() const { return m_lookups; }
    uint64_t hits() const;                            // sum over levels
    uint64_t hits(int level) const { return m_hits[level & 3]; }
    uint64_t misses() const { return m_misses; }
    uint64_t fills() const { return m_fills; }
    uint64_t reads_saved() const { return m_reads_saved; }
    uint64_t invalidated() const { return m_invalidated; }
    void reset_counters();

    unsigned entries() const { return m_sets * m_ways; }
    unsigned ways() const { return m_ways; }
    unsigned valid_entries() const;
    const walk_cache_config& config() const { return m_cfg; }

private:
    struct entry {
        uint64_t tag = 0;           // va >> level_shift(level)
        uint64_t ttb = 0;
        uint64_t next_table = 0;
        uint64_t stamp = 0;         // LRU age (larger = more recent)
        uint16_t asid = 0;
        uint8_t level = 0;
        uint8_t tg = 0;             // granule shift
        uint8_t tsz = 0;
        uint8_t ap_table = 0;
        bool uxn_table = false;
        bool pxn_table = false;
        bool valid = false;
    };

    unsigned set_of(int level, uint64_t tag) const;
    entry* find(const regime& r, int level, uint64_t tag);
    static bool covers(const entry& e, uint64_t va);

    walk_cache_config m_cfg;
    unsigned m_sets = 0;
    unsigned m_set_mask = 0;        // sets - 1 when sets is a power of two, else 0
    unsigned m_ways = 0;
    std::vector<entry> m_entries;   // set-major: set * ways + way
    uint64_t m_clock = 0;

    uint64_t m_lookups = 0;
    std::array<uint64_t, 4> m_hits{};
    uint64_t m_misses = 0;
    uint64_t m_fills = 0;
    uint64_t m_reads_saved = 0;
    uint64_t m_invalidated = 0;
};

}  // namespace vcmsim::mmu
