#include <catch2/catch.hpp>

#include "tests/unit/mmu_test_tables.h"

using namespace vcmsim::mmu;
using namespace vcmsim::mmu::test;

namespace {
const uint64_t va = 0x0000'1234'5678'9000ULL;   // 48-bit, non-zero index at every 4K level

walk_result walk_va(vec_memory& mem, const regime& r, uint64_t v = va) {
    walker w(mem);
    access a;
    a.va = v;
    return w.walk(r, a);
}
void check_fault(const walk_result& res, fault_kind k, int level) {
    INFO("got " << fault_kind_name(res.flt.kind) << " at level " << int(res.flt.level));
    CHECK(res.flt.kind == k);
    CHECK(res.flt.level == level);
    CHECK(res.flt.ipa_or_va == va);
}
}  // namespace

TEST_CASE("mmu faults: translation fault at each level for an invalid descriptor", "[mmu][fault]") {
    for (int level = 0; level <= 3; ++level) {
        INFO("level " << level);
        vec_memory mem;
        tables t(mem, granule::g4k, 16);
        t.set(va, level, 0x4000'0000ULL);   // bit 0 clear: invalid whatever the rest
        const walk_result res = walk_va(mem, t.reg());
        check_fault(res, fault_kind::translation, level);
        CHECK(res.reads == unsigned(level + 1));
    }
}

TEST_CASE("mmu faults: blocks where no block size exists and 01 at L3", "[mmu][fault]") {
    struct row { granule g; unsigned tsz; int level; };
    const row rows[] = {
        {granule::g4k, 16, 0},  {granule::g4k, 16, 3},  {granule::g16k, 16, 0},
        {granule::g16k, 16, 1}, {granule::g16k, 16, 3}, {granule::g64k, 16, 1},
        {granule::g64k, 16, 3},
    };
    for (const row& r : rows) {
        INFO(gname(r.g) << " level " << r.level);
        vec_memory mem;
        tables t(mem, r.g, r.tsz);
        t.set(va, r.level, make_block(0x8000'0000ULL, r.g, r.level == 3 ? 2 : r.level,
                                      tables::default_attrs()));
        check_fault(walk_va(mem, t.reg()), fault_kind::translation, r.level);
    }
}

TEST_CASE("mmu faults: IA out of range and bad TxSZ fault at level 0", "[mmu][fault]") {
    vec_memory mem;
    tables t(mem, granule::g4k, 25);   // 39-bit IA, start at L1
    const uint64_t out = 1ULL << 39;
    walk_result res = walk_va(mem, t.reg(), out);
    CHECK(res.flt.kind == fault_kind::translation);
    CHECK(res.flt.level == 0);
    CHECK(res.reads == 0);
    res = walk_va(mem, t.reg(), 0xFFFF'FF80'0000'0000ULL);   // TTBR1-style VA: not supported
    CHECK(res.flt.kind == fault_kind::translation);
    CHECK(res.flt.level == 0);
    regime r = t.reg();
    r.tsz = 40;   // needs TTST
    res = walk_va(mem, r);
    CHECK(res.flt.kind == fault_kind::translation);
    CHECK(res.flt.level == 0);
    r.tsz = 12;
    res = walk_va(mem, r);
    CHECK(res.flt.kind == fault_kind::translation);
    CHECK(res.reads == 0);
}

TEST_CASE("mmu faults: address size for TTB, table addresses and output addresses", "[mmu][fault]") {
    const unsigned oas = 36;
    const uint64_t far = 1ULL << 40;   // beyond a 36-bit OAS, below 48
    SECTION("TTB") {
        vec_memory mem;
        tables t(mem, granule::g4k, 16);
        regime r = t.reg();
        r.ttb |= far;
        r.oas_bits = oas;
        const walk_result res = walk_va(mem, r);
        check_fault(res, fault_kind::address_size, 0);
        CHECK(res.reads == 0);
    }
    for (int level = 0; level <= 2; ++level) {
        INFO("table descriptor at level " << level);
        vec_memory mem;
        tables t(mem, granule::g4k, 16);
        t.set(va, level, make_table(far | 0x1000, granule::g4k));
        regime r = t.reg();
        r.oas_bits = oas;
        const walk_result res = walk_va(mem, r);
        check_fault(res, fault_kind::address_size, level);
        CHECK(res.reads == unsigned(level + 1));
        r.oas_bits = 48;   // same tables, wide OAS: the walk goes on and aborts (no memory)
        CHECK(walk_va(mem, r).flt.kind == fault_kind::walk_abort);
    }
    for (int level = 1; level <= 3; ++level) {
        INFO("leaf at level " << level);
        vec_memory mem;
        tables t(mem, granule::g4k, 16);
        leaf_attrs a = tables::default_attrs();
        a.af = false;   // address size has priority over the access flag
        t.map(va, far, level, a);
        regime r = t.reg();
        r.oas_bits = oas;
        check_fault(walk_va(mem, r), fault_kind::address_size, level);
        r.oas_bits = 48;
        check_fault(walk_va(mem, r), fault_kind::access_flag, level);
    }
    SECTION("64K page beyond a 40-bit OAS") {
        vec_memory mem;
        tables t(mem, granule::g64k, 16);
        t.map(va & ~0xFFFFULL, 1ULL << 41);
        regime r = t.reg();
        r.oas_bits = 40;
        const walk_result res = walk_va(mem, r, va & ~0xFFFFULL);
        CHECK(res.flt.kind == fault_kind::address_size);
        CHECK(res.flt.level == 3);
    }
}

TEST_CASE("mmu faults: access flag at L1/L2 blocks and L3 pages, AFFD suppresses", "[mmu][fault]") {
    struct row { granule g; int level; };
    const row rows[] = {{granule::g4k, 1}, {granule::g4k, 2}, {granule::g4k, 3},
                        {granule::g16k, 2}, {granule::g16k, 3}, {granule::g64k, 2},
                        {granule::g64k, 3}};
    for (const row& rw : rows) {
        INFO(gname(rw.g) << " level " << rw.level);
        vec_memory mem;
        tables t(mem, rw.g, 16);
        leaf_attrs a = tables::default_attrs();
        a.af = false;
        const uint64_t v = va & ~(level_size(rw.g, rw.level) - 1);
        t.map(v, 0x8000'0000ULL, rw.level, a);
        regime r = t.reg();
        walk_result res = walk_va(mem, r, v);
        CHECK(res.flt.kind == fault_kind::access_flag);
        CHECK(res.flt.level == rw.level);
        r.affd = true;
        res = walk_va(mem, r, v);
        REQUIRE_FALSE(res.flt);
        CHECK_FALSE(res.map.attrs.af);
        CHECK(res.map.pa_base == 0x8000'0000ULL);
    }
}

TEST_CASE("mmu faults: walk abort at each level on a failing descriptor read", "[mmu][fault]") {
    for (granule g : {granule::g4k, granule::g64k}) {
        vec_memory mem;
        tables t(mem, g, 16);
        const uint64_t v = va & ~((1ULL << granule_shift(g)) - 1);
        t.map(v, 0x8000'0000ULL);
        for (int level = t.start(); level <= 3; ++level) {
            INFO(gname(g) << " level " << level);
            mem.fail_pa = t.slot(v, level);
            walker w(mem);
            access a;
            a.va = v;
            const walk_result res = w.walk(t.reg(), a);
            CHECK(res.flt.kind == fault_kind::walk_abort);
            CHECK(res.flt.level == level);
            CHECK(res.fault_pa == mem.fail_pa);
            CHECK(res.reads == unsigned(level - t.start() + 1));
            CHECK(w.faults() == 1);
        }
    }
}

TEST_CASE("mmu faults: fault kind names", "[mmu][fault]") {
    CHECK(std::string(fault_kind_name(fault_kind::translation)) == "translation");
    CHECK(std::string(fault_kind_name(fault_kind::address_size)) == "address_size");
    CHECK(std::string(fault_kind_name(fault_kind::walk_abort)) == "walk_abort");
    CHECK(std::string(fault_kind_name(fault_kind::access_flag)) == "access_flag");
    CHECK(std::string(fault_kind_name(fault_kind::permission)) == "permission");
    CHECK(std::string(fault_kind_name(fault_kind::none)) == "none");
}
