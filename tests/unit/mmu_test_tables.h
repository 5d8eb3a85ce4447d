// Test-local helpers for the mmu unit tests: a vector-backed descriptor memory and a tiny
// table builder that writes descriptors with the vmsa.h encoders (the real builder lives in
// vcm/pgtable/).
#pragma once

#include <cstdint>
#include <stdexcept>
#include <vector>

#include "models/mmu/vmsa.h"
#include "models/mmu/walker.h"

namespace vcmsim::mmu::test {

// Memory [base, base + bytes) holding 64-bit words; reads outside it or at fail_pa fail.
class vec_memory : public table_memory {
public:
    explicit vec_memory(uint64_t base = 0x4000'0000, uint64_t bytes = 2ULL << 20,
                        uint64_t latency_ps = 0)
        : m_base(base), m_words(bytes / 8, 0), m_next(base), m_latency(latency_ps) {}

    bool read64(uint64_t pa, uint64_t& value, uint64_t& latency_ps) override {
        ++reads;
        latency_ps = m_latency;
        if (pa == fail_pa || pa < m_base || pa + 8 > m_base + m_words.size() * 8 || (pa & 7))
            return false;
        value = m_words[(pa - m_base) / 8];
        return true;
    }
    void write64(uint64_t pa, uint64_t v) {
        if (pa < m_base || pa + 8 > m_base + m_words.size() * 8) throw std::out_of_range("pa");
        m_words[(pa - m_base) / 8] = v;
    }
    uint64_t peek(uint64_t pa) const { return m_words[(pa - m_base) / 8]; }
    // Zeroed, aligned block of `bytes` (alignment = bytes, at least 64).
    uint64_t alloc(uint64_t bytes) {
        const uint64_t align = bytes < 64 ? 64 : bytes;
        m_next = (m_next + align - 1) & ~(align - 1);
        const uint64_t pa = m_next;
        m_next += align;
        if (m_next > m_base + m_words.size() * 8) throw std::bad_alloc();
        return pa;
    }

    uint64_t reads = 0;
    uint64_t fail_pa = ~0ULL;

private:
    uint64_t m_base;
    std::vector<uint64_t> m_words;
    uint64_t m_next;
    uint64_t m_latency;
};

// Builds one stage-1 table tree for (granule, tsz) in a vec_memory.
class tables {
public:
    tables(vec_memory& mem, granule g, unsigned tsz, uint16_t asid = 1)
        : m_mem(mem), m_g(g), m_tsz(tsz), m_asid(asid) {
        root = mem.alloc(start_table_bytes(g, tsz));
    }

    regime reg() const {
        regime r;
        r.tg = m_g;
        r.tsz = m_tsz;
        r.ttb = root;
        r.oas_bits = 48;
        r.asid = m_asid;
        r.ttst = m_tsz > 39;
        return r;
    }
    int start() const { return start_level(m_g, m_tsz); }

    // PA of the descriptor for va at `level`, creating tables above it on the way.
    uint64_t slot(uint64_t va, int level, const table_attrs& ta = {}) {
        uint64_t table = root;
        for (int l = start(); l < level; ++l) {
            const uint64_t pa = table + uint64_t(table_index(m_g, l, va)) * 8;
            uint64_t d = m_mem.peek(pa);
            if (descriptor_type(d, l) != desc_type::table) {
                d = make_table(m_mem.alloc(1ULL << granule_shift(m_g)), m_g, ta);
                m_mem.write64(pa, d);
            }
            table = next_table_address(d, m_g);
        }
        return table + uint64_t(table_index(m_g, level, va)) * 8;
    }
    void set(uint64_t va, int level, uint64_t desc, const table_attrs& ta = {}) {
        m_mem.write64(slot(va, level, ta), desc);
    }
    void map(uint64_t va, uint64_t pa, int level = 3, leaf_attrs a = default_attrs(),
             const table_attrs& ta = {}) {
        set(va, level, make_leaf(pa, m_g, level, a), ta);
    }
    static leaf_attrs default_attrs() {
        leaf_attrs a;
        a.af = true;
        a.ap = 1;   // EL1 RW, EL0 RW
        a.ng = true;
        a.attr_index = 1;
        a.sh = 3;
        return a;
    }

    uint64_t root = 0;

private:
    vec_memory& m_mem;
    granule m_g;
    unsigned m_tsz;
    uint16_t m_asid;
};

inline const char* gname(granule g) {
    return g == granule::g4k ? "4K" : g == granule::g16k ? "16K" : "64K";
}

}  // namespace vcmsim::mmu::test
