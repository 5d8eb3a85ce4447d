#include "models/cpu/data_pattern.h"

#include <cstring>

namespace vcmsim::cpu {

bool parse_pattern(const std::string& name, pattern_kind& out) {
    if (name == "zero") out = pattern_kind::zero;
    else if (name == "const") out = pattern_kind::constant;
    else if (name == "incr") out = pattern_kind::incr;
    else if (name == "random") out = pattern_kind::random;
    else return false;
    return true;
}

const char* pattern_name(pattern_kind k) {
    switch (k) {
    case pattern_kind::zero: return "zero";
    case pattern_kind::constant: return "const";
    case pattern_kind::incr: return "incr";
    default: return "random";
    }
}

void generate_pattern(pattern_kind k, uint64_t seed, uint64_t offset, uint8_t* dst, uint64_t len) {
    switch (k) {
    case pattern_kind::zero: std::memset(dst, 0, len); return;
    case pattern_kind::constant: std::memset(dst, static_cast<int>(seed & 0xff), len); return;
    case pattern_kind::incr:
        for (uint64_t i = 0; i < len; ++i) dst[i] = static_cast<uint8_t>(seed + offset + i);
        return;
    case pattern_kind::random: {
        uint64_t i = 0;
        while (i < len) {
            const uint64_t pos = offset + i;
            const uint64_t word = splitmix64(seed + pos / 8);
            unsigned b = static_cast<unsigned>(pos % 8);
            for (; b < 8 && i < len; ++b, ++i) dst[i] = static_cast<uint8_t>(word >> (8 * b));
        }
        return;
    }
    }
}

}  // namespace vcmsim::cpu
