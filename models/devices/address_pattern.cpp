#include "models/devices/address_pattern.h"

#include <cstring>
#include <stdexcept>

namespace vcmsim::devices {

bool parse_pattern_kind(const char* name, pattern_kind& out) {
    if (!name) return false;
    if (std::strcmp(name, "sequential") == 0) out = pattern_kind::sequential;
    else if (std::strcmp(name, "strided") == 0) out = pattern_kind::strided;
    else if (std::strcmp(name, "random") == 0) out = pattern_kind::random;
    else return false;
    return true;
}

const char* pattern_kind_name(pattern_kind k) {
    switch (k) {
    case pattern_kind::sequential: return "sequential";
    case pattern_kind::strided: return "strided";
    case pattern_kind::random: return "random";
    }
    return "?";
}

address_pattern::address_pattern(pattern_kind kind, uint64_t base, uint64_t size,
                                  uint64_t txn_bytes, uint64_t stride, uint64_t seed)
    : m_kind(kind), m_base(base), m_size(size), m_txn(txn_bytes),
      m_stride(stride ? stride : txn_bytes), m_seed(seed), m_slots(0), m_rng(seed) {
    if (txn_bytes == 0) throw std::invalid_argument("address_pattern: txn_bytes is 0");
    if (txn_bytes > size)
        throw std::invalid_argument("address_pattern: txn_bytes larger than the region");
    if (base + size < base) throw std::invalid_argument("address_pattern: region overflows");
    m_slots = size / txn_bytes;
}

void address_pattern::restart() {
    m_off = 0;
    m_lane = 0;
    m_rng = splitmix64(m_seed);
}

uint64_t address_pattern::next() {
    switch (m_kind) {
    case pattern_kind::sequential: {
        if (m_off + m_txn > m_size) m_off = 0;
        const uint64_t a = m_base + m_off;
        m_off += m_txn;
        return a;
    }
    case pattern_kind::strided: {
        if (m_off + m_txn > m_size) {
            // Column finished: the next lane, or back to the first.
            m_lane += m_txn;
            if (m_lane >= m_stride || m_lane + m_txn > m_size) m_lane = 0;
            m_off = m_lane;
        }
        const uint64_t a = m_base + m_off;
        m_off += m_stride;
        return a;
    }
    case pattern_kind::random:
        return m_base + m_rng.below(m_slots) * m_txn;
    }
    return m_base;
}

}  // namespace vcmsim::devices
