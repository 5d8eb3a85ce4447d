// TLB: mixed page sizes, ASID tagging, global entries, every invalidation form.
#include <catch2/catch.hpp>

#include <set>
#include <tuple>

#include "models/mmu/tlb.h"

using namespace vcmsim::mmu;

namespace {

mapping entry_of(uint64_t va, uint64_t pa, uint8_t shift, uint16_t asid, bool global) {
    mapping m;
    m.va_base = va;
    m.pa_base = pa;
    m.page_shift = shift;
    m.level = shift == 12 ? 3 : (shift == 21 ? 2 : 1);
    m.asid = asid;
    m.attrs.ng = !global;
    return m;
}

constexpr uint16_t G = 0xFFFF;   // marks a global entry in survivor lists (asid unused)

// (va_base, page_shift, asid or G) of every valid entry.
std::set<std::tuple<uint64_t, unsigned, unsigned>> survivors(const tlb& t) {
    std::set<std::tuple<uint64_t, unsigned, unsigned>> out;
    for (unsigned s = 0; s < t.sets(); ++s)
        for (unsigned w = 0; w < t.ways(); ++w)
            if (const mapping* m = t.entry(s, w))
                out.insert({m->va_base, m->page_shift, m->attrs.ng ? m->asid : G});
    return out;
}

tlb make(unsigned entries = 32, unsigned ways = 0) {
    tlb_config c;
    c.entries = entries;
    c.ways = ways;
    return tlb(c);
}

}  // namespace

TEST_CASE("tlb: a 2 MiB block and 4 KiB pages side by side", "[tlb][sizes]") {
    tlb t = make();
    t.fill(entry_of(0x40000000, 0x80000000, 21, 1, false));   // block
    t.fill(entry_of(0x40001000, 0x90001000, 12, 1, false));   // page inside the block's range
    t.fill(entry_of(0x40400000, 0xA0400000, 12, 1, false));   // page outside it

    const mapping* m = t.lookup(0x40123456, 1);
    REQUIRE(m);
    CHECK(m->page_shift == 21);
    CHECK(m->translate(0x40123456) == 0x80123456);
    m = t.lookup(0x40001ABC, 1);   // smaller size probed first
    REQUIRE(m);
    CHECK(m->page_shift == 12);
    CHECK(m->translate(0x40001ABC) == 0x90001ABC);
    m = t.lookup(0x40400010, 1);
    REQUIRE(m);
    CHECK(m->translate(0x40400010) == 0xA0400010);
    CHECK(t.lookup(0x40200000, 1) == nullptr);   // just past the block
    CHECK(t.lookup(0x40123456, 2) == nullptr);   // other ASID

    t.invalidate_va(0x40100000, 1);   // inside the block, in no page
    CHECK(t.invalidated() == 1);
    CHECK(survivors(t) == std::set<std::tuple<uint64_t, unsigned, unsigned>>{
                              {0x40001000, 12, 1}, {0x40400000, 12, 1}});
    CHECK(t.lookup(0x40123456, 1) == nullptr);
    CHECK(t.lookups() == 6);
    CHECK(t.hits() == 3);
    CHECK(t.misses() == 3);
}

TEST_CASE("tlb: every size is indexed by its own page number", "[tlb][sizes]") {
    tlb t = make(16, 2);   // 8 sets
    t.fill(entry_of(0x00600000, 0x1000000, 21, 0, true));   // vpn2M 3 -> set 3
    t.fill(entry_of(0x00600000, 0x2000000, 12, 0, true));   // vpn4K 0x600 -> set 0
    t.fill(entry_of(0x40000000, 0x0, 30, 0, true));         // vpn1G 1 -> set 1
    t.fill(entry_of(0x00604000, 0x3000000, 14, 0, true));   // vpn16K 0x181 -> set 1
    REQUIRE(t.entry(3, 0));
    CHECK(t.entry(3, 0)->page_shift == 21);
    REQUIRE(t.entry(0, 0));
    CHECK(t.entry(0, 0)->page_shift == 12);
    REQUIRE(t.entry(1, 0));
    CHECK(t.entry(1, 0)->page_shift == 30);
    REQUIRE(t.entry(1, 1));
    CHECK(t.entry(1, 1)->page_shift == 14);
    CHECK(t.lookup(0x00600010, 0)->pa_base == 0x2000000);
    CHECK(t.lookup(0x00601010, 0)->pa_base == 0x1000000);
    CHECK(t.lookup(0x00605010, 0)->pa_base == 0x3000000);
    CHECK(t.lookup(0x7FFFFFFF, 0)->translate(0x7FFFFFFF) == 0x3FFFFFFF);
    CHECK(t.hits() == 4);
}

