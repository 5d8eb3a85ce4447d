#include "models/mmu/tlb.h"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace vcmsim::mmu {

const char* replacement_name(replacement r) {
    switch (r) {
    case replacement::lru: return "lru";
    case replacement::plru: return "plru";
    case replacement::fifo: return "fifo";
    case replacement::random: return "random";
    }
    return "?";
}

namespace {

uint64_t splitmix64(uint64_t x) {
    x += 0x9E3779B97F4A7C15ULL;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
    return x ^ (x >> 31);
}

bool is_pow2(uint64_t v) { return v != 0 && (v & (v - 1)) == 0; }

}  // namespace

tlb::tlb(const tlb_config& cfg)
    : m_entries(cfg.entries), m_ways(cfg.ways == 0 ? cfg.entries : cfg.ways), m_sets(1),
      m_sets_pow2(true), m_set_mask(0), m_policy(cfg.policy) {
    if (m_entries < 1)
        throw std::invalid_argument("tlb: entries must be >= 1");
    if (m_entries % m_ways != 0)
        throw std::invalid_argument("tlb: ways (" + std::to_string(m_ways) +
                                    ") must divide entries (" + std::to_string(m_entries) + ")");
    if (m_policy == replacement::plru && !is_pow2(m_ways))
        throw std::invalid_argument("tlb: plru needs a power-of-two number of ways, got " +
                                    std::to_string(m_ways));
    m_sets = m_entries / m_ways;
    m_sets_pow2 = is_pow2(m_sets);
    m_set_mask = m_sets - 1;
    m_key.assign(m_entries, 0);
    m_asid_tag.assign(m_entries, 0);
    m_map.assign(m_entries, mapping{});
    m_stamp.assign(m_entries, 0);
    if (m_policy == replacement::plru)
        m_plru.assign(static_cast<size_t>(m_sets) * (m_ways - 1), 0);
    m_rng = splitmix64(cfg.seed);
    if (m_rng == 0)
        m_rng = 1;
}

uint64_t tlb::next_random() {   // xorshift64*
    m_rng ^= m_rng >> 12;
    m_rng ^= m_rng << 25;
    m_rng ^= m_rng >> 27;
    return m_rng * 0x2545F4914F6CDD1DULL;
}

const mapping* tlb::probe(uint64_t va, uint16_t asid) const {
    const int slot = find(va, asid);
    return slot < 0 ? nullptr : &m_map[static_cast<unsigned>(slot)];
}

void tlb::touch(unsigned slot) {
    switch (m_policy) {
    case replacement::lru:
        m_stamp[slot] = ++m_clock;
        break;
    case replacement::plru: {
        const unsigned set = slot / m_ways;
        uint8_t* bits = m_plru.data() + static_cast<size_t>(set) * (m_ways - 1);
        unsigned node = slot % m_ways + (m_ways - 1);   // leaf index in the heap
        while (node > 0) {
            const unsigned parent = (node - 1) / 2;
            // Point away from the accessed half: 1 = victim in upper half.
            bits[parent] = (node == 2 * parent + 1) ? 1 : 0;
            node = parent;
        }
        break;
    }
    case replacement::fifo:
    case replacement::random:
        break;
    }
}

unsigned tlb::choose_victim(unsigned set) {
    const unsigned base = set * m_ways;
    switch (m_policy) {
    case replacement::lru:
    case replacement::fifo: {
        unsigned best = 0;
        for (unsigned w = 1; w < m_ways; ++w)
            if (m_stamp[base + w] < m_stamp[base + best])
                best = w;
        return best;
    }
    case replacement::plru: {
        const uint8_t* bits = m_plru.data() + static_cast<size_t>(set) * (m_ways - 1);
        unsigned node = 0;
        while (node < m_ways - 1)
            node = 2 * node + 1 + bits[node];
        return node - (m_ways - 1);
    }
    case replacement::random:
        return static_cast<unsigned>(next_random() % m_ways);
    }
    return 0;
}

void tlb::size_added(unsigned shift) {
    if (m_size_count[shift]++ != 0)
        return;
    unsigned i = m_nshifts++;
    while (i > 0 && m_shifts[i - 1] > shift) {
        m_shifts[i] = m_shifts[i - 1];
        --i;
    }
    m_shifts[i] = static_cast<uint8_t>(shift);
}

void tlb::size_removed(unsigned shift) {
    if (--m_size_count[shift] != 0)
        return;
    unsigned i = 0;
    while (m_shifts[i] != shift)
        ++i;
    for (; i + 1 < m_nshifts; ++i)
        m_shifts[i] = m_shifts[i + 1];
    --m_nshifts;
}

