// The resolved configuration tree: TOML files (with `include`), extra -f files and -C
// overrides merged into one tree in which every value remembers where it came from.
//
// Order of precedence, later wins: registry defaults < include chain (depth first) < main
// file < each -f FILE in order < each -C key=value in order.
//
//   config cfg = config::load({"configs/minimal.toml"}, {"dram[0].latency=40"});
//   cfg.validate(param_registry::global());          // unknown keys, types, ranges
//   config_view root = cfg.root();
//   for (size_t i = 0; i < root.count("dram"); ++i) {
//       config_view d = root.at("dram", i);
//       uint64_t size = d.get_size("size");          // default from the registry if absent
//       if (size == 0) d.fail("size", "must be > 0"); // throws config_error naming file:line
//   }
//
// Paths: dotted keys with array indices, "dram[1].latency"; registry paths use "[]" for any
// index ("dram[].latency"). Tables whose entries depend on a discriminator key (scenario
// steps: "op") use param_def::when (see param_registry.h).
#pragma once

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace vcmsim::platform {

class param_registry;

// Exit codes shared by every subcommand (documented in the README).
enum exit_code : int {
    exit_ok = 0,
    exit_checks_failed = 1,
    exit_usage = 64,
    exit_bad_input = 65,
    exit_no_input = 66,
    exit_internal = 70,
    exit_io = 74,
    exit_config = 78,
    exit_interrupted = 130,   // sweep: interrupted by SIGINT/SIGTERM (--resume finishes it)
};

// A configuration error: the message names file:line and key; code is exit_config or
// exit_no_input (a file that cannot be read).
class config_error : public std::runtime_error {
public:
    config_error(const std::string& msg, int code = exit_config)
        : std::runtime_error(msg), m_code(code) {}
    int code() const { return m_code; }

private:
    int m_code;
};

// Where a value came from: "configs/minimal.toml:12:1", "-C #2 (dram[0].size=1GiB)",
// "-f extra.toml:3:1" or "default".
struct provenance {
    std::string file;   // empty for defaults
    unsigned line = 0;
    unsigned column = 0;
    std::string origin; // "file", "include", "-f", "-C", "default"
    unsigned override_index = 0;  // -C: the n of "-C #n"
    std::string override_text;    // -C: the assignment as given
    std::string str() const;
};

class config_view;
struct config_node;  // internal tree node (config.cpp)

class config {
public:
    // Loads and merges files and overrides. Throws config_error on syntax errors, missing
    // files, include cycles and malformed overrides.
    static config load(const std::vector<std::string>& files,
                       const std::vector<std::string>& overrides = {});
    // Parses TOML text directly (tests); `name` stands for the file name in messages.
    static config from_string(const std::string& toml_text, const std::string& name = "<string>");

    config();
    config(config&&) noexcept;
    config& operator=(config&&) noexcept;
    ~config();

    // Applies one "key.path=value" override (value parsed as a TOML inline value; a bare word
    // that is not a TOML value is taken as a string). index numbers "-C #n" in provenance.
    void apply_override(const std::string& assignment, unsigned index);

    // Checks every key against the registry: unknown keys (with did-you-mean), types, units,
    // ranges and enum choices. Collects all errors; throws one config_error listing them.
    void validate(const param_registry& reg) const;

    config_view root() const;                            // defaults from param_registry::global()
    config_view root(const param_registry& reg) const;  // added: defaults from `reg`

    // The resolved tree with registry defaults filled in, as TOML text / JSON, and each leaf
    // with its provenance ("key = value  # origin").
    std::string to_toml(const param_registry& reg) const;
    nlohmann::json to_json(const param_registry& reg) const;
    std::string provenance_listing(const param_registry& reg) const;
    // FNV-1a 64 hash of to_toml(): identifies a resolved config (sweeps, stats.json).
    std::string hash(const param_registry& reg) const;

    const std::vector<std::string>& files() const;  // every file read, includes too

private:
    friend class config_view;
    std::unique_ptr<config_node> m_root;
    std::vector<std::string> m_files;
};

// A read-only view of one table of the tree, with typed getters that fall back to the
// registry default for absent keys. Getters throw config_error (naming file:line and the
// full key path) when a value has the wrong type or unit.
class config_view {
public:
    config_view(const config_node* node, std::string path, const param_registry* reg);

    const std::string& path() const { return m_path; }   // "dram[0]" ("" for the root)
    std::string key_path(const std::string& key) const;  // "dram[0].size"
    bool has(const std::string& key) const;               // present in the files/overrides

    bool get_bool(const std::string& key) const;
    int64_t get_int(const std::string& key) const;
    uint64_t get_uint(const std::string& key) const;      // hex ints, or strings for >= 2^63
    double get_double(const std::string& key) const;
    std::string get_string(const std::string& key) const; // strings and enums
    uint64_t get_size(const std::string& key) const;      // bytes: 4096, "4KiB", "2MiB"
    uint64_t get_time_ps(const std::string& key) const;   // "100ns", "1us"; bare int = ps
    uint64_t get_freq_hz(const std::string& key) const;   // "1GHz", "800MHz"; bare int = Hz
    uint64_t get_bandwidth(const std::string& key) const; // bytes/s: "12.8GB/s", "16GiB/s"
    std::vector<uint64_t> get_uint_list(const std::string& key) const;  // [..] of ints/sizes
    std::vector<std::string> get_string_list(const std::string& key) const;
    // Free-form table of strings (e.g. log.levels = { "top.dma0" = "debug" }).
    std::vector<std::pair<std::string, std::string>> get_string_map(const std::string& key) const;

    // Arrays of tables ([[dram]]) and sub-tables.
    size_t count(const std::string& array_key) const;
    config_view at(const std::string& array_key, size_t index) const;
    config_view table(const std::string& key) const;      // sub-table (may be absent: empty)

    // "file:line:col" of a key, or of this table when key is empty.
    std::string where(const std::string& key = {}) const;
    // Throws config_error "<where>: <key_path>: <message>".
    [[noreturn]] void fail(const std::string& key, const std::string& message) const;

private:
    const config_node* m_node;  // may be null: an absent table, every key at its default
    std::string m_path;
    const param_registry* m_reg;
};

}  // namespace vcmsim::platform
