// SMMU register file (core::register_bank), access rules, doorbells and interrupt lines.
#include <stdexcept>
#include <string>

#include "models/smmu/smmu.h"

namespace vcmsim::smmu {

using namespace regs;

void validate(const smmu_config& c) {
    auto bad = [](const std::string& f, const std::string& why) {
        throw std::invalid_argument("smmu_config." + f + ": " + why);
    };
    if (c.clock_hz == 0) bad("clock_hz", "must be > 0");
    if (c.sid_bits < 1 || c.sid_bits > 32) bad("sid_bits", "must be 1..32");
    if (c.ssid_bits > 20) bad("ssid_bits", "must be 0..20");
    if (c.cmdq_log2 < 1 || c.cmdq_log2 > 19) bad("cmdq_log2", "must be 1..19");
    if (c.evtq_log2 < 1 || c.evtq_log2 > 19) bad("evtq_log2", "must be 1..19");
    if (c.oas_bits != 32 && c.oas_bits != 36 && c.oas_bits != 40 && c.oas_bits != 42 &&
        c.oas_bits != 44 && c.oas_bits != 48)
        bad("oas_bits", "must be 32, 36, 40, 42, 44 or 48");
    if (!c.gran4k && !c.gran16k && !c.gran64k) bad("gran4k", "at least one granule is required");
    if (c.utlb_entries < 1) bad("utlb_entries", "must be >= 1");
    if (c.tlb.entries < 1) bad("tlb.entries", "must be >= 1");
    if (c.tlb.ways != 0 && c.tlb.entries % c.tlb.ways != 0) bad("tlb.ways", "must divide tlb.entries");
    if (c.walk_slots < 1) bad("walk_slots", "must be >= 1");
    if (c.walk_cache.entries != 0 && c.walk_cache.ways == 0) bad("walk_cache.ways", "must be >= 1");
}

namespace {
unsigned oas_enc(unsigned bits) {
    switch (bits) {
    case 32: return 0;
    case 36: return 1;
    case 40: return 2;
    case 42: return 3;
    case 44: return 4;
    default: return 5;
    }
}
}  // namespace

uint32_t smmu::r32(uint64_t off) const {
    uint8_t d[4] = {};
    m_bank.peek(off, d, 4);
    return uint32_t(d[0]) | uint32_t(d[1]) << 8 | uint32_t(d[2]) << 16 | uint32_t(d[3]) << 24;
}

uint64_t smmu::reg_value(uint64_t off) const {
    uint8_t d[8] = {};
    m_bank.peek(off, d, 8);
    return load_le64(d);
}

void smmu::w32(uint64_t off, uint32_t v) {
    if (core::reg* r = m_bank.at(off)) r->set(v);
}

void smmu::build_registers() {
    const smmu_config& c = m_cfg;
    const uint32_t idr0 = (1u << 1) | (2u << 2) | (1u << 4) | (1u << 12) | (1u << 13) |
                          (2u << 21) | (1u << 24) | ((c.two_level_st ? 1u : 0u) << 27);
    const uint32_t idr1 = c.sid_bits | (c.ssid_bits << 6) | (c.evtq_log2 << 16) | (c.cmdq_log2 << 21);
    const uint32_t idr5 = oas_enc(c.oas_bits) | (c.gran4k << 4) | (c.gran16k << 5) | (c.gran64k << 6);
    auto ro = [&](const char* n, uint64_t off, uint64_t reset) { return &m_bank.add({n, off, 4, reset, 0, 0, false}); };
    ro("IDR0", IDR0, idr0);
    ro("IDR1", IDR1, idr1);
    ro("IDR2", IDR2, 0);
    ro("IDR3", IDR3, 0);
    ro("IDR4", IDR4, 0);
    ro("IDR5", IDR5, idr5);
    ro("IIDR", IIDR, 0);
    ro("AIDR", AIDR, 0);   // SMMUv3.0
    auto& cr0 = m_bank.add({"CR0", CR0, 4, 0, CR0_MASK, 0, true});
    ro("CR0ACK", CR0ACK, 0);
    m_bank.add({"CR1", CR1, 4, 0, 0xFFF, 0, false});
    m_bank.add({"CR2", CR2, 4, 0, CR2_RECINVSID | CR2_PTM, 0, false});
    ro("STATUSR", STATUSR, 0);
    auto& gbpa = m_bank.add({"GBPA", GBPA, 4, GBPA_ABORT, GBPA_FIELDS | GBPA_UPDATE, 0, true});
    m_bank.add({"AGBPA", AGBPA, 4, 0, 0, 0, false});
    auto& irq = m_bank.add({"IRQ_CTRL", IRQ_CTRL, 4, 0, IRQ_GERROR_EN | IRQ_EVENTQ_EN, 0, true});
    ro("IRQ_CTRLACK", IRQ_CTRLACK, 0);
    ro("GERROR", GERROR, 0);
    auto& gerrorn = m_bank.add({"GERRORN", GERRORN, 4, 0, GERROR_MASK, 0, true});
    m_bank.add({"GERROR_IRQ_CFG0", GERROR_IRQ_CFG0, 8, 0, IRQ_CFG0_MASK, 0, false});
    m_bank.add({"GERROR_IRQ_CFG1", GERROR_IRQ_CFG1, 4, 0, 0xFFFFFFFF, 0, false});
    m_bank.add({"GERROR_IRQ_CFG2", GERROR_IRQ_CFG2, 4, 0, 0x3F, 0, false});
    auto& stb = m_bank.add({"STRTAB_BASE", STRTAB_BASE, 8, 0, STRTAB_BASE_MASK, 0, false});
    auto& stc = m_bank.add({"STRTAB_BASE_CFG", STRTAB_BASE_CFG, 4, 0, STRTAB_CFG_MASK, 0, false});
    auto& cqb = m_bank.add({"CMDQ_BASE", CMDQ_BASE, 8, 0, Q_BASE_MASK, 0, false});
    auto& cqp = m_bank.add({"CMDQ_PROD", CMDQ_PROD, 4, 0, 0xFFFFF, 0, true});
    auto& cqc = m_bank.add({"CMDQ_CONS", CMDQ_CONS, 4, 0, 0xFFFFF, 0, false});
    auto& eqb = m_bank.add({"EVENTQ_BASE", EVENTQ_BASE, 8, 0, Q_BASE_MASK, 0, false});
    m_bank.add({"EVENTQ_IRQ_CFG0", EVENTQ_IRQ_CFG0, 8, 0, IRQ_CFG0_MASK, 0, false});
    m_bank.add({"EVENTQ_IRQ_CFG1", EVENTQ_IRQ_CFG1, 4, 0, 0xFFFFFFFF, 0, false});
    m_bank.add({"EVENTQ_IRQ_CFG2", EVENTQ_IRQ_CFG2, 4, 0, 0x3F, 0, false});
    auto& eqp = m_bank.add({"EVENTQ_PROD", EVENTQ_PROD, 4, 0, 0xFFFFF, 0, false});
    auto& eqc = m_bank.add({"EVENTQ_CONS", EVENTQ_CONS, 4, 0, 0xFFFFF | EVTQ_OVFLG, 0, true});

    cr0.on_write = [this](uint64_t o, uint64_t n) { on_cr0(o, n); };
    gbpa.on_write = [this](uint64_t o, uint64_t n) { on_gbpa(o, n); };
    gerrorn.on_write = [this](uint64_t o, uint64_t n) { on_gerrorn(o, n); };
    irq.on_write = [this](uint64_t, uint64_t n) {
        w32(IRQ_CTRLACK, static_cast<uint32_t>(n));
        update_irqs();
    };
    // Access rules: the write is undone (with a warning) while the owning enable is set.
    auto guard = [this](core::reg& r, uint32_t enable_bit) {
        r.on_write = [this, &r, enable_bit](uint64_t o, uint64_t n) {
            if (o == n) return;
            if ((r32(CR0) | r32(CR0ACK)) & enable_bit) {
                r.set(o);
                VCMSIM_LOG_WARN(m_log, r.def.name << " written while enabled: ignored");
            }
        };
    };
    guard(stb, CR0_SMMUEN);
    guard(stc, CR0_SMMUEN);
    guard(cqb, CR0_CMDQEN);
    guard(cqc, CR0_CMDQEN);
    guard(eqb, CR0_EVENTQEN);
    guard(eqp, CR0_EVENTQEN);
    cqp.on_write = [this](uint64_t, uint64_t) { m_cmdq_kick.notify(sc_core::SC_ZERO_TIME); };
    eqc.on_write = [this](uint64_t, uint64_t) { update_irqs(); };
}

void smmu::on_cr0(uint64_t o, uint64_t n) {
    const uint32_t changed = static_cast<uint32_t>(o ^ n);
    if (changed & CR0_SMMUEN) {
        m_smmuen = n & CR0_SMMUEN;
        revoke_dmi();
        flush_tbus();
    }
    w32(CR0ACK, static_cast<uint32_t>(n));   // every change takes effect at the access
    if ((changed & CR0_CMDQEN) && (n & CR0_CMDQEN)) m_cmdq_kick.notify(sc_core::SC_ZERO_TIME);
    update_irqs();
}

void smmu::on_gbpa(uint64_t o, uint64_t n) {
    core::reg* r = m_bank.at(GBPA);
    if (!(n & GBPA_UPDATE)) {   // writes without Update are ignored
        r->set(o);
        return;
    }
    r->set(n & GBPA_FIELDS);    // applied: Update reads as 0
    const bool abort = n & GBPA_ABORT;
    if (abort != m_gbpa_abort && !m_smmuen) revoke_dmi();
    m_gbpa_abort = abort;
}

void smmu::on_gerrorn(uint64_t, uint64_t n) {
    const uint32_t active = (r32(GERROR) ^ static_cast<uint32_t>(n)) & GERROR_MASK;
    if (m_cmdq_stalled && !(active & GERROR_CMDQ_ERR)) {
        m_cmdq_stalled = false;
        w32(CMDQ_CONS, r32(CMDQ_CONS) & 0xFFFFF);   // ERR cleared on restart
        m_cmdq_kick.notify(sc_core::SC_ZERO_TIME);
    }
    update_irqs();
}

void smmu::raise_gerror(uint32_t b) {
    w32(GERROR, r32(GERROR) ^ b);   // toggle to activate
    ++m_gerrors;
    update_irqs();
    const uint64_t msi = reg_value(GERROR_IRQ_CFG0) & IRQ_CFG0_MASK;
    if (msi && (r32(IRQ_CTRL) & IRQ_GERROR_EN))
        msi_write(msi, r32(GERROR_IRQ_CFG1), GERROR_MSI_GERROR_ABT_ERR);
}

void smmu::update_irqs() {
    const uint32_t irq = r32(IRQ_CTRL);
    const uint32_t prod = r32(EVENTQ_PROD) & 0xFFFFF, cons = r32(EVENTQ_CONS) & 0xFFFFF;
    m_lvl_evtq = (irq & IRQ_EVENTQ_EN) && prod != cons;
    m_lvl_gerror = (irq & IRQ_GERROR_EN) && ((r32(GERROR) ^ r32(GERRORN)) & GERROR_MASK);
    if (m_elaborated) {
        irq_evtq.write(m_lvl_evtq);
        irq_gerror.write(m_lvl_gerror);
    }
}

}  // namespace vcmsim::smmu
