// Value checks against the parameter registry and config::validate().
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <mutex>
#include <tuple>

#include "platforms/config/config_node.h"

namespace vcmsim::platform {

const char* kind_name(config_node::kind k) {
    switch (k) {
        case config_node::kind::table: return "a table";
        case config_node::kind::array: return "an array";
        case config_node::kind::boolean: return "a boolean";
        case config_node::kind::integer: return "an integer";
        case config_node::kind::real: return "a float";
        case config_node::kind::string: return "a string";
        case config_node::kind::datetime: return "a date-time";
    }
    return "a value";
}

namespace detail {

std::string registry_path_of(const std::string& key_path) {
    std::string out;
    out.reserve(key_path.size());
    bool in_quote = false;
    for (size_t i = 0; i < key_path.size(); ++i) {
        const char c = key_path[i];
        if (c == '"') in_quote = !in_quote;
        if (!in_quote && c == '[') {
            const size_t close = key_path.find(']', i);
            if (close != std::string::npos) {
                out += "[]";
                i = close;
                continue;
            }
        }
        out += c;
    }
    return out;
}

std::string join_path(const std::string& parent, const std::string& key) {
    return parent.empty() ? key : parent + "." + key;
}

std::string toml_string(const std::string& s) {
    std::string out = "\"";
    for (const char ch : s) {
        const unsigned char c = static_cast<unsigned char>(ch);
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\n': out += "\\n"; break;
            case '\t': out += "\\t"; break;
            case '\r': out += "\\r"; break;
            default:
                if (c < 0x20 || c == 0x7f) {
                    char buf[8];
                    std::snprintf(buf, sizeof buf, "\\u%04x", c);
                    out += buf;
                } else {
                    out += ch;
                }
        }
    }
    return out + "\"";
}

std::string quote_key(const std::string& key) {
    bool bare = !key.empty();
    for (const char c : key)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-')) bare = false;
    return bare ? key : toml_string(key);
}

const config_node* default_node(const param_def& d) {
    if (d.default_value.empty()) return nullptr;
    static std::mutex mu;
    static std::map<std::string, std::unique_ptr<config_node>> cache;
    std::lock_guard<std::mutex> lock(mu);
    auto it = cache.find(d.default_value);
    if (it != cache.end()) return it->second.get();
    provenance prov;
    prov.origin = "default";
    auto n = parse_value_text(d.default_value, prov);
    if (!n) {  // not TOML: the text itself, as a string
        n = std::make_unique<config_node>();
        n->k = config_node::kind::string;
        n->s = d.default_value;
        n->prov = prov;
    }
    return cache.emplace(d.default_value, std::move(n)).first->second.get();
}

std::string discriminator_text(const config_node& n) {
    switch (n.k) {
        case config_node::kind::string: return n.s;
        case config_node::kind::boolean: return n.b ? "true" : "false";
        case config_node::kind::integer: return std::to_string(n.i);
        default: return "?";
    }
}

bool is_required(const param_def& d) {
    return d.required;  // an empty default means "optional, no default"
}

const param_def* param_for(const param_registry& reg, const std::string& table_rp,
                           const config_node* table, const std::string& key, bool* any_path) {
    const std::string rp = join_path(table_rp, quote_key(key));
    const param_def* match = nullptr;
    if (any_path) *any_path = false;
    for (const param_def& d : reg.all()) {
        if (d.path != rp) continue;
        if (any_path) *any_path = true;
        if (d.when_key.empty()) return &d;
        if (match) continue;
        const config_node* w = table ? table->get(d.when_key) : nullptr;
        if (!w) {
            const param_def* wd = reg.find(join_path(table_rp, d.when_key));
            w = wd ? default_node(*wd) : nullptr;
        }
        if (w && discriminator_text(*w) == d.when_value) match = &d;
    }
    return match;
}

bool uint_value(const config_node& n, uint64_t& out, std::string& err) {
    if (n.k == config_node::kind::integer) {
        if (n.i < 0) {
            err = "negative value " + std::to_string(n.i) + " for an unsigned parameter";
            return false;
        }
        out = static_cast<uint64_t>(n.i);
        return true;
    }
    if (n.k == config_node::kind::string) return parse_uint_text(n.s, out, err);
    err = std::string("expected an unsigned integer (a \"0x...\" string for values >= 2^63), got ") +
          kind_name(n.k);
    return false;
}

bool unit_value(param_type t, const config_node& n, uint64_t& out, std::string& err) {
    const char* what = t == param_type::size        ? "a size (bytes, or a string such as \"4KiB\")"
                       : t == param_type::time      ? "a time (ps, or a string such as \"100ns\")"
                       : t == param_type::frequency ? "a frequency (Hz, or a string such as \"1GHz\")"
                                                    : "a bandwidth (bytes/s, or a string such as \"12.8GB/s\")";
    if (n.k == config_node::kind::integer) {
        if (n.i < 0) {
            err = "negative value " + std::to_string(n.i) + " is not " + what;
            return false;
        }
        out = static_cast<uint64_t>(n.i);
        return true;
    }
    if (n.k != config_node::kind::string) {
        err = std::string("expected ") + what + ", got " + kind_name(n.k);
        return false;
    }
    switch (t) {
        case param_type::size: return parse_size(n.s, out, err);
        case param_type::time: return parse_time_ps(n.s, out, err);
        case param_type::frequency: return parse_frequency(n.s, out, err);
        default: return parse_bandwidth(n.s, out, err);
    }
}

namespace {

std::string format_bound(param_type t, double v) {
    if (v >= 0 && v < 1.8e19 && std::floor(v) == v) {
        const uint64_t u = static_cast<uint64_t>(v);
        switch (t) {
            case param_type::size: return format_size(u);
            case param_type::time: return format_time_ps(u);
            case param_type::frequency: return format_frequency(u);
            case param_type::bandwidth: return format_bandwidth(u);
            default: return std::to_string(u);
        }
    }
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.15g", v);
    return buf;
}

bool check_range(const param_def& d, double v, const std::string& shown, std::string& err) {
    if ((d.min && v < *d.min) || (d.max && v > *d.max)) {
        err = "value " + shown + " is out of range [" +
              (d.min ? format_bound(d.type, *d.min) : std::string()) + ".." +
              (d.max ? format_bound(d.type, *d.max) : std::string()) + "]";
        return false;
    }
    return true;
}

std::string choices_text(const param_def& d) {
    std::string s;
    for (size_t i = 0; i < d.choices.size(); ++i) s += (i ? ", " : "") + toml_string(d.choices[i]);
    return s;
}

bool check_list_element(const param_def& d, const config_node& n, std::string& err) {
    uint64_t v = 0;
    std::string e;
    if (!uint_value(n, v, e)) {
        if (n.k == config_node::kind::string && parse_size(n.s, v, e)) {
            // a size such as "2MiB"
        } else {
            err = n.k == config_node::kind::string || n.k == config_node::kind::integer
                      ? e
                      : "expected unsigned integers or sizes, got " + std::string(kind_name(n.k));
            return false;
        }
    }
    return check_range(d, static_cast<double>(v), std::to_string(v), err);
}

}  // namespace

bool check_value(const param_def& d, const config_node& n, std::string& err) {
    const std::string got = std::string(", got ") + kind_name(n.k);
    uint64_t u = 0;
    switch (d.type) {
        case param_type::boolean:
            if (n.k == config_node::kind::boolean) return true;
            err = "expected a boolean (true or false)" + got;
            return false;
        case param_type::integer:
            if (n.k != config_node::kind::integer) {
                err = "expected an integer" + got;
                return false;
            }
            return check_range(d, static_cast<double>(n.i), std::to_string(n.i), err);
        case param_type::uinteger:
            if (!uint_value(n, u, err)) return false;
            return check_range(d, static_cast<double>(u), std::to_string(u), err);
        case param_type::real: {
            if (n.k != config_node::kind::real && n.k != config_node::kind::integer) {
                err = "expected a number" + got;
                return false;
            }
            const double v = n.k == config_node::kind::real ? n.d : static_cast<double>(n.i);
            char buf[40];
            std::snprintf(buf, sizeof buf, "%g", v);
            if (std::isnan(v)) {
                err = "expected a number, got nan";
                return false;
            }
            return check_range(d, v, buf, err);
        }
        case param_type::size:
        case param_type::time:
        case param_type::frequency:
        case param_type::bandwidth:
            if (!unit_value(d.type, n, u, err)) return false;
            return check_range(d, static_cast<double>(u), format_bound(d.type, static_cast<double>(u)),
                               err);
        case param_type::string:
            if (n.k == config_node::kind::string) return true;
            err = "expected a string" + got;
            return false;
        case param_type::enumeration:
            if (n.k != config_node::kind::string) {
                err = "expected one of " + choices_text(d) + got;
                return false;
            }
            if (std::find(d.choices.begin(), d.choices.end(), n.s) != d.choices.end()) return true;
            err = "invalid value " + toml_string(n.s) + " (expected one of " + choices_text(d) + ")";
            return false;
        case param_type::uint_list:
            if (n.k != config_node::kind::array) {
                err = "expected an array of unsigned integers or sizes" + got;
                return false;
            }
            for (size_t i = 0; i < n.items.size(); ++i) {
                if (check_list_element(d, *n.items[i], err)) continue;
                err = "element " + std::to_string(i) + ": " + err;
                return false;
            }
            return true;
        case param_type::string_list:
            if (n.k != config_node::kind::array) {
                err = "expected an array of strings" + got;
                return false;
            }
            for (size_t i = 0; i < n.items.size(); ++i) {
                if (n.items[i]->k == config_node::kind::string) continue;
                err = "element " + std::to_string(i) + ": expected a string, got " +
                      kind_name(n.items[i]->k);
                return false;
            }
            return true;
        case param_type::string_map:
            if (n.k != config_node::kind::table) {
                err = "expected a table of strings" + got;
                return false;
            }
            for (const auto& [key, v] : n.fields) {
                if (v->k == config_node::kind::string) continue;
                err = "entry " + quote_key(key) + ": expected a string, got " + kind_name(v->k) +
                      (v->is_table() ? " (quote keys that contain dots)" : "");
                return false;
            }
            return true;
    }
    err = "unsupported parameter type";
    return false;
}

}  // namespace detail

