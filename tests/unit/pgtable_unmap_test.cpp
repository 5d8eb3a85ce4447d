// Page-table builder: unmap() — removed ranges, holes, splitting blocks, table freeing,
// all-or-nothing on table exhaustion.
#include <catch2/catch.hpp>

#include "models/mmu/vmsa.h"
#include "tests/unit/pgtable_test_support.h"

using namespace vcmsim;
using namespace vcmsim::vcm;
using mmu::granule;
using test::table_allocator;
using test::word_memory;
using ranges = std::vector<std::pair<uint64_t, uint64_t>>;

namespace {

using fixture = test::builder_fixture;

const map_attrs rw{};
const mmu::leaf_attrs la = to_leaf_attrs(rw);

}  // namespace

TEST_CASE("pgtable: unmap reports each leaf and skips holes", "[pgtable][unmap]") {
    fixture f(granule::g4k);
    REQUIRE(f.b.map(0x1000, 0x1000, 0x2000, rw));
    REQUIRE(f.b.map(0x200000, 0x600000, 0x200000, rw));
    ranges removed;
    REQUIRE(f.b.unmap(0x0, 0x800000, &removed));
    CHECK(removed == ranges{{0x1000, 0x1000}, {0x2000, 0x1000}, {0x200000, 0x200000}});
    CHECK(f.b.last_tables_freed() == 3);   // L3, L2, L1
    CHECK(f.b.tables_in_use() == 1);
    removed.clear();
    REQUIRE(f.b.unmap(0x0, 0x800000, &removed));   // nothing left: fine, nothing removed
    CHECK(removed.empty());
    CHECK(f.b.last_tables_freed() == 0);
}

TEST_CASE("pgtable: unmap keeps tables that still hold entries", "[pgtable][unmap]") {
    fixture f(granule::g4k);
    REQUIRE(f.b.map(0x1000, 0x1000, 0x3000, rw));
    REQUIRE(f.b.unmap(0x2000, 0x1000));
    CHECK(f.b.tables_in_use() == 4);
    CHECK(f.mapped(0x1000));
    CHECK_FALSE(f.mapped(0x2000));
    CHECK(f.mapped(0x3000));
    REQUIRE(f.b.unmap(0x1000, 0x1000));
    REQUIRE(f.b.unmap(0x3000, 0x1000));
    CHECK(f.b.tables_in_use() == 1);
    CHECK(f.alloc.live.size() == 1);
}

TEST_CASE("pgtable: partial unmap of a 2M block splits it into pages", "[pgtable][unmap][split]") {
    fixture f(granule::g4k);
    REQUIRE(f.b.map(0x200000, 0x80200000, 0x200000, rw));
    CHECK(f.b.tables_in_use() == 3);
    ranges removed;
    REQUIRE(f.b.unmap(0x201000, 0x1000, &removed));
    CHECK(removed == ranges{{0x201000, 0x1000}});
    CHECK(f.b.tables_in_use() == 4);
    CHECK(f.alloc.live.size() == 4);
    CHECK(mmu::descriptor_type(f.desc(0x200000, 2), 2) == mmu::desc_type::table);
    CHECK(f.desc(0x200000, 3) == mmu::make_page(0x80200000, granule::g4k, la));
    CHECK(f.desc(0x201000, 3) == 0);
    CHECK(f.desc(0x3FF000, 3) == mmu::make_page(0x803FF000, granule::g4k, la));
    f.expect(0x202345, 0x80202345, 12);
    CHECK_FALSE(f.mapped(0x201800));

    removed.clear();
    REQUIRE(f.b.unmap(0x200000, 0x200000, &removed));
    CHECK(removed.size() == 511);
    CHECK(removed.front() == std::make_pair(uint64_t(0x200000), uint64_t(0x1000)));
    CHECK(removed[1] == std::make_pair(uint64_t(0x202000), uint64_t(0x1000)));
    CHECK(f.b.tables_in_use() == 1);
    CHECK(f.alloc.bad_frees == 0);
}

