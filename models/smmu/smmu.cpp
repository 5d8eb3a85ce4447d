// smmu: sockets, the upstream (TBU) path, DMI and the MMIO transport. See smmu.h.
#include "models/smmu/smmu.h"

#include <cstring>

namespace vcmsim::smmu {

using namespace regs;

namespace {
core::counter g_scratch[7];
core::histogram g_scratch_hist(1, 2);
stream_stats scratch_stats() {   // counters for DMI probes (not registered)
    stream_stats s;
    s.lookups = &g_scratch[0];
    s.utlb_hits = &g_scratch[1];
    s.utlb_misses = &g_scratch[2];
    s.tlb_hits = &g_scratch[3];
    s.tlb_misses = &g_scratch[4];
    s.walks = &g_scratch[5];
    s.walk_reads = &g_scratch[6];
    s.walk_latency = &g_scratch_hist;
    return s;
}
}  // namespace

smmu::smmu(const sc_core::sc_module_name& name, const smmu_config& cfg)
    : sc_module(name), mmio("mmio"), in("in"), out("out"), irq_evtq("irq_evtq"),
      irq_gerror("irq_gerror"), irq_cmdq_sync("irq_cmdq_sync"), m_cfg(cfg),
      m_clk(cfg.clock_hz), m_period(m_clk.period_ps()), m_log(this->name()),
      m_stats(this->name()),
      m_cmd_unknown(m_stats.add_counter("commands.ILLEGAL", "commands rejected with CERROR_ILL")),
      m_invalidations(m_stats.add_counter("invalidations", "TLBI and CFGI commands executed")),
      m_events(m_stats.add_counter("events", "event records written")),
      m_events_dropped(m_stats.add_counter("events_dropped", "events lost (queue full or disabled)")),
      m_gerrors(m_stats.add_counter("gerrors", "global errors raised")),
      m_bypassed(m_stats.add_counter("global_bypass", "transactions passed by GBPA bypass")) {
    validate(cfg);
    mmio.register_b_transport(this, &smmu::mmio_b_transport);
    mmio.register_transport_dbg(this, &smmu::mmio_transport_dbg);
    in.register_b_transport(this, &smmu::b_transport);
    in.register_transport_dbg(this, &smmu::transport_dbg);
    in.register_get_direct_mem_ptr(this, &smmu::get_direct_mem_ptr);
    out.register_invalidate_direct_mem_ptr(this, &smmu::invalidate_direct_mem_ptr);
    m_bus.owner = this;
    m_tcu = std::make_unique<tcu>(m_cfg, m_bus, m_period);
    const size_t n = std::max<size_t>(1, cfg.ports.size());
    m_tbus.reserve(n);
    for (size_t i = 0; i < n; ++i) m_tbus.emplace_back(cfg.utlb_entries);
    for (unsigned opc = 0; opc < 256; ++opc)
        if (const char* nm = cmd_name(static_cast<uint8_t>(opc)))
            m_cmd_count[opc] = &m_stats.add_counter(std::string("commands.") + nm, "commands consumed");
    set_trace(core::trace_sink::global());
    m_stats.add_value("walk_slot_wait_ps", "total time walks waited for a free walk slot", "ps",
                      [this] { return static_cast<double>(m_tcu->slot_wait_ps()); });
    build_registers();
    SC_THREAD(cmdq_thread);
    SC_METHOD(sync_pulse_method);
    sensitive << m_sync_pulse;
    dont_initialize();
}

void smmu::end_of_elaboration() {
    m_elaborated = true;
    m_in_bound = static_cast<unsigned>(in.size());
    while (m_tbus.size() < m_in_bound) m_tbus.emplace_back(m_cfg.utlb_entries);
    trace_register_tbus();
    irq_cmdq_sync.initialize(false);
    update_irqs();
}

void smmu::reset() {
    m_bank.reset();
    m_smmuen = false;
    m_gbpa_abort = true;
    m_cmdq_stalled = false;
    m_tcu->invalidate_all();
    flush_tbus();
    revoke_dmi();
    update_irqs();
}

void smmu::set_trace(core::trace_sink& sink) {
    m_trace = &sink;
    m_tr_utlb.clear();
    trace_register_tbus();
    const std::string n = name();
    m_tcu->set_trace(sink, n);
    m_tr_evtq = sink.register_component(n + ".evtq", "event_queue");
    m_tr_cmdq = sink.register_component(n + ".cmdq", "cmdq");
    for (const auto& kv : m_stream_stats) sink.register_stream(kv.first, "sid" + std::to_string(kv.first));
}

void smmu::trace_register_tbus() {
    while (m_tr_utlb.size() < m_tbus.size())
        m_tr_utlb.push_back(m_trace->register_component(
            std::string(name()) + ".tbu" + std::to_string(m_tr_utlb.size()) + ".utlb", "utlb"));
}

std::string smmu::port_label(size_t port) const {
    if (port < m_cfg.ports.size() && !m_cfg.ports[port].name.empty()) return m_cfg.ports[port].name;
    return "tbu" + std::to_string(port);
}

void smmu::trace_utlb(const tbu& tb, uint64_t t_ps, const txn_info& t, uint16_t asid, const mmu::mapping* m,
                      uint64_t out, bool hit) {
    core::trace_record r;
    r.t_ps = t_ps;
    r.in_addr = t.va;
    r.out_addr = out;
    r.comp = m_tr_utlb[static_cast<size_t>(&tb - m_tbus.data())];
    r.stream = static_cast<uint16_t>(t.sid);
    r.ctx = core::trace_ctx(asid);
    r.ssid = trace_ssid(t);
    r.page_shift = m ? m->page_shift : 0;
    r.lvl_stage = core::trace_lvl(m ? m->level : -1);
    m_trace->record_lookup(r, hit);
}

void smmu::trace_cmd(core::trace_outcome scope, uint64_t t_ps, uint32_t sid, uint32_t ssid, uint64_t addr,
                     uint16_t asid, uint32_t removed) {
    core::trace_record r;
    r.t_ps = t_ps;
    r.in_addr = addr;
    r.comp = m_tr_cmdq;
    r.stream = sid == ~0u ? trace_no_stream : static_cast<uint16_t>(sid);
    r.ctx = core::trace_ctx(asid);
    r.ssid = ssid;
    r.type = static_cast<uint8_t>(core::trace_type::inval);
    r.outcome = static_cast<uint8_t>(scope);
    r.lvl_stage = core::trace_lvl(-1);
    r.aux = removed;
    m_trace->record(r);
}

// One payload for every structure, table and queue read (no allocation per walk step): the
// downstream path never waits inside b_transport, so a read completes before the next begins.
bool smmu::out_bus::read(uint64_t pa, uint8_t* data, unsigned len, uint64_t& offset_ps) {
    tlm::tlm_generic_payload& p = owner->m_rd;
    p.set_command(tlm::TLM_READ_COMMAND);
    p.set_address(pa);
    p.set_data_ptr(data);
    p.set_data_length(len);
    p.set_streaming_width(len);
    p.set_byte_enable_ptr(nullptr);
    p.set_byte_enable_length(0);
    p.set_dmi_allowed(false);
    p.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    if (owner->m_untimed) return owner->out->transport_dbg(p) == len;
    sc_core::sc_time d = core::ps_to_time(offset_ps);
    owner->out->b_transport(p, d);
    offset_ps = core::time_to_ps(d);
    return p.is_response_ok();
}

void smmu::set_untimed(bool on) {
    m_untimed = on;
    if (on) m_cmdq_kick.notify(sc_core::SC_ZERO_TIME);   // consume what is pending now
}

strtab_regs smmu::strtab() const {
    strtab_regs s;
    s.base = reg_value(STRTAB_BASE);
    s.cfg = r32(STRTAB_BASE_CFG);
    s.recinvsid = r32(CR2) & CR2_RECINVSID;
    s.sid_bits = m_cfg.sid_bits;
    s.ssid_bits = m_cfg.ssid_bits;
    s.oas_bits = m_cfg.oas_bits;
    s.gran4k = m_cfg.gran4k;
    s.gran16k = m_cfg.gran16k;
    s.gran64k = m_cfg.gran64k;
    s.two_level = m_cfg.two_level_st;
    return s;
}

txn_info smmu::txn_of(int id, const tlm::tlm_generic_payload& trans) const {
    txn_info t;
    if (const core::txn_ext* e = core::get_txn_ext(trans)) {
        t.sid = e->stream_id;
        t.ssid = e->substream_id;
        t.ssv = e->ssid_valid;
        t.priv = e->privileged;
        t.instr = e->instruction;
    } else if (static_cast<size_t>(id) < m_cfg.ports.size()) {
        const smmu_port_config& p = m_cfg.ports[id];
        t.sid = p.default_sid;
        t.ssid = p.default_ssid;
        t.ssv = p.default_ssv;
    }
    t.write = trans.is_write();
    t.va = trans.get_address();
    return t;
}

stream_stats& smmu::stats_of(uint32_t sid, int port) {
    auto it = m_stream_stats.find(sid);
    if (it != m_stream_stats.end()) return *it->second;
    m_trace->register_stream(sid, port_label(static_cast<size_t>(port)));
    auto s = std::make_unique<stream_stats>();
    const std::string p = "sid" + std::to_string(sid) + ".";
    s->lookups = &m_stats.add_counter(p + "lookups", "upstream transactions translated");
    s->utlb_hits = &m_stats.add_counter(p + "utlb_hits", "micro-TLB hits");
    s->utlb_misses = &m_stats.add_counter(p + "utlb_misses", "micro-TLB misses");
    s->tlb_hits = &m_stats.add_counter(p + "tlb_hits", "main-TLB hits");
    s->tlb_misses = &m_stats.add_counter(p + "tlb_misses", "main-TLB misses");
    s->walks = &m_stats.add_counter(p + "walks", "page-table walks");
    s->walk_reads = &m_stats.add_counter(p + "walk_reads", "descriptor reads by walks");
    s->walk_latency = &m_stats.add_histogram(p + "walk_latency", "walk latency (slot wait included)",
                                             "ns", 10, 64);
    stream_stats& r = *s;
    m_stream_stats.emplace(sid, std::move(s));
    return r;
}

namespace {
// STE PRIVCFG / INSTCFG overrides of the incoming attributes.
inline void apply_overrides(txn_info& t, unsigned privcfg, unsigned instcfg) {
    if (privcfg == 2) t.priv = false;
    if (privcfg == 3) t.priv = true;
    if (instcfg == 2) t.instr = false;
    if (instcfg == 3 && !t.write) t.instr = true;
}
inline mmu::access_type type_of(const txn_info& t) {
    return t.write ? mmu::access_type::write : t.instr ? mmu::access_type::exec : mmu::access_type::read;
}
}  // namespace

void smmu::fault(const txn_info& t, const fault_info& f, stream_stats& st, uint32_t tr, uint64_t t_ps,
                 uint16_t comp, uint16_t asid) {
    tr &= core::trace_compiled_mask;   // constant 0 when tracing is compiled out
    m_last_fault = f;
    const unsigned num = static_cast<unsigned>(f.id) & 0x1F;
    if (!st.faults[num]) {
        uint32_t sid = t.sid;
        st.faults[num] = &m_stats.add_counter("sid" + std::to_string(sid) + ".faults." + event_name(f.id),
                                              "faults of this type");
    }
    ++*st.faults[num];
    VCMSIM_LOG_DEBUG(m_log, event_name(f.id) << " sid=" << t.sid << " va=0x" << std::hex << t.va);
    if (tr & core::trace_cat::fault) {
        core::trace_record r;
        r.t_ps = t_ps;
        r.in_addr = t.va;
        r.out_addr = f.fetch_addr;
        r.comp = comp;
        r.stream = static_cast<uint16_t>(t.sid);
        r.ctx = core::trace_ctx(asid);
        r.ssid = trace_ssid(t);
        r.type = static_cast<uint8_t>(core::trace_type::fault);
        r.outcome = static_cast<uint8_t>(core::trace_outcome::fault);
        r.lvl_stage = core::trace_lvl(f.level);
        r.aux = 0x100 + static_cast<uint32_t>(f.id);
        m_trace->record(r);
    }
    if (!f.record) return;
    evt::params p;
    p.id = f.id;
    p.sid = t.sid;
    p.ssid = t.ssid;
    p.ssv = t.ssv;
    p.pnu = t.priv;
    p.ind = t.instr;
    p.rnw = !t.write;
    p.cls = f.cls;
    p.input_addr = t.va;
    p.fetch_addr = f.fetch_addr;
    record_event(evt::make(p), t_ps);
}

bool smmu::forward(tlm::tlm_generic_payload& trans, uint64_t pa, sc_core::sc_time& delay) {
    const uint64_t va = trans.get_address();
    trans.set_address(pa);
    out->b_transport(trans, delay);
    trans.set_address(va);
    return trans.is_response_ok();
}

void smmu::b_transport(int id, tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
    if (!m_smmuen) {
        if (m_gbpa_abort) {
            trans.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
            return;
        }
        ++m_bypassed;
        out->b_transport(trans, delay);
        trans.set_dmi_allowed(false);
        return;
    }
    const uint64_t va = trans.get_address();
    const unsigned len = trans.get_data_length();
    if (len == 0 || ((va ^ (va + len - 1)) >> 12) != 0 || trans.get_streaming_width() < len) {
        VCMSIM_LOG_WARN(m_log, "upstream transaction crosses a 4 KiB boundary: va=0x" << std::hex << va);
        trans.set_response_status(tlm::TLM_BURST_ERROR_RESPONSE);
        return;
    }
    tbu& tb = m_tbus[static_cast<size_t>(id) < m_tbus.size() ? id : 0];
    txn_info t = txn_of(id, trans);
    stream_stats* st = tb.last_stats;
    if (t.sid != tb.last_sid || !st) {
        st = &stats_of(t.sid, id);
        tb.last_sid = t.sid;
        tb.last_stats = st;
    }
    ++*st->lookups;
    // Tracing: one load here; every point below tests a bit of `tr` (0 when off). Lookups are
    // at the arrival time, now + delay (delay is only updated after them).
    const uint32_t tr = m_trace->active();
    uint64_t off = core::time_to_ps(delay) + m_cfg.utlb_cycles * m_period;
    const uint64_t key = config_key(t.sid, t.ssv, t.ssid);
    if (const tbu::ctx_entry* ce = tb.find(key)) {   // ---- micro-TLB hit path
        if (ce->bypass) {
            ++*st->utlb_hits;
            if (tr & core::trace_cat::any_lookup) trace_utlb(tb, core::now_ps(delay), t, 0, nullptr, va, true);
            delay = core::ps_to_time(off);
            forward(trans, va, delay);
            return;
        }
        if (const mmu::mapping* m = tb.utlb.lookup(va, ce->ctx)) {
            txn_info a = t;
            apply_overrides(a, ce->privcfg, ce->instcfg);
            if (mmu::permits(*m, mmu::access{va, type_of(a), a.priv}, ce->wxn)) {
                ++*st->utlb_hits;
                if (tr & core::trace_cat::any_lookup)
                    trace_utlb(tb, core::now_ps(delay), t, m_tcu->context_cfg(ce->ctx).reg.asid, m,
                               m->translate(va), true);
                delay = core::ps_to_time(off);
                forward(trans, m->translate(va), delay);
                return;
            }
        }
    }
    // ---- micro-TLB miss: ask the TCU
    ++*st->utlb_misses;
    off += m_cfg.tbu_tcu_cycles * m_period;
    const uint16_t ctx = m_tcu->context(key);
    const bool translating = m_tcu->context_cfg(ctx).k == stream_cfg::kind::translate;
    if (translating)
        apply_overrides(t, m_tcu->context_cfg(ctx).privcfg, m_tcu->context_cfg(ctx).instcfg);
    if (tr & core::trace_cat::any_lookup)
        trace_utlb(tb, core::now_ps(delay), t, translating ? m_tcu->context_cfg(ctx).reg.asid : 0, nullptr, 0,
                   false);
    const tcu_result r = m_tcu->translate(t, strtab(), type_of(t), off, *st, tr);
    off += m_cfg.tbu_tcu_cycles * m_period;
    delay = core::ps_to_time(off);
    if (m_tcu->context_generation() != m_ctx_gen) {   // context ids were reused
        m_ctx_gen = m_tcu->context_generation();
        flush_tbus();
    }
    const stream_cfg& c = m_tcu->context_cfg(r.ctx);
    switch (r.st) {
    case tcu_result::status::ok:
        tb.utlb.fill(r.map);
        tb.remember({key, r.ctx, false, r.wxn, static_cast<uint8_t>(c.privcfg),
                     static_cast<uint8_t>(c.instcfg), true});
        forward(trans, r.map.translate(va), delay);
        return;
    case tcu_result::status::bypass:
        tb.remember({key, r.ctx, true, false, 0, 0, true});
        forward(trans, va, delay);
        return;
    case tcu_result::status::abort:
        trans.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
        return;
    case tcu_result::status::fault:
        fault(t, r.flt, *st, tr, tr ? core::now_ps() + off : 0, m_tcu->trace_comp(r.src),
              r.src == tcu_result::source::config ? 0 : c.reg.asid);
        if (!r.flt.abort) {   // RAZ/WI
            if (trans.is_read()) std::memset(trans.get_data_ptr(), 0, len);
            trans.set_response_status(tlm::TLM_OK_RESPONSE);
        } else {
            trans.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
        }
        trans.set_dmi_allowed(false);
        return;
    }
}

unsigned smmu::transport_dbg(int id, tlm::tlm_generic_payload& trans) {
    const uint64_t va = trans.get_address();
    uint64_t pa = va;
    if (m_smmuen) {
        const txn_info t = txn_of(id, trans);
        const tbu& tb = m_tbus[static_cast<size_t>(id) < m_tbus.size() ? id : 0];
        const tbu::ctx_entry* ce = tb.find(config_key(t.sid, t.ssv, t.ssid));
        if (!ce) return 0;
        if (!ce->bypass) {
            const mmu::mapping* m = m_tcu->main_tlb().probe(va, ce->ctx);
            if (!m) return 0;
            pa = m->translate(va);
        }
    } else if (m_gbpa_abort) {
        return 0;
    }
    trans.set_address(pa);
    const unsigned n = out->transport_dbg(trans);
    trans.set_address(va);
    return n;
}

bool smmu::get_direct_mem_ptr(int id, tlm::tlm_generic_payload& trans, tlm::tlm_dmi& dmi) {
    const uint64_t va = trans.get_address();
    dmi.allow_none();
    dmi.set_start_address(va & ~0xFFFULL);
    dmi.set_end_address(va | 0xFFFULL);
    if (!m_smmuen) return false;
    txn_info t = txn_of(id, trans);
    stream_stats scratch = scratch_stats();
    uint64_t off = 0;
    const tcu_result r = m_tcu->translate(t, strtab(), mmu::access_type::read, off, scratch);
    if (m_tcu->context_generation() != m_ctx_gen) {
        m_ctx_gen = m_tcu->context_generation();
        flush_tbus();
        revoke_dmi();
    }
    uint64_t va_base, pa_base, size;
    bool rd = true, wr = true;
    if (r.st == tcu_result::status::ok) {
        va_base = r.map.va_base;
        pa_base = r.map.pa_base;
        size = 1ULL << r.map.page_shift;
        txn_info a = t;
        a.write = false;
        rd = mmu::permits(r.map, mmu::access{va, mmu::access_type::read, a.priv}, r.wxn);
        wr = mmu::permits(r.map, mmu::access{va, mmu::access_type::write, a.priv}, r.wxn);
    } else if (r.st == tcu_result::status::bypass) {
        va_base = pa_base = va & ~0xFFFULL;
        size = 0x1000;
    } else {
        return false;   // faults are reported by the b_transport that follows
    }
    if (!rd && !wr) return false;
    tlm::tlm_generic_payload req;
    req.set_command(trans.get_command());
    req.set_address(pa_base + (va - va_base));
    tlm::tlm_dmi d;
    if (!out->get_direct_mem_ptr(req, d)) return false;
    const uint64_t lo = std::max<uint64_t>(d.get_start_address(), pa_base);
    const uint64_t hi = std::min<uint64_t>(d.get_end_address(), pa_base + size - 1);
    const uint64_t pa = pa_base + (va - va_base);
    if (lo > pa || hi < pa) return false;
    dmi.set_dmi_ptr(d.get_dmi_ptr() + (lo - d.get_start_address()));
    dmi.set_start_address(va_base + (lo - pa_base));
    dmi.set_end_address(va_base + (hi - pa_base));
    if (d.is_read_allowed() && rd) dmi.allow_read();
    if (d.is_write_allowed() && wr) dmi.set_granted_access(dmi.is_read_allowed() ? tlm::tlm_dmi::DMI_ACCESS_READ_WRITE
                                                                                 : tlm::tlm_dmi::DMI_ACCESS_WRITE);
    dmi.set_read_latency(d.get_read_latency() + m_clk.cycles_time(m_cfg.utlb_cycles));
    dmi.set_write_latency(d.get_write_latency() + m_clk.cycles_time(m_cfg.utlb_cycles));
    m_dmi_granted = true;
    return dmi.get_granted_access() != tlm::tlm_dmi::DMI_ACCESS_NONE;
}

void smmu::invalidate_direct_mem_ptr(sc_dt::uint64, sc_dt::uint64) {
    revoke_dmi();   // downstream PA range: the reverse mapping is not kept, revoke everything
}

void smmu::revoke_dmi() {
    ++m_dmi_revocations;
    if (!m_elaborated) return;
    for (unsigned i = 0; i < m_in_bound; ++i) in[i]->invalidate_direct_mem_ptr(0, ~0ULL);
    m_dmi_granted = false;
}

void smmu::flush_tbus() {
    for (auto& t : m_tbus) t.flush();
}

void smmu::mmio_b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
    const uint64_t a = trans.get_address();
    const unsigned len = trans.get_data_length();
    if ((len != 4 && len != 8) || (a & (len - 1)) || a + len > window ||
        trans.get_streaming_width() < len || trans.get_byte_enable_ptr()) {
        VCMSIM_LOG_WARN(m_log, "unsupported MMIO access at 0x" << std::hex << a << " len " << std::dec << len);
        trans.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
        return;
    }
    if (trans.is_write())
        m_bank.write(a, trans.get_data_ptr(), len);   // unmapped bytes: WI
    else if (trans.is_read())
        m_bank.read(a, trans.get_data_ptr(), len);    // unmapped bytes: RAZ
    else {
        trans.set_response_status(tlm::TLM_COMMAND_ERROR_RESPONSE);
        return;
    }
    delay += core::ps_to_time(m_period);
    trans.set_response_status(tlm::TLM_OK_RESPONSE);
}

unsigned smmu::mmio_transport_dbg(tlm::tlm_generic_payload& trans) {
    const uint64_t a = trans.get_address();
    unsigned len = trans.get_data_length();
    if (a >= window) return 0;
    if (a + len > window) len = static_cast<unsigned>(window - a);
    if (!trans.is_read()) return 0;   // debug writes would trigger doorbells: refused
    m_bank.peek(a, trans.get_data_ptr(), len);
    return len;
}

}  // namespace vcmsim::smmu
