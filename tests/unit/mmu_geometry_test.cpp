#include <catch2/catch.hpp>

#include "models/mmu/vmsa.h"

using namespace vcmsim::mmu;

TEST_CASE("mmu geometry: start level from TxSZ follows the reference table", "[mmu][vmsa]") {
    struct row { granule g; unsigned lo, hi; int level; };
    const row rows[] = {
        {granule::g4k, 16, 24, 0},  {granule::g4k, 25, 33, 1},  {granule::g4k, 34, 42, 2},
        {granule::g4k, 43, 48, 3},  {granule::g16k, 16, 16, 0}, {granule::g16k, 17, 27, 1},
        {granule::g16k, 28, 38, 2}, {granule::g16k, 39, 48, 3}, {granule::g64k, 16, 21, 1},
        {granule::g64k, 22, 34, 2}, {granule::g64k, 35, 47, 3},
    };
    for (const row& r : rows)
        for (unsigned tsz = r.lo; tsz <= r.hi; ++tsz) {
            INFO("granule " << granule_shift(r.g) << " tsz " << tsz);
            CHECK(start_level(r.g, tsz) == r.level);
            CHECK(tsz_valid(r.g, tsz, true));
            CHECK(tsz_valid(r.g, tsz, false) == (tsz <= 39));
        }
    CHECK_FALSE(tsz_valid(granule::g4k, 15));
    CHECK_FALSE(tsz_valid(granule::g4k, 49, true));
    CHECK_FALSE(tsz_valid(granule::g64k, 48, true));
}

TEST_CASE("mmu geometry: table sizes, level shifts and indices", "[mmu][vmsa]") {
    CHECK(bits_per_level(granule::g4k) == 9);
    CHECK(bits_per_level(granule::g16k) == 11);
    CHECK(bits_per_level(granule::g64k) == 13);
    CHECK(table_entries(granule::g64k) == 8192);
    CHECK(level_shift(granule::g4k, 0) == 39);
    CHECK(level_shift(granule::g4k, 1) == 30);
    CHECK(level_shift(granule::g4k, 2) == 21);
    CHECK(level_shift(granule::g4k, 3) == 12);
    CHECK(level_shift(granule::g16k, 0) == 47);
    CHECK(level_shift(granule::g16k, 2) == 25);
    CHECK(level_shift(granule::g64k, 1) == 42);
    CHECK(level_shift(granule::g64k, 2) == 29);
    CHECK(level_size(granule::g4k, 1) == (1ULL << 30));
    // Start tables: the reference examples.
    CHECK(start_table_entries(granule::g4k, 16) == 512);
    CHECK(start_table_entries(granule::g4k, 25) == 512);
    CHECK(start_table_entries(granule::g16k, 16) == 2);
    CHECK(start_table_entries(granule::g64k, 16) == 64);
    CHECK(start_table_entries(granule::g4k, 24) == 2);    // 40-bit IA: 2-entry L0
    CHECK(start_table_entries(granule::g4k, 32) == 4);    // 32-bit IA: 4-entry L1
    CHECK(start_table_bytes(granule::g4k, 32) == 64);     // minimum alignment
    CHECK(start_table_bytes(granule::g64k, 16) == 512);
    const uint64_t va = 0x0000'8123'4567'89ABULL;
    CHECK(table_index(granule::g4k, 0, va) == ((va >> 39) & 511));
    CHECK(table_index(granule::g4k, 3, va) == ((va >> 12) & 511));
    CHECK(table_index(granule::g16k, 0, va) == 1);
    CHECK(table_index(granule::g64k, 1, va) == ((va >> 42) & 63));
    CHECK(table_index(granule::g64k, 3, va) == ((va >> 16) & 8191));
}

