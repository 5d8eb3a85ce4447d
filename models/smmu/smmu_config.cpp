// Stream-table walk, STE/CD fetch and checks, config cache. See smmu_config.h.
#include "models/smmu/smmu_config.h"

#include "models/mmu/vmsa.h"

namespace vcmsim::smmu {

namespace {

bool fail(fault_info& f, event_id id, uint64_t fetch = 0, bool record = true) {
    f = fault_info{};
    f.id = id;
    f.fetch_addr = fetch;
    f.record = record;
    f.cls = event_class::cd;
    return false;
}

bool read_words(smmu_bus& bus, uint64_t pa, uint64_t* dw, unsigned n, uint64_t& off,
                unsigned& reads) {
    uint8_t buf[64];
    ++reads;
    if (!bus.read(pa, buf, n * 8, off)) return false;
    for (unsigned i = 0; i < n; ++i) dw[i] = load_le64(buf + 8 * i);
    return true;
}

}  // namespace

bool resolve_config(smmu_bus& bus, const strtab_regs& r, const txn_info& t, uint64_t& off,
                    stream_cfg& cfg, fault_info& flt, unsigned& reads) {
    // ---- Stream table ------------------------------------------------------------------------
    const unsigned log2size = std::min<unsigned>(static_cast<unsigned>(bits(r.cfg, 5, 0)), r.sid_bits);
    const unsigned fmt = static_cast<unsigned>(bits(r.cfg, 17, 16));
    const uint64_t base = r.base & 0x00FFFFFFFFFFFFC0ULL;
    if (log2size < 32 && (uint64_t(t.sid) >> log2size) != 0)
        return fail(flt, event_id::C_BAD_STREAMID, 0, r.recinvsid);
    uint64_t ste_pa;
    if (fmt == 1 && r.two_level) {
        unsigned split = static_cast<unsigned>(bits(r.cfg, 10, 6));
        if (split != 6 && split != 8 && split != 10) split = 6;   // other values behave as 6
        const uint64_t l1_pa = base + (uint64_t(t.sid) >> split) * 8;
        uint64_t d = 0;
        if (!read_words(bus, l1_pa, &d, 1, off, reads))
            return fail(flt, event_id::F_STE_FETCH, l1_pa);
        const l1std l1{d};
        const unsigned span = l1.span();
        if (span == 0 || span > split + 1 || (t.sid & ((1u << split) - 1)) >= (1u << (span - 1)))
            return fail(flt, event_id::C_BAD_STREAMID, 0, r.recinvsid);
        ste_pa = l1.l2ptr() + uint64_t(t.sid & ((1u << split) - 1)) * 64;
    } else if (fmt == 0) {
        ste_pa = base + uint64_t(t.sid) * 64;
    } else {
        return fail(flt, event_id::C_BAD_STREAMID, 0, r.recinvsid);   // reserved FMT
    }
    ste s;
    if (!read_words(bus, ste_pa, s.dw, 8, off, reads)) return fail(flt, event_id::F_STE_FETCH, ste_pa);

    // ---- STE checks ----------------------------------------------------------------------------
    if (!s.v()) return fail(flt, event_id::C_BAD_STE);
    const unsigned config = s.config();
    if (config == 6 || config == 7) return fail(flt, event_id::C_BAD_STE);   // stage 2: unsupported
    if (config >= 4) {
        if (s.strw() != 0 || s.eats() != 0 || s.s1stalld()) return fail(flt, event_id::C_BAD_STE);
    }
    cfg = stream_cfg{};
    cfg.privcfg = s.privcfg();
    cfg.instcfg = s.instcfg();
    if (config < 4) {   // abort, no event
        cfg.k = stream_cfg::kind::abort;
        return true;
    }
    if (config == 4) {
        if (t.ssv) return fail(flt, event_id::C_BAD_SUBSTREAMID);
        cfg.k = stream_cfg::kind::bypass;
        return true;
    }
    // Stage 1.
    const unsigned cdmax = s.s1cdmax();
    if (cdmax > r.ssid_bits || (cdmax > 0 && s.s1fmt() != 0)) return fail(flt, event_id::C_BAD_STE);
    uint64_t cd_pa = s.s1_context_ptr();
    if (cdmax == 0) {
        if (t.ssv) return fail(flt, event_id::C_BAD_SUBSTREAMID);
    } else if (!t.ssv) {
        switch (s.s1dss()) {
        case 0: return fail(flt, event_id::F_STREAM_DISABLED);
        case 1: cfg.k = stream_cfg::kind::bypass; return true;
        case 2: break;   // CD 0
        default: return fail(flt, event_id::C_BAD_STE);
        }
    } else {
        if ((uint64_t(t.ssid) >> cdmax) != 0) return fail(flt, event_id::C_BAD_SUBSTREAMID);
        if (s.s1dss() == 2 && t.ssid == 0) return fail(flt, event_id::F_STREAM_DISABLED);
        cd_pa += uint64_t(t.ssid) * 64;
    }
    cd c;
    if (!read_words(bus, cd_pa, c.dw, 8, off, reads)) return fail(flt, event_id::F_CD_FETCH, cd_pa);

    // ---- CD checks -----------------------------------------------------------------------------
    if (!c.v() || !c.aa64() || c.endi() || c.s()) return fail(flt, event_id::C_BAD_CD);
    // T0SZ outside 16..39 (IDR3.STT = 0, IDR5.VAX = 0) makes a CD that walks TTB0 ILLEGAL
    // (smmuv3-reference.md §5, CD DW0 T0SZ).
    if (!c.epd0() && (c.t0sz() < 16 || c.t0sz() > 39)) return fail(flt, event_id::C_BAD_CD);
    mmu::granule g;
    if (!mmu::granule_from_tg0(c.tg0(), g)) return fail(flt, event_id::C_BAD_CD);
    if ((g == mmu::granule::g4k && !r.gran4k) || (g == mmu::granule::g16k && !r.gran16k) ||
        (g == mmu::granule::g64k && !r.gran64k))
        return fail(flt, event_id::C_BAD_CD);
    const unsigned ips_bits = mmu::oas_bits_from_ips(c.ips());
    cfg.k = stream_cfg::kind::translate;
    cfg.reg.tg = g;
    cfg.reg.tsz = c.t0sz();
    cfg.reg.ttb = c.ttb0();
    cfg.reg.oas_bits = ips_bits == 0 ? r.oas_bits : std::min(ips_bits, r.oas_bits);
    cfg.reg.asid = c.asid();
    cfg.reg.affd = c.affd();
    cfg.reg.hpd = c.had0();
    cfg.reg.wxn = c.wxn();
    cfg.epd0 = c.epd0();
    cfg.epd1 = c.epd1();
    cfg.rec = c.r();
    cfg.abrt = c.a();
    cfg.wxn = c.wxn();
    return true;
}

bool config_cache::lookup(uint64_t key) {
    for (auto& e : m_e)
        if (e.valid && e.key == key) {
            e.stamp = ++m_clock;
            return true;
        }
    return false;
}

void config_cache::insert(uint64_t key) {
    if (m_e.empty()) return;
    entry* victim = &m_e[0];
    for (auto& e : m_e) {
        if (e.valid && e.key == key) { victim = &e; break; }
        if (!e.valid) { if (victim->valid) victim = &e; continue; }
        if (victim->valid && e.stamp < victim->stamp) victim = &e;
    }
    victim->key = key;
    victim->valid = true;
    victim->stamp = ++m_clock;
}

unsigned config_cache::valid_entries() const {
    unsigned n = 0;
    for (const auto& e : m_e) n += e.valid;
    return n;
}

}  // namespace vcmsim::smmu