namespace {

using namespace detail;

struct found_error {
    size_t rank;
    unsigned line, column;
    std::string text;
};

class validator {
public:
    validator(const param_registry& reg, const std::vector<std::string>& files)
        : m_reg(reg), m_files(files) {}

    void error(const provenance& p, const std::string& key_path, const std::string& msg) {
        size_t rank = 2000000;
        if (p.origin == "-C") {
            rank = 1000000 + p.override_index;
        } else if (!p.file.empty()) {
            auto it = std::find(m_files.begin(), m_files.end(), p.file);
            rank = it == m_files.end() ? 999999 : static_cast<size_t>(it - m_files.begin());
        }
        m_errors.push_back({rank, p.line, p.column,
                            p.str() + ": " + (key_path.empty() ? "" : key_path + ": ") + msg});
    }

    // Every key of table `t` (key path `kp`, registry path `rp`).
    void walk(const config_node& t, const std::string& kp, const std::string& rp) {
        for (const auto& [key, vp] : t.fields) {
            const config_node& v = *vp;
            const std::string kpk = join_path(kp, quote_key(key));
            const std::string rpk = join_path(rp, quote_key(key));
            bool any = false;
            if (const param_def* d = param_for(m_reg, rp, &t, key, &any)) {
                std::string err;
                if (!check_value(*d, v, err)) error(v.prov, kpk, err);
                continue;
            }
            if (any) {
                std::string valid;
                std::string wk;
                for (const param_def& d : m_reg.all()) {
                    if (d.path != rpk) continue;
                    wk = d.when_key;
                    valid += (valid.empty() ? "" : ", ") + d.when_value;
                }
                const config_node* w = t.get(wk);
                error(v.prov, kpk,
                      "not valid when " + wk + " = " +
                          (w ? toml_string(discriminator_text(*w)) : std::string("(absent)")) +
                          " (valid for " + wk + " = " + valid + ")");
                continue;
            }
            if (v.is_table() && m_reg.is_table(rpk)) {
                walk(v, kpk, rpk);
            } else if (v.is_array() && m_reg.is_table(rpk + "[]")) {
                for (size_t i = 0; i < v.items.size(); ++i) {
                    const config_node& item = *v.items[i];
                    const std::string kpi = kpk + "[" + std::to_string(i) + "]";
                    if (!item.is_table()) {
                        error(item.prov, kpi, std::string("expected a table, got ") + kind_name(item.k));
                        continue;
                    }
                    walk(item, kpi, rpk + "[]");
                    check_required(item, kpi, rpk + "[]");
                }
            } else if (m_reg.is_table(rpk + "[]")) {
                error(v.prov, kpk,
                      std::string("expected an array of tables ([[") + rpk + "]]), got " + kind_name(v.k));
            } else if (m_reg.is_table(rpk)) {
                error(v.prov, kpk, std::string("expected a table, got ") + kind_name(v.k));
            } else {
                unknown(v.prov, kpk, rpk);
            }
        }
    }

