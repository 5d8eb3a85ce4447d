// Internal to platforms/config: the in-memory configuration tree and helpers shared by
// config.cpp (loading, merging, overrides: the only file that includes toml++),
// config_check.cpp (value checks, validate), config_view.cpp (getters) and config_output.cpp
// (to_toml, to_json, provenance listing).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "platforms/config/config.h"
#include "platforms/config/param_registry.h"

namespace vcmsim::platform {

struct config_node {
    enum class kind { table, array, boolean, integer, real, string, datetime };
    kind k = kind::table;
    bool b = false;
    int64_t i = 0;
    double d = 0;
    std::string s;     // string value, or the text of a date/time
    bool hex = false;  // an integer written in hexadecimal
    std::map<std::string, std::unique_ptr<config_node>> fields;  // table
    std::vector<std::unique_ptr<config_node>> items;             // array
    provenance prov;

    bool is_table() const { return k == kind::table; }
    bool is_array() const { return k == kind::array; }
    // A non-empty array whose elements are all tables ([[x]] or [{..}, {..}]).
    bool is_table_array() const;
    const config_node* get(const std::string& key) const;
    std::unique_ptr<config_node> clone() const;
};

const char* kind_name(config_node::kind k);  // "an integer", "a table", ...

namespace detail {

// Parses TOML inline-value text ("40", "\"4KiB\"", "[1, 2]", "{ a = 1 }"). Returns null if
// the text is not exactly one valid TOML value. Every node gets `prov`.
std::unique_ptr<config_node> parse_value_text(const std::string& text, const provenance& prov);

// The parsed default of a parameter (cached per process); null when the default is empty.
const config_node* default_node(const param_def& d);

// Scalar value as text for `when` comparisons: strings raw, others as TOML.
std::string discriminator_text(const config_node& n);

// Registry path of a key path: indices become "[]" ("dram[1].size" -> "dram[].size").
std::string registry_path_of(const std::string& key_path);
std::string join_path(const std::string& parent, const std::string& key);
// Quotes a key for TOML / key paths when it is not a bare key.
std::string quote_key(const std::string& key);
std::string toml_string(const std::string& s);  // "..." with escapes

// The parameter governing `key` in `table` (registry path of the table `table_rp`): honours
// when_key/when_value. Returns null if none applies. *any_path is set when some parameter
// has this path at all (possibly for another discriminator value).
const param_def* param_for(const param_registry& reg, const std::string& table_rp,
                           const config_node* table, const std::string& key,
                           bool* any_path = nullptr);

// Checks one value against its parameter: type, unit, range, choices. On error returns false
// and a message without location.
bool check_value(const param_def& d, const config_node& n, std::string& err);

// Converts a value of a unit type to its base unit (bytes, ps, Hz, bytes/s).
bool unit_value(param_type t, const config_node& n, uint64_t& out, std::string& err);
bool uint_value(const config_node& n, uint64_t& out, std::string& err);

// Is the parameter required? Only when flagged `required`: an empty default means optional.
bool is_required(const param_def& d);

// The resolved tree: a copy of `root` with every registry default filled in for every table
// that exists (singleton sections always exist). Values of unit types are normalised.
std::unique_ptr<config_node> effective_tree(const config_node& root, const param_registry& reg);

}  // namespace detail
}  // namespace vcmsim::platform
