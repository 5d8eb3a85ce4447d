#include <catch2/catch.hpp>

#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "models/memory/sparse_memory.h"

using vcmsim::memory::sparse_memory;

namespace {
constexpr uint64_t page = sparse_memory::host_page_size;

std::vector<uint8_t> pattern(size_t n, uint8_t seed) {
    std::vector<uint8_t> v(n);
    for (size_t i = 0; i < n; ++i) v[i] = static_cast<uint8_t>(seed + i * 7 + (i >> 8));
    return v;
}

// Resident set size of this process, in KiB, from /proc/self/status.
uint64_t vm_rss_kib() {
    std::ifstream f("/proc/self/status");
    std::string line;
    while (std::getline(f, line))
        if (line.rfind("VmRSS:", 0) == 0) return std::stoull(line.substr(6));
    return 0;
}
}  // namespace

TEST_CASE("sparse_memory: untouched bytes read as zero without allocating", "[memory]") {
    sparse_memory m(1ULL << 30);
    CHECK(m.size() == 1ULL << 30);
    CHECK(sparse_memory::host_page_size == 65536);
    std::vector<uint8_t> buf(3 * page + 17, 0xAA);
    m.read(page - 5, buf.data(), buf.size());
    for (uint8_t b : buf) REQUIRE(b == 0);
    CHECK(m.pages_allocated() == 0);
    CHECK(m.host_page(0x1234, false) == nullptr);
    CHECK(m.pages_allocated() == 0);
}

TEST_CASE("sparse_memory: a write spanning pages reads back exactly", "[memory]") {
    sparse_memory m(1ULL << 30);
    const auto data = pattern(2 * page + 100, 3);   // covers 4 host pages from page - 50
    const uint64_t off = 5 * page - 50;
    m.write(off, data.data(), data.size());
    CHECK(m.pages_allocated() == 4);
    std::vector<uint8_t> back(data.size());
    m.read(off, back.data(), back.size());
    CHECK(back == data);
    // Neighbours stay zero.
    uint8_t edge[2] = {0xFF, 0xFF};
    m.read(off - 1, edge, 1);
    m.read(off + data.size(), edge + 1, 1);
    CHECK(edge[0] == 0);
    CHECK(edge[1] == 0);
    // An unaligned read inside agrees byte for byte.
    uint8_t mid[300];
    m.read(off + page - 150, mid, sizeof mid);
    CHECK(std::memcmp(mid, data.data() + page - 150, sizeof mid) == 0);
    CHECK(m.allocated_pages() == std::vector<uint64_t>{4 * page, 5 * page, 6 * page, 7 * page});
}

TEST_CASE("sparse_memory: zero writes to absent pages allocate nothing", "[memory]") {
    sparse_memory m(1ULL << 30);
    std::vector<uint8_t> zeros(3 * page, 0);
    m.write(7, zeros.data(), zeros.size());
    m.fill(10 * page, 0, 5 * page);
    CHECK(m.pages_allocated() == 0);
    m.fill(10 * page + 3, 0x5A, 2);                   // one page
    CHECK(m.pages_allocated() == 1);
    m.write(10 * page, zeros.data(), 8);              // present page: zeros are written
    uint8_t b[6];
    m.read(10 * page, b, sizeof b);
    CHECK(std::vector<uint8_t>(b, b + 6) == std::vector<uint8_t>{0, 0, 0, 0, 0, 0});
    m.clear();
    CHECK(m.pages_allocated() == 0);
}

TEST_CASE("sparse_memory: host_page gives the page start and allocates on request", "[memory]") {
    sparse_memory m(1ULL << 32);
    uint8_t* p = m.host_page(3 * page + 0x123, true);
    REQUIRE(p != nullptr);
    CHECK(m.pages_allocated() == 1);
    CHECK(m.host_page(3 * page + 0xFFFF, false) == p);
    CHECK(m.host_page(3 * page, true) == p);
    CHECK(m.pages_allocated() == 1);
    p[0x123] = 0x42;
    p[page - 1] = 0x43;
    uint8_t b[2];
    m.read(3 * page + 0x123, b, 1);
    m.read(4 * page - 1, b + 1, 1);
    CHECK(b[0] == 0x42);
    CHECK(b[1] == 0x43);
    const uint8_t v = 0x99;
    m.write(3 * page + 7, &v, 1);
    CHECK(p[7] == 0x99);
}

