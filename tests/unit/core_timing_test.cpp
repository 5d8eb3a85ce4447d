#include <catch2/catch.hpp>

#include "models/core/addr_range.h"
#include "models/core/timing.h"

using namespace vcmsim::core;

TEST_CASE("timing: clocks round the period to picoseconds", "[core][timing]") {
    CHECK(clock_domain(1000000000).period_ps() == 1000);
    CHECK(clock_domain(800000000).period_ps() == 1250);
    CHECK(clock_domain(1200000000).period_ps() == 833);
    CHECK(clock_domain(1000000000).cycles(7) == 7000);
}

TEST_CASE("timing: transfer time rounds up", "[core][timing]") {
    CHECK(transfer_ps(64, 16000000000ULL) == 4000);   // 64 B at 16 GB/s = 4 ns
    CHECK(transfer_ps(1, 3000000000000ULL) == 1);     // rounds up
    CHECK(transfer_ps(100, 0) == 0);
}

TEST_CASE("timing: next-free-time booking serialises requests", "[core][timing]") {
    booked_resource r;
    CHECK(r.book(100, 50) == 100);   // free: starts at once
    CHECK(r.book(120, 50) == 150);   // queued behind the first
    CHECK(r.book(400, 10) == 400);   // idle gap
    CHECK(r.busy_ps() == 110);
    CHECK(r.wait_ps() == 30);
}

TEST_CASE("addr_range: inclusive end, containment and overlap", "[core]") {
    addr_range a{0x1000, 0x1000};
    CHECK(a.last() == 0x1FFF);
    CHECK(a.contains(0x1FFF));
    CHECK_FALSE(a.contains(0x2000));
    CHECK(a.contains(0x1F00, 0x100));
    CHECK_FALSE(a.contains(0x1F00, 0x101));
    CHECK(a.overlaps({0x1FFF, 1}));
    CHECK_FALSE(a.overlaps({0x2000, 0x10}));
    addr_range top{0xFFFFFFFFFFFFF000ULL, 0x1000};
    CHECK(top.last() == ~0ULL);
    CHECK(top.contains(~0ULL, 1));
}

TEST_CASE("timing: ps_to_time is exact on its inline path and beyond it", "[core][timing]") {
    using vcmsim::core::ps_t;
    for (const ps_t ps : {ps_t(0), ps_t(1), ps_t(625), ps_t(25000), ps_t(1000000007), ps_t(123456789012345),
                          (ps_t(1) << 52) - 1, ps_t(1) << 52, (ps_t(1) << 52) + 1, (ps_t(1) << 62) + 3})
        CHECK(vcmsim::core::ps_to_time(ps).value() == ps);
    CHECK(vcmsim::core::time_to_ps(vcmsim::core::ps_to_time(5000) + vcmsim::core::ps_to_time(625)) == 5625);
}
