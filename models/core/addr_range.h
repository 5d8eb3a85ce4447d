// An address range [base, base + size), with the end helpers that DMI and routing need.
#pragma once

#include <cstdint>

namespace vcmsim::core {

struct addr_range {
    uint64_t base = 0;
    uint64_t size = 0;

    // Last address inside the range (inclusive end, as DMI uses it). size must be > 0.
    uint64_t last() const { return base + (size - 1); }
    bool contains(uint64_t a) const { return a >= base && a - base < size; }
    // True when [a, a + len) lies wholly inside. len 0 counts as inside when a is.
    bool contains(uint64_t a, uint64_t len) const {
        return contains(a) && (len == 0 || len - 1 <= last() - a);
    }
    bool overlaps(const addr_range& o) const {
        return size != 0 && o.size != 0 && base <= o.last() && o.base <= last();
    }
};

}  // namespace vcmsim::core
