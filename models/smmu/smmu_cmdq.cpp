// SMMU command queue: consumed by an SC_THREAD woken by CMDQ_PROD / CR0.CMDQEN / GERRORN writes.
// Each command costs its timed 16-byte read through `out` plus cmd_cycles; invalidations add
// tlbi_cycles. Invalidations (and the DMI revocation they imply) take effect before CONS
// passes the command. An illegal command stops the queue with CONS on it, CONS.ERR = ILL and
// GERROR.CMDQ_ERR toggled; consumption restarts when software acknowledges through GERRORN.
// In debug (zero-time) mode commands are consumed without waits.
#include "models/smmu/smmu.h"

namespace vcmsim::smmu {

using namespace regs;

const char* cmd_name(uint8_t opcode) {
    switch (opcode) {
    case op::PREFETCH_CONFIG: return "PREFETCH_CONFIG";
    case op::PREFETCH_ADDR: return "PREFETCH_ADDR";
    case op::CFGI_STE: return "CFGI_STE";
    case op::CFGI_STE_RANGE: return "CFGI_STE_RANGE";
    case op::CFGI_CD: return "CFGI_CD";
    case op::CFGI_CD_ALL: return "CFGI_CD_ALL";
    case op::CFGI_VMS_PIDM: return "CFGI_VMS_PIDM";
    case op::TLBI_NH_ALL: return "TLBI_NH_ALL";
    case op::TLBI_NH_ASID: return "TLBI_NH_ASID";
    case op::TLBI_NH_VA: return "TLBI_NH_VA";
    case op::TLBI_NH_VAA: return "TLBI_NH_VAA";
    case op::TLBI_NSNH_ALL: return "TLBI_NSNH_ALL";
    case op::RESUME: return "RESUME";
    case op::STALL_TERM: return "STALL_TERM";
    case op::SYNC: return "SYNC";
    default: return nullptr;
    }
}

void smmu::count_command(uint8_t opcode) {
    if (m_cmd_count[opcode]) ++*m_cmd_count[opcode];
}

void smmu::cmdq_thread() {
    for (;;) {
        const uint64_t base = reg_value(CMDQ_BASE);
        const unsigned qs = std::min<unsigned>(static_cast<unsigned>(base & 0x1F), m_cfg.cmdq_log2);
        const queue_ptr prod(qs, r32(CMDQ_PROD));
        queue_ptr cons(qs, r32(CMDQ_CONS));
        if (m_cmdq_stalled || !(r32(CR0) & CR0_CMDQEN) || queue_ptr::empty(prod, cons)) {
            wait(m_cmdq_kick);
            continue;
        }
        uint64_t off = 0;
        uint8_t b[16];
        const uint64_t addr = (base & Q_ADDR_MASK) + uint64_t(cons.index()) * 16;
        const bool ok = m_bus.read(addr, b, 16, off);
        off += m_cfg.cmd_cycles * m_period;
        if (!m_untimed) wait(core::ps_to_time(off));
        off = 0;
        uint32_t err = CERROR_NONE;
        if (!ok) {
            err = CERROR_ABT;
        } else {
            const cmd c{{load_le64(b), load_le64(b + 8)}};
            if (!execute(c, off, err)) {
                if (err == CERROR_NONE) err = CERROR_ILL;
            }
        }
        if (err != CERROR_NONE) {
            VCMSIM_LOG_WARN(m_log, "command error " << err << " at CMDQ index " << cons.index());
            ++m_cmd_unknown;
            m_cmdq_stalled = true;
            w32(CMDQ_CONS, cons.raw() | (err << CONS_ERR_SHIFT));   // CONS.ERR before GERROR
            raise_gerror(GERROR_CMDQ_ERR);
            continue;
        }
        if (off && !m_untimed) wait(core::ps_to_time(off));
        // Software may have disabled the queue or rewritten CONS meanwhile: only advance from
        // the entry just consumed.
        if (queue_ptr(qs, r32(CMDQ_CONS)).raw() == cons.raw()) {
            cons.inc();
            w32(CMDQ_CONS, cons.raw());
        }
    }
}

bool smmu::execute(const cmd& c, uint64_t& off, uint32_t& err) {
    err = CERROR_NONE;
    const uint8_t opc = c.opcode();
    if (!cmd_name(opc)) return false;
    const bool uses_ssec = opc <= op::CFGI_VMS_PIDM || opc == op::RESUME || opc == op::STALL_TERM;
    if (uses_ssec && c.ssec()) return false;   // Secure command on the Non-secure queue
    auto invalidation = [&]() {
        ++m_invalidations;
        off += m_cfg.tlbi_cycles * m_period;
        flush_tbus();
        revoke_dmi();
    };
    // Trace: one INVAL record on <smmu>.cmdq per TLBI/CFGI, at its execution time.
    const bool tr = m_trace->enabled(core::trace_cat::inval);
    const uint64_t t_ps = tr ? core::now_ps() + off : 0;
    using scope = core::trace_outcome;
    switch (opc) {
    case op::PREFETCH_CONFIG: {
        count_command(opc);
        const uint32_t sid = c.sid();
        if (m_cfg.sid_bits < 32 && (uint64_t(sid) >> m_cfg.sid_bits) != 0) return true;
        m_tcu->prefetch(sid, strtab(), off);
        return true;
    }
    case op::PREFETCH_ADDR:
    case op::CFGI_VMS_PIDM:
    case op::RESUME:
    case op::STALL_TERM:
        count_command(opc);
        return true;
    case op::CFGI_STE: {
        const uint32_t sid = c.sid();
        const unsigned n = m_tcu->cfgi([sid](uint64_t k) { return key_sid(k) == sid; });
        if (tr) trace_cmd(scope::inval_ste, t_ps, sid, 0, 0, 0, n);
        break;
    }
    case op::CFGI_STE_RANGE: {
        const unsigned range = c.range();
        if (range == 31) {
            const unsigned n = m_tcu->cfgi([](uint64_t) { return true; });
            if (tr) trace_cmd(scope::inval_range, t_ps, ~0u, 0, 1ULL << 32, 0, n);
        } else {
            const uint64_t block = 1ULL << (range + 1);
            const uint64_t lo = c.sid() & ~(block - 1);
            const unsigned n =
                m_tcu->cfgi([lo, block](uint64_t k) { return key_sid(k) >= lo && key_sid(k) < lo + block; });
            if (tr) trace_cmd(scope::inval_range, t_ps, static_cast<uint32_t>(lo), 0, block, 0, n);
        }
        break;
    }
    case op::CFGI_CD: {
        const uint32_t sid = c.sid(), ssid = c.ssid();
        const unsigned n = m_tcu->cfgi([sid, ssid](uint64_t k) {
            return key_sid(k) == sid && (!key_ssv(k) || key_ssid(k) == ssid);
        });
        if (tr)
            trace_cmd(scope::inval_cd, t_ps, sid,
                      (ssid & core::trace_flag::ssid_mask) | core::trace_flag::ssid_valid, 0, 0, n);
        break;
    }
    case op::CFGI_CD_ALL: {
        const uint32_t sid = c.sid();
        const unsigned n = m_tcu->cfgi([sid](uint64_t k) { return key_sid(k) == sid; });
        if (tr) trace_cmd(scope::inval_cd, t_ps, sid, 0, 0, 0, n);
        break;
    }
    case op::TLBI_NH_ALL:
    case op::TLBI_NSNH_ALL:
        m_tcu->tlbi_all();
        if (tr) trace_cmd(scope::inval_all, t_ps, ~0u, 0, 0, 0, 0);
        break;
    case op::TLBI_NH_ASID:
        m_tcu->tlbi_asid(c.asid());
        if (tr) trace_cmd(scope::inval_asid, t_ps, ~0u, 0, 0, c.asid(), 0);
        break;
    case op::TLBI_NH_VA:
    case op::TLBI_NH_VAA:
        // IDR3.RIL = 0: NUM, SCALE, TTL and TG are RES0 and checked.
        if (c.num() || c.scale() || c.ttl() || c.tg()) return false;
        if (opc == op::TLBI_NH_VA)
            m_tcu->tlbi_va(c.asid(), c.addr(), c.leaf());
        else
            m_tcu->tlbi_vaa(c.addr(), c.leaf());
        if (tr)
            trace_cmd(opc == op::TLBI_NH_VA ? scope::inval_va : scope::inval_vaa, t_ps, ~0u, 0, c.addr(),
                      opc == op::TLBI_NH_VA ? c.asid() : 0, 0);
        break;
    case op::SYNC: {
        if (c.cs() == sync_cs::reserved) return false;
        count_command(opc);
        // Every earlier command has completed (in-order consumption; upstream b_transport calls
        // are atomic with respect to this thread), so completion is immediate.
        if (c.cs() == sync_cs::sig_irq) {
            if (c.msi_addr())
                msi_write(c.msi_addr(), c.msi_data(), GERROR_MSI_CMDQ_ABT_ERR);
            else {
                ++m_sync_irqs;
                m_sync_pulse.notify(sc_core::SC_ZERO_TIME);
            }
        }
        return true;
    }
    default:
        return false;
    }
    count_command(opc);
    invalidation();
    return true;
}

}  // namespace vcmsim::smmu
