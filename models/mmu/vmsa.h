// VMSAv8-64 stage-1 table geometry and descriptor fields (4 KiB / 16 KiB / 64 KiB granules,
// DS = 0, no FEAT_LPA: 48-bit IA and OA at most). Plain C++, header-only, no allocation.
//
// Geometry: G = log2(granule), s = G - 3 index bits per full level. Level L resolves IA bits
// [level_shift(L) + s - 1 : level_shift(L)] with level_shift(L) = G + (3 - L) * s, truncated at
// the top by the IA size (64 - TxSZ). Start level = 4 - floor((IA - 4) / s).
//
// Valid stage-1 TxSZ without TTST: 16..39 for every granule (4K: L0 16-24, L1 25-33, L2 34-39;
// 16K: L0 16, L1 17-27, L2 28-38, L3 39; 64K: L1 16-21, L2 22-34, L3 35-39). With TTST
// (FEAT_TTST, optional): up to 48 (4K, 16K) or 47 (64K).
//
// Descriptor decode and encode helpers follow smmuv3-reference.md §9.3-9.5. Encoders drop address
// bits that do not belong to the field (below the granule / block size, above bit 47).
#pragma once

#include <cstdint>

#include "models/mmu/translation.h"

namespace vcmsim::mmu {

// ---------------------------------------------------------------------------------------------
// Geometry
// ---------------------------------------------------------------------------------------------
constexpr unsigned max_ia_bits = 48;   // DS = 0, no LVA
constexpr unsigned max_oa_bits = 48;   // no LPA
constexpr unsigned min_tsz = 16;

// Index bits per full level: 9 (4K), 11 (16K), 13 (64K).
inline unsigned bits_per_level(granule g) { return granule_shift(g) - 3; }
// Entries in a full (non-start) table: 512, 2048, 8192.
inline unsigned table_entries(granule g) { return 1u << bits_per_level(g); }
// log2 of the IA span one entry at `level` maps (level 0..3).
inline unsigned level_shift(granule g, int level) {
    return granule_shift(g) + static_cast<unsigned>(3 - level) * bits_per_level(g);
}
inline uint64_t level_size(granule g, int level) { return 1ULL << level_shift(g, level); }

// Largest valid stage-1 TxSZ (39 without TTST for every granule; 48/48/47 with TTST).
inline unsigned max_tsz(granule g, bool ttst = false) {
    if (!ttst) return 39;
    return g == granule::g64k ? 47 : 48;
}
inline bool tsz_valid(granule g, unsigned tsz, bool ttst = false) {
    return tsz >= min_tsz && tsz <= max_tsz(g, ttst);
}
// Stage-1 start level for a TxSZ (caller checks tsz_valid first).
inline int start_level(granule g, unsigned tsz) {
    const unsigned x = 60 - tsz;   // IA - 4; constant divisors keep this division-free
    switch (g) {
    case granule::g4k: return 4 - static_cast<int>(x / 9);
    case granule::g16k: return 4 - static_cast<int>(x / 11);
    case granule::g64k: break;
    }
    return 4 - static_cast<int>(x / 13);
}
// Entries in the start-level table: 2^(IA - level_shift(start)).
inline unsigned start_table_entries(granule g, unsigned tsz) {
    return 1u << ((64 - tsz) - level_shift(g, start_level(g, tsz)));
}
// Size and alignment of the start-level table in bytes (at least 64).
inline uint64_t start_table_bytes(granule g, unsigned tsz) {
    const uint64_t b = uint64_t(start_table_entries(g, tsz)) * 8;
    return b < 64 ? 64 : b;
}
// Index of va in the table at `level` (bits above the IA range must already be zero).
inline unsigned table_index(granule g, int level, uint64_t va) {
    return static_cast<unsigned>((va >> level_shift(g, level)) & (table_entries(g) - 1));
}
// A block descriptor is allowed at this level (4K: L1 1 GiB, L2 2 MiB; 16K: L2 32 MiB;
// 64K: L2 512 MiB).
inline bool block_allowed(granule g, int level) {
    if (g == granule::g4k) return level == 1 || level == 2;
    return level == 2;
}
// Entries grouped by the contiguous bit at a leaf level (0 = contiguous not defined there).
inline unsigned contiguous_entries(granule g, int level) {
    switch (g) {
    case granule::g4k: return (level >= 1 && level <= 3) ? 16 : 0;
    case granule::g16k: return level == 3 ? 128 : level == 2 ? 32 : 0;
    case granule::g64k: return (level == 2 || level == 3) ? 32 : 0;
    }
    return 0;
}
// Granule from TCR.TG0 / CD.TG0 encoding (00 4K, 01 64K, 10 16K). Returns false for 11.
inline bool granule_from_tg0(unsigned tg0, granule& out) {
    switch (tg0 & 3) {
    case 0: out = granule::g4k; return true;
    case 1: out = granule::g64k; return true;
    case 2: out = granule::g16k; return true;
    default: return false;
    }
}
// Output address size in bits from IPS / CD.IPS (0..5 → 32, 36, 40, 42, 44, 48; 6 → 52 capped
// to 48 since LPA is not modelled). Returns 0 for a reserved encoding.
inline unsigned oas_bits_from_ips(unsigned ips) {
    static constexpr unsigned tbl[8] = {32, 36, 40, 42, 44, 48, 48, 0};
    return tbl[ips & 7];
}
// The smallest IPS / TCR.IPS / CD.IPS encoding that covers `oas_bits` (48 and above: 5).
inline unsigned ips_from_oas_bits(unsigned oas_bits) {
    static constexpr unsigned sizes[6] = {32, 36, 40, 42, 44, 48};
    for (unsigned i = 0; i < 6; ++i)
        if (oas_bits <= sizes[i]) return i;
    return 5;
}

// ---------------------------------------------------------------------------------------------
// Descriptor fields
// ---------------------------------------------------------------------------------------------
enum class desc_type : uint8_t {
    invalid,    // bit 0 = 0
    block,      // 01 at levels 0..2 (the walker also checks block_allowed())
    table,      // 11 at levels 0..2
    page,       // 11 at level 3
    reserved,   // 01 at level 3 (behaves as invalid)
};

namespace desc {
constexpr uint64_t valid_bit = 1ULL << 0;
constexpr uint64_t table_bit = 1ULL << 1;   // table (L0-2) / page (L3) when 1
constexpr uint64_t ns_bit = 1ULL << 5;
constexpr uint64_t af_bit = 1ULL << 10;
constexpr uint64_t ng_bit = 1ULL << 11;
constexpr uint64_t dbm_bit = 1ULL << 51;
constexpr uint64_t contiguous_bit = 1ULL << 52;
constexpr uint64_t pxn_bit = 1ULL << 53;
constexpr uint64_t uxn_bit = 1ULL << 54;
constexpr uint64_t pxn_table_bit = 1ULL << 59;
constexpr uint64_t uxn_table_bit = 1ULL << 60;
constexpr unsigned ap_table_shift = 61;      // [62:61]
constexpr uint64_t ns_table_bit = 1ULL << 63;
constexpr uint64_t addr_hi_mask = (1ULL << 48) - 1;   // address fields end at bit 47
}  // namespace desc

inline desc_type descriptor_type(uint64_t d, int level) {
    if (!(d & desc::valid_bit)) return desc_type::invalid;
    const bool hi = d & desc::table_bit;
    if (level == 3) return hi ? desc_type::page : desc_type::reserved;
    return hi ? desc_type::table : desc_type::block;
}

// Mask of the output-address field of a block/page at `level`: bits [47:level_shift].
inline uint64_t oa_mask(granule g, int level) {
    return desc::addr_hi_mask & ~(level_size(g, level) - 1);
}
// Mask of the next-level table address field: bits [47:G].
inline uint64_t table_addr_mask(granule g) {
    return desc::addr_hi_mask & ~((1ULL << granule_shift(g)) - 1);
}
inline uint64_t output_address(uint64_t d, granule g, int level) { return d & oa_mask(g, level); }
inline uint64_t next_table_address(uint64_t d, granule g) { return d & table_addr_mask(g); }
// True when address bits at or above oas_bits are set (→ address-size fault).
inline bool beyond_oas(uint64_t pa, unsigned oas_bits) {
    return oas_bits < 64 && (pa >> oas_bits) != 0;
}

// Leaf (block/page) fields.
inline uint8_t attr_index(uint64_t d) { return static_cast<uint8_t>((d >> 2) & 7); }
inline uint8_t ap(uint64_t d) { return static_cast<uint8_t>((d >> 6) & 3); }      // AP[2:1]
inline uint8_t sh(uint64_t d) { return static_cast<uint8_t>((d >> 8) & 3); }
inline bool af(uint64_t d) { return d & desc::af_bit; }
inline bool ng(uint64_t d) { return d & desc::ng_bit; }
inline bool contiguous(uint64_t d) { return d & desc::contiguous_bit; }
inline bool pxn(uint64_t d) { return d & desc::pxn_bit; }
inline bool uxn(uint64_t d) { return d & desc::uxn_bit; }
inline bool dbm(uint64_t d) { return d & desc::dbm_bit; }
// Table fields.
inline uint8_t ap_table(uint64_t d) { return static_cast<uint8_t>((d >> desc::ap_table_shift) & 3); }
inline bool uxn_table(uint64_t d) { return d & desc::uxn_table_bit; }
inline bool pxn_table(uint64_t d) { return d & desc::pxn_table_bit; }

// Leaf attributes of a block/page descriptor (hierarchical fields left zero).
inline leaf_attrs decode_leaf_attrs(uint64_t d) {
    leaf_attrs a;
    a.ap = ap(d);
    a.uxn = uxn(d);
    a.pxn = pxn(d);
    a.ng = ng(d);
    a.af = af(d);
    a.attr_index = attr_index(d);
    a.sh = sh(d);
    a.contiguous = contiguous(d);
    return a;
}

// Hierarchical attributes carried by a table descriptor.
struct table_attrs {
    uint8_t ap_table = 0;    // APTable[1:0]: bit 0 no EL0 access, bit 1 no write
    bool uxn_table = false;
    bool pxn_table = false;
};

// ---------------------------------------------------------------------------------------------
// Encoders (used by the page-table builder and the tests)
// ---------------------------------------------------------------------------------------------
inline uint64_t make_table(uint64_t next_pa, granule g, const table_attrs& t = {}) {
    uint64_t d = (next_pa & table_addr_mask(g)) | desc::valid_bit | desc::table_bit;
    d |= uint64_t(t.ap_table & 3) << desc::ap_table_shift;
    if (t.uxn_table) d |= desc::uxn_table_bit;
    if (t.pxn_table) d |= desc::pxn_table_bit;
    return d;
}
// Leaf fields common to blocks and pages: AttrIndx, AP, SH, AF, nG, contiguous, PXN, UXN.
inline uint64_t encode_leaf_fields(const leaf_attrs& a) {
    uint64_t d = (uint64_t(a.attr_index & 7) << 2) | (uint64_t(a.ap & 3) << 6) |
                 (uint64_t(a.sh & 3) << 8);
    if (a.af) d |= desc::af_bit;
    if (a.ng) d |= desc::ng_bit;
    if (a.contiguous) d |= desc::contiguous_bit;
    if (a.pxn) d |= desc::pxn_bit;
    if (a.uxn) d |= desc::uxn_bit;
    return d;
}
// Block descriptor at `level` (caller checks block_allowed(g, level)).
inline uint64_t make_block(uint64_t pa, granule g, int level, const leaf_attrs& a = {}) {
    return (pa & oa_mask(g, level)) | encode_leaf_fields(a) | desc::valid_bit;
}
// Page descriptor (level 3). `level` is accepted for symmetry and must be 3.
inline uint64_t make_page(uint64_t pa, granule g, int level, const leaf_attrs& a) {
    (void)level;
    return (pa & oa_mask(g, 3)) | encode_leaf_fields(a) | desc::valid_bit | desc::table_bit;
}
inline uint64_t make_page(uint64_t pa, granule g, const leaf_attrs& a = {}) {
    return make_page(pa, g, 3, a);
}
// Block at levels 0..2, page at level 3.
inline uint64_t make_leaf(uint64_t pa, granule g, int level, const leaf_attrs& a = {}) {
    return level == 3 ? make_page(pa, g, a) : make_block(pa, g, level, a);
}

}  // namespace vcmsim::mmu
