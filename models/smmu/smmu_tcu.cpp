// TCU: stream contexts, config cache, main TLB, walk cache, walker and walk slots.
#include "models/smmu/smmu_tcu.h"

#include <algorithm>

#include "models/mmu/vmsa.h"

namespace vcmsim::smmu {

namespace {
event_id event_of(mmu::fault_kind k) {
    switch (k) {
    case mmu::fault_kind::access_flag: return event_id::F_ACCESS;
    case mmu::fault_kind::permission: return event_id::F_PERMISSION;
    case mmu::fault_kind::address_size: return event_id::F_ADDR_SIZE;
    case mmu::fault_kind::walk_abort: return event_id::F_WALK_EABT;
    default: return event_id::F_TRANSLATION;
    }
}
}  // namespace

bool tcu::walk_mem::read64(uint64_t pa, uint64_t& value, uint64_t& latency_ps) {
    uint8_t d[8];
    const uint64_t before = *offset;
    const bool ok = bus->read(pa, d, 8, *offset);
    latency_ps = *offset - before;
    value = load_le64(d);
    return ok;
}

tcu::tcu(const smmu_config& cfg, smmu_bus& bus, core::ps_t period_ps)
    : m_cfg(cfg), m_bus(bus), m_period(period_ps), m_tlb(cfg.tlb), m_wc(cfg.walk_cache),
      m_walker(m_mem, cfg.walk_cache.entries ? &m_wc : nullptr, 0),
      m_cc(cfg.config_cache_entries), m_slots(cfg.walk_slots) {
    m_mem.bus = &bus;
    m_ctx.reserve(64);
}

void tcu::set_trace(core::trace_sink& sink, const std::string& smmu_name) {
    m_trace = &sink;
    m_tr_tlb = sink.register_component(smmu_name + ".tcu.tlb", "tlb");
    if (m_cfg.walk_cache.entries) m_tr_wc = sink.register_component(smmu_name + ".tcu.walk_cache", "walk_cache");
    m_tr_walker = sink.register_component(smmu_name + ".tcu.walker", "walker");
    m_tr_config = sink.register_component(smmu_name + ".tcu.config", "config_cache");
}

void tcu::trace_lookup(uint16_t comp, uint64_t t_ps, const txn_info& t, uint16_t asid,
                       const mmu::mapping* m, bool hit, int level) {
    core::trace_record r;
    r.t_ps = t_ps;
    r.in_addr = t.va;
    r.out_addr = m ? m->translate(t.va) : 0;
    r.comp = comp;
    r.stream = static_cast<uint16_t>(t.sid);
    r.ctx = core::trace_ctx(asid);
    r.ssid = trace_ssid(t);
    r.page_shift = m ? m->page_shift : 0;
    r.lvl_stage = core::trace_lvl(level);
    m_trace->record_lookup(r, hit);
}

uint16_t tcu::context(uint64_t key) {
    auto it = m_ctx_of.find(key);
    if (it != m_ctx_of.end()) return it->second;
    if (m_ctx.size() >= 0xFFFF) {   // bounded: start over (drops every tagged entry)
        invalidate_all();
        m_ctx.clear();
        m_ctx_of.clear();
        ++m_ctx_gen;
    }
    const uint16_t id = static_cast<uint16_t>(m_ctx.size());
    m_ctx.push_back(ctx_info{key, stream_cfg{}, false});
    m_ctx_of.emplace(key, id);
    return id;
}

bool tcu::fetch_config(uint16_t ctx, const txn_info& t, const strtab_regs& regs,
                       uint64_t& off, fault_info& flt) {
    off += m_cfg.config_cycles * m_period;
    stream_cfg c;
    unsigned reads = 0;
    if (!resolve_config(m_bus, regs, t, off, c, flt, reads)) return false;
    m_ctx[ctx].cfg = c;
    m_ctx[ctx].cfg_valid = true;
    m_cc.insert(m_ctx[ctx].key);
    return true;
}

void tcu::prefetch(uint32_t sid, const strtab_regs& regs, uint64_t& off) {
    txn_info t;
    t.sid = sid;
    const uint16_t ctx = context(config_key(sid, false, 0));
    fault_info flt;
    if (!m_ctx[ctx].cfg_valid || !m_cc.lookup(m_ctx[ctx].key)) fetch_config(ctx, t, regs, off, flt);
}

tcu_result tcu::translate(const txn_info& t, const strtab_regs& regs, mmu::access_type type,
                          uint64_t& off, stream_stats& st, uint32_t tr) {
    tr &= core::trace_compiled_mask;   // constant 0 when tracing is compiled out
    tcu_result res;
    const uint64_t key = config_key(t.sid, t.ssv, t.ssid);
    res.ctx = context(key);
    const uint64_t t_lookup = tr ? core::now_ps() + off : 0;   // arrival at the TCU
    off += m_cfg.tlb_cycles * m_period;
    const mmu::access acc{t.va, type, t.priv};
    {
        const ctx_info& c = m_ctx[res.ctx];
        const bool translating = c.cfg_valid && c.cfg.k == stream_cfg::kind::translate;
        const mmu::mapping* m = translating ? m_tlb.lookup(t.va, res.ctx) : nullptr;
        if (tr & core::trace_cat::any_lookup)
            trace_lookup(m_tr_tlb, t_lookup, t, translating ? c.cfg.reg.asid : 0, m, m != nullptr, m ? m->level : -1);
        if (m) {
            ++*st.tlb_hits;
            res.map = *m;
            res.wxn = c.cfg.wxn;
            if (!mmu::permits(res.map, acc, c.cfg.wxn)) {
                res.st = tcu_result::status::fault;
                res.flt = fault_info{event_id::F_PERMISSION, event_class::in, 0, res.map.level,
                                     c.cfg.rec, c.cfg.abrt};
                return res;
            }
            res.st = tcu_result::status::ok;
            return res;
        }
    }
    ++*st.tlb_misses;
    if (!m_ctx[res.ctx].cfg_valid || !m_cc.lookup(key)) {
        if (!fetch_config(res.ctx, t, regs, off, res.flt)) {
            res.st = tcu_result::status::fault;
            res.src = tcu_result::source::config;
            return res;
        }
    }
    const stream_cfg& c = m_ctx[res.ctx].cfg;
    if (c.k == stream_cfg::kind::abort) { res.st = tcu_result::status::abort; return res; }
    if (c.k == stream_cfg::kind::bypass) { res.st = tcu_result::status::bypass; return res; }
    res.wxn = c.wxn;
    auto s1_fault = [&](event_id id, event_class cls, int level, uint64_t fetch) {
        res.st = tcu_result::status::fault;
        res.src = tcu_result::source::walker;
        res.flt = fault_info{id, cls, fetch, level, c.rec, c.abrt};
        return res;
    };
    // TTB0 / TTB1 selection: only TTB0 is walked (Linux sets EPD1); the TTB1 range and
    // addresses in neither range fault before any walk.
    const unsigned ia = 64 - c.reg.tsz;
    if (c.reg.tsz >= 16 && c.reg.tsz <= 48 && (t.va >> ia) != 0)
        return s1_fault(event_id::F_TRANSLATION, event_class::in, 0, 0);
    if (c.epd0) return s1_fault(event_id::F_TRANSLATION, event_class::in, 0, 0);

    // Walk in the slot that frees first.
    core::booked_resource* slot = &m_slots[0];
    for (auto& s : m_slots)
        if (s.next_free() < slot->next_free()) slot = &s;
    const core::ps_t arrive = core::now_ps() + 0;
    const uint64_t off0 = off;
    const core::ps_t at = arrive + off;
    const core::ps_t start = std::max(at, slot->next_free());
    m_slot_wait_ps += start - at;
    off += (start - at) + m_cfg.walk_cache_cycles * m_period;
    m_mem.offset = &off;
    const mmu::walk_result w = m_walker.walk(c.reg, acc);
    slot->book(start, at + (off - off0) - start);
    ++*st.walks;
    *st.walk_reads += w.reads;
    st.walk_latency->sample((off - off0) / 1000);
    if (tr & (core::trace_cat::walk | core::trace_cat::any_lookup)) trace_walk(t, c.reg.asid, w, at, start, off - off0, tr);
    if (w.flt) {
        const event_id id = event_of(w.flt.kind);
        return s1_fault(id, id == event_id::F_WALK_EABT ? event_class::tt : event_class::in,
                        w.flt.level, id == event_id::F_WALK_EABT ? w.fault_pa : 0);
    }
    mmu::mapping m = w.map;
    if (!m.attrs.ng) m_global_seen = true;
    m.attrs.ng = true;   // tagged by stream context
    m.asid = res.ctx;
    m_tlb.fill(m);
    res.map = m;
    if (!mmu::permits(m, acc, c.wxn))
        return s1_fault(event_id::F_PERMISSION, event_class::in, m.level, 0);
    res.st = tcu_result::status::ok;
    return res;
}

// One WALK record (from the request at the slot, slot wait included, as the walk_latency
// stat) and the walk-cache lookup it made when the walk started.
void tcu::trace_walk(const txn_info& t, uint16_t asid, const mmu::walk_result& w, uint64_t at,
                     uint64_t start, uint64_t dur, uint32_t tr) {
    if (m_cfg.walk_cache.entries && (tr & core::trace_cat::any_lookup))
        trace_lookup(m_tr_wc, start, t, asid, nullptr, w.wc_hit_level >= 0, w.wc_hit_level);
    if (!(tr & core::trace_cat::walk)) return;
    core::trace_record r;
    r.t_ps = at;
    r.in_addr = t.va;
    r.out_addr = w.flt ? 0 : w.map.translate(t.va);
    r.dur_ps = static_cast<uint32_t>(std::min<uint64_t>(dur, UINT32_MAX));
    r.comp = m_tr_walker;
    r.stream = static_cast<uint16_t>(t.sid);
    r.ctx = core::trace_ctx(asid);
    r.ssid = trace_ssid(t);
    r.type = static_cast<uint8_t>(core::trace_type::walk);
    r.outcome = static_cast<uint8_t>(w.flt ? core::trace_outcome::fault : core::trace_outcome::done);
    r.page_shift = w.flt ? 0 : w.map.page_shift;
    r.lvl_stage = core::trace_lvl(w.flt ? w.flt.level : w.map.level);
    r.aux = std::min(w.reads, 0xFFFFu) | (static_cast<uint32_t>(w.start_level & 0xF) << 16) |
            (static_cast<uint32_t>(w.wc_hit_level + 1) & 0xF) << 20;
    m_trace->record(r);
}

void tcu::invalidate_all() {
    m_tlb.invalidate_all();
    m_wc.invalidate_all();
    m_cc.invalidate_if([](uint64_t) { return true; });
    for (auto& c : m_ctx) c.cfg_valid = false;
    m_global_seen = false;
}

void tcu::tlbi_all() {
    m_tlb.invalidate_all();
    m_wc.invalidate_all();
    m_global_seen = false;
}

void tcu::tlbi_asid(uint16_t asid) {
    for (size_t i = 0; i < m_ctx.size(); ++i)
        if (m_ctx[i].cfg_valid && m_ctx[i].cfg.reg.asid == asid)
            m_tlb.invalidate_asid(static_cast<uint16_t>(i));
    m_wc.invalidate_asid(asid);
}

void tcu::tlbi_va(uint16_t asid, uint64_t va, bool leaf) {
    if (m_global_seen) {
        m_tlb.invalidate_va_all_asids(va);   // global entries are not tagged by ASID here
    } else {
        for (size_t i = 0; i < m_ctx.size(); ++i)
            if (m_ctx[i].cfg_valid && m_ctx[i].cfg.reg.asid == asid)
                m_tlb.invalidate_va(va, static_cast<uint16_t>(i));
    }
    if (!leaf) m_wc.invalidate_va(va, asid);
}

void tcu::tlbi_vaa(uint64_t va, bool leaf) {
    m_tlb.invalidate_va_all_asids(va);
    if (!leaf) m_wc.invalidate_va(va);
}

}  // namespace vcmsim::smmu