TEST_CASE("mmu geometry: block sizes per granule and level", "[mmu][vmsa]") {
    for (int l = 0; l <= 3; ++l) {
        CHECK(block_allowed(granule::g4k, l) == (l == 1 || l == 2));
        CHECK(block_allowed(granule::g16k, l) == (l == 2));
        CHECK(block_allowed(granule::g64k, l) == (l == 2));
    }
    CHECK(level_size(granule::g16k, 2) == (32ULL << 20));
    CHECK(level_size(granule::g64k, 2) == (512ULL << 20));
    CHECK(contiguous_entries(granule::g4k, 3) == 16);
    CHECK(contiguous_entries(granule::g16k, 3) == 128);
    CHECK(contiguous_entries(granule::g16k, 2) == 32);
    CHECK(contiguous_entries(granule::g64k, 3) == 32);
    CHECK(contiguous_entries(granule::g4k, 0) == 0);
}

TEST_CASE("mmu descriptors: encoders and decoders agree bit for bit", "[mmu][vmsa]") {
    leaf_attrs a;
    a.ap = 2;
    a.uxn = true;
    a.pxn = false;
    a.ng = true;
    a.af = true;
    a.attr_index = 5;
    a.sh = 3;
    a.contiguous = true;
    const uint64_t page = make_page(0x12'3456'7000ULL, granule::g4k, a);
    CHECK(page == (0x12'3456'7000ULL | (5u << 2) | (2u << 6) | (3u << 8) | (1u << 10) |
                   (1u << 11) | (1ULL << 52) | (1ULL << 54) | 3));
    CHECK(descriptor_type(page, 3) == desc_type::page);
    CHECK(descriptor_type(page, 2) == desc_type::table);
    CHECK(output_address(page, granule::g4k, 3) == 0x12'3456'7000ULL);
    const leaf_attrs b = decode_leaf_attrs(page);
    CHECK(b.ap == 2);
    CHECK(b.uxn);
    CHECK_FALSE(b.pxn);
    CHECK(b.ng);
    CHECK(b.af);
    CHECK(b.attr_index == 5);
    CHECK(b.sh == 3);
    CHECK(b.contiguous);

    const uint64_t blk = make_block(0x8000'0000ULL | 0x1234, granule::g4k, 1, a);
    CHECK((blk & 3) == 1);
    CHECK(descriptor_type(blk, 1) == desc_type::block);
    CHECK(descriptor_type(blk, 3) == desc_type::reserved);
    CHECK(output_address(blk, granule::g4k, 1) == 0x8000'0000ULL);   // low bits dropped
    CHECK(make_leaf(0x4000'0000ULL, granule::g64k, 2) ==
          make_block(0x4000'0000ULL, granule::g64k, 2));

    table_attrs t;
    t.ap_table = 3;
    t.uxn_table = true;
    t.pxn_table = true;
    const uint64_t tbl = make_table(0x4001'0000ULL, granule::g64k, t);
    CHECK(tbl == (0x4001'0000ULL | (3ULL << 61) | (1ULL << 60) | (1ULL << 59) | 3));
    CHECK(next_table_address(tbl, granule::g64k) == 0x4001'0000ULL);
    CHECK(ap_table(tbl) == 3);
    CHECK(uxn_table(tbl));
    CHECK(pxn_table(tbl));
    // 16K table addresses are [47:14]: bits 13:12 are not part of the address.
    CHECK(next_table_address(0x4000'3003ULL, granule::g16k) == 0x4000'0000ULL);
    CHECK(descriptor_type(0, 0) == desc_type::invalid);
    CHECK(descriptor_type(2, 3) == desc_type::invalid);
    CHECK(beyond_oas(1ULL << 40, 40));
    CHECK_FALSE(beyond_oas((1ULL << 40) - 1, 40));
    granule g;
    CHECK(granule_from_tg0(1, g));
    CHECK(g == granule::g64k);
    CHECK_FALSE(granule_from_tg0(3, g));
    CHECK(oas_bits_from_ips(2) == 40);
    CHECK(oas_bits_from_ips(7) == 0);
}