TEST_CASE("pgtable: partial unmap of a 1G block splits two levels", "[pgtable][unmap][split]") {
    fixture f(granule::g4k);
    REQUIRE(f.b.map(0x40000000, 0xC0000000, 1ULL << 30, rw));
    CHECK(f.b.tables_in_use() == 2);
    ranges removed;
    REQUIRE(f.b.unmap(0x40201000, 0x1000, &removed));
    CHECK(removed == ranges{{0x40201000, 0x1000}});
    CHECK(f.b.tables_in_use() == 4);   // + L2 of 2M blocks, + L3 for the split 2M
    CHECK(f.alloc.live.size() == 4);   // spare reserved tables were given back
    CHECK(f.desc(0x40000000, 2) == mmu::make_block(0xC0000000, granule::g4k, 2, la));
    CHECK(f.desc(0x7FE00000, 2) == mmu::make_block(0xFFE00000, granule::g4k, 2, la));
    CHECK(f.desc(0x40200000, 3) == mmu::make_page(0xC0200000, granule::g4k, la));
    f.expect(0x40200000, 0xC0200000, 12);
    f.expect(0x7FFFFFFF, 0xFFFFFFFF, 21);
    CHECK_FALSE(f.mapped(0x40201000));

    // Two whole 2M blocks from the middle of another 1G block: one split, no pages.
    REQUIRE(f.b.map(0x80000000, 0x100000000, 1ULL << 30, rw));
    removed.clear();
    REQUIRE(f.b.unmap(0x80400000, 0x400000, &removed));
    CHECK(removed == ranges{{0x80400000, 0x200000}, {0x80600000, 0x200000}});
    CHECK(f.b.tables_in_use() == 5);
    f.expect(0x80200000, 0x100200000, 21);
    CHECK_FALSE(f.mapped(0x80500000));
}

TEST_CASE("pgtable: splits keep the block's attributes", "[pgtable][unmap][split]") {
    const auto g = GENERATE(granule::g4k, granule::g16k, granule::g64k);
    fixture f(g);
    map_attrs a;
    a.write = false;
    a.user = true;
    a.exec = true;
    a.global = true;
    a.attr_index = 6;
    a.sh = 2;
    const mmu::leaf_attrs l = to_leaf_attrs(a);
    const uint64_t B = mmu::level_size(g, 2), P = mmu::level_size(g, 3);
    REQUIRE(f.b.map(B, 3 * B, B, a));
    ranges removed;
    REQUIRE(f.b.unmap(B, P, &removed));
    CHECK(removed == ranges{{B, P}});
    CHECK(f.desc(B + P, 3) == mmu::make_page(3 * B + P, g, l));
    CHECK(f.desc(2 * B - P, 3) == mmu::make_page(4 * B - P, g, l));
    f.expect(2 * B - 1, 4 * B - 1, mmu::level_shift(g, 3));
    REQUIRE(f.b.unmap(B + P, B - P, &removed));
    CHECK(removed.size() == 1 + (B / P - 1));
    CHECK(f.b.tables_in_use() == 1);
}

TEST_CASE("pgtable: a split with no table memory changes nothing", "[pgtable][unmap][oom]") {
    fixture f(granule::g4k);
    REQUIRE(f.b.map(0x200000, 0x200000, 0x200000, rw));
    f.alloc.max_live = static_cast<unsigned>(f.alloc.live.size());
    const auto before = test::live_contents(f.mem, f.alloc);
    ranges removed;
    auto st = f.b.unmap(0x200000, 0x1000, &removed);
    CHECK(st.error == map_error::out_of_memory);
    CHECK(removed.empty());
    CHECK(test::live_contents(f.mem, f.alloc) == before);
    f.expect(0x3FFFFF, 0x3FFFFF, 21);
    REQUIRE(f.b.unmap(0x200000, 0x200000, &removed));   // whole block: no split needed
    CHECK(removed == ranges{{0x200000, 0x200000}});
}

TEST_CASE("pgtable: release frees every table", "[pgtable]") {
    fixture f(granule::g16k);
    REQUIRE(f.b.map(0x4000, 0x4000, 0x8000, rw));
    CHECK(f.alloc.live.size() == 4);
    f.b.release();
    CHECK(f.alloc.live.empty());
    CHECK(f.alloc.bad_frees == 0);
    CHECK(f.b.tables_in_use() == 0);
    REQUIRE(f.b.init());
    CHECK(f.b.tables_in_use() == 1);
}
