// address_pattern and its splitmix64 generator: exact sequences, wrap-around, seeding.
#include <catch2/catch.hpp>

#include <stdexcept>
#include <string>
#include <vector>

#include "models/devices/address_pattern.h"

using vcmsim::devices::address_pattern;
using vcmsim::devices::pattern_kind;
using vcmsim::devices::splitmix64;

namespace {
std::vector<uint64_t> take(address_pattern& p, size_t n) {
    std::vector<uint64_t> v;
    for (size_t i = 0; i < n; ++i) v.push_back(p.next());
    return v;
}
}  // namespace

TEST_CASE("splitmix64 matches the reference outputs for seed 0", "[devices][pattern]") {
    splitmix64 g(0);
    CHECK(g.next() == 0xE220A8397B1DCDAFULL);
    CHECK(g.next() == 0x6E789E6AA1B965F4ULL);
}

TEST_CASE("sequential pattern walks the region and wraps", "[devices][pattern]") {
    address_pattern p(pattern_kind::sequential, 0x1000, 256, 64);
    CHECK(p.slots() == 4);
    CHECK(take(p, 9) == std::vector<uint64_t>{0x1000, 0x1040, 0x1080, 0x10C0, 0x1000, 0x1040,
                                              0x1080, 0x10C0, 0x1000});
}

TEST_CASE("sequential pattern wraps before a transaction would cross the end",
          "[devices][pattern]") {
    // 200 bytes hold three 64-byte transactions; the fourth would end at 256 > 200.
    address_pattern p(pattern_kind::sequential, 0, 200, 64);
    CHECK(take(p, 5) == std::vector<uint64_t>{0, 64, 128, 0, 64});
}

TEST_CASE("strided pattern walks columns, then the next lane, then wraps",
          "[devices][pattern]") {
    address_pattern p(pattern_kind::strided, 0x2000, 1024, 64, 256);
    const std::vector<uint64_t> first_pass{
        0x2000, 0x2100, 0x2200, 0x2300, 0x2040, 0x2140, 0x2240, 0x2340,
        0x2080, 0x2180, 0x2280, 0x2380, 0x20C0, 0x21C0, 0x22C0, 0x23C0};
    CHECK(take(p, 16) == first_pass);
    CHECK(take(p, 3) == std::vector<uint64_t>{0x2000, 0x2100, 0x2200});
}

TEST_CASE("strided pattern with stride 0 is sequential", "[devices][pattern]") {
    address_pattern p(pattern_kind::strided, 0, 256, 64, 0);
    CHECK(take(p, 6) == std::vector<uint64_t>{0, 64, 128, 192, 0, 64});
}

TEST_CASE("random pattern: exact aligned slots from splitmix64 and the seed",
          "[devices][pattern]") {
    address_pattern p(pattern_kind::random, 0x10000, 4096, 64, 0, 1);
    CHECK(take(p, 8) == std::vector<uint64_t>{0x10900, 0x10BC0, 0x10F80, 0x10700, 0x10700,
                                              0x10C00, 0x10E00, 0x10840});
    address_pattern q(pattern_kind::random, 0x10000, 4096, 64, 0, 2);
    CHECK(take(q, 8) == std::vector<uint64_t>{0x10940, 0x10BC0, 0x10980, 0x10C00, 0x104C0,
                                              0x10580, 0x10B80, 0x10BC0});
}

TEST_CASE("random pattern is deterministic by seed, differs between seeds, stays in range",
          "[devices][pattern]") {
    address_pattern a(pattern_kind::random, 0x4000, 1 << 20, 128, 0, 42);
    address_pattern b(pattern_kind::random, 0x4000, 1 << 20, 128, 0, 42);
    address_pattern c(pattern_kind::random, 0x4000, 1 << 20, 128, 0, 43);
    const auto va = take(a, 1000), vb = take(b, 1000), vc = take(c, 1000);
    CHECK(va == vb);
    size_t same = 0;
    for (size_t i = 0; i < va.size(); ++i) same += va[i] == vc[i];
    CHECK(same < 10);
    for (uint64_t x : va) {
        REQUIRE(x >= 0x4000);
        REQUIRE(x + 128 <= 0x4000 + (1 << 20));
        REQUIRE((x - 0x4000) % 128 == 0);
    }
    a.restart();
    CHECK(take(a, 1000) == va);
}

TEST_CASE("address_pattern rejects impossible regions", "[devices][pattern]") {
    CHECK_THROWS_AS(address_pattern(pattern_kind::sequential, 0, 64, 0), std::invalid_argument);
    CHECK_THROWS_AS(address_pattern(pattern_kind::sequential, 0, 32, 64), std::invalid_argument);
    CHECK_THROWS_AS(address_pattern(pattern_kind::random, ~0ULL - 10, 64, 8),
                    std::invalid_argument);
}

TEST_CASE("pattern names parse and print", "[devices][pattern]") {
    pattern_kind k = pattern_kind::sequential;
    CHECK(vcmsim::devices::parse_pattern_kind("random", k));
    CHECK(k == pattern_kind::random);
    CHECK(vcmsim::devices::parse_pattern_kind("strided", k));
    CHECK(k == pattern_kind::strided);
    CHECK_FALSE(vcmsim::devices::parse_pattern_kind("zigzag", k));
    CHECK(std::string(vcmsim::devices::pattern_kind_name(pattern_kind::sequential)) == "sequential");
}
