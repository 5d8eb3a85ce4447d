// IOVA (device-address) range allocator: first fit, lowest address first, over one window
// [start, start + size). Also used for the physical contiguous region. Plain C++.
//
// - alloc(size, align) returns [a, a + size) with a % align == 0; the alignment slack before a
//   stays free (no hidden slack: ranges never overlap, nothing is wasted on release).
// - alloc_at(addr, size) takes exactly that range, or fails with busy if any byte is taken.
// - release(addr, size) must name exactly one allocated range (checked: a wrong release is
//   an error, never corruption).
// - Address 0 is an ordinary address (the result is an out parameter, not a sentinel).
// - The window may end at 2^64 (start + size == 0 mod 2^64 is accepted).
#pragma once

#include <cstdint>
#include <map>

#include "vcm/vcm_status.h"

namespace vcmsim::vcm {

class iova_allocator {
public:
    iova_allocator() = default;
    // size == 0 gives an empty allocator; the caller validates the window.
    iova_allocator(uint64_t start, uint64_t size);

    vcm_status alloc(uint64_t size, uint64_t align, uint64_t& addr);
    vcm_status alloc_at(uint64_t addr, uint64_t size);
    vcm_status release(uint64_t addr, uint64_t size);

    bool contains(uint64_t addr, uint64_t size) const;   // inside the window
    uint64_t start() const { return m_start; }
    uint64_t size() const { return m_size; }
    uint64_t bytes_free() const { return m_bytes_free; }
    uint64_t bytes_used() const { return m_size - m_bytes_free; }
    std::size_t free_ranges() const { return m_free.size(); }
    std::size_t allocated_ranges() const { return m_used.size(); }
    uint64_t largest_free() const;
    // True when everything is free again (one free range spanning the window).
    bool whole() const { return m_used.empty() && m_bytes_free == m_size; }

private:
    // Ranges are kept as (first, last) inclusive so that a window ending at 2^64 works.
    void insert_free(uint64_t first, uint64_t last);

    uint64_t m_start = 0, m_size = 0, m_bytes_free = 0;
    std::map<uint64_t, uint64_t> m_free;   // first -> last (inclusive), coalesced
    std::map<uint64_t, uint64_t> m_used;   // first -> size
};

}  // namespace vcmsim::vcm
