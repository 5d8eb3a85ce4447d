// Page-table builder: map() for every granule, exact descriptors, levels and table counts,
// error cases that leave memory untouched, out-of-table-memory rollback.
#include <catch2/catch.hpp>

#include "models/mmu/vmsa.h"
#include "tests/unit/pgtable_test_support.h"

using namespace vcmsim;
using namespace vcmsim::vcm;
using mmu::granule;
using test::table_allocator;
using test::word_memory;

namespace {

using fixture = test::builder_fixture;

const map_attrs rw{};
const mmu::leaf_attrs la = to_leaf_attrs(rw);

}  // namespace

TEST_CASE("pgtable: init allocates a zeroed root sized for the start level", "[pgtable]") {
    fixture f4(granule::g4k);
    CHECK(f4.b.start_level() == 0);
    CHECK(f4.b.tables_in_use() == 1);
    CHECK(f4.alloc.live.at(f4.b.root_pa()) == 4096);
    for (uint64_t off = 0; off < 4096; off += 8) CHECK(f4.mem.words.at(f4.b.root_pa() + off) == 0);
    fixture f16(granule::g16k);
    CHECK(f16.alloc.live.at(f16.b.root_pa()) == 64);   // 2 entries, 64-byte minimum
    fixture f64(granule::g64k);
    CHECK(f64.b.start_level() == 1);
    CHECK(f64.alloc.live.at(f64.b.root_pa()) == 512);  // 64 entries
    CHECK(f64.b.root_pa() % 512 == 0);

    word_memory mem;
    table_allocator alloc;
    page_table_builder bad(mem, alloc, pt_format{granule::g4k, 12, 48, false});
    CHECK_FALSE(bad.init());
    page_table_builder not_init(mem, alloc, pt_format{});
    CHECK(not_init.map(0, 0, 4096, rw).error == map_error::not_initialised);
}

TEST_CASE("pgtable: 4K granule uses 1G and 2M blocks when aligned", "[pgtable][4k]") {
    fixture f(granule::g4k);
    REQUIRE(f.b.map(0x40000000, 0x80000000, 1ULL << 30, rw));
    CHECK(f.b.tables_in_use() == 2);   // L0 root + L1
    CHECK(f.desc(0x40000000, 1) == mmu::make_block(0x80000000, granule::g4k, 1, la));
    f.expect(0x52345678, 0x92345678, 30);

    // PA only 2M aligned: 512 L2 blocks.
    REQUIRE(f.b.map(0x80000000, 0x100200000, 1ULL << 30, rw));
    CHECK(f.b.tables_in_use() == 3);
    CHECK(f.desc(0x80000000, 2) == mmu::make_block(0x100200000, granule::g4k, 2, la));
    CHECK(f.desc(0xBFE00000, 2) == mmu::make_block(0x140000000, granule::g4k, 2, la));
    f.expect(0xBFFFFFFF, 0x1401FFFFF, 21);
}

TEST_CASE("pgtable: 4K granule uses pages where blocks do not fit", "[pgtable][4k]") {
    fixture f(granule::g4k);
    // Page, 2M block, page.
    REQUIRE(f.b.map(0x1FF000, 0x401FF000, 0x202000, rw));
    CHECK(f.b.tables_in_use() == 5);   // L0, L1, L2, two L3
    CHECK(mmu::descriptor_type(f.desc(0x000000, 2), 2) == mmu::desc_type::table);
    CHECK(f.desc(0x1FF000, 3) == mmu::make_page(0x401FF000, granule::g4k, la));
    CHECK(f.desc(0x200000, 2) == mmu::make_block(0x40200000, granule::g4k, 2, la));
    CHECK(f.desc(0x400000, 3) == mmu::make_page(0x40400000, granule::g4k, la));
    CHECK(f.desc(0x401000, 3) == 0);
    f.expect(0x1FF010, 0x401FF010, 12);
    f.expect(0x3FFFF0, 0x403FFFF0, 21);
    f.expect(0x400FF0, 0x40400FF0, 12);
    CHECK_FALSE(f.mapped(0x1FE000));
    CHECK_FALSE(f.mapped(0x401000));

    // VA 2M aligned but PA not: pages only.
    REQUIRE(f.b.map(0x40000000, 0x80001000, 0x400000, rw));
    CHECK(f.b.tables_in_use() == 5 + 3);   // L2 for the new GiB, two L3
    CHECK(f.desc(0x40000000, 3) == mmu::make_page(0x80001000, granule::g4k, la));
    f.expect(0x403FF000, 0x80400000, 12);
}

