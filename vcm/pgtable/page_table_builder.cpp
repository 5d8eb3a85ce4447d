#include "vcm/pgtable/page_table_builder.h"

#include <algorithm>

#include "models/mmu/vmsa.h"

namespace vcmsim::vcm {

using mmu::level_shift;
using mmu::level_size;

const char* map_error_name(map_error e) {
    switch (e) {
    case map_error::ok: return "ok";
    case map_error::misaligned: return "misaligned";
    case map_error::overlap: return "overlap";
    case map_error::out_of_memory: return "out_of_memory";
    case map_error::out_of_range: return "out_of_range";
    case map_error::bad_attrs: return "bad_attrs";
    case map_error::not_initialised: return "not_initialised";
    }
    return "?";
}

mmu::leaf_attrs to_leaf_attrs(const map_attrs& a) {
    mmu::leaf_attrs la;
    la.ap = static_cast<uint8_t>((a.write ? 0 : 2) | (a.user ? 1 : 0));
    if (!a.exec) {
        la.uxn = true;
        la.pxn = true;
    } else if (a.user) {
        la.uxn = false;
        la.pxn = true;
    } else {
        la.uxn = true;
        la.pxn = false;
    }
    la.ng = !a.global;
    la.af = a.af;
    la.attr_index = a.attr_index;
    la.sh = a.sh;
    return la;
}

page_table_builder::page_table_builder(pt_memory& mem, pt_allocator& alloc, pt_format fmt)
    : m_mem(mem), m_alloc(alloc), m_fmt(fmt) {
    m_format_ok = mmu::tsz_valid(fmt.tg, fmt.tsz, fmt.ttst) && fmt.oas_bits >= 32 &&
                  fmt.oas_bits <= mmu::max_oa_bits;
    m_start = m_format_ok ? mmu::start_level(fmt.tg, fmt.tsz) : 0;
}

bool page_table_builder::init() {
    if (m_init)
        return true;
    if (!m_format_ok)
        return false;
    if (!alloc_table(m_start, m_root))
        return false;
    m_init = true;
    return true;
}

void page_table_builder::release() {
    for (const auto& t : m_count)
        m_alloc.free_table(t.first, t.first == m_root ? table_bytes(m_start) : granule_bytes());
    m_count.clear();
    m_root = 0;
    m_init = false;
}

uint64_t page_table_builder::table_bytes(int level) const {
    return level == m_start ? mmu::start_table_bytes(m_fmt.tg, m_fmt.tsz) : granule_bytes();
}

bool page_table_builder::block_level_ok(int level) const {
    return m_fmt.blocks && level < 3 && mmu::block_allowed(m_fmt.tg, level);
}

unsigned page_table_builder::index(int level, uint64_t va) const {
    if (level == m_start) {
        const unsigned n = mmu::start_table_entries(m_fmt.tg, m_fmt.tsz);
        return static_cast<unsigned>((va >> level_shift(m_fmt.tg, level)) & (n - 1));
    }
    return mmu::table_index(m_fmt.tg, level, va);
}

bool page_table_builder::in_ia(uint64_t va, uint64_t size) const {
    const uint64_t limit = 1ULL << (64 - m_fmt.tsz);
    return size <= limit && va <= limit - size;
}

bool page_table_builder::alloc_table(int level, uint64_t& pa) {
    const uint64_t bytes = table_bytes(level);
    if (!m_alloc.alloc_table(bytes, bytes, pa))
        return false;
    if ((pa & (bytes - 1)) != 0 || mmu::beyond_oas(pa + bytes - 1, m_fmt.oas_bits)) {
        m_alloc.free_table(pa, bytes);
        return false;
    }
    m_mem.zero(pa, bytes);
    m_count[pa] = 0;
    return true;
}

void page_table_builder::free_table(uint64_t pa) {
    m_alloc.free_table(pa, pa == m_root ? table_bytes(m_start) : granule_bytes());
    m_count.erase(pa);
}

void page_table_builder::set_entry(uint64_t table, uint64_t desc_pa, uint64_t value,
                                   bool was_valid) {
    m_mem.write64(desc_pa, value);
    const bool now_valid = value & mmu::desc::valid_bit;
    if (now_valid != was_valid) {
        uint32_t& c = m_count[table];
        if (now_valid)
            ++c;
        else if (c != 0)   // raw entries written through entry_address() were never counted
            --c;
    }
}

// ---------------------------------------------------------------------------------------------
// map
// ---------------------------------------------------------------------------------------------
bool page_table_builder::range_free(int level, uint64_t table, uint64_t va, uint64_t end,
                                    uint64_t& busy) const {
    const uint64_t span = level_size(m_fmt.tg, level);
    while (va < end) {
        const uint64_t eend = std::min((va & ~(span - 1)) + span, end);
        const uint64_t d = m_mem.read64(table + 8ULL * index(level, va));
        if (d & mmu::desc::valid_bit) {
            if (level < 3 && (d & 3) == 3) {
                if (!range_free(level + 1, mmu::next_table_address(d, m_fmt.tg), va, eend, busy))
                    return false;
            } else {
                busy = va;
                return false;
            }
        }
        va = eend;
    }
    return true;
}

bool page_table_builder::map_range(int level, uint64_t table, uint64_t va, uint64_t end,
                                   uint64_t pa, uint64_t leaf_bits, bool fresh) {
    const mmu::granule g = m_fmt.tg;
    const uint64_t span = level_size(g, level);
    while (va < end) {
        const uint64_t eend = std::min((va & ~(span - 1)) + span, end);
        const uint64_t dpa = table + 8ULL * index(level, va);
        const uint64_t d = fresh ? 0 : m_mem.read64(dpa);   // a new table is known zero
        const bool valid = d & mmu::desc::valid_bit;
        const bool aligned = ((va | pa) & (span - 1)) == 0 && end - va >= span;
        if (!valid && leaf_allowed(level) && aligned) {
            uint64_t leaf = (pa & mmu::oa_mask(g, level)) | leaf_bits | mmu::desc::valid_bit;
            if (level == 3)
                leaf |= mmu::desc::table_bit;
            set_entry(table, dpa, leaf, false);
            m_cursor = va + span;
        } else {
            // Descend: into the existing table, or into a new one. range_free() guaranteed
            // that a valid entry here is a table.
            uint64_t next;
            if (valid) {
                next = mmu::next_table_address(d, g);
            } else {
                if (level == 3 || !alloc_table(level + 1, next))
                    return false;
                set_entry(table, dpa, mmu::make_table(next, g), false);
            }
            const bool ok = map_range(level + 1, next, va, eend, pa, leaf_bits, !valid);
            if (!valid && m_count[next] == 0) {   // a new table left empty by a failure
                set_entry(table, dpa, 0, true);
                free_table(next);
            }
            if (!ok)
                return false;
        }
        pa += eend - va;
        va = eend;
    }
    return true;
}

map_status page_table_builder::map(uint64_t va, uint64_t pa, uint64_t size,
                                   const map_attrs& attrs) {
    if (!m_init)
        return {map_error::not_initialised, va};
    const uint64_t gmask = (1ULL << mmu::granule_shift(m_fmt.tg)) - 1;
    if (size == 0 || ((va | pa | size) & gmask) != 0)
        return {map_error::misaligned, va};
    if (!in_ia(va, size))
        return {map_error::out_of_range, va};
    const uint64_t oa_limit = 1ULL << m_fmt.oas_bits;
    if (size > oa_limit || pa > oa_limit - size)
        return {map_error::out_of_range, va};
    if (!attrs.read || attrs.attr_index > 7 || attrs.sh == 1 || attrs.sh > 3)
        return {map_error::bad_attrs, va};

    uint64_t busy = 0;
    if (!range_free(m_start, m_root, va, va + size, busy))
        return {map_error::overlap, busy};

    const uint64_t leaf_bits = mmu::encode_leaf_fields(to_leaf_attrs(attrs));
    m_cursor = va;
    if (!map_range(m_start, m_root, va, va + size, pa, leaf_bits, false)) {
        const uint64_t failed_at = m_cursor;
        if (m_cursor > va)
            unmap_range(m_start, m_root, va, m_cursor, nullptr);
        return {map_error::out_of_memory, failed_at};
    }
    return {};
}

// ---------------------------------------------------------------------------------------------
// unmap
// ---------------------------------------------------------------------------------------------
unsigned page_table_builder::splits_needed(uint64_t boundary) const {
    const mmu::granule g = m_fmt.tg;
    uint64_t table = m_root;
    for (int level = m_start; level <= 3; ++level) {
        const uint64_t d = m_mem.read64(table + 8ULL * index(level, boundary));
        if (!(d & mmu::desc::valid_bit))
            return 0;
        if (level < 3 && (d & 3) == 3) {
            table = mmu::next_table_address(d, g);
            continue;
        }
        // A leaf holds the boundary: one table per level until the boundary is aligned.
        unsigned n = 0;
        for (int l = level; l < 3 && (boundary & (level_size(g, l) - 1)) != 0; ++l)
            ++n;
        return n;
    }
    return 0;
}

void page_table_builder::split_block(int level, uint64_t desc_pa, uint64_t desc) {
    const mmu::granule g = m_fmt.tg;
    const int child = level + 1;   // 4K L1 -> 2M blocks; every other block -> pages
    const uint64_t cspan = level_size(g, child);
    const unsigned n = static_cast<unsigned>(level_size(g, level) / cspan);
    const uint64_t t = m_reserve.back();
    m_reserve.pop_back();
    // Attribute bits [11:2] and [63:48] stay; the OA field and type are rebuilt.
    const uint64_t attr_bits = desc & ~(mmu::desc::addr_hi_mask & ~0xFFFULL) & ~3ULL;
    const uint64_t base = mmu::output_address(desc, g, level);
    const uint64_t type = mmu::desc::valid_bit | (child == 3 ? mmu::desc::table_bit : 0);
    for (unsigned i = 0; i < n; ++i)
        m_mem.write64(t + 8ULL * i,
                      attr_bits | ((base + i * cspan) & mmu::oa_mask(g, child)) | type);
    m_count[t] = n;
    m_mem.write64(desc_pa, mmu::make_table(t, g));   // valid -> valid: parent count unchanged
}

void page_table_builder::unmap_range(int level, uint64_t table, uint64_t va, uint64_t end,
                                     std::vector<std::pair<uint64_t, uint64_t>>* removed) {
    const mmu::granule g = m_fmt.tg;
    const uint64_t span = level_size(g, level);
    while (va < end) {
        const uint64_t ebase = va & ~(span - 1);
        const uint64_t eend = std::min(ebase + span, end);
        const uint64_t dpa = table + 8ULL * index(level, va);
        const uint64_t d = m_mem.read64(dpa);
        if (d & mmu::desc::valid_bit) {
            if (level < 3 && (d & 3) == 3) {
                const uint64_t next = mmu::next_table_address(d, g);
                unmap_range(level + 1, next, va, eend, removed);
                auto it = m_count.find(next);
                if (it != m_count.end() && it->second == 0) {
                    set_entry(table, dpa, 0, true);
                    free_table(next);
                    ++m_last_freed;
                }
            } else if ((va != ebase || eend != ebase + span) && block_level_ok(level) &&
                       !m_reserve.empty()) {
                split_block(level, dpa, d);
                continue;   // the entry is a table now: descend into it
            } else {
                // A whole leaf (or an entry that cannot be split, e.g. a raw test pattern).
                set_entry(table, dpa, 0, true);
                if (removed)
                    removed->emplace_back(ebase, span);
            }
        }
        va = eend;
    }
}

map_status page_table_builder::unmap(uint64_t va, uint64_t size,
                                     std::vector<std::pair<uint64_t, uint64_t>>* removed) {
    m_last_freed = 0;
    if (!m_init)
        return {map_error::not_initialised, va};
    const uint64_t gmask = (1ULL << mmu::granule_shift(m_fmt.tg)) - 1;
    if (size == 0 || ((va | size) & gmask) != 0)
        return {map_error::misaligned, va};
    if (!in_ia(va, size))
        return {map_error::out_of_range, va};

    const uint64_t end = va + size;
    unsigned need = splits_needed(va);
    if (end < (1ULL << (64 - m_fmt.tsz)))
        need += splits_needed(end);
    for (unsigned i = 0; i < need; ++i) {
        uint64_t t;
        if (!alloc_table(m_start + 1, t)) {   // a granule-sized (non-root) table
            for (uint64_t r : m_reserve)
                free_table(r);
            m_reserve.clear();
            return {map_error::out_of_memory, va};
        }
        m_reserve.push_back(t);
    }
    unmap_range(m_start, m_root, va, end, removed);
    for (uint64_t r : m_reserve)   // both boundaries in one block: one table was spare
        free_table(r);
    m_reserve.clear();
    return {};
}

// ---------------------------------------------------------------------------------------------
// lookup / raw access
// ---------------------------------------------------------------------------------------------
bool page_table_builder::lookup(uint64_t va, uint64_t& pa, unsigned& page_shift) const {
    if (!m_init || !in_ia(va, 1))
        return false;
    const mmu::granule g = m_fmt.tg;
    uint64_t table = m_root;
    for (int level = m_start; level <= 3; ++level) {
        const uint64_t d = m_mem.read64(table + 8ULL * index(level, va));
        if (!(d & mmu::desc::valid_bit))
            return false;
        if (level < 3 && (d & 3) == 3) {
            table = mmu::next_table_address(d, g);
            continue;
        }
        if (level == 3 ? (d & 3) != 3 : !block_level_ok(level))
            return false;
        const unsigned shift = level_shift(g, level);
        pa = mmu::output_address(d, g, level) | (va & ((1ULL << shift) - 1));
        page_shift = shift;
        return true;
    }
    return false;
}

bool page_table_builder::entry_address(uint64_t va, int level, uint64_t& desc_pa, bool allocate) {
    if (!m_init || level < m_start || level > 3 || !in_ia(va, 1))
        return false;
    const mmu::granule g = m_fmt.tg;
    uint64_t table = m_root;
    for (int l = m_start; l < level; ++l) {
        const uint64_t dpa = table + 8ULL * index(l, va);
        const uint64_t d = m_mem.read64(dpa);
        if (!(d & mmu::desc::valid_bit)) {
            uint64_t next;
            if (!allocate || !alloc_table(l + 1, next))
                return false;
            set_entry(table, dpa, mmu::make_table(next, g), false);
            table = next;
        } else if ((d & 3) == 3) {
            table = mmu::next_table_address(d, g);
        } else {
            return false;   // a leaf above the requested level
        }
    }
    desc_pa = table + 8ULL * index(level, va);
    return true;
}

}  // namespace vcmsim::vcm
