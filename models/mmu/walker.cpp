#include "models/mmu/walker.h"

#include "models/mmu/vmsa.h"

namespace vcmsim::mmu {

walker::walker(table_memory& mem, walk_cache* wc, uint64_t step_ps)
    : m_mem(mem), m_wc(wc), m_step_ps(step_ps) {}

namespace {
inline void set_fault(walk_result& res, fault_kind k, int level, uint64_t va) {
    res.flt.kind = k;
    res.flt.level = static_cast<int8_t>(level);
    res.flt.ipa_or_va = va;
}
}  // namespace

walk_result walker::walk(const regime& r, const access& a) {
    walk_result res;
    ++m_walks;
    const uint64_t va = a.va;
    const granule g = r.tg;

    // Checks before the walk: reported at level 0 (Arm pseudocode / ESR convention).
    if (!tsz_valid(g, r.tsz, r.ttst)) {
        set_fault(res, fault_kind::translation, 0, va);
        ++m_faults;
        return res;
    }
    const unsigned ia_bits = 64 - r.tsz;
    if ((va >> ia_bits) != 0) {
        set_fault(res, fault_kind::translation, 0, va);
        ++m_faults;
        return res;
    }
    const unsigned oas = r.oas_bits > max_oa_bits ? max_oa_bits : r.oas_bits;
    if (beyond_oas(r.ttb, oas)) {
        set_fault(res, fault_kind::address_size, 0, va);
        ++m_faults;
        return res;
    }

    int level = start_level(g, r.tsz);
    uint64_t table = r.ttb & ~(start_table_bytes(g, r.tsz) - 1);
    uint8_t ap_tbl = 0;
    bool uxn_tbl = false, pxn_tbl = false;

    if (m_wc) {
        walk_cache_hit h;
        if (m_wc->lookup(r, va, level, h)) {
            res.wc_hit_level = h.level;
            level = h.level + 1;
            table = h.next_table;
            ap_tbl = h.ap_table;
            uxn_tbl = h.uxn_table;
            pxn_tbl = h.pxn_table;
        }
    }
    res.start_level = level;

    for (;; ++level) {
        // At the start level bits above the IA are zero (checked), so the full mask is safe.
        const uint64_t pa = table + uint64_t(table_index(g, level, va)) * 8;
        uint64_t d = 0, lat = 0;
        res.fault_pa = pa;
        const bool ok = m_mem.read64(pa, d, lat);
        ++res.reads;
        ++m_reads;
        res.latency_ps += lat + m_step_ps;
        if (!ok) {
            set_fault(res, fault_kind::walk_abort, level, va);
            break;
        }
        const desc_type t = descriptor_type(d, level);
        if (t == desc_type::table) {
            const uint64_t next = next_table_address(d, g);
            if (beyond_oas(next, oas)) {
                set_fault(res, fault_kind::address_size, level, va);
                break;
            }
            if (!r.hpd) {
                ap_tbl |= ap_table(d);
                uxn_tbl |= uxn_table(d);
                pxn_tbl |= pxn_table(d);
            }
            table = next;
            if (m_wc && m_wc->caches_level(level)) {
                walk_cache_hit h;
                h.level = level;
                h.next_table = next;
                h.ap_table = ap_tbl;
                h.uxn_table = uxn_tbl;
                h.pxn_table = pxn_tbl;
                m_wc->fill(r, va, h);
            }
            continue;
        }
        if (t == desc_type::invalid || t == desc_type::reserved ||
            (t == desc_type::block && !block_allowed(g, level))) {
            set_fault(res, fault_kind::translation, level, va);
            break;
        }
        // Leaf: block or page.
        const uint64_t oa = output_address(d, g, level);
        if (beyond_oas(oa, oas)) {
            set_fault(res, fault_kind::address_size, level, va);
            break;
        }
        if (!af(d) && !r.affd) {
            set_fault(res, fault_kind::access_flag, level, va);
            break;
        }
        mapping& m = res.map;
        m.page_shift = static_cast<uint8_t>(level_shift(g, level));
        m.va_base = va & ~((1ULL << m.page_shift) - 1);
        m.pa_base = oa;
        m.level = static_cast<uint8_t>(level);
        m.asid = r.asid;
        m.attrs = decode_leaf_attrs(d);
        m.attrs.ap_table = ap_tbl;
        m.attrs.uxn_table = uxn_tbl;
        m.attrs.pxn_table = pxn_tbl;
        break;
    }
    if (res.flt) ++m_faults;
    return res;
}

}  // namespace vcmsim::mmu