TEST_CASE("pgtable: 16K granule uses 32M blocks and 16K pages", "[pgtable][16k]") {
    fixture f(granule::g16k);
    REQUIRE(f.b.map(0x4000000, 0x8000000, 0x4000000, rw));   // 64 MiB: two L2 blocks
    CHECK(f.b.tables_in_use() == 3);   // L0 (2 entries), L1, L2
    CHECK(f.desc(0x4000000, 2) == mmu::make_block(0x8000000, granule::g16k, 2, la));
    CHECK(f.desc(0x6000000, 2) == mmu::make_block(0xA000000, granule::g16k, 2, la));
    f.expect(0x7FFFFFF, 0xBFFFFFF, 25);
    REQUIRE(f.b.map(0x4000, 0x10008000, 0xC000, rw));   // three pages
    CHECK(f.b.tables_in_use() == 4);
    CHECK(f.desc(0xC000, 3) == mmu::make_page(0x10010000, granule::g16k, la));
    f.expect(0x8123, 0x1000C123, 14);
    // 16K granule rejects 4K alignment.
    CHECK(f.b.map(0x101000, 0x101000, 0x4000, rw).error == map_error::misaligned);
}

TEST_CASE("pgtable: 64K granule uses 512M blocks and 64K pages", "[pgtable][64k]") {
    fixture f(granule::g64k);
    REQUIRE(f.b.map(0x20000000, 0x40000000, 0x20000000, rw));
    CHECK(f.b.tables_in_use() == 2);   // L1 root (64 entries), L2
    CHECK(f.desc(0x20000000, 2) == mmu::make_block(0x40000000, granule::g64k, 2, la));
    f.expect(0x3FFFFFFF, 0x5FFFFFFF, 29);
    REQUIRE(f.b.map(0x10000, 0x70030000, 0x20000, rw));
    CHECK(f.b.tables_in_use() == 3);
    CHECK(f.desc(0x20000, 3) == mmu::make_page(0x70040000, granule::g64k, la));
    f.expect(0x1FFFF, 0x7003FFFF, 16);
}

TEST_CASE("pgtable: every granule maps page/block/page and frees all tables", "[pgtable]") {
    const auto g = GENERATE(granule::g4k, granule::g16k, granule::g64k);
    fixture f(g);
    const uint64_t B = mmu::level_size(g, 2), P = mmu::level_size(g, 3);
    const uint64_t va = 2 * B - P, pa = va + 4 * B;
    REQUIRE(f.b.map(va, pa, B + 2 * P, rw));
    const unsigned tables = g == granule::g64k ? 4 : 5;
    CHECK(f.b.tables_in_use() == tables);
    CHECK(f.desc(va, 3) == mmu::make_page(pa, g, la));
    CHECK(f.desc(2 * B, 2) == mmu::make_block(pa + P, g, 2, la));
    CHECK(f.desc(3 * B, 3) == mmu::make_page(pa + P + B, g, la));
    f.expect(2 * B + 5, pa + P + 5, mmu::level_shift(g, 2));
    std::vector<std::pair<uint64_t, uint64_t>> removed;
    REQUIRE(f.b.unmap(va, B + 2 * P, &removed));
    CHECK(removed == std::vector<std::pair<uint64_t, uint64_t>>{{va, P}, {2 * B, B}, {3 * B, P}});
    CHECK(f.b.tables_in_use() == 1);
    CHECK(f.b.last_tables_freed() == tables - 1);
    CHECK(f.alloc.live.size() == 1);
    CHECK(f.alloc.bad_frees == 0);
    for (const auto& w : test::live_contents(f.mem, f.alloc)) CHECK(w.second == 0);
}

