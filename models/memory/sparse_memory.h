// sparse_memory: a byte store of any size up to 2^64 - 1 bytes that costs host memory only
// for the host pages that were written (or handed out for DMI).
//
// - Host pages are 64 KiB (host_page_size), keyed by page index in a hash map, with a
//   one-entry cache of the last page used so that streaming accesses skip the hash lookup.
// - Untouched bytes read as zero. Reads never allocate.
// - A write allocates the pages it touches, except that a write of all-zero bytes to a page
//   that is not allocated is skipped (the page already reads as zero): zeroing a large buffer
//   costs no host memory.
// - host_page(off, true) always allocates (DMI needs a real pointer). Pages are never moved or
//   freed except by clear(), so pointers handed out stay valid until then.
// - Range checks are the caller's job: read/write require off + len <= size().
// - A page limit (set_page_limit) caps the host memory: past it, a write that needs a new page
//   stops there and returns false, and host_page(off, true) returns nullptr.
//
// Plain C++ (no SystemC), not thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <unordered_map>
#include <vector>

namespace vcmsim::memory {

class sparse_memory {
public:
    static constexpr unsigned host_page_shift = 16;
    static constexpr uint64_t host_page_size = 1ULL << host_page_shift;   // 64 KiB

    explicit sparse_memory(uint64_t size);
    sparse_memory(const sparse_memory&) = delete;
    sparse_memory& operator=(const sparse_memory&) = delete;

    uint64_t size() const { return m_size; }
    // True when [off, off + len) lies inside the store (len 0: off <= size).
    bool contains(uint64_t off, uint64_t len) const {
        return off <= m_size && len <= m_size - off;
    }

    // Copy len bytes at off into dst; untouched bytes read as zero. Spans pages.
    void read(uint64_t off, uint8_t* dst, uint64_t len) const;
    // Copy len bytes from src to off. Spans pages. false: the page limit stopped it part way.
    bool write(uint64_t off, const uint8_t* src, uint64_t len);
    // Set len bytes at off to value (no allocation when value is 0 and the page is absent).
    bool fill(uint64_t off, uint8_t value, uint64_t len);
    // At most `pages` host pages (0 = no limit).
    void set_page_limit(uint64_t pages) { m_page_limit = pages; }
    uint64_t page_limit() const { return m_page_limit; }

    // Start of the host page holding off (its page-aligned offset is off & ~(host_page_size-1)).
    // Absent page: allocated (zero-filled) when allocate, else nullptr.
    uint8_t* host_page(uint64_t off, bool allocate);
    const uint8_t* host_page(uint64_t off) const { return find(off >> host_page_shift); }

    uint64_t pages_allocated() const { return m_pages.size(); }
    uint64_t host_bytes() const { return m_pages.size() * host_page_size; }
    // Offsets of the allocated pages, sorted (for dumps and checkpoints: deterministic order).
    std::vector<uint64_t> allocated_pages() const;
    // Free every page: all bytes read as zero again. Invalidates pointers from host_page().
    void clear();

private:
    uint8_t* find(uint64_t index) const {
        if (index == m_last_index) return m_last_page;
        auto it = m_pages.find(index);
        if (it == m_pages.end()) return nullptr;
        m_last_index = index;
        m_last_page = it->second.get();
        return m_last_page;
    }
    uint8_t* allocate(uint64_t index);

    uint64_t m_size;
    uint64_t m_page_limit = 0;
    std::unordered_map<uint64_t, std::unique_ptr<uint8_t[]>> m_pages;
    mutable uint64_t m_last_index = UINT64_MAX;   // never a valid index (max index is 2^48-1)
    mutable uint8_t* m_last_page = nullptr;
};

}  // namespace vcmsim::memory
