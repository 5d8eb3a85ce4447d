// Page-table builder against the shared walker: the walker, reading the builder's tables,
// must find the same PA, page size, level and attributes as the builder's own lookup.
#include <catch2/catch.hpp>

#include "models/mmu/vmsa.h"
#include "models/mmu/walker.h"
#include "tests/unit/pgtable_test_support.h"

using namespace vcmsim;
using namespace vcmsim::vcm;
using mmu::granule;

namespace {

uint64_t next_rand(uint64_t& s) {   // splitmix64 step
    s += 0x9E3779B97F4A7C15ULL;
    uint64_t z = s;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

}  // namespace

TEST_CASE("pgtable: walker agrees with the builder for random addresses", "[pgtable][walker]") {
    const auto g = GENERATE(granule::g4k, granule::g16k, granule::g64k);
    const auto tsz = GENERATE(16u, 25u, 33u);
    test::word_memory mem;
    test::table_allocator alloc(0x1000000000ULL);
    page_table_builder b(mem, alloc, pt_format{g, tsz, 48, false});
    REQUIRE(b.init());

    const uint64_t P = mmu::level_size(g, 3), B = mmu::level_size(g, 2);
    const uint64_t ia = 1ULL << (64 - tsz);
    // Regions: block-aligned, page-only (PA offset by one page), straddling a block boundary.
    struct region { uint64_t va, pa, size; };
    std::vector<region> regions;
    if (2 * B + 4 * P <= ia / 4) {
        regions.push_back({B, 8 * B, B});
        regions.push_back({4 * B, 16 * B + P, B / 2});
        regions.push_back({6 * B - 3 * P, 20 * B - 3 * P, B + 6 * P});
    } else {
        regions.push_back({0, 0x200000000ULL, ia / 8});
    }
    regions.push_back({ia - 4 * P, 0x7FFF0000000ULL & ~(B - 1), 4 * P});
    map_attrs a;
    a.user = true;
    for (const auto& r : regions) REQUIRE(b.map(r.va, r.pa, r.size, a));

    mmu::walker w(mem);
    mmu::regime reg;
    reg.tg = g;
    reg.tsz = tsz;
    reg.ttb = b.root_pa();
    reg.oas_bits = 48;
    uint64_t seed = 42 + tsz;
    const mmu::leaf_attrs la = to_leaf_attrs(a);
    unsigned checked = 0;
    for (const auto& r : regions) {
        for (int i = 0; i < 300; ++i) {
            const uint64_t va = r.va + next_rand(seed) % r.size;
            uint64_t pa = 0;
            unsigned shift = 0;
            REQUIRE(b.lookup(va, pa, shift));
            CHECK(pa == r.pa + (va - r.va));
            mmu::access acc;
            acc.va = va;
            const mmu::walk_result res = w.walk(reg, acc);
            REQUIRE_FALSE(res.flt);
            CHECK(res.map.translate(va) == pa);
            CHECK(res.map.page_shift == shift);
            CHECK(res.map.level == (shift == mmu::level_shift(g, 3) ? 3 : shift == mmu::level_shift(g, 2) ? 2 : 1));
            CHECK(res.map.attrs.ap == la.ap);
            CHECK(res.map.attrs.ng == la.ng);
            CHECK(res.map.attrs.uxn == la.uxn);
            CHECK(res.map.attrs.pxn == la.pxn);
            ++checked;
        }
    }
    CHECK(checked == 300 * regions.size());

    // Unmapped addresses fault in the walker and miss in the builder.
    for (uint64_t va : {uint64_t(0) + (regions[0].va == 0 ? ia / 4 : 0), ia - 5 * P}) {
        uint64_t pa;
        unsigned shift;
        CHECK_FALSE(b.lookup(va, pa, shift));
        mmu::access acc;
        acc.va = va;
        CHECK(w.walk(reg, acc).flt.kind == mmu::fault_kind::translation);
    }
}