TEST_CASE("pgtable: start level below 0 and TxSZ limits", "[pgtable]") {
    fixture f(granule::g4k, 25);   // 39-bit IA: 3 levels from L1
    CHECK(f.b.start_level() == 1);
    REQUIRE(f.b.map(0, 0x40000000, 1ULL << 30, rw));
    CHECK(f.b.tables_in_use() == 1);   // a 1G block straight in the root
    CHECK(f.desc(0, 1) == mmu::make_block(0x40000000, granule::g4k, 1, la));
    CHECK(f.b.map(1ULL << 39, 0, 0x1000, rw).error == map_error::out_of_range);
    CHECK(f.b.map((1ULL << 39) - 0x1000, 0, 0x2000, rw).error == map_error::out_of_range);
    REQUIRE(f.b.map((1ULL << 39) - 0x1000, 0, 0x1000, rw));
}

TEST_CASE("pgtable: errors leave memory untouched", "[pgtable]") {
    fixture f(granule::g4k, 16, 32);
    REQUIRE(f.b.map(0x200000, 0x200000, 0x200000, rw));   // 2M block
    REQUIRE(f.b.map(0x600000, 0x600000, 0x1000, rw));     // a page
    const auto words = f.mem.words;
    const uint64_t writes = f.mem.writes;
    const size_t tables = f.b.tables_in_use();

    auto st = f.b.map(0x300000, 0x0, 0x1000, rw);
    CHECK(st.error == map_error::overlap);
    CHECK(st.va == 0x300000);
    st = f.b.map(0x1FF000, 0x0, 0x2000, rw);
    CHECK(st.error == map_error::overlap);
    CHECK(st.va == 0x200000);
    st = f.b.map(0x400000, 0x400000, 0x400000, rw);   // would be two blocks; a page is there
    CHECK(st.error == map_error::overlap);
    CHECK(st.va == 0x600000);
    CHECK(f.b.map(0x200000, 0x200000, 0x200000, rw).error == map_error::overlap);
    CHECK(f.b.map(0x1001, 0, 0x1000, rw).error == map_error::misaligned);
    CHECK(f.b.map(0x1000, 0x800, 0x1000, rw).error == map_error::misaligned);
    CHECK(f.b.map(0x1000, 0, 0x1800, rw).error == map_error::misaligned);
    CHECK(f.b.map(0x1000, 0, 0, rw).error == map_error::misaligned);
    CHECK(f.b.map(0x1000, 0xFFFFF000, 0x2000, rw).error == map_error::out_of_range);  // OAS 32
    CHECK(f.b.map(1ULL << 48, 0, 0x1000, rw).error == map_error::out_of_range);
    map_attrs wo;
    wo.read = false;
    CHECK(f.b.map(0x1000, 0, 0x1000, wo).error == map_error::bad_attrs);
    map_attrs bad_sh;
    bad_sh.sh = 1;
    CHECK(f.b.map(0x1000, 0, 0x1000, bad_sh).error == map_error::bad_attrs);
    CHECK(f.b.unmap(0x1800, 0x1000).error == map_error::misaligned);

    CHECK(f.mem.words == words);
    CHECK(f.mem.writes == writes);
    CHECK(f.b.tables_in_use() == tables);
    REQUIRE(f.b.map(0x1000, 0xFFFFF000, 0x1000, rw));   // last page below 4 GiB is fine
}

