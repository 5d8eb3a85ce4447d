// TLB: configuration checks, replacement policies with exact victims, set indexing.
#include <catch2/catch.hpp>

#include <stdexcept>
#include <vector>

#include "models/mmu/tlb.h"

using namespace vcmsim::mmu;

namespace {

mapping page(uint64_t va, uint64_t pa = 0, uint16_t asid = 0, bool global = true,
             uint8_t shift = 12) {
    mapping m;
    m.va_base = va;
    m.pa_base = pa;
    m.page_shift = shift;
    m.level = shift == 12 ? 3 : 2;
    m.asid = asid;
    m.attrs.ng = !global;
    return m;
}

// One touch: lookup, fill on a miss. Returns the evicted page's VA or ~0 if none.
uint64_t touch_page(tlb& t, uint64_t va) {
    if (t.lookup(va, 0))
        return ~0ULL;
    t.fill(page(va & ~0xFFFULL, 0x80000000ULL + va));
    return t.last_victim() ? t.last_victim()->va_base : ~0ULL;
}

constexpr uint64_t A = 0x1000, B = 0x2000, C = 0x3000, D = 0x4000, E = 0x5000, F = 0x6000;

tlb make(replacement p, unsigned entries = 4, unsigned ways = 0, uint64_t seed = 1) {
    tlb_config c;
    c.entries = entries;
    c.ways = ways;
    c.policy = p;
    c.seed = seed;
    return tlb(c);
}

// Independent reference of the documented generator: splitmix64(seed) then xorshift64*.
struct ref_rng {
    uint64_t s;
    explicit ref_rng(uint64_t seed) {
        uint64_t z = seed + 0x9E3779B97F4A7C15ULL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
        s = z ^ (z >> 31);
        if (s == 0) s = 1;
    }
    uint64_t next() {
        s ^= s >> 12;
        s ^= s << 25;
        s ^= s >> 27;
        return s * 0x2545F4914F6CDD1DULL;
    }
};

}  // namespace

TEST_CASE("tlb: configuration is validated", "[tlb]") {
    tlb_config c;
    c.entries = 0;
    CHECK_THROWS_AS(tlb(c), std::invalid_argument);
    c.entries = 32;
    c.ways = 3;
    CHECK_THROWS_AS(tlb(c), std::invalid_argument);
    c.entries = 12;
    c.ways = 3;
    c.policy = replacement::plru;
    CHECK_THROWS_AS(tlb(c), std::invalid_argument);
    c.ways = 4;
    tlb t(c);
    CHECK(t.sets() == 3);
    CHECK(t.ways() == 4);
    c.entries = 32;
    c.ways = 0;
    tlb fa(c);
    CHECK(fa.sets() == 1);
    CHECK(fa.ways() == 32);
    CHECK_THROWS_AS(fa.fill(page(0x1000, 0, 0, true, 11)), std::invalid_argument);
}

TEST_CASE("tlb: LRU victims on A B C D A E F", "[tlb][policy]") {
    tlb t = make(replacement::lru);
    for (uint64_t va : {A, B, C, D}) CHECK(touch_page(t, va) == ~0ULL);
    CHECK(touch_page(t, A) == ~0ULL);   // hit
    CHECK(touch_page(t, E) == B);
    CHECK(touch_page(t, F) == C);
    CHECK(t.lookups() == 7);
    CHECK(t.hits() == 1);
    CHECK(t.misses() == 6);
    CHECK(t.fills() == 6);
    CHECK(t.evictions() == 2);
    CHECK(t.valid_entries() == 4);
}

TEST_CASE("tlb: FIFO victims ignore hits", "[tlb][policy]") {
    tlb t = make(replacement::fifo);
    for (uint64_t va : {A, B, C, D}) touch_page(t, va);
    CHECK(touch_page(t, A) == ~0ULL);
    CHECK(touch_page(t, E) == A);
    CHECK(touch_page(t, F) == B);
    CHECK(touch_page(t, C) == ~0ULL);
    CHECK(touch_page(t, A) == C);   // C inserted before D, E, F: hit did not refresh it
    CHECK(t.evictions() == 3);
}

TEST_CASE("tlb: tree-PLRU victims follow the documented bit convention", "[tlb][policy]") {
    // Ways 0..3 get A..D. After A B C D A: root=1 (upper), node1=1 (way1), node2=0 (way2).
    tlb t = make(replacement::plru);
    for (uint64_t va : {A, B, C, D}) touch_page(t, va);
    CHECK(touch_page(t, A) == ~0ULL);
    CHECK(touch_page(t, E) == C);   // root 1 -> node2 -> 0 -> way 2
    // E in way 2: root=0, node2=1. Victim: root 0 -> node1 = 1 -> way 1 (B).
    CHECK(touch_page(t, F) == B);
    // F in way 1: root=1, node1=0. A hits way 0: root=1, node1=1.
    CHECK(touch_page(t, A) == ~0ULL);
    CHECK(touch_page(t, C) == D);   // root 1 -> node2 = 1 -> way 3
    CHECK(t.entry(0, 3)->va_base == C);
}

