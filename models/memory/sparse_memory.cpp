#include "models/memory/sparse_memory.h"

#include <algorithm>
#include <cstring>

namespace vcmsim::memory {

namespace {
constexpr uint64_t page_mask = sparse_memory::host_page_size - 1;

bool all_zero(const uint8_t* p, uint64_t n) {
    for (uint64_t i = 0; i < n; ++i)
        if (p[i]) return false;
    return true;
}
}  // namespace

sparse_memory::sparse_memory(uint64_t size) : m_size(size) {}

uint8_t* sparse_memory::allocate(uint64_t index) {
    if (m_page_limit && m_pages.size() >= m_page_limit) return nullptr;
    auto& slot = m_pages[index];
    if (!slot) slot.reset(new uint8_t[host_page_size]());   // zero-filled
    m_last_index = index;
    m_last_page = slot.get();
    return m_last_page;
}

void sparse_memory::read(uint64_t off, uint8_t* dst, uint64_t len) const {
    while (len) {
        const uint64_t in_page = off & page_mask;
        const uint64_t n = std::min(len, host_page_size - in_page);
        if (const uint8_t* page = find(off >> host_page_shift))
            std::memcpy(dst, page + in_page, n);
        else
            std::memset(dst, 0, n);
        off += n;
        dst += n;
        len -= n;
    }
}

bool sparse_memory::write(uint64_t off, const uint8_t* src, uint64_t len) {
    while (len) {
        const uint64_t in_page = off & page_mask;
        const uint64_t n = std::min(len, host_page_size - in_page);
        const uint64_t index = off >> host_page_shift;
        uint8_t* page = find(index);
        if (!page && !all_zero(src, n) && !(page = allocate(index))) return false;
        if (page) std::memcpy(page + in_page, src, n);
        off += n;
        src += n;
        len -= n;
    }
    return true;
}

bool sparse_memory::fill(uint64_t off, uint8_t value, uint64_t len) {
    while (len) {
        const uint64_t in_page = off & page_mask;
        const uint64_t n = std::min(len, host_page_size - in_page);
        const uint64_t index = off >> host_page_shift;
        uint8_t* page = find(index);
        if (!page && value && !(page = allocate(index))) return false;
        if (page) std::memset(page + in_page, value, n);
        off += n;
        len -= n;
    }
    return true;
}

uint8_t* sparse_memory::host_page(uint64_t off, bool allocate_if_absent) {
    const uint64_t index = off >> host_page_shift;
    uint8_t* page = find(index);
    if (!page && allocate_if_absent) page = allocate(index);
    return page;
}

std::vector<uint64_t> sparse_memory::allocated_pages() const {
    std::vector<uint64_t> v;
    v.reserve(m_pages.size());
    for (const auto& kv : m_pages) v.push_back(kv.first << host_page_shift);
    std::sort(v.begin(), v.end());
    return v;
}

void sparse_memory::clear() {
    m_pages.clear();
    m_last_index = UINT64_MAX;
    m_last_page = nullptr;
}

}  // namespace vcmsim::memory
