// The resolved tree with defaults (effective_tree), and its outputs: to_toml, to_json,
// provenance_listing and hash.
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <set>
#include <sstream>

#include "platforms/config/config_node.h"

namespace vcmsim::platform {

using namespace detail;

namespace {

std::unique_ptr<config_node> make_table(const provenance& p) {
    auto t = std::make_unique<config_node>();
    t->prov = p;
    return t;
}

std::unique_ptr<config_node> make_string(const std::string& s, const provenance& p) {
    auto n = std::make_unique<config_node>();
    n->k = config_node::kind::string;
    n->s = s;
    n->prov = p;
    return n;
}

// Canonical form of a valid value: unit types as formatted strings ("4KiB", "100ns"),
// uintegers as integers (hex kept) or "0x..." strings for values >= 2^63, reals as floats.
void normalise(const param_def& d, std::unique_ptr<config_node>& n) {
    std::string err;
    if (!check_value(d, *n, err)) return;  // leave invalid values as written
    uint64_t u = 0;
    switch (d.type) {
        case param_type::size:
        case param_type::time:
        case param_type::frequency:
        case param_type::bandwidth: {
            unit_value(d.type, *n, u, err);
            const std::string s = d.type == param_type::size        ? format_size(u)
                                  : d.type == param_type::time      ? format_time_ps(u)
                                  : d.type == param_type::frequency ? format_frequency(u)
                                                                    : format_bandwidth(u);
            n = make_string(s, n->prov);
            break;
        }
        case param_type::uinteger:
            if (n->k == config_node::kind::string) {
                uint_value(*n, u, err);
                const bool hex = n->s.find_first_of("xX") != std::string::npos;
                if (u >> 63) {
                    char buf[24];
                    std::snprintf(buf, sizeof buf, "0x%" PRIx64, u);
                    n = make_string(buf, n->prov);
                } else {
                    const provenance p = n->prov;
                    n = std::make_unique<config_node>();
                    n->k = config_node::kind::integer;
                    n->i = static_cast<int64_t>(u);
                    n->hex = hex;
                    n->prov = p;
                }
            }
            break;
        case param_type::real:
            if (n->k == config_node::kind::integer) {
                n->d = static_cast<double>(n->i);
                n->k = config_node::kind::real;
            }
            break;
        case param_type::uint_list:
            for (auto& item : n->items) {
                if (item->k != config_node::kind::string) continue;
                if (!parse_uint_text(item->s, u, err)) parse_size(item->s, u, err);
                if (u >> 63) continue;
                const provenance p = item->prov;
                item = std::make_unique<config_node>();
                item->k = config_node::kind::integer;
                item->i = static_cast<int64_t>(u);
                item->prov = p;
            }
            break;
        default: break;
    }
}

class filler {
public:
    explicit filler(const param_registry& reg) : m_reg(reg) {}

    // Defaults for every parameter reachable from `t` through sub-tables, then recursion into
    // arrays of tables.
    void fill(config_node& t, const std::string& rp) {
        const std::string prefix = rp.empty() ? "" : rp + ".";
        for (const param_def& d : m_reg.all()) {
            if (d.path.compare(0, prefix.size(), prefix) != 0) continue;
            const std::string rest = d.path.substr(prefix.size());
            if (rest.find("[]") != std::string::npos) continue;
            config_node* cur = &t;
            std::string table_rp = rp;
            size_t start = 0;
            for (size_t dot = rest.find('.'); cur && dot != std::string::npos; dot = rest.find('.', start)) {
                const std::string part = rest.substr(start, dot - start);
                start = dot + 1;
                table_rp = join_path(table_rp, part);
                auto& slot = cur->fields[part];
                if (!slot) slot = make_table(provenance{});
                cur = slot->is_table() ? slot.get() : nullptr;
            }
            if (!cur || d.type == param_type::string_map) continue;  // maps: no default entries
            const std::string leaf = rest.substr(start);
            if (cur->get(leaf)) continue;
            if (param_for(m_reg, table_rp, cur, leaf) != &d) continue;
            if (const config_node* def = default_node(d)) cur->fields[leaf] = def->clone();
        }
        descend(t, rp);
    }

private:
    void descend(config_node& t, const std::string& rp) {
        for (auto& [key, v] : t.fields) {
            const std::string rpk = join_path(rp, quote_key(key));
            if (const param_def* d = param_for(m_reg, rp, &t, key)) {
                normalise(*d, v);
            } else if (v->is_table() && m_reg.is_table(rpk)) {
                descend(*v, rpk);
            } else if (v->is_array() && m_reg.is_table(rpk + "[]")) {
                for (auto& item : v->items)
                    if (item->is_table()) fill(*item, rpk + "[]");
            }
        }
    }