    void unknown(const provenance& p, const std::string& kp, const std::string& rp) {
        std::string s = m_reg.suggest(rp);
        if (s.empty()) {
            error(p, kp, "unknown key");
            return;
        }
        // Show the suggestion with the indices the user wrote: "dram[1].latency".
        std::vector<std::string> idx;
        for (size_t i = kp.find('['); i != std::string::npos; i = kp.find('[', i + 1))
            idx.push_back(kp.substr(i, kp.find(']', i) - i + 1));
        size_t n = 0;
        for (size_t i = s.find("[]"); i != std::string::npos && n < idx.size(); i = s.find("[]", i)) {
            s.replace(i, 2, idx[n]);
            i += idx[n++].size();
        }
        error(p, kp, "unknown key (did you mean '" + s + "'?)");
    }

    // Required parameters reachable from table `t` through sub-tables only.
    void check_required(const config_node& t, const std::string& kp, const std::string& rp) {
        const std::string prefix = rp.empty() ? "" : rp + ".";
        for (const param_def& d : m_reg.all()) {
            if (!is_required(d) || d.path.compare(0, prefix.size(), prefix) != 0) continue;
            const std::string rest = d.path.substr(prefix.size());
            if (rest.find("[]") != std::string::npos) continue;
            // Walk down to the parameter's own table.
            const config_node* cur = &t;
            const config_node* declared = &t;
            std::string table_kp = kp, table_rp = rp;
            size_t start = 0;
            bool blocked = false;
            for (size_t dot = rest.find('.'); dot != std::string::npos; dot = rest.find('.', start)) {
                const std::string part = rest.substr(start, dot - start);
                table_kp = join_path(table_kp, part);
                table_rp = join_path(table_rp, part);
                start = dot + 1;
                const config_node* next = cur ? cur->get(part) : nullptr;
                if (next && !next->is_table()) blocked = true;  // reported as a type error
                cur = next;
                if (cur) declared = cur;
            }
            const std::string leaf = rest.substr(start);
            if (blocked || (cur && cur->get(leaf))) continue;
            if (!d.when_key.empty()) {
                const param_def* p = param_for(m_reg, table_rp, cur, leaf);
                if (p != &d) continue;  // the discriminator selects another variant
            }
            const std::string table_name = table_kp.empty() ? "the top level" : "'" + table_kp + "'";
            error(declared->prov, join_path(kp, rest),
                  "missing required key" +
                      std::string(cur ? " in table " + table_name
                                      : " (table " + table_name + " is absent)") +
                      (d.when_key.empty() ? "" : " for " + d.when_key + " = " + d.when_value));
        }
    }

    void finish() {
        if (m_errors.empty()) return;
        std::stable_sort(m_errors.begin(), m_errors.end(), [](const found_error& a, const found_error& b) {
            return std::tie(a.rank, a.line, a.column, a.text) < std::tie(b.rank, b.line, b.column, b.text);
        });
        std::string msg;
        for (const found_error& e : m_errors) msg += (msg.empty() ? "" : "\n") + e.text;
        throw config_error(msg, exit_config);
    }

private:
    const param_registry& m_reg;
    const std::vector<std::string>& m_files;
    std::vector<found_error> m_errors;
};

}  // namespace

void config::validate(const param_registry& reg) const {
    validator v(reg, m_files);
    v.walk(*m_root, "", "");
    v.check_required(*m_root, "", "");
    v.finish();
}

}  // namespace vcmsim::platform
