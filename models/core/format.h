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

// "2MiB", "64KiB", "4096": a byte count in the largest binary unit that divides it.
inline std::string size_name(uint64_t bytes) {
    static const char* units[] = {"KiB", "MiB", "GiB", "TiB"};
    int u = -1;
    while (u < 3 && bytes >= 1024 && bytes % 1024 == 0) bytes /= 1024, ++u;
    return std::to_string(bytes) + (u < 0 ? "" : units[u]);
}

// "19.377 ms": a simulated time in picoseconds, in the largest unit that keeps it >= 1.
inline std::string fmt_time(uint64_t ps) {
    const char* unit = "ns";
    double v = static_cast<double>(ps) / 1e3;
    if (ps >= 1000000000000ULL) unit = "s", v = static_cast<double>(ps) / 1e12;
    else if (ps >= 1000000000ULL) unit = "ms", v = static_cast<double>(ps) / 1e9;
    else if (ps >= 1000000ULL) unit = "us", v = static_cast<double>(ps) / 1e6;
    char b[48];
    std::snprintf(b, sizeof b, "%.3f %s", v, unit);
    return b;
}

}  // namespace vcmsim::core
