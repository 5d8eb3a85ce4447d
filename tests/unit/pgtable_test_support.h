// Test doubles for the page-table builder: a sparse word memory whose unwritten words read as
// garbage (so a builder that forgets to zero a table is caught), and a bump + free-list table
// allocator with an optional limit on live tables.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>

#include "models/mmu/walker.h"
#include "vcm/pgtable/page_table_builder.h"

namespace vcmsim::test {

constexpr uint64_t k_garbage = 0xBAD0BAD0BAD0BAD3ULL;   // valid + table bits set

class word_memory : public vcm::pt_memory, public mmu::table_memory {
public:
    uint64_t read64(uint64_t pa) override {
        ++reads;
        auto it = words.find(pa);
        return it == words.end() ? k_garbage : it->second;
    }
    void write64(uint64_t pa, uint64_t value) override {
        ++writes;
        words[pa] = value;
    }
    bool read64(uint64_t pa, uint64_t& value, uint64_t& latency_ps) override {
        value = read64(pa);
        latency_ps = 0;
        return true;
    }
    std::map<uint64_t, uint64_t> words;
    uint64_t reads = 0, writes = 0;
};

class table_allocator : public vcm::pt_allocator {
public:
    explicit table_allocator(uint64_t base = 0x10000000, unsigned max_live = ~0u)
        : next(base), max_live(max_live) {}
    bool alloc_table(uint64_t bytes, uint64_t align, uint64_t& pa) override {
        if (live.size() >= max_live)
            return false;
        for (auto it = free_list.begin(); it != free_list.end(); ++it) {
            if (it->second == bytes && (it->first & (align - 1)) == 0) {
                pa = it->first;
                free_list.erase(it);
                live[pa] = bytes;
                return true;
            }
        }
        next = (next + align - 1) & ~(align - 1);
        pa = next;
        next += bytes;
        live[pa] = bytes;
        return true;
    }
    void free_table(uint64_t pa, uint64_t bytes) override {
        auto it = live.find(pa);
        if (it == live.end() || it->second != bytes)
            ++bad_frees;
        else
            live.erase(it);
        free_list.emplace_back(pa, bytes);
    }
    uint64_t next;
    unsigned max_live;
    std::map<uint64_t, uint64_t> live;                    // pa -> bytes
    std::vector<std::pair<uint64_t, uint64_t>> free_list;
    unsigned bad_frees = 0;
};

// Contents of every live table: equal before and after proves "tables unchanged".
inline std::map<uint64_t, uint64_t> live_contents(word_memory& mem, const table_allocator& a) {
    std::map<uint64_t, uint64_t> out;
    for (const auto& t : a.live)
        for (uint64_t off = 0; off < t.second; off += 8) {
            auto it = mem.words.find(t.first + off);
            out[t.first + off] = it == mem.words.end() ? k_garbage : it->second;
        }
    return out;
}

// A builder over a word_memory and a table_allocator, with descriptor and lookup helpers.
struct builder_fixture {
    word_memory mem;
    table_allocator alloc;
    vcm::page_table_builder b;
    explicit builder_fixture(mmu::granule g, unsigned tsz = 16, unsigned oas = 48, unsigned max_live = ~0u)
        : alloc(0x10000000, max_live), b(mem, alloc, vcm::pt_format{g, tsz, oas, false}) {
        REQUIRE(b.init());
    }
    uint64_t desc(uint64_t va, int level) {   // the descriptor of va at level
        uint64_t pa = 0;
        REQUIRE(b.entry_address(va, level, pa, false));
        return mem.read64(pa);
    }
    void expect(uint64_t va, uint64_t pa, unsigned shift) {   // va maps to pa with this page size
        uint64_t got = 0;
        unsigned s = 0;
        REQUIRE(b.lookup(va, got, s));
        CHECK(got == pa);
        CHECK(s == shift);
    }
    bool mapped(uint64_t va) {
        uint64_t pa;
        unsigned s;
        return b.lookup(va, pa, s);
    }
};

}  // namespace vcmsim::test
