#include "models/mmu/walk_cache.h"

#include <cstddef>

#include "models/mmu/vmsa.h"

namespace vcmsim::mmu {

walk_cache::walk_cache(const walk_cache_config& cfg) : m_cfg(cfg) {
    if (cfg.entries == 0) return;
    m_ways = cfg.ways == 0 || cfg.ways > cfg.entries ? cfg.entries : cfg.ways;
    m_sets = cfg.entries / m_ways;
    if ((m_sets & (m_sets - 1)) == 0) m_set_mask = m_sets - 1;
    m_entries.assign(std::size_t(m_sets) * m_ways, entry{});
}

unsigned walk_cache::set_of(int level, uint64_t tag) const {
    uint64_t h = (tag ^ (uint64_t(level) << 58)) * 0x9E3779B97F4A7C15ULL;
    h ^= h >> 29;
    if (m_set_mask != 0 || m_sets == 1) return static_cast<unsigned>(h) & m_set_mask;
    return static_cast<unsigned>(h % m_sets);
}

walk_cache::entry* walk_cache::find(const regime& r, int level, uint64_t tag) {
    entry* set = &m_entries[std::size_t(set_of(level, tag)) * m_ways];
    const uint8_t tg = static_cast<uint8_t>(r.tg);
    for (unsigned w = 0; w < m_ways; ++w) {
        entry& e = set[w];
        if (e.valid && e.tag == tag && e.level == level && e.asid == r.asid && e.ttb == r.ttb &&
            e.tg == tg && e.tsz == r.tsz)
            return &e;
    }
    return nullptr;
}

bool walk_cache::lookup(const regime& r, uint64_t va, int start_level, walk_cache_hit& out) {
    if (!enabled() || start_level > 2) return false;   // nothing cacheable above the leaf
    ++m_lookups;
    for (int level = 2; level >= start_level; --level) {
        if (!((m_cfg.levels_mask >> level) & 1)) continue;
        entry* e = find(r, level, va >> level_shift(r.tg, level));
        if (!e) continue;
        e->stamp = ++m_clock;
        out.level = level;
        out.next_table = e->next_table;
        out.ap_table = e->ap_table;
        out.uxn_table = e->uxn_table;
        out.pxn_table = e->pxn_table;
        ++m_hits[level];
        m_reads_saved += static_cast<uint64_t>(level - start_level + 1);
        return true;
    }
    ++m_misses;
    return false;
}

void walk_cache::fill(const regime& r, uint64_t va, const walk_cache_hit& h) {
    if (!caches_level(h.level)) return;
    const uint64_t tag = va >> level_shift(r.tg, h.level);
    entry* e = find(r, h.level, tag);
    if (!e) {
        entry* set = &m_entries[std::size_t(set_of(h.level, tag)) * m_ways];
        e = &set[0];
        for (unsigned w = 0; w < m_ways; ++w) {
            if (!set[w].valid) { e = &set[w]; break; }
            if (set[w].stamp < e->stamp) e = &set[w];
        }
    }
    e->tag = tag;
    e->ttb = r.ttb;
    e->next_table = h.next_table;
    e->stamp = ++m_clock;
    e->asid = r.asid;
    e->level = static_cast<uint8_t>(h.level);
    e->tg = static_cast<uint8_t>(r.tg);
    e->tsz = static_cast<uint8_t>(r.tsz);
    e->ap_table = h.ap_table;
    e->uxn_table = h.uxn_table;
    e->pxn_table = h.pxn_table;
    e->valid = true;
    ++m_fills;
}

bool walk_cache::covers(const entry& e, uint64_t va) {
    return (va >> level_shift(static_cast<granule>(e.tg), e.level)) == e.tag;
}

void walk_cache::invalidate_all() {
    for (entry& e : m_entries) {
        if (e.valid) ++m_invalidated;
        e.valid = false;
    }
}

void walk_cache::invalidate_asid(uint16_t asid) {
    for (entry& e : m_entries)
        if (e.valid && e.asid == asid) { e.valid = false; ++m_invalidated; }
}

void walk_cache::invalidate_va(uint64_t va) {
    for (entry& e : m_entries)
        if (e.valid && covers(e, va)) { e.valid = false; ++m_invalidated; }
}

void walk_cache::invalidate_va(uint64_t va, uint16_t asid) {
    for (entry& e : m_entries)
        if (e.valid && e.asid == asid && covers(e, va)) { e.valid = false; ++m_invalidated; }
}

uint64_t walk_cache::hits() const { return m_hits[0] + m_hits[1] + m_hits[2] + m_hits[3]; }

unsigned walk_cache::valid_entries() const {
    unsigned n = 0;
    for (const entry& e : m_entries) n += e.valid;
    return n;
}

void walk_cache::reset_counters() {
    m_lookups = m_misses = m_fills = m_reads_saved = m_invalidated = 0;
    m_hits = {};
}

}  // namespace vcmsim::mmu
