// Unit parsing and formatting for sizes, times, frequencies and bandwidths (see
// docs/config-format.md). Exact integer arithmetic: "1.5KiB" is 1536 bytes, "1.3KiB" is an
// error (not a whole number of bytes), anything past 2^64-1 is an overflow error.
#include "platforms/config/param_registry.h"

#include <cctype>
#include <cstring>

namespace vcmsim::platform {
namespace {

using u128 = unsigned __int128;
constexpr u128 k_u64_max = static_cast<u128>(UINT64_MAX);

struct unit_def {
    const char* name;
    u128 mult;  // base units per unit
};

std::string trim(const std::string& s) {
    size_t b = 0, e = s.size();
    while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
    while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
    return s.substr(b, e - b);
}

u128 pow10(unsigned n) {
    u128 r = 1;
    while (n--) r *= 10;
    return r;
}

// Parses "<decimal number>[ ]<unit>" exactly. `what` names the quantity in messages.
bool parse_with_units(const std::string& input, const unit_def* units, size_t n_units,
                      const char* what, const char* base_unit_hint, uint64_t& out,
                      std::string& err) {
    const std::string s = trim(input);
    if (s.empty()) {
        err = std::string("empty ") + what;
        return false;
    }
    if (s[0] == '-') {
        err = std::string(what) + " '" + s + "' must not be negative";
        return false;
    }
    size_t pos = (s[0] == '+') ? 1 : 0;
    // Hexadecimal without unit: "0x1000".
    if (s.size() > pos + 1 && s[pos] == '0' && (s[pos + 1] == 'x' || s[pos + 1] == 'X')) {
        if (!parse_uint_text(s, out, err)) {
            err = std::string("bad ") + what + " '" + s + "': " + err;
            return false;
        }
        return true;
    }
    u128 mant = 0;
    unsigned frac_digits = 0;
    bool any_digit = false, in_frac = false, prev_digit = false;
    for (; pos < s.size(); ++pos) {
        const char c = s[pos];
        if (std::isdigit(static_cast<unsigned char>(c))) {
            if (in_frac) ++frac_digits;
            mant = mant * 10 + static_cast<unsigned>(c - '0');
            if (mant > pow10(36)) {
                err = std::string(what) + " '" + s + "' does not fit in 64 bits";
                return false;
            }
            any_digit = prev_digit = true;
        } else if (c == '_' && prev_digit) {
            prev_digit = false;
        } else if (c == '.' && !in_frac && prev_digit) {
            in_frac = true;
            prev_digit = false;
        } else {
            break;
        }
    }
    if (!any_digit || !prev_digit) {
        err = std::string("bad ") + what + " '" + s + "': expected a number with an optional unit";
        return false;
    }
    while (pos < s.size() && s[pos] == ' ') ++pos;
    const std::string unit = s.substr(pos);
    const unit_def* found = nullptr;
    for (size_t i = 0; i < n_units; ++i)
        if (unit == units[i].name) found = &units[i];
    if (!found) {
        err = std::string("bad ") + what + " '" + s + "': unknown unit '" + unit + "' (expected ";
        for (size_t i = 0; i < n_units; ++i) {
            if (!*units[i].name) continue;
            err += units[i].name;
            err += (i + 1 < n_units) ? ", " : "";
        }
        err += ")";
        return false;
    }
    // Drop trailing fractional zeros so that "1.50000000000000000000KiB" still works.
    while (frac_digits > 0 && mant % 10 == 0) {
        mant /= 10;
        --frac_digits;
    }
    if (frac_digits > 18) {
        err = std::string("bad ") + what + " '" + s + "': too many decimals";
        return false;
    }
    const u128 den = pow10(frac_digits);
    const u128 q = mant / den, r = mant % den;
    // q may exceed 2^64: check it before multiplying (mult < 2^63, so q * mult fits then).
    if (q > k_u64_max || q * found->mult > k_u64_max) {
        err = std::string(what) + " '" + s + "' does not fit in 64 bits";
        return false;
    }
    const u128 frac = r * found->mult;  // r < 10^18 < 2^60: fits
    if (frac % den != 0) {
        err = std::string("bad ") + what + " '" + s + "': not a whole number of " + base_unit_hint;
        return false;
    }
    const u128 v = q * found->mult + frac / den;
    if (v > k_u64_max) {
        err = std::string(what) + " '" + s + "' does not fit in 64 bits";
        return false;
    }
    out = static_cast<uint64_t>(v);
    return true;
}

constexpr u128 KI = 1024;
const unit_def k_size_units[] = {
    {"", 1},           {"B", 1},
    {"KiB", KI},       {"MiB", KI * KI}, {"GiB", KI * KI * KI}, {"TiB", KI * KI * KI * KI},
    {"PiB", KI * KI * KI * KI * KI},     {"EiB", KI * KI * KI * KI * KI * KI},
    {"KB", 1000},      {"kB", 1000},     {"MB", 1000000},       {"GB", 1000000000},
    {"TB", pow10(12)}, {"PB", pow10(15)}, {"EB", pow10(18)},
};
const unit_def k_time_units[] = {
    {"", 1}, {"ps", 1}, {"ns", 1000}, {"us", 1000000}, {"\xC2\xB5s", 1000000},
    {"ms", pow10(9)}, {"s", pow10(12)},
};
const unit_def k_freq_units[] = {
    {"", 1}, {"Hz", 1}, {"kHz", 1000}, {"KHz", 1000}, {"MHz", 1000000}, {"GHz", pow10(9)},
    {"THz", pow10(12)},
};
const unit_def k_bw_units[] = {
    {"", 1},             {"B/s", 1},
    {"KB/s", 1000},      {"kB/s", 1000},         {"MB/s", 1000000},
    {"GB/s", pow10(9)},  {"TB/s", pow10(12)},    {"KiB/s", KI},
    {"MiB/s", KI * KI},  {"GiB/s", KI * KI * KI}, {"TiB/s", KI * KI * KI * KI},
};

template <size_t N>
constexpr size_t count_of(const unit_def (&)[N]) { return N; }

// "<v / mult>" with up to 3 decimals when exact, else "".
std::string decimal_in_unit(uint64_t v, uint64_t mult, const char* unit) {
    const uint64_t whole = v / mult, rest = v % mult;
    if (rest == 0) return std::to_string(whole) + unit;
    for (unsigned dec = 1; dec <= 3; ++dec) {
        const u128 scaled = static_cast<u128>(rest) * static_cast<u128>(pow10(dec));
        if (scaled % mult != 0) continue;
        std::string frac = std::to_string(static_cast<uint64_t>(scaled / mult));
        while (frac.size() < dec) frac = "0" + frac;
        return std::to_string(whole) + "." + frac + unit;
    }
    return {};
}

}  // namespace

bool parse_uint_text(const std::string& input, uint64_t& out, std::string& err) {
    const std::string s = trim(input);
    size_t pos = 0;
    unsigned base = 10;
    if (!s.empty() && s[0] == '-') {
        err = "'" + s + "' must not be negative";
        return false;
    }
    if (!s.empty() && s[0] == '+') pos = 1;
    if (s.size() >= pos + 2 && s[pos] == '0' && (s[pos + 1] == 'x' || s[pos + 1] == 'X')) {
        base = 16;
        pos += 2;
    }
    u128 v = 0;
    bool any = false, prev_digit = false;
    for (; pos < s.size(); ++pos) {
        const char c = s[pos];
        int d = -1;
        if (c >= '0' && c <= '9') d = c - '0';
        else if (base == 16 && c >= 'a' && c <= 'f') d = c - 'a' + 10;
        else if (base == 16 && c >= 'A' && c <= 'F') d = c - 'A' + 10;
        else if (c == '_' && prev_digit) {
            prev_digit = false;
            continue;
        } else {
            err = "'" + s + "' is not an unsigned integer (decimal or 0x-hex)";
            return false;
        }
        v = v * base + static_cast<unsigned>(d);
        if (v > k_u64_max) {
            err = "'" + s + "' does not fit in 64 bits";
            return false;
        }
        any = prev_digit = true;
    }
    if (!any || !prev_digit) {
        err = "'" + s + "' is not an unsigned integer (decimal or 0x-hex)";
        return false;
    }
    out = static_cast<uint64_t>(v);
    return true;
}

bool parse_size(const std::string& s, uint64_t& out, std::string& err) {
    return parse_with_units(s, k_size_units, count_of(k_size_units), "size", "bytes", out, err);
}

bool parse_time_ps(const std::string& s, uint64_t& out, std::string& err) {
    return parse_with_units(s, k_time_units, count_of(k_time_units), "time", "picoseconds", out,
                            err);
}

bool parse_frequency(const std::string& s, uint64_t& out, std::string& err) {
    return parse_with_units(s, k_freq_units, count_of(k_freq_units), "frequency", "Hz", out, err);
}

bool parse_bandwidth(const std::string& s, uint64_t& out, std::string& err) {
    return parse_with_units(s, k_bw_units, count_of(k_bw_units), "bandwidth", "bytes/s", out, err);
}

std::string format_size(uint64_t bytes) {
    static const char* const names[] = {"EiB", "PiB", "TiB", "GiB", "MiB", "KiB"};
    if (bytes != 0) {
        for (int i = 0; i < 6; ++i) {
            const unsigned shift = 10u * static_cast<unsigned>(6 - i);
            if ((bytes & ((uint64_t{1} << shift) - 1)) == 0)
                return std::to_string(bytes >> shift) + names[i];
        }
    }
    return std::to_string(bytes) + "B";
}

std::string format_time_ps(uint64_t ps) {
    static const struct { uint64_t mult; const char* name; } units[] = {
        {1000000000000ull, "s"}, {1000000000ull, "ms"}, {1000000ull, "us"}, {1000ull, "ns"}};
    for (const auto& u : units) {
        if (ps < u.mult) continue;
        const std::string r = decimal_in_unit(ps, u.mult, u.name);
        if (!r.empty()) return r;
    }
    return std::to_string(ps) + "ps";
}

std::string format_frequency(uint64_t hz) {
    static const struct { uint64_t mult; const char* name; } units[] = {
        {1000000000000ull, "THz"}, {1000000000ull, "GHz"}, {1000000ull, "MHz"}, {1000ull, "kHz"}};
    for (const auto& u : units) {
        if (hz < u.mult) continue;
        const std::string r = decimal_in_unit(hz, u.mult, u.name);
        if (!r.empty()) return r;
    }
    return std::to_string(hz) + "Hz";
}

std::string format_bandwidth(uint64_t bps) {
    std::string best = std::to_string(bps) + "B/s";
    static const struct { uint64_t mult; const char* name; } units[] = {
        {1000000000000ull, "TB/s"}, {1000000000ull, "GB/s"}, {1000000ull, "MB/s"},
        {1000ull, "KB/s"},          {1ull << 40, "TiB/s"},   {1ull << 30, "GiB/s"},
        {1ull << 20, "MiB/s"},      {1ull << 10, "KiB/s"}};
    for (const auto& u : units) {
        if (bps < u.mult) continue;
        const std::string r = decimal_in_unit(bps, u.mult, u.name);
        if (!r.empty() && r.size() < best.size()) best = r;
    }
    return best;
}

}  // namespace vcmsim::platform
