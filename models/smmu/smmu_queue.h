// SMMUv3 circular-queue index arithmetic (plain C++). A queue of 2^qs entries is addressed by
// a pointer value holding the index in bits [qs-1:0] and the wrap flag in bit qs (the
// PROD.WR / CONS.RD fields). Empty: index and wrap equal; full: index equal, wrap different.
// All 2^qs entries are usable. Incrementing past the last index toggles the wrap flag.
#pragma once

#include <cstdint>

namespace vcmsim::smmu {

class queue_ptr {
public:
    queue_ptr() = default;
    explicit queue_ptr(unsigned qs, uint32_t raw = 0) : m_qs(qs), m_raw(raw & mask()) {}

    unsigned qs() const { return m_qs; }
    uint32_t entries() const { return 1u << m_qs; }
    uint32_t index() const { return m_raw & (entries() - 1); }
    bool wrap() const { return (m_raw >> m_qs) & 1; }
    uint32_t raw() const { return m_raw; }              // index | wrap << qs
    uint32_t mask() const { return (2u << m_qs) - 1; }  // bits [qs:0]

    void inc() { m_raw = (m_raw + 1) & mask(); }
    queue_ptr next() const { queue_ptr p = *this; p.inc(); return p; }

    // Relations between a producer and a consumer pointer of the same queue.
    static bool empty(const queue_ptr& prod, const queue_ptr& cons) { return prod.m_raw == cons.m_raw; }
    static bool full(const queue_ptr& prod, const queue_ptr& cons) {
        return prod.index() == cons.index() && prod.wrap() != cons.wrap();
    }
    // Valid entries between cons and prod (0 .. 2^qs).
    static uint32_t count(const queue_ptr& prod, const queue_ptr& cons) {
        return (prod.m_raw - cons.m_raw) & prod.mask();
    }

private:
    unsigned m_qs = 0;
    uint32_t m_raw = 0;
};

}  // namespace vcmsim::smmu
