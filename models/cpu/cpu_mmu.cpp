#include "models/cpu/cpu_mmu.h"

#include <algorithm>
#include <string>

#include "models/mmu/vmsa.h"

namespace vcmsim::cpu {

namespace {
uint64_t bits(uint64_t v, unsigned hi, unsigned lo) { return (v >> lo) & ((1ULL << (hi - lo + 1)) - 1); }

mmu::tlb_config utlb_config(unsigned entries) {
    mmu::tlb_config c;
    c.entries = entries;
    c.ways = 0;
    c.policy = mmu::replacement::lru;
    return c;
}
}  // namespace

cpu_mmu::cpu_mmu(const cpu_mmu_config& cfg, mmu::table_memory& mem, uint64_t cycle_ps)
    : m_cfg(cfg),
      m_cycle_ps(cycle_ps),
      m_utlb(cfg.utlb_entries ? std::make_unique<mmu::tlb>(utlb_config(cfg.utlb_entries)) : nullptr),
      m_tlb(cfg.tlb),
      m_wc(cfg.walk_cache),
      m_walker(mem, m_wc.enabled() ? &m_wc : nullptr, cfg.walk_step_cycles * cycle_ps) {}

void cpu_mmu::write(sysreg r, uint64_t v) {
    switch (r) {
    case sysreg::sctlr_el1: m_sctlr = v; break;
    case sysreg::tcr_el1: m_tcr = v; break;
    case sysreg::ttbr0_el1: m_ttbr0 = v; break;
    case sysreg::ttbr1_el1: m_ttbr1 = v; break;
    case sysreg::mair_el1: m_mair = v; break;
    }
}

uint64_t cpu_mmu::read(sysreg r) const {
    switch (r) {
    case sysreg::sctlr_el1: return m_sctlr;
    case sysreg::tcr_el1: return m_tcr;
    case sysreg::ttbr0_el1: return m_ttbr0;
    case sysreg::ttbr1_el1: return m_ttbr1;
    default: return m_mair;
    }
}

uint16_t cpu_mmu::current_asid() const {
    const uint64_t ttbr = bits(m_tcr, 22, 22) ? m_ttbr1 : m_ttbr0;
    const uint16_t asid = static_cast<uint16_t>(ttbr >> 48);
    return bits(m_tcr, 36, 36) ? asid : static_cast<uint16_t>(asid & 0xff);
}

bool cpu_mmu::regime_for(uint64_t va, mmu::regime& r, uint64_t& upper, mmu::fault& f) const {
    f = {};
    f.ipa_or_va = va;
    const unsigned t0sz = static_cast<unsigned>(bits(m_tcr, 5, 0));
    const unsigned t1sz = static_cast<unsigned>(bits(m_tcr, 21, 16));
    const bool hi = (va >> 63) & 1;
    const unsigned tsz = hi ? t1sz : t0sz;
    const uint64_t ia_mask = tsz >= 64 ? 0 : (tsz == 0 ? ~0ULL : (1ULL << (64 - tsz)) - 1);
    upper = va & ~ia_mask;
    if (upper != 0 && upper != ~ia_mask) {
        f.kind = mmu::fault_kind::translation;
        f.level = 0;
        return false;
    }
    const bool epd = hi ? bits(m_tcr, 23, 23) : bits(m_tcr, 7, 7);
    if (epd) {
        f.kind = mmu::fault_kind::translation;
        f.level = 0;
        return false;
    }
    const unsigned tg = static_cast<unsigned>(hi ? bits(m_tcr, 31, 30) : bits(m_tcr, 15, 14));
    if (hi) r.tg = tg == 1 ? mmu::granule::g16k : tg == 3 ? mmu::granule::g64k : mmu::granule::g4k;
    else r.tg = tg == 2 ? mmu::granule::g16k : tg == 1 ? mmu::granule::g64k : mmu::granule::g4k;
    r.tsz = tsz;
    r.ttb = (hi ? m_ttbr1 : m_ttbr0) & 0x0000fffffffffffeULL;
    r.oas_bits = mmu::oas_bits_from_ips(static_cast<unsigned>(bits(m_tcr, 34, 32)));
    r.asid = current_asid();
    r.hpd = hi ? bits(m_tcr, 42, 42) : bits(m_tcr, 41, 41);
    r.wxn = bits(m_sctlr, 19, 19);
    return true;
}

void cpu_mmu::set_trace(core::trace_sink& sink, const std::string& name, std::function<uint64_t()> now_ps) {
    m_trace = &sink;
    m_trace_now = std::move(now_ps);
    if (m_utlb) m_tr_utlb = sink.register_component(name + ".utlb", "utlb");
    m_tr_tlb = sink.register_component(name + ".tlb", "tlb");
    m_tr_walker = sink.register_component(name + ".walker", "walker");
    sink.register_stream(core::trace_cpu_stream, "cpu");
}

void cpu_mmu::trace_fault(uint16_t comp, uint64_t t, uint64_t va, uint16_t asid, const mmu::fault& f) {
    core::trace_record r;
    r.t_ps = t;
    r.in_addr = va;
    r.comp = comp;
    r.stream = core::trace_cpu_stream;
    r.ctx = core::trace_ctx(asid);
    r.type = static_cast<uint8_t>(core::trace_type::fault);
    r.outcome = static_cast<uint8_t>(core::trace_outcome::fault);
    r.lvl_stage = core::trace_lvl(f.level);
    r.aux = static_cast<uint32_t>(f.kind);
    m_trace->record(r);
}

void cpu_mmu::trace_inval(core::trace_outcome scope, uint64_t va, uint16_t asid) {
    if (!m_trace->enabled(core::trace_cat::inval)) return;
    core::trace_record r;
    r.t_ps = m_trace_now();
    r.in_addr = va;
    r.comp = m_tr_tlb;
    r.stream = core::trace_cpu_stream;
    r.ctx = core::trace_ctx(asid);
    r.type = static_cast<uint8_t>(core::trace_type::inval);
    r.outcome = static_cast<uint8_t>(scope);
    r.lvl_stage = core::trace_lvl(-1);
    m_trace->record(r);
}

translation cpu_mmu::translate(uint64_t va, mmu::access_type type, bool privileged) {
    translation t;
    if (!enabled()) {
        t.ok = true;
        t.pa = va;
        return t;
    }
    const uint16_t asid = current_asid();
    const mmu::access acc{va, type, privileged};
    const bool wxn = bits(m_sctlr, 19, 19);
    // Tracing: one load here; every point below tests a bit of `tr` (0 when off).
    const uint32_t tr = m_trace->active();
    const uint64_t now = tr ? m_trace_now() : 0;
    auto trace_lookup = [&](uint16_t comp, const mmu::mapping* m) {
        core::trace_record r;
        r.t_ps = now;
        r.in_addr = va;
        r.out_addr = m ? m->translate(va) : 0;
        r.comp = comp;
        r.stream = core::trace_cpu_stream;
        r.ctx = core::trace_ctx(asid);
        r.page_shift = m ? m->page_shift : 0;
        r.lvl_stage = core::trace_lvl(m ? m->level : -1);
        m_trace->record_lookup(r, m != nullptr);
    };
    auto check = [&](const mmu::mapping& m, uint16_t comp) {
        if (!mmu::permits(m, acc, wxn)) {
            t.flt = {mmu::fault_kind::permission, static_cast<int8_t>(m.level), va};
            ++m_faults;
            ++m_fault_kinds[static_cast<unsigned>(mmu::fault_kind::permission)];
            if (tr & core::trace_cat::fault) trace_fault(comp, now + t.latency_ps, va, asid, t.flt);
            return t;
        }
        t.ok = true;
        t.pa = m.translate(va);
        return t;
    };
    if (m_utlb) {
        const mmu::mapping* m = m_utlb->lookup(va, asid);
        if (tr & core::trace_cat::any_lookup) trace_lookup(m_tr_utlb, m);
        if (m) return check(*m, m_tr_utlb);
    }
    t.latency_ps += m_cfg.tlb_cycles * m_cycle_ps;
    {
        const mmu::mapping* m = m_tlb.lookup(va, asid);
        if (tr & core::trace_cat::any_lookup) trace_lookup(m_tr_tlb, m);
        if (m) {
            if (m_utlb) m_utlb->fill(*m);
            return check(*m, m_tr_tlb);
        }
    }
    mmu::regime r;
    uint64_t upper = 0;
    if (!regime_for(va, r, upper, t.flt)) {
        ++m_faults;
        ++m_fault_kinds[static_cast<unsigned>(t.flt.kind)];
        if (tr & core::trace_cat::fault) trace_fault(m_tr_walker, now + t.latency_ps, va, asid, t.flt);
        return t;
    }
    const uint64_t walk_start = now + t.latency_ps;
    const mmu::walk_result w = m_walker.walk(r, mmu::access{va & ~upper, type, privileged});
    ++m_walks;
    m_walk_reads += w.reads;
    m_walk_latency_ps += w.latency_ps;
    m_last_walk_ps = w.latency_ps;
    t.latency_ps += w.latency_ps;
    if (tr & core::trace_cat::walk) {
        core::trace_record rec;
        rec.t_ps = walk_start;
        rec.in_addr = va;
        rec.out_addr = w.flt ? 0 : w.map.translate(va & ~upper);
        rec.dur_ps = static_cast<uint32_t>(std::min<uint64_t>(w.latency_ps, UINT32_MAX));
        rec.comp = m_tr_walker;
        rec.stream = core::trace_cpu_stream;
        rec.ctx = core::trace_ctx(asid);
        rec.type = static_cast<uint8_t>(core::trace_type::walk);
        rec.outcome = static_cast<uint8_t>(w.flt ? core::trace_outcome::fault : core::trace_outcome::done);
        rec.page_shift = w.flt ? 0 : w.map.page_shift;
        rec.lvl_stage = core::trace_lvl(w.flt ? w.flt.level : w.map.level);
        rec.aux = std::min(w.reads, 0xFFFFu) | (static_cast<uint32_t>(w.start_level & 0xF) << 16) |
                  (static_cast<uint32_t>(w.wc_hit_level + 1) & 0xF) << 20;
        m_trace->record(rec);
    }
    if (w.flt) {
        t.flt = w.flt;
        t.flt.ipa_or_va = va;
        ++m_faults;
        ++m_fault_kinds[static_cast<unsigned>(w.flt.kind) & 7];
        if (tr & core::trace_cat::fault) trace_fault(m_tr_walker, now + t.latency_ps, va, asid, t.flt);
        return t;
    }
    mmu::mapping m = w.map;
    m.va_base |= upper;
    m.asid = asid;
    m_tlb.fill(m);
    if (m_utlb) m_utlb->fill(m);
    return check(m, m_tr_walker);
}

void cpu_mmu::tlbi_all() {
    ++m_tlbis;
    trace_inval(core::trace_outcome::inval_all, 0, 0);
    m_tlb.invalidate_all();
    if (m_utlb) m_utlb->invalidate_all();
    m_wc.invalidate_all();
}

void cpu_mmu::tlbi_asid(uint16_t asid) {
    ++m_tlbis;
    trace_inval(core::trace_outcome::inval_asid, 0, asid);
    m_tlb.invalidate_asid(asid);
    if (m_utlb) m_utlb->invalidate_asid(asid);
    m_wc.invalidate_asid(asid);
}

void cpu_mmu::tlbi_va(uint64_t va, uint16_t asid) {
    ++m_tlbis;
    trace_inval(core::trace_outcome::inval_va, va, asid);
    m_tlb.invalidate_va(va, asid);
    if (m_utlb) m_utlb->invalidate_va(va, asid);
    m_wc.invalidate_va(va);
}

void cpu_mmu::tlbi_vaa(uint64_t va) {
    ++m_tlbis;
    trace_inval(core::trace_outcome::inval_vaa, va, 0);
    m_tlb.invalidate_va_all_asids(va);
    if (m_utlb) m_utlb->invalidate_va_all_asids(va);
    m_wc.invalidate_va(va);
}

}  // namespace vcmsim::cpu
