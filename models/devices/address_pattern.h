// address_pattern: the address sequence of a synthetic traffic generator (plain C++, no
// SystemC). Also the seeded random generator the traffic generator draws from.
//
// Region [base, base + size), transactions of txn_bytes. Every address a returned by next()
// satisfies base <= a and a + txn_bytes <= base + size.
//   sequential  base, base + txn, base + 2 txn, ...; when the next transaction would cross
//               the end of the region, back to base.
//   strided     a column walk: lane offsets 0, S, 2S, ... (S = stride, 0 means txn_bytes)
//               while the transaction fits; then the next lane starts txn_bytes further on
//               (txn, txn + S, ...); when the lane offset reaches S (or no longer fits), back to
//               offset 0. With S a multiple of txn_bytes and size a multiple of S, one pass
//               touches every txn-aligned slot exactly once.
//   random      txn-aligned slots chosen uniformly: slot = (r * nslots) >> 64 with r the next
//               64-bit output of splitmix64; nslots = size / txn_bytes.
// The generator (splitmix64 over a 64-bit state that starts at `seed`) is portable: same
// seed, same sequence on every platform and standard library.
#pragma once

#include <cstdint>

namespace vcmsim::devices {

enum class pattern_kind : uint8_t { sequential, strided, random };

// "sequential" | "strided" | "random"; false on an unknown name.
bool parse_pattern_kind(const char* name, pattern_kind& out);
const char* pattern_kind_name(pattern_kind k);

// splitmix64: a 64-bit state advanced by the golden-ratio increment, output mixed.
class splitmix64 {
public:
    explicit splitmix64(uint64_t seed = 0) : m_state(seed) {}
    uint64_t next() {
        uint64_t z = (m_state += 0x9E3779B97F4A7C15ULL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
        return z ^ (z >> 31);
    }
    // Uniform in [0, n) by multiply-shift (n > 0); deterministic everywhere.
    uint64_t below(uint64_t n) {
        return static_cast<uint64_t>((static_cast<unsigned __int128>(next()) * n) >> 64);
    }
    uint64_t state() const { return m_state; }

private:
    uint64_t m_state;
};

class address_pattern {
public:
    // Throws std::invalid_argument when txn_bytes is 0 or larger than size, or base + size
    // overflows.
    address_pattern(pattern_kind kind, uint64_t base, uint64_t size, uint64_t txn_bytes,
                    uint64_t stride = 0, uint64_t seed = 1);

    uint64_t next();
    // Back to the first address; the random generator restarts from the seed.
    void restart();
    // The generator that random addresses come from (a traffic generator draws its read/write
    // choice from it too).
    splitmix64& rng() { return m_rng; }

    pattern_kind kind() const { return m_kind; }
    uint64_t slots() const { return m_slots; }  // size / txn_bytes

private:
    pattern_kind m_kind;
    uint64_t m_base, m_size, m_txn, m_stride, m_seed;
    uint64_t m_slots;
    uint64_t m_off = 0;   // next offset (sequential, strided)
    uint64_t m_lane = 0;  // strided: offset of the current lane
    splitmix64 m_rng;
};

}  // namespace vcmsim::devices
