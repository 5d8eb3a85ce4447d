// Types shared by the VMSAv8-64 translation core: granules, translation regimes, results
// and faults. Plain C++ (no SystemC); used by the walker, the TLBs, the walk cache, the CPU MMU
// and the SMMU.
#pragma once

#include <cstdint>

namespace vcmsim::mmu {

enum class granule : uint8_t { g4k = 12, g16k = 14, g64k = 16 };  // value = log2(size)

inline unsigned granule_shift(granule g) { return static_cast<unsigned>(g); }

enum class fault_kind : uint8_t {
    none = 0,
    translation,   // invalid descriptor, IA out of range, EPD, reserved encodings
    access_flag,   // AF = 0 and hardware AF update off (and not AFFD)
    permission,    // AP / XN / PXN check failed
    address_size,  // OA or table address beyond the output address size
    walk_abort,    // external abort on a descriptor read (bus error)
};

const char* fault_kind_name(fault_kind k);

enum class access_type : uint8_t { read, write, exec };

// Everything a walk needs to know about the translation regime. On the CPU this comes from
// TCR/TTBR/MAIR/SCTLR; in the SMMU from the CD (and STE).
struct regime {
    granule tg = granule::g4k;
    unsigned tsz = 16;          // TxSZ: input address size = 64 - tsz
    uint64_t ttb = 0;           // table base (physical address)
    unsigned oas_bits = 48;     // output address size (from IPS / OAS)
    uint16_t asid = 0;
    bool affd = false;          // access-flag fault disable (SMMU CD.AFFD): AF=0 does not fault
    bool hpd = false;           // hierarchical permission disable
    bool wxn = false;           // writable implies execute-never
    bool ttst = false;          // FEAT_TTST: allow TxSZ up to 48 (4K/16K) / 47 (64K)
};

// One access to translate.
struct access {
    uint64_t va = 0;
    access_type type = access_type::read;
    bool privileged = false;
};

// Attributes of a leaf mapping, as cached by TLBs.
struct leaf_attrs {
    uint8_t ap = 0;             // AP[2:1]
    bool uxn = false;
    bool pxn = false;
    bool ng = false;            // not global: tagged with the ASID
    bool af = true;
    uint8_t attr_index = 0;     // MAIR index
    uint8_t sh = 0;
    bool contiguous = false;    // contiguous hint (bit 52)
    // Hierarchical restrictions collected from table descriptors on the way down (left zero by
    // the walker when regime.hpd is set). ap_table bit 0: no EL0 access, bit 1: no write.
    uint8_t ap_table = 0;
    bool uxn_table = false;
    bool pxn_table = false;
};

// A successful translation: the page (or block) that holds va.
struct mapping {
    uint64_t va_base = 0;       // aligned to 1 << page_shift
    uint64_t pa_base = 0;
    uint8_t page_shift = 12;    // 12, 14, 16 (pages), 21, 25, 29, 30 (blocks)
    uint8_t level = 3;          // level of the leaf descriptor
    uint16_t asid = 0;
    leaf_attrs attrs;

    uint64_t translate(uint64_t va) const { return pa_base | (va & ((1ULL << page_shift) - 1)); }
};

struct fault {
    fault_kind kind = fault_kind::none;
    int8_t level = -1;          // level at which it happened (-1: before the walk)
    uint64_t ipa_or_va = 0;
    explicit operator bool() const { return kind != fault_kind::none; }
};

// Permission check of an access against a leaf mapping (stage 1, EL0/EL1 regime).
// Returns true when the access is allowed.
bool permits(const mapping& m, const access& a, bool wxn);

}  // namespace vcmsim::mmu
