#include <catch2/catch.hpp>

#include "tests/unit/mmu_test_tables.h"

using namespace vcmsim::mmu;
using namespace vcmsim::mmu::test;

namespace {
mapping with(uint8_t ap, bool uxn = false, bool pxn = false, uint8_t ap_table = 0,
             bool uxn_table = false, bool pxn_table = false) {
    mapping m;
    m.attrs.ap = ap;
    m.attrs.uxn = uxn;
    m.attrs.pxn = pxn;
    m.attrs.ap_table = ap_table;
    m.attrs.uxn_table = uxn_table;
    m.attrs.pxn_table = pxn_table;
    return m;
}
bool ok(const mapping& m, access_type t, bool priv, bool wxn = false) {
    access a;
    a.type = t;
    a.privileged = priv;
    return permits(m, a, wxn);
}
constexpr auto R = access_type::read;
constexpr auto W = access_type::write;
constexpr auto X = access_type::exec;
}  // namespace

TEST_CASE("mmu permissions: AP[2:1] x privilege x read/write", "[mmu][perm]") {
    // {priv read, priv write, user read, user write} per AP value.
    const bool expect[4][4] = {
        {true, true, false, false},    // 00 EL1 RW, EL0 none
        {true, true, true, true},      // 01 EL1 RW, EL0 RW
        {true, false, false, false},   // 10 EL1 RO, EL0 none
        {true, false, true, false},    // 11 EL1 RO, EL0 RO
    };
    for (uint8_t ap = 0; ap < 4; ++ap) {
        INFO("AP " << int(ap));
        const mapping m = with(ap);
        CHECK(ok(m, R, true) == expect[ap][0]);
        CHECK(ok(m, W, true) == expect[ap][1]);
        CHECK(ok(m, R, false) == expect[ap][2]);
        CHECK(ok(m, W, false) == expect[ap][3]);
    }
}

TEST_CASE("mmu permissions: execute with UXN / PXN and implicit PXN", "[mmu][perm]") {
    // {priv exec, user exec} for AP x (uxn, pxn) with no table restrictions.
    CHECK(ok(with(0), X, true));
    CHECK_FALSE(ok(with(0), X, false));          // no EL0 access → no EL0 exec
    CHECK_FALSE(ok(with(1), X, true));           // EL0-writable ⇒ PXN
    CHECK(ok(with(1), X, false));
    CHECK(ok(with(2), X, true));
    CHECK_FALSE(ok(with(2), X, false));
    CHECK(ok(with(3), X, true));
    CHECK(ok(with(3), X, false));
    CHECK_FALSE(ok(with(3, true, false), X, false));   // UXN
    CHECK(ok(with(3, true, false), X, true));
    CHECK_FALSE(ok(with(3, false, true), X, true));    // PXN
    CHECK(ok(with(3, false, true), X, false));
    CHECK_FALSE(ok(with(3, true, true), X, true));
    CHECK_FALSE(ok(with(3, true, true), X, false));
    // XN bits never affect data accesses.
    CHECK(ok(with(1, true, true), R, false));
    CHECK(ok(with(1, true, true), W, true));
}

TEST_CASE("mmu permissions: APTable and XNTable restrict hierarchically", "[mmu][perm]") {
    // APTable 01: no EL0 access.
    CHECK_FALSE(ok(with(1, false, false, 1), R, false));
    CHECK_FALSE(ok(with(1, false, false, 1), W, false));
    CHECK(ok(with(1, false, false, 1), W, true));
    CHECK_FALSE(ok(with(3, false, false, 1), X, false));
    // APTable 10: no write at any EL.
    CHECK_FALSE(ok(with(0, false, false, 2), W, true));
    CHECK(ok(with(0, false, false, 2), R, true));
    CHECK(ok(with(1, false, false, 2), R, false));
    CHECK_FALSE(ok(with(1, false, false, 2), W, false));
    CHECK(ok(with(1, false, false, 2), X, true));   // no longer EL0-writable: implicit PXN gone
    // APTable 11: read-only, EL1 only.
    CHECK(ok(with(1, false, false, 3), R, true));
    CHECK_FALSE(ok(with(1, false, false, 3), W, true));
    CHECK_FALSE(ok(with(1, false, false, 3), R, false));
    // XNTable.
    CHECK_FALSE(ok(with(3, false, false, 0, true, false), X, false));
    CHECK(ok(with(3, false, false, 0, true, false), X, true));
    CHECK_FALSE(ok(with(3, false, false, 0, false, true), X, true));
    CHECK(ok(with(3, false, false, 0, false, true), X, false));
}

TEST_CASE("mmu permissions: WXN makes writable memory execute-never", "[mmu][perm]") {
    CHECK_FALSE(ok(with(0), X, true, true));                 // EL1 writable
    CHECK(ok(with(2), X, true, true));                       // read-only
    CHECK_FALSE(ok(with(1), X, false, true));                // EL0 writable
    CHECK(ok(with(3), X, false, true));
    CHECK(ok(with(0, false, false, 2), X, true, true));      // APTable removed write
    CHECK(ok(with(0), R, true, true));                       // data unaffected
    CHECK(ok(with(0), W, true, true));
}

TEST_CASE("mmu permissions: walked table attributes feed permits()", "[mmu][perm]") {
    vec_memory mem;
    tables t(mem, granule::g16k, 17);   // start at L1
    const uint64_t va = 0x0000'2345'6000'0000ULL & ~0x3FFFULL;
    table_attrs ta;
    ta.ap_table = 1;   // no EL0
    ta.uxn_table = true;
    leaf_attrs a = tables::default_attrs();
    a.ap = 3;
    t.map(va, 0x9000'0000ULL, 3, a, ta);
    walker w(mem);
    access acc;
    acc.va = va;
    const walk_result res = w.walk(t.reg(), acc);
    REQUIRE_FALSE(res.flt);
    CHECK(res.reads == 3);
    CHECK(ok(res.map, R, true));
    CHECK_FALSE(ok(res.map, R, false));
    CHECK(ok(res.map, X, true));
    CHECK_FALSE(ok(res.map, W, true));
}
