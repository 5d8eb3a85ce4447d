#include "vcm/iova_allocator.h"

#include <iterator>

namespace vcmsim::vcm {

iova_allocator::iova_allocator(uint64_t start, uint64_t size)
    : m_start(start), m_size(size), m_bytes_free(size) {
    if (size) m_free[start] = start + (size - 1);
}

bool iova_allocator::contains(uint64_t addr, uint64_t size) const {
    if (size == 0 || m_size == 0) return false;
    const uint64_t last = addr + (size - 1);
    if (last < addr) return false;   // wraps
    return addr >= m_start && last <= m_start + (m_size - 1);
}

uint64_t iova_allocator::largest_free() const {
    uint64_t best = 0;
    for (const auto& [first, last] : m_free)
        if (last - first + 1 > best) best = last - first + 1;
    return best;
}

vcm_status iova_allocator::alloc(uint64_t size, uint64_t align, uint64_t& addr) {
    if (size == 0) return fail(errc::invalid_argument, "allocation of 0 bytes");
    if (align == 0 || (align & (align - 1)))
        return fail(errc::invalid_argument, "alignment " + hex(align) + " is not a power of two");
    for (auto it = m_free.begin(); it != m_free.end(); ++it) {
        const uint64_t first = it->first, last = it->second;
        const uint64_t a = (first + (align - 1)) & ~(align - 1);
        if (a < first) continue;          // rounding wrapped past 2^64
        if (a > last) continue;
        if (last - a < size - 1) continue;  // [a, a + size - 1] must fit in [first, last]
        const uint64_t end_last = a + (size - 1);
        m_free.erase(it);
        if (a > first) m_free[first] = a - 1;
        if (end_last < last) m_free[end_last + 1] = last;
        m_used[a] = size;
        m_bytes_free -= size;
        addr = a;
        return {};
    }
    return fail(errc::no_iova_space, "no free range of " + hex(size) + " bytes aligned to " + hex(align) +
                                         " in [" + hex(m_start) + ", +" + hex(m_size) + ") (" +
                                         hex(m_bytes_free) + " bytes free, largest free range " +
                                         hex(largest_free()) + ")");
}

vcm_status iova_allocator::alloc_at(uint64_t addr, uint64_t size) {
    if (size == 0) return fail(errc::invalid_argument, "allocation of 0 bytes");
    if (!contains(addr, size))
        return fail(errc::out_of_range, "[" + hex(addr) + ", +" + hex(size) + ") is outside the window [" +
                                            hex(m_start) + ", +" + hex(m_size) + ")");
    const uint64_t last = addr + (size - 1);
    auto it = m_free.upper_bound(addr);
    if (it == m_free.begin() || std::prev(it)->second < last)
        return fail(errc::busy, "[" + hex(addr) + ", +" + hex(size) + ") overlaps an existing allocation");
    --it;
    const uint64_t first = it->first, flast = it->second;
    m_free.erase(it);
    if (addr > first) m_free[first] = addr - 1;
    if (last < flast) m_free[last + 1] = flast;
    m_used[addr] = size;
    m_bytes_free -= size;
    return {};
}

void iova_allocator::insert_free(uint64_t first, uint64_t last) {
    auto it = m_free.emplace(first, last).first;
    auto next = std::next(it);
    if (next != m_free.end() && last + 1 == next->first && last != UINT64_MAX) {
        it->second = next->second;
        m_free.erase(next);
    }
    if (it != m_free.begin()) {
        auto prev = std::prev(it);
        if (prev->second + 1 == it->first) {
            prev->second = it->second;
            m_free.erase(it);
        }
    }
}

vcm_status iova_allocator::release(uint64_t addr, uint64_t size) {
    auto it = m_used.find(addr);
    if (it == m_used.end() || it->second != size)
        return fail(errc::invalid_argument, "release of [" + hex(addr) + ", +" + hex(size) +
                                                ") which is not an allocated range");
    m_used.erase(it);
    insert_free(addr, addr + (size - 1));
    m_bytes_free += size;
    return {};
}

}  // namespace vcmsim::vcm