TEST_CASE("pgtable: attributes are encoded as documented", "[pgtable]") {
    map_attrs a;
    a.write = false;
    a.user = true;
    a.exec = true;
    a.global = true;
    a.attr_index = 5;
    a.sh = 2;
    a.af = false;
    const mmu::leaf_attrs l = to_leaf_attrs(a);
    CHECK(l.ap == 3);
    CHECK_FALSE(l.uxn);
    CHECK(l.pxn);
    CHECK_FALSE(l.ng);
    CHECK_FALSE(l.af);
    CHECK(l.attr_index == 5);
    CHECK(l.sh == 2);
    fixture f(granule::g4k);
    REQUIRE(f.b.map(0x1000, 0x2000, 0x1000, a));
    // page | AttrIndx 5 | AP 11 | SH 10 | AF 0 | nG 0 | PXN
    CHECK(f.desc(0x1000, 3) == (0x2000 | 3 | (5 << 2) | (3 << 6) | (2 << 8) | (1ULL << 53)));
    const mmu::leaf_attrs k = to_leaf_attrs(map_attrs{});
    CHECK(k.ap == 0);
    CHECK(k.uxn);
    CHECK(k.pxn);
    CHECK(k.ng);
}

TEST_CASE("pgtable: out of table memory leaves no partial mapping", "[pgtable][oom]") {
    SECTION("before any leaf") {
        fixture f(granule::g4k, 16, 48, 3);   // root, L1, L2: no room for an L3
        const auto before = test::live_contents(f.mem, f.alloc);
        auto st = f.b.map(0x1000, 0x1000, 0x2000, rw);
        CHECK(st.error == map_error::out_of_memory);
        CHECK(st.va == 0x1000);
        CHECK(f.b.tables_in_use() == 1);
        CHECK(f.alloc.live.size() == 1);
        CHECK(test::live_contents(f.mem, f.alloc) == before);
        REQUIRE(f.b.map(0x200000, 0x200000, 0x200000, rw));   // a block needs no L3
        CHECK(f.b.tables_in_use() == 3);
    }
    SECTION("after 513 pages") {
        fixture f(granule::g4k, 16, 48, 7);
        REQUIRE(f.b.map(0x40000000, 0x40000000, 0x1000, rw));   // root, L1, L2, L3 live
        const auto before = test::live_contents(f.mem, f.alloc);
        // Pages in three L3 tables (PA never 2M aligned): the third allocation fails.
        auto st = f.b.map(0x1FF000, 0x1FF000 + 0x1000, 0x202000, rw);
        CHECK(st.error == map_error::out_of_memory);
        CHECK(st.va == 0x400000);
        CHECK(f.b.tables_in_use() == 4);
        CHECK(f.alloc.live.size() == 4);
        CHECK(test::live_contents(f.mem, f.alloc) == before);
        CHECK_FALSE(f.mapped(0x1FF000));
        CHECK_FALSE(f.mapped(0x300000));
        CHECK(f.mapped(0x40000000));
        CHECK(f.alloc.bad_frees == 0);
    }
}

TEST_CASE("pgtable: entry_address gives raw access for bad entries", "[pgtable]") {
    fixture f(granule::g4k);
    uint64_t dpa = 0;
    CHECK_FALSE(f.b.entry_address(0x5000, 3, dpa, false));
    REQUIRE(f.b.entry_address(0x5000, 3, dpa, true));
    CHECK(f.b.tables_in_use() == 4);
    f.mem.write64(dpa, 0x1);   // 01 at L3: reserved
    CHECK_FALSE(f.mapped(0x5000));
    CHECK(f.b.map(0x4000, 0x4000, 0x2000, rw).error == map_error::overlap);
    REQUIRE(f.b.map(0x200000, 0x200000, 0x200000, rw));
    CHECK_FALSE(f.b.entry_address(0x200000, 3, dpa, true));   // a block above level 3
    REQUIRE(f.b.entry_address(0x200000, 2, dpa, false));
    CHECK(f.mem.read64(dpa) == mmu::make_block(0x200000, granule::g4k, 2, la));
    CHECK_FALSE(f.b.entry_address(0, 4, dpa, false));
}

TEST_CASE("pgtable: new tables are written without being read", "[pgtable]") {
    fixture f(granule::g4k);
    const uint64_t reads = f.mem.reads, writes = f.mem.writes;
    REQUIRE(f.b.map(0x1000, 0x1000, 0x1000, rw));
    CHECK(f.mem.reads - reads == 2);              // the root entry: overlap check + map
    CHECK(f.mem.writes - writes == 3 * 512 + 4);  // zero L1, L2, L3; 3 table descs + page
}
