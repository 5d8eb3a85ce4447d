#include <catch2/catch.hpp>

#include "tests/unit/mmu_test_tables.h"

using namespace vcmsim::mmu;
using namespace vcmsim::mmu::test;

namespace {
constexpr unsigned n_pages = 64;
constexpr uint64_t base_va = 0x0000'7654'3200'0000ULL;   // 2 MiB aligned: one L3 table

struct fixture {
    vec_memory mem{0x4000'0000, 4ULL << 20};
    tables t{mem, granule::g4k, 16, 5};
    fixture() {
        for (unsigned i = 0; i < n_pages; ++i)
            t.map(base_va + i * 4096ULL, 0x8000'0000ULL + i * 0x10000ULL);
    }
    walk_result walk(walker& w, uint64_t va, uint16_t asid = 5) {
        regime r = t.reg();
        r.asid = asid;
        access a;
        a.va = va;
        return w.walk(r, a);
    }
};
}  // namespace

TEST_CASE("mmu walk cache: without a cache every walk reads every level", "[mmu][walkcache]") {
    fixture f;
    walker w(f.mem);
    for (unsigned i = 0; i < n_pages; ++i) {
        const walk_result res = f.walk(w, base_va + i * 4096ULL);
        REQUIRE_FALSE(res.flt);
        CHECK(res.map.pa_base == 0x8000'0000ULL + i * 0x10000ULL);
    }
    CHECK(f.mem.reads == n_pages * 4);
    walk_cache disabled(walk_cache_config{});   // entries = 0
    walker w2(f.mem, &disabled);
    f.mem.reads = 0;
    for (unsigned i = 0; i < n_pages; ++i) f.walk(w2, base_va + i * 4096ULL);
    CHECK(f.mem.reads == n_pages * 4);
    CHECK(disabled.lookups() == 0);
    CHECK(disabled.fills() == 0);
}

TEST_CASE("mmu walk cache: after the first walk each walk makes exactly one read", "[mmu][walkcache]") {
    fixture f;
    walk_cache wc(walk_cache_config{16, 4, 0b0111});
    walker w(f.mem, &wc);
    for (unsigned i = 0; i < n_pages; ++i) {
        const walk_result res = f.walk(w, base_va + i * 4096ULL);
        REQUIRE_FALSE(res.flt);
        CHECK(res.map.pa_base == 0x8000'0000ULL + i * 0x10000ULL);
        CHECK(res.reads == (i == 0 ? 4u : 1u));
        CHECK(res.wc_hit_level == (i == 0 ? -1 : 2));
        CHECK(res.start_level == (i == 0 ? 0 : 3));
    }
    CHECK(f.mem.reads == 4 + (n_pages - 1));
    CHECK(wc.lookups() == n_pages);
    CHECK(wc.misses() == 1);
    CHECK(wc.hits(2) == n_pages - 1);
    CHECK(wc.hits(1) == 0);
    CHECK(wc.hits() == n_pages - 1);
    CHECK(wc.fills() == 3);                   // L0, L1, L2 table descriptors of the first walk
    CHECK(wc.reads_saved() == 3 * (n_pages - 1));
    CHECK(wc.valid_entries() == 3);
}

TEST_CASE("mmu walk cache: a hit at L1 leaves two reads, levels_mask limits caching", "[mmu][walkcache]") {
    fixture f;
    // Second page in a different 2 MiB region of the same 1 GiB region: L1 entry hits.
    const uint64_t other = base_va + (1ULL << 21);
    f.t.map(other, 0x9000'0000ULL);
    walk_cache wc(walk_cache_config{16, 4, 0b0111});
    walker w(f.mem, &wc);
    CHECK(f.walk(w, base_va).reads == 4);
    walk_result res = f.walk(w, other);
    REQUIRE_FALSE(res.flt);
    CHECK(res.reads == 2);
    CHECK(res.wc_hit_level == 1);
    CHECK(res.map.pa_base == 0x9000'0000ULL);
    CHECK(wc.reads_saved() == 2);
    CHECK(wc.hits(1) == 1);

    walk_cache l0only(walk_cache_config{16, 4, 0b0001});
    walker w0(f.mem, &l0only);
    CHECK(f.walk(w0, base_va).reads == 4);
    CHECK(f.walk(w0, base_va + 4096).reads == 3);
    CHECK(l0only.fills() == 1);
    CHECK(l0only.hits(0) == 1);
    CHECK(l0only.reads_saved() == 1);
}

TEST_CASE("mmu walk cache: invalidation by va, asid and all forces exact re-walks", "[mmu][walkcache]") {
    fixture f;
    walk_cache wc(walk_cache_config{16, 4, 0b0111});
    walker w(f.mem, &wc);
    CHECK(f.walk(w, base_va).reads == 4);
    CHECK(f.walk(w, base_va, 9).reads == 4);   // other ASID: own entries
    CHECK(wc.valid_entries() == 6);
    CHECK(f.walk(w, base_va + 4096).reads == 1);

    SECTION("by va + asid removes only that asid's entries covering va") {
        wc.invalidate_va(base_va + 8192, 5);
        CHECK(wc.invalidated() == 3);
        CHECK(f.walk(w, base_va + 4096).reads == 4);
        CHECK(f.walk(w, base_va + 4096, 9).reads == 1);
    }
    SECTION("by va, any asid") {
        wc.invalidate_va(base_va);
        CHECK(wc.invalidated() == 6);
        CHECK(f.walk(w, base_va + 4096).reads == 4);
        CHECK(f.walk(w, base_va + 4096, 9).reads == 4);
    }
    SECTION("by va outside the cached regions removes only the covering levels") {
        // Same 512 GiB (L0) region, another 1 GiB region: only the L0 entries cover it.
        wc.invalidate_va(base_va + (1ULL << 30));
        CHECK(wc.invalidated() == 2);
        walk_result res = f.walk(w, base_va + 4096);
        CHECK(res.reads == 1);   // L2 entry still present
        CHECK(wc.valid_entries() == 4);
    }
    SECTION("by asid") {
        wc.invalidate_asid(9);
        CHECK(wc.invalidated() == 3);
        CHECK(f.walk(w, base_va + 4096).reads == 1);
        CHECK(f.walk(w, base_va + 4096, 9).reads == 4);
    }
    SECTION("all") {
        wc.invalidate_all();
        CHECK(wc.valid_entries() == 0);
        CHECK(f.walk(w, base_va + 4096).reads == 4);
        CHECK(f.walk(w, base_va + 8192).reads == 1);
    }
}

TEST_CASE("mmu walk cache: LRU within a set evicts the oldest table", "[mmu][walkcache]") {
    // 2 entries, fully associative, L2 only: three L3 tables compete.
    vec_memory mem(0x4000'0000, 4ULL << 20);
    tables t(mem, granule::g4k, 16);
    const uint64_t v[3] = {0x4000'0000ULL, 0x4020'0000ULL, 0x4040'0000ULL};
    for (uint64_t x : v) t.map(x, 0x9000'0000ULL);
    walk_cache wc(walk_cache_config{2, 2, 0b0100});
    CHECK(wc.entries() == 2);
    walker w(mem, &wc);
    access a;
    auto reads = [&](uint64_t va) {
        a.va = va;
        return w.walk(t.reg(), a).reads;
    };
    CHECK(reads(v[0]) == 4);
    CHECK(reads(v[1]) == 4);
    CHECK(reads(v[0]) == 1);   // refresh v0: v1 is now the LRU
    CHECK(reads(v[2]) == 4);   // evicts v1
    CHECK(reads(v[0]) == 1);
    CHECK(reads(v[1]) == 4);
    CHECK(wc.valid_entries() == 2);
}

TEST_CASE("mmu walk cache: entries are tagged by ttb, granule and hierarchical attrs kept", "[mmu][walkcache]") {
    vec_memory mem(0x4000'0000, 4ULL << 20);
    tables a(mem, granule::g4k, 16);
    tables b(mem, granule::g4k, 16);
    table_attrs ta;
    ta.ap_table = 2;
    ta.pxn_table = true;
    a.map(0x1000, 0x7000'0000ULL, 3, tables::default_attrs(), ta);
    a.map(0x2000, 0x7100'0000ULL, 3, tables::default_attrs(), ta);
    b.map(0x1000, 0x7200'0000ULL);
    walk_cache wc(walk_cache_config{64, 4, 0b0111});
    walker w(mem, &wc);
    access acc;
    acc.va = 0x1000;
    CHECK(w.walk(a.reg(), acc).reads == 4);
    walk_result res = w.walk(b.reg(), acc);   // same asid, other ttb: no hit
    CHECK(res.reads == 4);
    CHECK(res.map.pa_base == 0x7200'0000ULL);
    acc.va = 0x2000;
    res = w.walk(a.reg(), acc);
    CHECK(res.reads == 1);
    CHECK(res.map.pa_base == 0x7100'0000ULL);
    CHECK(res.map.attrs.ap_table == 2);
    CHECK(res.map.attrs.pxn_table);
}