TEST_CASE("tlb: ASID tagging and global entries", "[tlb][asid]") {
    tlb t = make();
    t.fill(entry_of(0x1000, 0xA000, 12, 1, false));
    CHECK(t.lookup(0x1000, 2) == nullptr);
    CHECK(t.lookup(0x1000, 1)->pa_base == 0xA000);
    t.fill(entry_of(0x1000, 0xB000, 12, 2, false));   // same VA, other ASID: separate entry
    CHECK(t.valid_entries() == 2);
    CHECK(t.lookup(0x1000, 2)->pa_base == 0xB000);
    CHECK(t.lookup(0x1000, 1)->pa_base == 0xA000);

    t.fill(entry_of(0x2000, 0xC000, 12, 7, true));    // global: any ASID
    CHECK(t.lookup(0x2000, 0)->pa_base == 0xC000);
    CHECK(t.lookup(0x2000, 0xFFFF)->pa_base == 0xC000);

    t.fill(entry_of(0x1000, 0xD000, 12, 1, false));   // refill ASID 1 in place
    CHECK(t.valid_entries() == 3);
    CHECK(t.lookup(0x1000, 1)->pa_base == 0xD000);
    CHECK(t.lookup(0x1000, 2)->pa_base == 0xB000);
    CHECK(t.fills() == 4);
    CHECK(t.evictions() == 0);
    CHECK(t.lookups() == 8);
    CHECK(t.hits() == 7);
}

TEST_CASE("tlb: each invalidation form leaves exactly the right survivors", "[tlb][tlbi]") {
    using S = std::set<std::tuple<uint64_t, unsigned, unsigned>>;
    auto setup = [] {
        tlb t = make(16, 4);
        t.fill(entry_of(0x1000, 0xA000, 12, 1, false));
        t.fill(entry_of(0x1000, 0xB000, 12, 2, false));
        t.fill(entry_of(0x2000, 0xC000, 12, 0, true));
        t.fill(entry_of(0x3000, 0xD000, 12, 1, false));
        t.fill(entry_of(0x200000, 0x400000, 21, 1, false));
        t.fill(entry_of(0x3000, 0xE000, 12, 2, false));
        t.fill(entry_of(0x200000, 0x600000, 21, 0, true));   // global wins in place
        return t;
    };
    const S all = {{0x1000, 12, 1}, {0x1000, 12, 2}, {0x2000, 12, G},
                   {0x3000, 12, 1}, {0x3000, 12, 2}, {0x200000, 21, G}};
    CHECK(survivors(setup()) == all);

    SECTION("by ASID: non-global entries of that ASID only") {
        tlb t = setup();
        t.invalidate_asid(1);
        CHECK(survivors(t) == S{{0x1000, 12, 2}, {0x2000, 12, G}, {0x3000, 12, 2},
                                {0x200000, 21, G}});
        CHECK(t.invalidated() == 2);
    }
    SECTION("by VA and ASID: that ASID's entry") {
        tlb t = setup();
        t.invalidate_va(0x1FFF, 1);
        CHECK(survivors(t) == S{{0x1000, 12, 2}, {0x2000, 12, G}, {0x3000, 12, 1},
                                {0x3000, 12, 2}, {0x200000, 21, G}});
        CHECK(t.invalidated() == 1);
    }
    SECTION("by VA and ASID: global entries go too") {
        tlb t = setup();
        t.invalidate_va(0x2000, 5);
        t.invalidate_va(0x3FF000, 5);   // inside the global block
        CHECK(survivors(t) == S{{0x1000, 12, 1}, {0x1000, 12, 2}, {0x3000, 12, 1},
                                {0x3000, 12, 2}});
        CHECK(t.invalidated() == 2);
    }
    SECTION("by VA, all ASIDs") {
        tlb t = setup();
        t.invalidate_va_all_asids(0x3000);
        CHECK(survivors(t) == S{{0x1000, 12, 1}, {0x1000, 12, 2}, {0x2000, 12, G},
                                {0x200000, 21, G}});
        CHECK(t.invalidated() == 2);
        t.invalidate_va_all_asids(0x5000);   // nothing there
        CHECK(t.invalidated() == 2);
    }
    SECTION("all") {
        tlb t = setup();
        t.invalidate_all();
        CHECK(survivors(t).empty());
        CHECK(t.valid_entries() == 0);
        CHECK(t.invalidated() == 6);
        CHECK(t.lookup(0x2000, 0) == nullptr);
        t.fill(entry_of(0x2000, 0xC000, 12, 0, true));
        CHECK(t.lookup(0x2000, 0) != nullptr);
    }
    SECTION("counters survive invalidation; reset_counters clears them") {
        tlb t = setup();
        CHECK(t.fills() == 7);
        t.invalidate_all();
        CHECK(t.fills() == 7);
        t.reset_counters();
        CHECK(t.fills() == 0);
        CHECK(t.invalidated() == 0);
    }
}

TEST_CASE("tlb: probe neither counts nor updates the policy", "[tlb]") {
    tlb t = make(2);   // 2 entries, LRU
    t.fill(entry_of(0x1000, 0xA000, 12, 0, true));
    t.fill(entry_of(0x2000, 0xB000, 12, 0, true));
    CHECK(t.probe(0x1000, 3)->pa_base == 0xA000);   // would make 0x2000 the LRU if counted
    CHECK(t.probe(0x3000, 3) == nullptr);
    CHECK(t.lookups() == 0);
    t.fill(entry_of(0x3000, 0xC000, 12, 0, true));
    REQUIRE(t.last_victim());
    CHECK(t.last_victim()->va_base == 0x1000);
}
