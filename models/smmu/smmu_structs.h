// SMMUv3 in-memory structures: STE (64 B), CD (64 B), L1 stream-table descriptor, commands
// (16 B) and event records (32 B). Plain C++: small structs of little-endian 64-bit words with
// field accessors named after the architecture (smmuv3-reference.md §4-§7) and encoders used by
// the model (event records) and by software and tests (STE, CD, commands).
#pragma once

#include <cstdint>

namespace vcmsim::smmu {

inline uint64_t bits(uint64_t v, unsigned hi, unsigned lo) {
    return (v >> lo) & (hi - lo >= 63 ? ~0ULL : ((1ULL << (hi - lo + 1)) - 1));
}
inline uint64_t field(uint64_t v, unsigned hi, unsigned lo) {   // place v at [hi:lo]
    return (v & (hi - lo >= 63 ? ~0ULL : ((1ULL << (hi - lo + 1)) - 1))) << lo;
}
inline uint64_t load_le64(const uint8_t* p) {
    uint64_t v = 0;
    for (int i = 7; i >= 0; --i) v = v << 8 | p[i];
    return v;
}
inline void store_le64(uint8_t* p, uint64_t v) {
    for (int i = 0; i < 8; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
}

// ---- Stream table -------------------------------------------------------------------------
enum class ste_config : uint8_t { abort = 0, bypass = 4, s1 = 5, s2 = 6, nested = 7 };

struct ste {
    uint64_t dw[8] = {};
    bool v() const { return dw[0] & 1; }
    unsigned config() const { return static_cast<unsigned>(bits(dw[0], 3, 1)); }
    unsigned s1fmt() const { return static_cast<unsigned>(bits(dw[0], 5, 4)); }
    uint64_t s1_context_ptr() const { return dw[0] & 0x00FFFFFFFFFFFFC0ULL; }   // [55:6]
    unsigned s1cdmax() const { return static_cast<unsigned>(bits(dw[0], 63, 59)); }
    unsigned s1dss() const { return static_cast<unsigned>(bits(dw[1], 1, 0)); }
    bool s1stalld() const { return bits(dw[1], 27, 27); }
    unsigned eats() const { return static_cast<unsigned>(bits(dw[1], 29, 28)); }
    unsigned strw() const { return static_cast<unsigned>(bits(dw[1], 31, 30)); }
    unsigned privcfg() const { return static_cast<unsigned>(bits(dw[1], 49, 48)); }
    unsigned instcfg() const { return static_cast<unsigned>(bits(dw[1], 51, 50)); }
    uint16_t s2vmid() const { return static_cast<uint16_t>(bits(dw[2], 15, 0)); }

    static ste make_abort() { ste s; s.dw[0] = 1; return s; }
    static ste make_bypass() { ste s; s.dw[0] = 1 | field(4, 3, 1); return s; }
    // Stage 1 with a linear CD table of 2^s1cdmax CDs (s1cdmax = 0: one CD at cd_ptr).
    static ste make_s1(uint64_t cd_ptr, unsigned s1cdmax = 0, unsigned s1dss = 0) {
        ste s;
        s.dw[0] = 1 | field(5, 3, 1) | (cd_ptr & 0x00FFFFFFFFFFFFC0ULL) | field(s1cdmax, 63, 59);
        s.dw[1] = field(s1dss, 1, 0) | field(1, 3, 2) | field(1, 5, 4) | field(3, 7, 6);
        return s;
    }
};
static_assert(sizeof(ste) == 64, "STE is 64 bytes");

struct l1std {   // 2-level stream table, level-1 descriptor
    uint64_t dw = 0;
    unsigned span() const { return static_cast<unsigned>(bits(dw, 4, 0)); }
    uint64_t l2ptr() const { return dw & 0x00FFFFFFFFFFFFC0ULL; }   // [55:6]
    static l1std make(uint64_t l2ptr, unsigned span) {
        return l1std{(l2ptr & 0x00FFFFFFFFFFFFC0ULL) | field(span, 4, 0)};
    }
};
static_assert(sizeof(l1std) == 8, "L1STD is 8 bytes");

// ---- Context descriptor -------------------------------------------------------------------
struct cd {
    uint64_t dw[8] = {};
    unsigned t0sz() const { return static_cast<unsigned>(bits(dw[0], 5, 0)); }
    unsigned tg0() const { return static_cast<unsigned>(bits(dw[0], 7, 6)); }
    bool epd0() const { return bits(dw[0], 14, 14); }
    bool endi() const { return bits(dw[0], 15, 15); }
    bool epd1() const { return bits(dw[0], 30, 30); }
    bool v() const { return bits(dw[0], 31, 31); }
    unsigned ips() const { return static_cast<unsigned>(bits(dw[0], 34, 32)); }
    bool affd() const { return bits(dw[0], 35, 35); }
    bool wxn() const { return bits(dw[0], 36, 36); }
    bool aa64() const { return bits(dw[0], 41, 41); }
    bool s() const { return bits(dw[0], 44, 44); }
    bool r() const { return bits(dw[0], 45, 45); }
    bool a() const { return bits(dw[0], 46, 46); }
    uint16_t asid() const { return static_cast<uint16_t>(bits(dw[0], 63, 48)); }
    bool had0() const { return bits(dw[1], 1, 1); }
    uint64_t ttb0() const { return dw[1] & 0x00FFFFFFFFFFFFF0ULL; }   // [55:4]
    uint64_t mair() const { return dw[3]; }

    struct params {
        unsigned t0sz = 16, tg0 = 0, ips = 5;
        bool epd0 = false, epd1 = true, aa64 = true, a = true, r = true, s = false;
        bool affd = false, wxn = false, valid = true;
        uint16_t asid = 0;
        uint64_t ttb0 = 0;
        uint64_t mair = 0x0000000004FF44ULL;   // io-pgtable: 0x44 NC, 0xFF WB, 0x04 Device
    };
    static cd make(const params& p) {
        cd c;
        c.dw[0] = field(p.t0sz, 5, 0) | field(p.tg0, 7, 6) | field(1, 9, 8) | field(1, 11, 10) |
                  field(3, 13, 12) | field(p.epd0, 14, 14) | field(p.epd1, 30, 30) |
                  field(p.valid, 31, 31) | field(p.ips, 34, 32) | field(p.affd, 35, 35) |
                  field(p.wxn, 36, 36) | field(p.aa64, 41, 41) | field(p.s, 44, 44) |
                  field(p.r, 45, 45) | field(p.a, 46, 46) | field(p.asid, 63, 48);
        c.dw[1] = p.ttb0 & 0x00FFFFFFFFFFFFF0ULL;
        c.dw[3] = p.mair;
        return c;
    }
};
static_assert(sizeof(cd) == 64, "CD is 64 bytes");

// ---- Commands -----------------------------------------------------------------------------
namespace op {
constexpr uint8_t PREFETCH_CONFIG = 0x01, PREFETCH_ADDR = 0x02, CFGI_STE = 0x03,
                  CFGI_STE_RANGE = 0x04, CFGI_CD = 0x05, CFGI_CD_ALL = 0x06,
                  CFGI_VMS_PIDM = 0x07, TLBI_NH_ALL = 0x10, TLBI_NH_ASID = 0x11,
                  TLBI_NH_VA = 0x12, TLBI_NH_VAA = 0x13, TLBI_NSNH_ALL = 0x30,
                  RESUME = 0x44, STALL_TERM = 0x45, SYNC = 0x46;
}
enum class sync_cs : uint8_t { none = 0, sig_irq = 1, sig_sev = 2, reserved = 3 };

struct cmd {
    uint64_t dw[2] = {};
    uint8_t opcode() const { return static_cast<uint8_t>(dw[0] & 0xFF); }
    bool ssec() const { return bits(dw[0], 10, 10); }
    bool ssv() const { return bits(dw[0], 11, 11); }
    uint32_t ssid() const { return static_cast<uint32_t>(bits(dw[0], 31, 12)); }
    uint32_t sid() const { return static_cast<uint32_t>(bits(dw[0], 63, 32)); }
    bool leaf() const { return dw[1] & 1; }
    unsigned range() const { return static_cast<unsigned>(bits(dw[1], 4, 0)); }
    uint16_t vmid() const { return static_cast<uint16_t>(bits(dw[0], 47, 32)); }
    uint16_t asid() const { return static_cast<uint16_t>(bits(dw[0], 63, 48)); }
    unsigned num() const { return static_cast<unsigned>(bits(dw[0], 16, 12)); }
    unsigned scale() const { return static_cast<unsigned>(bits(dw[0], 24, 20)); }
    unsigned ttl() const { return static_cast<unsigned>(bits(dw[1], 9, 8)); }
    unsigned tg() const { return static_cast<unsigned>(bits(dw[1], 11, 10)); }
    uint64_t addr() const { return dw[1] & ~0xFFFULL; }
    sync_cs cs() const { return static_cast<sync_cs>(bits(dw[0], 13, 12)); }
    uint32_t msi_data() const { return static_cast<uint32_t>(bits(dw[0], 63, 32)); }
    uint64_t msi_addr() const { return dw[1] & 0x00FFFFFFFFFFFFFCULL; }   // [55:2]

    static cmd make(uint8_t opc, uint64_t dw0 = 0, uint64_t dw1 = 0) { return cmd{{dw0 | opc, dw1}}; }
    static cmd cfgi_ste(uint32_t sid, bool leaf = true) {
        return make(op::CFGI_STE, field(sid, 63, 32), leaf);
    }
    static cmd cfgi_ste_range(uint32_t sid, unsigned range) {
        return make(op::CFGI_STE_RANGE, field(sid, 63, 32), range & 31);
    }
    static cmd cfgi_all() { return cfgi_ste_range(0, 31); }
    static cmd cfgi_cd(uint32_t sid, uint32_t ssid, bool leaf = true) {
        return make(op::CFGI_CD, field(ssid, 31, 12) | field(sid, 63, 32), leaf);
    }
    static cmd cfgi_cd_all(uint32_t sid) { return make(op::CFGI_CD_ALL, field(sid, 63, 32)); }
    static cmd prefetch_config(uint32_t sid) { return make(op::PREFETCH_CONFIG, field(sid, 63, 32)); }
    static cmd tlbi_nh_all() { return make(op::TLBI_NH_ALL); }
    static cmd tlbi_nh_asid(uint16_t asid) { return make(op::TLBI_NH_ASID, field(asid, 63, 48)); }
    static cmd tlbi_nh_va(uint16_t asid, uint64_t va, bool leaf = true) {
        return make(op::TLBI_NH_VA, field(asid, 63, 48), (va & ~0xFFFULL) | leaf);
    }
    static cmd tlbi_nh_vaa(uint64_t va, bool leaf = true) {
        return make(op::TLBI_NH_VAA, 0, (va & ~0xFFFULL) | leaf);
    }
    static cmd tlbi_nsnh_all() { return make(op::TLBI_NSNH_ALL); }
    static cmd sync(sync_cs cs = sync_cs::none, uint64_t msi_addr = 0, uint32_t msi_data = 0) {
        return make(op::SYNC, field(static_cast<unsigned>(cs), 13, 12) | field(msi_data, 63, 32),
                    msi_addr & 0x00FFFFFFFFFFFFFCULL);
    }
};
static_assert(sizeof(cmd) == 16, "command is 16 bytes");

// Command names for stats ("PREFETCH_CONFIG", ...); nullptr for an unknown opcode.
const char* cmd_name(uint8_t opcode);

// ---- Events -------------------------------------------------------------------------------
enum class event_id : uint8_t {
    F_UUT = 0x01, C_BAD_STREAMID = 0x02, F_STE_FETCH = 0x03, C_BAD_STE = 0x04,
    F_STREAM_DISABLED = 0x06, C_BAD_SUBSTREAMID = 0x08, F_CD_FETCH = 0x09, C_BAD_CD = 0x0A,
    F_WALK_EABT = 0x0B, F_TRANSLATION = 0x10, F_ADDR_SIZE = 0x11, F_ACCESS = 0x12,
    F_PERMISSION = 0x13,
};
const char* event_name(event_id e);
enum class event_class : uint8_t { cd = 0, tt = 1, in = 2 };

struct evt {
    uint64_t dw[4] = {};
    event_id id() const { return static_cast<event_id>(dw[0] & 0xFF); }
    bool ssv() const { return bits(dw[0], 11, 11); }
    uint32_t ssid() const { return static_cast<uint32_t>(bits(dw[0], 31, 12)); }
    uint32_t sid() const { return static_cast<uint32_t>(bits(dw[0], 63, 32)); }
    bool pnu() const { return bits(dw[1], 33, 33); }
    bool ind() const { return bits(dw[1], 34, 34); }
    bool rnw() const { return bits(dw[1], 35, 35); }
    bool s2() const { return bits(dw[1], 39, 39); }
    event_class cls() const { return static_cast<event_class>(bits(dw[1], 41, 40)); }
    uint64_t input_addr() const { return dw[2]; }
    uint64_t fetch_addr() const { return dw[3] & 0x00FFFFFFFFFFFFF8ULL; }   // [55:3]

    struct params {
        event_id id = event_id::F_TRANSLATION;
        uint32_t sid = 0, ssid = 0;
        bool ssv = false, pnu = false, ind = false, rnw = true;
        event_class cls = event_class::in;
        uint64_t input_addr = 0, fetch_addr = 0;
    };
    static evt make(const params& p) {
        evt e;
        e.dw[0] = static_cast<uint8_t>(p.id) | field(p.ssv, 11, 11) |
                  field(p.ssv ? p.ssid : 0, 31, 12) | field(p.sid, 63, 32);
        e.dw[1] = field(p.pnu, 33, 33) | field(p.ind, 34, 34) | field(p.rnw, 35, 35) |
                  field(static_cast<unsigned>(p.cls), 41, 40);
        e.dw[2] = p.input_addr;
        e.dw[3] = p.fetch_addr & 0x00FFFFFFFFFFFFF8ULL;
        return e;
    }
};
static_assert(sizeof(evt) == 32, "event record is 32 bytes");

}  // namespace vcmsim::smmu
