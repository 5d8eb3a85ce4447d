// The parameter registry: one entry per config key (name, type, default, unit, range,
// description). It drives validation, `vcmsim list params`, help text and the docs.
//
// Models never see it: the platform layer registers each model's parameters (platforms/
// binders/) and turns a validated config_view into the model's plain config struct.
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace vcmsim::platform {

enum class param_type {
    boolean,
    integer,     // signed 64-bit
    uinteger,    // unsigned 64-bit; hex allowed; strings for values >= 2^63
    real,
    size,        // bytes, with units B KiB MiB GiB TiB (and KB MB GB = powers of 10)
    time,        // ps, with units ps ns us ms s
    frequency,   // Hz, with units Hz kHz MHz GHz
    bandwidth,   // bytes/s, with units B/s KB/s MB/s GB/s KiB/s MiB/s GiB/s
    string,
    enumeration, // one of `choices`
    uint_list,   // array of unsigned integers or sizes
    string_list,
    string_map,  // free-form table of string values
};

const char* param_type_name(param_type t);

struct param_def {
    std::string path;          // "dram[].latency", "sim.seed", "scenario.step[].addr"
    param_type type = param_type::integer;
    std::string default_value; // as TOML text ("40", "\"4KiB\"", "true"); empty = no default
                               // (the key is optional unless `required`)
    std::string unit;          // for docs: "cycles", "bytes", ...
    std::optional<double> min; // in the type's base unit (bytes, ps, Hz, bytes/s)
    std::optional<double> max;
    std::vector<std::string> choices;  // enumeration
    std::string description;
    // For tables selected by a discriminator: valid only when the sibling key `when_key` has
    // the value `when_value` (e.g. when_key "op", when_value "fill"). Empty: always valid.
    std::string when_key;
    std::string when_value;
    bool required = false;     // must be present (no default)
};

class param_registry {
public:
    static param_registry& global();

    void add(param_def d);                 // throws std::logic_error on a duplicate
    // Exact registry path ("dram[].latency"); with a discriminator value for `when` params.
    const param_def* find(const std::string& registry_path,
                          const std::string& when_value = {}) const;
    // Nearest registered key to a misspelt one (edit distance), or "" if none is close.
    std::string suggest(const std::string& registry_path) const;
    const std::vector<param_def>& all() const { return m_defs; }
    // Does any parameter live under this table path ("dram[]", "scenario")?
    bool is_table(const std::string& registry_path) const;

    // `vcmsim list params`: every parameter as a TOML line with a trailing comment, grouped by
    // section; `json` gives an array of objects instead.
    void write_listing(std::ostream& os, const std::string& prefix_filter = {}) const;
    void write_json(std::ostream& os, const std::string& prefix_filter = {}) const;
    // Markdown table for docs/config-reference.md.
    void write_markdown(std::ostream& os) const;

private:
    std::vector<param_def> m_defs;
};

// Unit parsing, shared by the config getters and the CLI. Each returns false with a message
// on a bad value. Integers without a unit are taken in the base unit.
bool parse_size(const std::string& s, uint64_t& out, std::string& err);
bool parse_time_ps(const std::string& s, uint64_t& out, std::string& err);
bool parse_frequency(const std::string& s, uint64_t& out, std::string& err);
bool parse_bandwidth(const std::string& s, uint64_t& out, std::string& err);
// Formats a byte count with the largest exact binary unit ("4KiB", "2MiB", "1000B").
std::string format_size(uint64_t bytes);
std::string format_time_ps(uint64_t ps);  // "100ns", "1.5us"
// Added: unsigned integer text, decimal or 0x-hex, '_' between digits ("0xffff_8000_0000_0000").
bool parse_uint_text(const std::string& s, uint64_t& out, std::string& err);
std::string format_frequency(uint64_t hz);     // "1GHz", "800MHz", "32768Hz"
std::string format_bandwidth(uint64_t bytes_per_s);  // "12.8GB/s", "16GiB/s"

}  // namespace vcmsim::platform
