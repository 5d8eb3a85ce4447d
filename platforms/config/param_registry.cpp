// The parameter registry: lookup, did-you-mean, listings (TOML, JSON, Markdown).
#include "platforms/config/param_registry.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "platforms/config/config_node.h"

namespace vcmsim::platform {

using namespace detail;

const char* param_type_name(param_type t) {
    switch (t) {
        case param_type::boolean: return "bool";
        case param_type::integer: return "int";
        case param_type::uinteger: return "uint";
        case param_type::real: return "real";
        case param_type::size: return "size";
        case param_type::time: return "time";
        case param_type::frequency: return "frequency";
        case param_type::bandwidth: return "bandwidth";
        case param_type::string: return "string";
        case param_type::enumeration: return "enum";
        case param_type::uint_list: return "uint_list";
        case param_type::string_list: return "string_list";
        case param_type::string_map: return "string_map";
    }
    return "?";
}

param_registry& param_registry::global() {
    static param_registry reg;
    return reg;
}

void param_registry::add(param_def d) {
    for (const param_def& e : m_defs)
        if (e.path == d.path && e.when_value == d.when_value)
            throw std::logic_error("param_registry: duplicate parameter '" + d.path + "'" +
                                   (d.when_value.empty() ? "" : " for " + d.when_key + " = " + d.when_value));
    if (d.path.empty() || d.path.front() == '.' || d.path.back() == '.')
        throw std::logic_error("param_registry: bad parameter path '" + d.path + "'");
    if (d.type == param_type::enumeration && d.choices.empty())
        throw std::logic_error("param_registry: enumeration '" + d.path + "' has no choices");
    if (const config_node* def = default_node(d)) {
        std::string err;
        if (!check_value(d, *def, err))
            throw std::logic_error("param_registry: default of '" + d.path + "' (" + d.default_value +
                                   ") is invalid: " + err);
    }
    m_defs.push_back(std::move(d));
}

const param_def* param_registry::find(const std::string& registry_path,
                                      const std::string& when_value) const {
    const param_def* unconditional = nullptr;
    const param_def* first = nullptr;
    for (const param_def& d : m_defs) {
        if (d.path != registry_path) continue;
        if (!first) first = &d;
        if (!when_value.empty() && d.when_value == when_value) return &d;
        if (d.when_key.empty() && !unconditional) unconditional = &d;
    }
    if (unconditional) return unconditional;
    return when_value.empty() ? first : nullptr;
}

bool param_registry::is_table(const std::string& registry_path) const {
    if (registry_path.empty()) return !m_defs.empty();
    const std::string prefix = registry_path + ".";
    for (const param_def& d : m_defs)
        if (d.path.compare(0, prefix.size(), prefix) == 0) return true;
    return false;
}

namespace {

// Optimal string alignment distance (Levenshtein plus adjacent transpositions).
size_t edit_distance(const std::string& a, const std::string& b) {
    const size_t n = a.size(), m = b.size();
    std::vector<std::vector<size_t>> dp(n + 1, std::vector<size_t>(m + 1));
    for (size_t i = 0; i <= n; ++i) dp[i][0] = i;
    for (size_t j = 0; j <= m; ++j) dp[0][j] = j;
    for (size_t i = 1; i <= n; ++i) {
        for (size_t j = 1; j <= m; ++j) {
            const size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            dp[i][j] = std::min({dp[i - 1][j] + 1, dp[i][j - 1] + 1, dp[i - 1][j - 1] + cost});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                dp[i][j] = std::min(dp[i][j], dp[i - 2][j - 2] + 1);
        }
    }
    return dp[n][m];
}

std::string last_element(const std::string& p) {
    const size_t dot = p.rfind('.');
    return dot == std::string::npos ? p : p.substr(dot + 1);
}

}  // namespace

std::string param_registry::suggest(const std::string& registry_path) const {
    if (registry_path.empty() || registry_path.size() > 200) return {};
    // Candidates: every parameter and every table ("iommu.tlb", "dram"), in registry order.
    std::vector<std::string> cands;
    std::set<std::string> seen;
    for (const param_def& d : m_defs) {
        for (size_t dot = d.path.find('.'); dot != std::string::npos; dot = d.path.find('.', dot + 1)) {
            std::string table = d.path.substr(0, dot);
            if (table.size() > 2 && table.compare(table.size() - 2, 2, "[]") == 0)
                table.resize(table.size() - 2);
            if (seen.insert(table).second) cands.push_back(table);
        }
        if (seen.insert(d.path).second) cands.push_back(d.path);
    }
    const std::string q_last = last_element(registry_path);
    const size_t thr_full = std::max<size_t>(1, registry_path.size() / 4);
    const size_t thr_last = std::max<size_t>(1, q_last.size() / 3);
    std::string best;
    size_t best_score = SIZE_MAX, best_full = SIZE_MAX;
    for (const std::string& c : cands) {
        if (c == registry_path) continue;
        const size_t full = edit_distance(registry_path, c);
        size_t score = full <= thr_full ? full : SIZE_MAX;
        if (q_last.size() >= 3) {
            const size_t last = edit_distance(q_last, last_element(c));
            if (last <= thr_last) score = std::min(score, last + 1);
        }
        if (score == SIZE_MAX) continue;
        if (score < best_score || (score == best_score && full < best_full)) {
            best = c;
            best_score = score;
            best_full = full;
        }
    }
    return best;
}

namespace {

std::string table_of(const std::string& path) {
    const size_t dot = path.rfind('.');
    return dot == std::string::npos ? "" : path.substr(0, dot);
}

std::string strip_brackets(std::string p) {
    for (size_t i = p.find("[]"); i != std::string::npos; i = p.find("[]", i)) p.erase(i, 2);
    return p;
}

std::string bound_text(const param_def& d, double v);

// A value for a key without default, in the listing: the minimum when there is one.
std::string placeholder(const param_def& d) {
    const double lo = d.min ? *d.min : 0.0;
    switch (d.type) {
        case param_type::boolean: return "false";
        case param_type::integer:
        case param_type::uinteger: return bound_text(d, lo);
        case param_type::real: return d.min ? bound_text(d, lo) : "0.0";
        case param_type::size:
        case param_type::time:
        case param_type::frequency:
        case param_type::bandwidth: return toml_string(bound_text(d, lo));
        case param_type::uint_list:
        case param_type::string_list: return "[]";
        case param_type::string_map: return "{}";
        case param_type::enumeration: return toml_string(d.choices.empty() ? "" : d.choices[0]);
        default: return "\"\"";
    }
}

std::string bound_text(const param_def& d, double v) {
    if (v >= 0 && v < 1.8e19 && static_cast<double>(static_cast<uint64_t>(v)) == v) {
        const uint64_t u = static_cast<uint64_t>(v);
        switch (d.type) {
            case param_type::size: return format_size(u);
            case param_type::time: return format_time_ps(u);
            case param_type::frequency: return format_frequency(u);
            case param_type::bandwidth: return format_bandwidth(u);
            default: return std::to_string(u);
        }
    }
    char buf[40];
    std::snprintf(buf, sizeof buf, "%g", v);
    return buf;
}

std::string range_text(const param_def& d) {
    if (!d.choices.empty()) {
        std::string s = "{";
        for (size_t i = 0; i < d.choices.size(); ++i) s += (i ? ", " : "") + d.choices[i];
        return s + "}";
    }
    if (!d.min && !d.max) return {};
    return "[" + (d.min ? bound_text(d, *d.min) : "") + ".." + (d.max ? bound_text(d, *d.max) : "") + "]";
}

std::string comment_text(const param_def& d) {
    std::string s = param_type_name(d.type);
    if (!d.unit.empty()) s += ", " + d.unit;
    s += is_required(d)               ? std::string(", required")
         : d.default_value.empty() ? std::string(", no default")
                                   : ", default " + d.default_value;
    const std::string r = range_text(d);
    if (!r.empty()) s += ", " + r;
    if (!d.when_key.empty()) s += ", (" + d.when_key + " = " + d.when_value + ")";
    if (!d.description.empty()) s += ", " + d.description;
    return s;
}

bool matches_filter(const param_def& d, const std::string& filter) {
    if (filter.empty()) return true;
    const std::string f = registry_path_of(filter);
    return d.path.compare(0, f.size(), f) == 0 || strip_brackets(d.path).compare(0, filter.size(), filter) == 0;
}

}  // namespace

void param_registry::write_listing(std::ostream& os, const std::string& prefix_filter) const {
    // Group by table; order groups so that a table precedes its sub-tables (TOML needs
    // [[dram]] before [dram.timing]) and otherwise follows registry order.
    std::map<std::string, size_t> first_seen;  // table path -> first index
    std::vector<std::string> groups;
    std::set<std::string> group_set;
    for (size_t i = 0; i < m_defs.size(); ++i) {
        if (!matches_filter(m_defs[i], prefix_filter)) continue;
        const std::string t = table_of(m_defs[i].path);
        first_seen.emplace(t, i);
        if (group_set.insert(t).second) groups.push_back(t);
        for (size_t dot = t.find('.'); dot != std::string::npos; dot = t.find('.', dot + 1))
            first_seen.emplace(t.substr(0, dot), i);
    }
    auto order_key = [&](const std::string& t) {
        std::vector<size_t> k;
        if (t.empty()) return k;
        for (size_t dot = t.find('.'); dot != std::string::npos; dot = t.find('.', dot + 1))
            k.push_back(first_seen[t.substr(0, dot)]);
        k.push_back(first_seen[t]);
        return k;
    };
    std::stable_sort(groups.begin(), groups.end(),
                     [&](const std::string& a, const std::string& b) { return order_key(a) < order_key(b); });
    bool first_block = true;
    for (const std::string& g : groups) {
        const bool is_array = g.size() > 2 && g.compare(g.size() - 2, 2, "[]") == 0;
        const std::string header = is_array ? "[[" + strip_brackets(g) + "]]" : "[" + strip_brackets(g) + "]";
        std::vector<const param_def*> common;
        std::vector<std::pair<std::string, std::vector<const param_def*>>> variants;  // when_value
        for (const param_def& d : m_defs) {
            if (table_of(d.path) != g || !matches_filter(d, prefix_filter)) continue;
            if (d.when_key.empty() || !is_array) {
                common.push_back(&d);
                continue;
            }
            auto it = std::find_if(variants.begin(), variants.end(),
                                   [&](const auto& v) { return v.first == d.when_value; });
            if (it == variants.end()) it = variants.insert(variants.end(), {d.when_value, {}});
            it->second.push_back(&d);
        }
        auto line = [&](const param_def& d) {
            const std::string value = d.default_value.empty() ? placeholder(d) : d.default_value;
            // An optional key without a default stays commented out: setting it changes behaviour.
            if (!is_required(d) && d.default_value.empty() && d.type != param_type::string_map) os << "# ";
            os << quote_key(last_element(d.path)) << " = " << value << "    # " << comment_text(d) << "\n";
        };
        if (variants.empty()) {
            if (!g.empty()) os << (first_block ? "" : "\n") << header << "\n";
            first_block = false;
            for (const param_def* d : common) line(*d);
            continue;
        }
        // A discriminated array: one example element per variant, each complete.
        for (const auto& [when_value, defs] : variants) {
            const std::string& when_key = defs.front()->when_key;
            os << (first_block ? "" : "\n") << header << "\n";
            first_block = false;
            os << quote_key(when_key) << " = " << toml_string(when_value) << "    # selects the variant below\n";
            for (const param_def* d : common)
                if (last_element(d->path) != when_key) line(*d);
            for (const param_def* d : defs) line(*d);
        }
    }
}

void param_registry::write_json(std::ostream& os, const std::string& prefix_filter) const {
    nlohmann::json a = nlohmann::json::array();
    for (const param_def& d : m_defs) {
        if (!matches_filter(d, prefix_filter)) continue;
        nlohmann::json o;
        o["path"] = d.path;
        o["type"] = param_type_name(d.type);
        o["default"] = d.default_value;
        o["required"] = is_required(d);
        o["unit"] = d.unit;
        o["min"] = d.min ? nlohmann::json(*d.min) : nlohmann::json(nullptr);
        o["max"] = d.max ? nlohmann::json(*d.max) : nlohmann::json(nullptr);
        o["choices"] = d.choices;
        o["description"] = d.description;
        if (!d.when_key.empty()) o["when"] = {{"key", d.when_key}, {"value", d.when_value}};
        a.push_back(std::move(o));
    }
    os << a.dump(2) << "\n";
}

void param_registry::write_markdown(std::ostream& os) const {
    auto cell = [](std::string s) {
        for (size_t i = s.find('|'); i != std::string::npos; i = s.find('|', i + 2)) s.replace(i, 1, "\\|");
        return s;
    };
    os << "| Key | Type | Default | Unit | Range / choices | Description |\n";
    os << "|---|---|---|---|---|---|\n";
    for (const param_def& d : m_defs) {
        std::string key = "`" + d.path + "`";
        if (!d.when_key.empty()) key += " (" + d.when_key + " = " + d.when_value + ")";
        const std::string def = is_required(d)               ? "*required*"
                                : d.default_value.empty() ? "*none*"
                                                          : "`" + d.default_value + "`";
        os << "| " << cell(key) << " | " << param_type_name(d.type) << " | " << cell(def) << " | "
           << cell(d.unit) << " | " << cell(range_text(d)) << " | " << cell(d.description) << " |\n";
    }
}

}  // namespace vcmsim::platform