void tlb::install(unsigned slot, const mapping& m) {
    const unsigned shift = m.page_shift;
    const uint64_t mask = (1ULL << shift) - 1;
    m_map[slot] = m;
    m_map[slot].va_base = m.va_base & ~mask;
    m_map[slot].pa_base = m.pa_base & ~mask;
    m_key[slot] = key_of(m.va_base, shift);
    m_asid_tag[slot] = m.attrs.ng ? m.asid : k_global;
    ++m_valid;
    size_added(shift);
}

void tlb::remove(unsigned slot) {
    size_removed(m_map[slot].page_shift);
    m_key[slot] = 0;
    --m_valid;
}

void tlb::fill(const mapping& m) {
    if (m.page_shift < 12 || m.page_shift > 52)
        throw std::invalid_argument("tlb: fill with page_shift " + std::to_string(m.page_shift) +
                                    " outside 12..52");
    ++m_fills;
    m_has_victim = false;
    const unsigned shift = m.page_shift;
    const uint64_t key = key_of(m.va_base, shift);
    const uint32_t tag = m.attrs.ng ? m.asid : k_global;
    const unsigned set = set_of(m.va_base, shift);
    const unsigned base = set * m_ways;

    // Same page already cached (for this ASID, or global on either side): refill in place.
    for (unsigned w = 0; w < m_ways; ++w) {
        const unsigned s = base + w;
        if (m_key[s] == key &&
            (m_asid_tag[s] == tag || m_asid_tag[s] == k_global || tag == k_global)) {
            remove(s);
            install(s, m);
            touch(s);
            return;
        }
    }

    unsigned way = m_ways;
    for (unsigned w = 0; w < m_ways; ++w) {
        if (m_key[base + w] == 0) {
            way = w;
            break;
        }
    }
    if (way == m_ways) {
        way = choose_victim(set);
        m_victim = m_map[base + way];
        m_has_victim = true;
        ++m_evictions;
        remove(base + way);
    }
    const unsigned s = base + way;
    install(s, m);
    if (m_policy == replacement::fifo)
        m_stamp[s] = ++m_clock;
    touch(s);
}

void tlb::invalidate_all() {
    for (unsigned s = 0; s < m_entries; ++s) {
        if (m_key[s] != 0) {
            m_key[s] = 0;
            ++m_invalidated;
        }
    }
    for (unsigned i = 0; i < m_nshifts; ++i)
        m_size_count[m_shifts[i]] = 0;
    m_nshifts = 0;
    m_valid = 0;
    std::fill(m_plru.begin(), m_plru.end(), uint8_t{0});
}

void tlb::invalidate_asid(uint16_t asid) {
    for (unsigned s = 0; s < m_entries; ++s) {
        if (m_key[s] != 0 && m_asid_tag[s] == asid) {
            remove(s);
            ++m_invalidated;
        }
    }
}

void tlb::invalidate_va(uint64_t va, uint16_t asid) {
    // Copy the resident sizes: removals may shrink the list while we walk it.
    uint8_t shifts[64];
    const unsigned n = m_nshifts;
    std::copy(m_shifts, m_shifts + n, shifts);
    for (unsigned i = 0; i < n; ++i) {
        const unsigned shift = shifts[i];
        const uint64_t key = key_of(va, shift);
        const unsigned base = set_of(va, shift) * m_ways;
        for (unsigned w = 0; w < m_ways; ++w) {
            const unsigned s = base + w;
            if (m_key[s] == key && (m_asid_tag[s] == asid || m_asid_tag[s] == k_global)) {
                remove(s);
                ++m_invalidated;
            }
        }
    }
}

void tlb::invalidate_va_all_asids(uint64_t va) {
    uint8_t shifts[64];
    const unsigned n = m_nshifts;
    std::copy(m_shifts, m_shifts + n, shifts);
    for (unsigned i = 0; i < n; ++i) {
        const unsigned shift = shifts[i];
        const uint64_t key = key_of(va, shift);
        const unsigned base = set_of(va, shift) * m_ways;
        for (unsigned w = 0; w < m_ways; ++w) {
            const unsigned s = base + w;
            if (m_key[s] == key) {
                remove(s);
                ++m_invalidated;
            }
        }
    }
}

void tlb::reset_counters() {
    m_lookups = m_hits = m_misses = m_fills = m_evictions = m_invalidated = 0;
}

const mapping* tlb::entry(unsigned set, unsigned way) const {
    if (set >= m_sets || way >= m_ways)
        return nullptr;
    const unsigned s = set * m_ways + way;
    return m_key[s] != 0 ? &m_map[s] : nullptr;
}

}  // namespace vcmsim::mmu
