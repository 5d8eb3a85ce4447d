#include "vcm/pgtable/table_pool.h"

#include <vector>

namespace vcmsim::vcm {

table_pool::table_pool(uint64_t base, uint64_t size) : m_base(base), m_size(size) {
    if (size) m_free[base] = size;
}

bool table_pool::alloc_table(uint64_t bytes, uint64_t align, uint64_t& pa) {
    if (bytes == 0) return false;
    if (align == 0) align = 1;
    for (auto it = m_free.begin(); it != m_free.end(); ++it) {
        const uint64_t start = it->first, len = it->second;
        const uint64_t a = (start + align - 1) / align * align;
        if (a < start || a - start >= len || len - (a - start) < bytes) continue;
        m_free.erase(it);
        if (a > start) m_free[start] = a - start;
        if (a + bytes < start + len) m_free[a + bytes] = start + len - (a + bytes);
        pa = a;
        return true;
    }
    return false;
}

void table_pool::free_table(uint64_t pa, uint64_t bytes) {
    auto [it, inserted] = m_free.emplace(pa, bytes);
    if (!inserted) return;  // double free: ignore (the builder never does it)
    auto next = std::next(it);
    if (next != m_free.end() && pa + bytes == next->first) {
        it->second += next->second;
        m_free.erase(next);
    }
    if (it != m_free.begin()) {
        auto prev = std::prev(it);
        if (prev->first + prev->second == it->first) {
            prev->second += it->second;
            m_free.erase(it);
        }
    }
}

uint64_t table_pool::bytes_free() const {
    uint64_t n = 0;
    for (const auto& kv : m_free) n += kv.second;
    return n;
}

uint64_t master_pt_memory::read64(uint64_t pa) {
    uint8_t d[8] = {};
    if (!m_cpu.read_phys(pa, d, 8).ok && !failed) {
        failed = true;
        failed_pa = pa;
    }
    uint64_t v = 0;
    for (int i = 7; i >= 0; --i) v = v << 8 | d[i];
    return v;
}

void master_pt_memory::write64(uint64_t pa, uint64_t value) {
    uint8_t d[8];
    for (int i = 0; i < 8; ++i) d[i] = static_cast<uint8_t>(value >> (8 * i));
    if (!m_cpu.write_phys(pa, d, 8).ok && !failed) {
        failed = true;
        failed_pa = pa;
    }
}

void master_pt_memory::zero(uint64_t pa, uint64_t bytes) {
    const std::vector<uint8_t> z(bytes, 0);
    if (!m_cpu.write_phys(pa, z.data(), bytes).ok && !failed) {
        failed = true;
        failed_pa = pa;
    }
}

}  // namespace vcmsim::vcm