    const param_registry& m_reg;
};

// Child keys of a table in output order: registry order, then the rest sorted.
std::vector<std::string> ordered_keys(const config_node& t, const std::string& rp,
                                      const param_registry& reg) {
    std::vector<std::string> keys;
    std::set<std::string> seen;
    const std::string prefix = rp.empty() ? "" : rp + ".";
    for (const param_def& d : reg.all()) {
        if (d.path.compare(0, prefix.size(), prefix) != 0) continue;
        const std::string rest = d.path.substr(prefix.size());
        const std::string first = rest.substr(0, rest.find_first_of(".["));
        if (t.fields.count(first) && seen.insert(first).second) keys.push_back(first);
    }
    for (const auto& kv : t.fields)
        if (!seen.count(kv.first)) keys.push_back(kv.first);
    return keys;
}

std::string real_text(double v) {
    if (std::isnan(v)) return "nan";
    if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
    char buf[40];
    for (int prec = 15; prec <= 17; ++prec) {
        std::snprintf(buf, sizeof buf, "%.*g", prec, v);
        if (std::strtod(buf, nullptr) == v) break;
    }
    std::string s = buf;
    if (s.find_first_of(".eE") == std::string::npos) s += ".0";
    return s;
}

std::string value_text(const config_node& n) {
    switch (n.k) {
        case config_node::kind::boolean: return n.b ? "true" : "false";
        case config_node::kind::integer:
            if (n.hex && n.i >= 0) {
                char buf[24];
                std::snprintf(buf, sizeof buf, "0x%" PRIx64, static_cast<uint64_t>(n.i));
                return buf;
            }
            return std::to_string(n.i);
        case config_node::kind::real: return real_text(n.d);
        case config_node::kind::string: return toml_string(n.s);
        case config_node::kind::datetime: return n.s;
        case config_node::kind::array: {
            std::string s = "[";
            for (size_t i = 0; i < n.items.size(); ++i) s += (i ? ", " : "") + value_text(*n.items[i]);
            return s + "]";
        }
        case config_node::kind::table: {
            if (n.fields.empty()) return "{}";
            std::string s = "{ ";
            bool first = true;
            for (const auto& [k, v] : n.fields) {
                s += (first ? "" : ", ") + quote_key(k) + " = " + value_text(*v);
                first = false;
            }
            return s + " }";
        }
    }
    return "\"\"";
}

// Emits table `t` whose TOML header path is `hdr`.
void emit_toml(std::ostream& os, const config_node& t, const std::string& hdr, const std::string& rp,
               const param_registry& reg) {
    const std::vector<std::string> keys = ordered_keys(t, rp, reg);
    for (const std::string& k : keys) {
        const config_node& v = *t.fields.at(k);
        if (!v.is_table() && !v.is_table_array()) os << quote_key(k) << " = " << value_text(v) << "\n";
    }
    for (const std::string& k : keys) {
        const config_node& v = *t.fields.at(k);
        if (!v.is_table()) continue;
        const std::string h = join_path(hdr, quote_key(k));
        os << "\n[" << h << "]\n";
        emit_toml(os, v, h, join_path(rp, quote_key(k)), reg);
    }
    for (const std::string& k : keys) {
        const config_node& v = *t.fields.at(k);
        if (!v.is_table_array()) continue;
        const std::string h = join_path(hdr, quote_key(k));
        for (const auto& item : v.items) {
            os << "\n[[" << h << "]]\n";
            emit_toml(os, *item, h, join_path(rp, quote_key(k)) + "[]", reg);
        }
    }
}

nlohmann::json to_json_value(const config_node& n) {
    switch (n.k) {
        case config_node::kind::boolean: return n.b;
        case config_node::kind::integer: return n.i;
        case config_node::kind::real:
            return std::isfinite(n.d) ? nlohmann::json(n.d) : nlohmann::json(real_text(n.d));
        case config_node::kind::string:
        case config_node::kind::datetime: return n.s;
        case config_node::kind::array: {
            nlohmann::json a = nlohmann::json::array();
            for (const auto& item : n.items) a.push_back(to_json_value(*item));
            return a;
        }
        case config_node::kind::table: {
            nlohmann::json o = nlohmann::json::object();
            for (const auto& [k, v] : n.fields) o[k] = to_json_value(*v);
            return o;
        }
    }
    return nullptr;
}

void emit_provenance(std::ostream& os, const config_node& t, const std::string& kp,
                     const std::string& rp, const param_registry& reg) {
    for (const std::string& k : ordered_keys(t, rp, reg)) {
        const config_node& v = *t.fields.at(k);
        const std::string kpk = join_path(kp, quote_key(k)), rpk = join_path(rp, quote_key(k));
        if (v.is_table()) {
            emit_provenance(os, v, kpk, rpk, reg);
        } else if (v.is_table_array()) {
            for (size_t i = 0; i < v.items.size(); ++i)
                emit_provenance(os, *v.items[i], kpk + "[" + std::to_string(i) + "]", rpk + "[]", reg);
        } else {
            os << kpk << " = " << value_text(v) << "    # " << v.prov.str() << "\n";
        }
    }
}

}  // namespace

std::unique_ptr<config_node> detail::effective_tree(const config_node& root, const param_registry& reg) {
    auto t = root.clone();
    filler(reg).fill(*t, "");
    return t;
}

std::string config::to_toml(const param_registry& reg) const {
    const auto t = effective_tree(*m_root, reg);
    std::ostringstream os;
    emit_toml(os, *t, "", "", reg);
    std::string s = os.str();
    if (!s.empty() && s[0] == '\n') s.erase(0, 1);
    return s;
}

nlohmann::json config::to_json(const param_registry& reg) const {
    return to_json_value(*effective_tree(*m_root, reg));
}

std::string config::provenance_listing(const param_registry& reg) const {
    const auto t = effective_tree(*m_root, reg);
    std::ostringstream os;
    emit_provenance(os, *t, "", "", reg);
    return os.str();
}

std::string config::hash(const param_registry& reg) const {
    uint64_t h = 0xcbf29ce484222325ull;
    for (const unsigned char c : to_toml(reg)) {
        h ^= c;
        h *= 0x100000001b3ull;
    }
    char buf[20];
    std::snprintf(buf, sizeof buf, "%016" PRIx64, h);
    return buf;
}

}  // namespace vcmsim::platform
