#include <catch2/catch.hpp>

#include <cstring>

#include "models/core/register_bank.h"

using namespace vcmsim::core;

namespace {
uint32_t rd32(register_bank& b, uint64_t off) {
    uint8_t d[4];
    b.read(off, d, 4);
    uint32_t v;
    std::memcpy(&v, d, 4);
    return v;
}
void wr32(register_bank& b, uint64_t off, uint32_t v) {
    uint8_t d[4];
    std::memcpy(d, &v, 4);
    b.write(off, d, 4);
}
}  // namespace

TEST_CASE("register bank: reset value, writable mask and read-only bits", "[core][regs]") {
    register_bank b;
    b.add({"ctrl", 0x0, 4, 0xA5000000, 0x0000FFFF});
    CHECK(rd32(b, 0) == 0xA5000000);
    wr32(b, 0, 0xFFFFFFFF);
    CHECK(rd32(b, 0) == 0xA500FFFF);  // read-only upper half kept
    wr32(b, 0, 0);
    CHECK(rd32(b, 0) == 0xA5000000);
    b.find("ctrl")->set(0x12345678);
    b.reset();
    CHECK(rd32(b, 0) == 0xA5000000);
}

TEST_CASE("register bank: write-1-to-clear bits", "[core][regs]") {
    register_bank b;
    reg& st = b.add({"status", 0x4, 4, 0, 0x1, 0xF0});
    st.set(0xF0);
    wr32(b, 4, 0x30);  // clear bits 4 and 5, leave 6 and 7
    CHECK(rd32(b, 4) == 0xC0);
    wr32(b, 4, 0x1);   // plain writable bit 0, W1C bits untouched by zeros
    CHECK(rd32(b, 4) == 0xC1);
}

TEST_CASE("register bank: partial, unaligned and multi-register accesses", "[core][regs]") {
    register_bank b;
    b.add({"a", 0x0, 4, 0, 0xFFFFFFFF});
    b.add({"b", 0x4, 4, 0, 0xFFFFFFFF});
    b.add({"q", 0x8, 8, 0, ~0ULL});
    // byte write into the middle of a
    uint8_t one = 0xAB;
    b.write(1, &one, 1);
    CHECK(rd32(b, 0) == 0x0000AB00);
    // unaligned 4-byte write spanning a and b
    wr32(b, 2, 0x11223344);
    CHECK(rd32(b, 0) == 0x3344AB00);
    CHECK(rd32(b, 4) == 0x00001122);
    // 64-bit register accessed as two 32-bit halves
    wr32(b, 0x8, 0xDEADBEEF);
    wr32(b, 0xC, 0x01234567);
    uint8_t d[8];
    b.read(0x8, d, 8);
    uint64_t v;
    std::memcpy(&v, d, 8);
    CHECK(v == 0x01234567DEADBEEFULL);
    CHECK(rd32(b, 0xC) == 0x01234567);
}

TEST_CASE("register bank: unmapped bytes read zero and are reported", "[core][regs]") {
    register_bank b;
    b.add({"a", 0x0, 4, 0x11111111, 0});
    uint8_t d[8];
    access_result r = b.read(0, d, 8);
    CHECK(r.unmapped);
    CHECK(d[0] == 0x11);
    CHECK(d[4] == 0);
    CHECK_FALSE(b.read(0, d, 4).unmapped);
    CHECK(b.write(0x40, d, 4).unmapped);
}

TEST_CASE("register bank: callbacks see old and new values, once per register", "[core][regs]") {
    register_bank b;
    reg& r = b.add({"door", 0x0, 4, 0, 0xFF, 0, true});
    int writes = 0;
    uint64_t seen_old = 99, seen_new = 99;
    r.on_write = [&](uint64_t o, uint64_t n) { ++writes; seen_old = o; seen_new = n; };
    reg& c = b.add({"cnt", 0x4, 4, 0, 0});
    c.on_read = [](uint64_t& v) { ++v; };
    wr32(b, 0, 0x1234);
    CHECK(writes == 1);
    CHECK(seen_old == 0);
    CHECK(seen_new == 0x34);
    CHECK(b.needs_sync(0, 4));
    CHECK_FALSE(b.needs_sync(4, 4));
    CHECK(rd32(b, 4) == 1);
    CHECK(rd32(b, 4) == 2);
    uint8_t d[4];
    b.peek(4, d, 4);  // debug read: no callback
    CHECK(d[0] == 2);
    CHECK(rd32(b, 4) == 3);
}

TEST_CASE("register bank: overlapping definitions are model bugs", "[core][regs]") {
    register_bank b;
    b.add({"a", 0x0, 8, 0, 0});
    CHECK_THROWS_AS(b.add({"b", 0x4, 4, 0, 0}), std::logic_error);
    CHECK_THROWS_AS(b.add({"c", 0x10, 3, 0, 0}), std::logic_error);
}
