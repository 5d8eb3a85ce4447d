// SMMU event queue: records written through `out` at EVENTQ_BASE + index * 32, PROD advanced
// after the write; full queue → record discarded, events_dropped counted and EVENTQ_PROD.OVFLG
// toggled once until software acknowledges (CONS.OVACKFLG = OVFLG). EVENTQEN = 0 → dropped
// without overflow. MSI (EVENTQ_IRQ_CFG0 ≠ 0) on the empty → non-empty transition.
#include "models/smmu/smmu.h"

namespace vcmsim::smmu {

using namespace regs;

const char* event_name(event_id e) {
    switch (e) {
    case event_id::F_UUT: return "F_UUT";
    case event_id::C_BAD_STREAMID: return "C_BAD_STREAMID";
    case event_id::F_STE_FETCH: return "F_STE_FETCH";
    case event_id::C_BAD_STE: return "C_BAD_STE";
    case event_id::F_STREAM_DISABLED: return "F_STREAM_DISABLED";
    case event_id::C_BAD_SUBSTREAMID: return "C_BAD_SUBSTREAMID";
    case event_id::F_CD_FETCH: return "F_CD_FETCH";
    case event_id::C_BAD_CD: return "C_BAD_CD";
    case event_id::F_WALK_EABT: return "F_WALK_EABT";
    case event_id::F_TRANSLATION: return "F_TRANSLATION";
    case event_id::F_ADDR_SIZE: return "F_ADDR_SIZE";
    case event_id::F_ACCESS: return "F_ACCESS";
    case event_id::F_PERMISSION: return "F_PERMISSION";
    }
    return "EVENT_UNKNOWN";
}

void smmu::record_event(const evt& e, uint64_t t_ps) {
    // Trace: FILL on <smmu>.evtq for a record written (out_addr = its queue slot), EVICT for a
    // record dropped; aux = 0x100 + event id. Category `fault`.
    auto trace = [&](bool written, uint64_t slot_pa) {
        if (!m_trace->enabled(core::trace_cat::fault)) return;
        core::trace_record r;
        r.t_ps = t_ps;
        r.in_addr = e.input_addr();
        r.out_addr = slot_pa;
        r.comp = m_tr_evtq;
        r.stream = static_cast<uint16_t>(e.sid());
        r.ssid = e.ssv() ? (e.ssid() & core::trace_flag::ssid_mask) | core::trace_flag::ssid_valid : 0;
        r.type = static_cast<uint8_t>(written ? core::trace_type::fill : core::trace_type::evict);
        r.outcome = static_cast<uint8_t>(written ? core::trace_outcome::done : core::trace_outcome::none);
        r.lvl_stage = core::trace_lvl(-1);
        r.aux = 0x100 + static_cast<uint32_t>(e.id());
        m_trace->record(r);
    };
    if (!(r32(CR0) & CR0_EVENTQEN)) {
        ++m_events_dropped;
        trace(false, 0);
        return;
    }
    const uint64_t base = reg_value(EVENTQ_BASE);
    const unsigned qs = std::min<unsigned>(static_cast<unsigned>(base & 0x1F), m_cfg.evtq_log2);
    const uint32_t prod_reg = r32(EVENTQ_PROD), cons_reg = r32(EVENTQ_CONS);
    queue_ptr prod(qs, prod_reg);
    const queue_ptr cons(qs, cons_reg);
    if (queue_ptr::full(prod, cons)) {
        ++m_events_dropped;
        if (((prod_reg ^ cons_reg) & EVTQ_OVFLG) == 0) w32(EVENTQ_PROD, prod_reg ^ EVTQ_OVFLG);
        trace(false, 0);
        return;
    }
    const bool was_empty = queue_ptr::empty(prod, cons);
    uint8_t b[32];
    for (int i = 0; i < 4; ++i) store_le64(b + 8 * i, e.dw[i]);
    tlm::tlm_generic_payload p;
    p.set_command(tlm::TLM_WRITE_COMMAND);
    p.set_address((base & Q_ADDR_MASK) + uint64_t(prod.index()) * 32);
    p.set_data_ptr(b);
    p.set_data_length(32);
    p.set_streaming_width(32);
    p.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    sc_core::sc_time d = sc_core::SC_ZERO_TIME;   // the write does not delay the faulting master
    out->b_transport(p, d);
    if (!p.is_response_ok()) {
        ++m_events_dropped;
        trace(false, 0);
        raise_gerror(GERROR_EVENTQ_ABT_ERR);
        return;
    }
    prod.inc();
    w32(EVENTQ_PROD, (prod_reg & EVTQ_OVFLG) | prod.raw());
    ++m_events;
    trace(true, p.get_address());
    update_irqs();
    const uint64_t msi = reg_value(EVENTQ_IRQ_CFG0) & IRQ_CFG0_MASK;
    if (was_empty && msi && (r32(IRQ_CTRL) & IRQ_EVENTQ_EN))
        msi_write(msi, r32(EVENTQ_IRQ_CFG1), GERROR_MSI_EVENTQ_ABT_ERR);
}

void smmu::msi_write(uint64_t addr, uint32_t data, uint32_t gerror_bit) {
    uint8_t b[4] = {uint8_t(data), uint8_t(data >> 8), uint8_t(data >> 16), uint8_t(data >> 24)};
    tlm::tlm_generic_payload p;
    p.set_command(tlm::TLM_WRITE_COMMAND);
    p.set_address(addr);
    p.set_data_ptr(b);
    p.set_data_length(4);
    p.set_streaming_width(4);
    p.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    sc_core::sc_time d = sc_core::SC_ZERO_TIME;
    out->b_transport(p, d);
    if (!p.is_response_ok()) {   // no MSI for the MSI's own abort (no recursion)
        w32(GERROR, r32(GERROR) ^ gerror_bit);
        ++m_gerrors;
        update_irqs();
    }
}

void smmu::sync_pulse_method() {
    m_sync_level = !m_sync_level;
    if (m_elaborated) irq_cmdq_sync.write(m_sync_level);
    if (m_sync_level) m_sync_pulse.notify(core::ps_to_time(m_period));
}

}  // namespace vcmsim::smmu
