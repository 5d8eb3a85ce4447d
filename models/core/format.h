// Small text helpers shared by messages and reports (not for hot paths).
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>

namespace vcmsim::core {

// "0x1f": an address or value in lowercase hex.
inline std::string hex(uint64_t v) {
    char b[24];
    std::snprintf(b, sizeof b, "0x%llx", static_cast<unsigned long long>(v));
    return b;
}

}  // namespace vcmsim::core