TEST_CASE("tlb: PLRU with two ways equals LRU", "[tlb][policy]") {
    tlb t = make(replacement::plru, 2);
    touch_page(t, A);
    touch_page(t, B);
    touch_page(t, A);
    CHECK(touch_page(t, C) == B);
    CHECK(touch_page(t, D) == A);
}

TEST_CASE("tlb: random victims are stable per seed and differ between seeds", "[tlb][policy]") {
    auto victims = [](uint64_t seed) {
        tlb t = make(replacement::random, 4, 0, seed);
        std::vector<uint64_t> v;
        for (uint64_t va : {A, B, C, D}) touch_page(t, va);
        for (uint64_t i = 0; i < 16; ++i) {
            uint64_t va = 0x100000 + i * 0x1000;
            uint64_t victim = touch_page(t, va);
            v.push_back(victim);
        }
        return v;
    };
    const auto s1 = victims(1);
    CHECK(s1 == victims(1));
    CHECK(s1 != victims(2));
    // Exact victims: way = next() % 4, replay them on a shadow of the ways.
    ref_rng r(1);
    std::vector<uint64_t> ways = {A, B, C, D};
    for (uint64_t i = 0; i < 16; ++i) {
        unsigned w = static_cast<unsigned>(r.next() % 4);
        CHECK(s1[i] == ways[w]);
        ways[w] = 0x100000 + i * 0x1000;
    }
}

TEST_CASE("tlb: invalid ways are filled first, lowest index first", "[tlb][policy]") {
    for (replacement p : {replacement::lru, replacement::plru, replacement::fifo,
                          replacement::random}) {
        tlb t = make(p);
        for (uint64_t va : {A, B, C, D}) touch_page(t, va);
        t.invalidate_va_all_asids(B);
        t.invalidate_va_all_asids(D);
        CHECK(touch_page(t, E) == ~0ULL);
        CHECK(t.entry(0, 1)->va_base == E);
        CHECK(touch_page(t, F) == ~0ULL);
        CHECK(t.entry(0, 3)->va_base == F);
        CHECK(t.evictions() == 0);
    }
}

TEST_CASE("tlb: direct-mapped conflicts evict by set", "[tlb]") {
    tlb t = make(replacement::lru, 8, 1);
    CHECK(t.sets() == 8);
    touch_page(t, 0x0000);
    touch_page(t, 0x1000);                    // set 1
    CHECK(touch_page(t, 0x8000) == 0x0000);   // vpn 8 -> set 0
    CHECK(touch_page(t, 0x1000) == ~0ULL);    // set 1 untouched: hit
    CHECK(touch_page(t, 0x0000) == 0x8000);
    CHECK(t.hits() == 1);
    CHECK(t.misses() == 4);
    CHECK(t.evictions() == 2);
    CHECK(t.entry(0, 0)->va_base == 0x0000);
    CHECK(t.entry(1, 0)->va_base == 0x1000);
}

TEST_CASE("tlb: set-associative indexing, power-of-two and not", "[tlb]") {
    tlb t = make(replacement::lru, 8, 2);   // 4 sets
    touch_page(t, 0x0000);
    touch_page(t, 0x4000);
    touch_page(t, 0x1000);
    CHECK(touch_page(t, 0x8000) == 0x0000);     // vpn 0, 4, 8 share set 0
    CHECK(t.entry(1, 0)->va_base == 0x1000);

    tlb u = make(replacement::lru, 12, 4);   // 3 sets: set = vpn % 3
    for (uint64_t vpn : {0, 3, 6, 9}) touch_page(u, vpn << 12);
    CHECK(u.entry(0, 3)->va_base == 0x9000);
    CHECK(touch_page(u, 0x1000) == ~0ULL);       // set 1 free
    CHECK(touch_page(u, 12ULL << 12) == 0x0000);
}

TEST_CASE("tlb: refill of a cached page is in place", "[tlb]") {
    tlb t = make(replacement::fifo);
    for (uint64_t va : {A, B, C, D}) touch_page(t, va);
    t.fill(page(A, 0x12345000));
    CHECK(t.last_victim() == nullptr);
    CHECK(t.evictions() == 0);
    CHECK(t.valid_entries() == 4);
    CHECK(t.lookup(A + 0x10, 0)->translate(A + 0x10) == 0x12345010);
    CHECK(touch_page(t, E) == A);   // FIFO age kept by the in-place refill
}