TEST_CASE("sparse_memory: 64 GiB with scattered writes costs only the touched pages", "[memory]") {
    const uint64_t rss_before = vm_rss_kib();
    sparse_memory m(64ULL << 30);
    const auto data = pattern(page, 11);   // 64 KiB, unaligned: each write spans 2 pages
    for (uint64_t i = 0; i < 64; ++i) {
        const uint64_t off = i * (1ULL << 30) + i * 4096 + 0x321;
        m.write(off, data.data(), data.size());
    }
    // The last bytes of the store.
    m.write(m.size() - data.size(), data.data(), data.size());
    CHECK(m.pages_allocated() == 64 * 2 + 1);
    // Reading widely (untouched) allocates nothing.
    std::vector<uint8_t> buf(1 << 20);
    for (uint64_t i = 0; i < 16; ++i) m.read(i * (3ULL << 30) + 12345, buf.data(), buf.size());
    CHECK(m.pages_allocated() == 129);
    std::vector<uint8_t> back(data.size());
    m.read(37 * (1ULL << 30) + 37 * 4096 + 0x321, back.data(), back.size());
    CHECK(back == data);
    m.read(m.size() - data.size(), back.data(), back.size());
    CHECK(back == data);
    const uint64_t rss = vm_rss_kib();
    INFO("VmRSS before " << rss_before << " KiB, after " << rss << " KiB");
    CHECK(rss > 0);
    CHECK(rss < 100 * 1024);
}

TEST_CASE("sparse_memory: a store of 2^64 - 1 bytes works at the top", "[memory]") {
    sparse_memory m(~0ULL);
    const uint8_t v[4] = {1, 2, 3, 4};
    m.write(~0ULL - 4, v, 4);   // bytes 2^64-5 .. 2^64-2
    uint8_t b[4] = {};
    m.read(~0ULL - 4, b, 4);
    CHECK(std::memcmp(b, v, 4) == 0);
    CHECK(m.pages_allocated() == 1);
    CHECK(m.allocated_pages() == std::vector<uint64_t>{~0ULL & ~(page - 1)});
    CHECK(m.contains(~0ULL - 4, 4));
    CHECK_FALSE(m.contains(~0ULL - 4, 5));
}

TEST_CASE("sparse_memory: a page limit stops new pages, never the ones already there", "[memory]") {
    sparse_memory m(1ULL << 40);
    m.set_page_limit(2);
    const auto a = pattern(16, 1);
    CHECK(m.write(0, a.data(), a.size()));
    CHECK(m.write(5 * page, a.data(), a.size()));
    CHECK(m.pages_allocated() == 2);
    CHECK_FALSE(m.write(9 * page, a.data(), a.size()));          // a third page: refused
    CHECK(m.pages_allocated() == 2);
    CHECK(m.write(5 * page + 100, a.data(), a.size()));          // existing pages still take writes
    const std::vector<uint8_t> zeros(64, 0);
    CHECK(m.write(20 * page, zeros.data(), zeros.size()));       // zeros need no page
    CHECK_FALSE(m.fill(30 * page, 0x5A, 8));
    CHECK(m.fill(30 * page, 0, 8));
    CHECK(m.host_page(40 * page, true) == nullptr);
    CHECK(m.host_page(5 * page, true) != nullptr);
    // A write spanning an allocated page into a new one stops at the boundary.
    const auto b = pattern(32, 9);
    CHECK_FALSE(m.write(page - 16, b.data(), b.size()));
    std::vector<uint8_t> back(16);
    m.read(page - 16, back.data(), 16);
    CHECK(std::memcmp(back.data(), b.data(), 16) == 0);
    m.set_page_limit(0);
    CHECK(m.write(9 * page, a.data(), a.size()));
}
