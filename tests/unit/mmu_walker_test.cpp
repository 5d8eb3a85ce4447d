#include <catch2/catch.hpp>

#include "tests/unit/mmu_test_tables.h"

using namespace vcmsim::mmu;
using namespace vcmsim::mmu::test;

namespace {
const granule all_granules[] = {granule::g4k, granule::g16k, granule::g64k};

// A VA with non-zero index bits at every level, inside the IA range, granule aligned.
uint64_t pattern_va(granule g, unsigned tsz) {
    const unsigned ia = 64 - tsz;
    const uint64_t mask = (ia >= 64 ? ~0ULL : (1ULL << ia) - 1);
    return (0x0000'B5A6'C3D2'E1F0ULL & mask) & ~((1ULL << granule_shift(g)) - 1);
}
}  // namespace

TEST_CASE("mmu walker: every granule and start level walks to the exact page", "[mmu][walker]") {
    for (granule g : all_granules)
        for (unsigned tsz = min_tsz; tsz <= max_tsz(g, true); ++tsz) {
            INFO(gname(g) << " tsz " << tsz);
            vec_memory mem(0x4000'0000, 1ULL << 20);
            tables t(mem, g, tsz, 7);
            const uint64_t va = pattern_va(g, tsz);
            const uint64_t pa = 0x0000'00AB'CDE0'0000ULL & oa_mask(g, 3);
            t.map(va, pa);
            walker w(mem);
            access a;
            a.va = va + 0x88;
            const walk_result res = w.walk(t.reg(), a);
            REQUIRE_FALSE(res.flt);
            CHECK(res.reads == unsigned(4 - t.start()));
            CHECK(mem.reads == uint64_t(4 - t.start()));
            CHECK(res.start_level == t.start());
            CHECK(res.wc_hit_level == -1);
            CHECK(res.map.level == 3);
            CHECK(res.map.page_shift == granule_shift(g));
            CHECK(res.map.va_base == va);
            CHECK(res.map.pa_base == pa);
            CHECK(res.map.translate(a.va) == pa + 0x88);
            CHECK(res.map.asid == 7);
            CHECK(res.map.attrs.ap == 1);
            CHECK(res.map.attrs.attr_index == 1);
            CHECK(res.map.attrs.sh == 3);
            CHECK(res.map.attrs.ng);
        }
}

TEST_CASE("mmu walker: every block size gives its page_shift and PA", "[mmu][walker]") {
    struct row { granule g; int level; unsigned shift; unsigned reads; };
    const row rows[] = {
        {granule::g4k, 1, 30, 2},    // 1 GiB
        {granule::g4k, 2, 21, 3},    // 2 MiB
        {granule::g16k, 2, 25, 3},   // 32 MiB (start L0: L0, L1, L2)
        {granule::g64k, 2, 29, 2},   // 512 MiB (start L1)
    };
    for (const row& r : rows) {
        INFO(gname(r.g) << " L" << r.level);
        vec_memory mem;
        tables t(mem, r.g, 16);
        const uint64_t size = 1ULL << r.shift;
        const uint64_t va = 0x0000'5000'0000'0000ULL + 3 * size;
        const uint64_t pa = 0x0000'0080'0000'0000ULL + 5 * size;
        t.map(va, pa, r.level);
        walker w(mem);
        access a;
        a.va = va + size - 8;
        const walk_result res = w.walk(t.reg(), a);
        REQUIRE_FALSE(res.flt);
        CHECK(res.map.page_shift == r.shift);
        CHECK(res.map.level == r.level);
        CHECK(res.map.va_base == va);
        CHECK(res.map.pa_base == pa);
        CHECK(res.map.translate(a.va) == pa + size - 8);
        CHECK(res.reads == r.reads);
    }
}

TEST_CASE("mmu walker: latency sums read latency and per-step time", "[mmu][walker]") {
    vec_memory mem(0x4000'0000, 2ULL << 20, 1000);
    tables t(mem, granule::g4k, 16);
    t.map(0x1234'5000, 0x9000'0000);
    walker w(mem, nullptr, 250);
    access a;
    a.va = 0x1234'5000;
    const walk_result res = w.walk(t.reg(), a);
    REQUIRE_FALSE(res.flt);
    CHECK(res.reads == 4);
    CHECK(res.latency_ps == 4 * 1250);
    CHECK(w.walks() == 1);
    CHECK(w.reads() == 4);
    CHECK(w.faults() == 0);
}

TEST_CASE("mmu walker: hierarchical attributes accumulate, HPD drops them", "[mmu][walker]") {
    vec_memory mem;
    tables t(mem, granule::g4k, 16);
    const uint64_t va = 0x7F00'0000'0000ULL;
    table_attrs l0;
    l0.ap_table = 1;
    l0.pxn_table = true;
    // Build the L0 table descriptor with l0 attrs, then add XN at L2's table descriptor.
    t.slot(va, 1, l0);
    table_attrs l2;
    l2.ap_table = 2;
    l2.uxn_table = true;
    const uint64_t l3 = mem.alloc(4096);
    t.set(va, 2, make_table(l3, granule::g4k, l2));
    t.map(va, 0x5000'0000);
    walker w(mem);
    access a;
    a.va = va;
    regime r = t.reg();
    walk_result res = w.walk(r, a);
    REQUIRE_FALSE(res.flt);
    CHECK(res.map.attrs.ap_table == 3);
    CHECK(res.map.attrs.pxn_table);
    CHECK(res.map.attrs.uxn_table);
    r.hpd = true;
    res = w.walk(r, a);
    REQUIRE_FALSE(res.flt);
    CHECK(res.map.attrs.ap_table == 0);
    CHECK_FALSE(res.map.attrs.pxn_table);
    CHECK_FALSE(res.map.attrs.uxn_table);
}

TEST_CASE("mmu walker: unaligned TTB low bits are ignored", "[mmu][walker]") {
    vec_memory mem;
    tables t(mem, granule::g4k, 16);
    t.map(0x2000, 0x7000'0000);
    regime r = t.reg();
    r.ttb |= 0xFF8;   // BADDR bits below the 4 KiB table alignment
    walker w(mem);
    access a;
    a.va = 0x2010;
    const walk_result res = w.walk(r, a);
    REQUIRE_FALSE(res.flt);
    CHECK(res.map.translate(a.va) == 0x7000'0010);
}
