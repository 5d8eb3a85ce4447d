// Deterministic data patterns the CPU uses to fill and verify buffers, and the checksum it
// computes over memory. Plain C++, shared by the CPU model, the scenario checks and tests.
//
// Patterns (byte at offset i of a buffer, seed s):
//   zero        0
//   const       s & 0xff
//   incr        (s + i) & 0xff
//   random      byte (i mod 8) of splitmix64(s + i / 8): a seeded pseudo-random stream
// The random stream depends only on (seed, offset), so any sub-range can be regenerated.
#pragma once

#include <cstdint>
#include <string>

namespace vcmsim::cpu {

enum class pattern_kind : uint8_t { zero, constant, incr, random };

bool parse_pattern(const std::string& name, pattern_kind& out);
const char* pattern_name(pattern_kind k);

inline uint64_t splitmix64(uint64_t x) {
    x += 0x9E3779B97F4A7C15ULL;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
    return x ^ (x >> 31);
}

// Fills dst[0..len) with the bytes the pattern has at buffer offsets [offset, offset + len).
void generate_pattern(pattern_kind k, uint64_t seed, uint64_t offset, uint8_t* dst, uint64_t len);

// 64-bit FNV-1a, continued from `state` (start with fnv_init).
constexpr uint64_t fnv_init = 0xcbf29ce484222325ULL;
inline uint64_t fnv1a(uint64_t state, const uint8_t* p, uint64_t len) {
    for (uint64_t i = 0; i < len; ++i) {
        state ^= p[i];
        state *= 0x100000001b3ULL;
    }
    return state;
}

}  // namespace vcmsim::cpu
