// config_view: typed getters over one table, falling back to registry defaults.
#include "platforms/config/config_node.h"

namespace vcmsim::platform {

using namespace detail;

namespace {

struct lookup_result {
    const config_node* table = nullptr;  // the table holding the key (may be null)
    const config_node* value = nullptr;  // present value, or the default, or null
    const param_def* def = nullptr;
    bool present = false;
};

std::vector<std::string> split_dots(const std::string& key) {
    std::vector<std::string> parts;
    size_t start = 0;
    for (size_t dot = key.find('.'); dot != std::string::npos; dot = key.find('.', start)) {
        parts.push_back(key.substr(start, dot - start));
        start = dot + 1;
    }
    parts.push_back(key.substr(start));
    return parts;
}

}  // namespace

config_view::config_view(const config_node* node, std::string path, const param_registry* reg)
    : m_node(node), m_path(std::move(path)), m_reg(reg) {}

std::string config_view::key_path(const std::string& key) const { return join_path(m_path, key); }

namespace {

// Finds `key` (dotted, relative to the view) and its parameter.
lookup_result find_key(const config_view& v, const config_node* node, const param_registry* reg,
                       const std::string& key, bool strict = true) {
    lookup_result r;
    const std::vector<std::string> parts = split_dots(key);
    const config_node* t = node;
    std::string table_path = v.path();
    for (size_t i = 0; i + 1 < parts.size(); ++i) {
        const config_node* next = t ? t->get(parts[i]) : nullptr;
        if (next && !next->is_table() && !strict) next = nullptr;
        if (next && !next->is_table())
            v.fail(key, std::string("'") + parts[i] + "' is " + kind_name(next->k) + ", not a table");
        t = next;
        table_path = join_path(table_path, parts[i]);
    }
    r.table = t;
    const std::string& leaf = parts.back();
    r.value = t ? t->get(leaf) : nullptr;
    r.present = r.value != nullptr;
    if (reg) r.def = param_for(*reg, registry_path_of(table_path), t, leaf);
    return r;
}

}  // namespace

bool config_view::has(const std::string& key) const {
    return find_key(*this, m_node, nullptr, key).present;
}

namespace {

// The value to use for `key`: present, else the default; checked against its parameter.
const config_node& value_of(const config_view& v, const config_node* node,
                            const param_registry* reg, const std::string& key) {
    const lookup_result r = find_key(v, node, reg, key);
    const config_node* n = r.value;
    if (!n && r.def) n = default_node(*r.def);
    if (!n) {
        v.fail(key, !r.def            ? "missing key (not registered, no default)"
                    : r.def->required ? "missing required key"
                                      : "not set and has no default (check has() first)");
    }
    if (r.def) {
        std::string err;
        if (!check_value(*r.def, *n, err)) v.fail(key, err);
    }
    return *n;
}

}  // namespace

bool config_view::get_bool(const std::string& key) const {
    const config_node& n = value_of(*this, m_node, m_reg, key);
    if (n.k != config_node::kind::boolean) fail(key, std::string("expected a boolean, got ") + kind_name(n.k));
    return n.b;
}

int64_t config_view::get_int(const std::string& key) const {
    const config_node& n = value_of(*this, m_node, m_reg, key);
    if (n.k != config_node::kind::integer) fail(key, std::string("expected an integer, got ") + kind_name(n.k));
    return n.i;
}

uint64_t config_view::get_uint(const std::string& key) const {
    const config_node& n = value_of(*this, m_node, m_reg, key);
    uint64_t v = 0;
    std::string err;
    if (!uint_value(n, v, err)) fail(key, err);
    return v;
}

double config_view::get_double(const std::string& key) const {
    const config_node& n = value_of(*this, m_node, m_reg, key);
    if (n.k == config_node::kind::real) return n.d;
    if (n.k == config_node::kind::integer) return static_cast<double>(n.i);
    fail(key, std::string("expected a number, got ") + kind_name(n.k));
}

std::string config_view::get_string(const std::string& key) const {
    const config_node& n = value_of(*this, m_node, m_reg, key);
    if (n.k != config_node::kind::string) fail(key, std::string("expected a string, got ") + kind_name(n.k));
    return n.s;
}

namespace {
uint64_t unit_get(const config_view& v, const config_node* node, const param_registry* reg,
                  const std::string& key, param_type t) {
    const config_node& n = value_of(v, node, reg, key);
    uint64_t out = 0;
    std::string err;
    if (!unit_value(t, n, out, err)) v.fail(key, err);
    return out;
}
}  // namespace

uint64_t config_view::get_size(const std::string& key) const {
    return unit_get(*this, m_node, m_reg, key, param_type::size);
}
uint64_t config_view::get_time_ps(const std::string& key) const {
    return unit_get(*this, m_node, m_reg, key, param_type::time);
}
uint64_t config_view::get_freq_hz(const std::string& key) const {
    return unit_get(*this, m_node, m_reg, key, param_type::frequency);
}
uint64_t config_view::get_bandwidth(const std::string& key) const {
    return unit_get(*this, m_node, m_reg, key, param_type::bandwidth);
}

std::vector<uint64_t> config_view::get_uint_list(const std::string& key) const {
    const config_node& n = value_of(*this, m_node, m_reg, key);
    if (!n.is_array()) fail(key, std::string("expected an array, got ") + kind_name(n.k));
    std::vector<uint64_t> out;
    for (size_t i = 0; i < n.items.size(); ++i) {
        const config_node& item = *n.items[i];
        uint64_t v = 0;
        std::string err;
        if (!uint_value(item, v, err) &&
            (item.k != config_node::kind::string || !parse_size(item.s, v, err)))
            fail(key, "element " + std::to_string(i) + ": " + err);
        out.push_back(v);
    }
    return out;
}

std::vector<std::string> config_view::get_string_list(const std::string& key) const {
    const config_node& n = value_of(*this, m_node, m_reg, key);
    if (!n.is_array()) fail(key, std::string("expected an array, got ") + kind_name(n.k));
    std::vector<std::string> out;
    for (size_t i = 0; i < n.items.size(); ++i) {
        if (n.items[i]->k != config_node::kind::string)
            fail(key, "element " + std::to_string(i) + ": expected a string, got " +
                          kind_name(n.items[i]->k));
        out.push_back(n.items[i]->s);
    }
    return out;
}

std::vector<std::pair<std::string, std::string>> config_view::get_string_map(
    const std::string& key) const {
    const lookup_result r = find_key(*this, m_node, m_reg, key);
    const config_node* n = r.value ? r.value : (r.def ? default_node(*r.def) : nullptr);
    std::vector<std::pair<std::string, std::string>> out;
    if (!n) return out;  // an absent map is empty
    if (!n->is_table()) fail(key, std::string("expected a table of strings, got ") + kind_name(n->k));
    for (const auto& [k, v] : n->fields) {  // sorted by key
        if (v->k != config_node::kind::string)
            fail(key, "entry " + quote_key(k) + ": expected a string, got " + kind_name(v->k));
        out.emplace_back(k, v->s);
    }
    return out;
}

size_t config_view::count(const std::string& array_key) const {
    const lookup_result r = find_key(*this, m_node, nullptr, array_key);
    if (!r.value) return 0;
    if (!r.value->is_array())
        fail(array_key, std::string("expected an array of tables, got ") + kind_name(r.value->k));
    return r.value->items.size();
}

config_view config_view::at(const std::string& array_key, size_t index) const {
    const lookup_result r = find_key(*this, m_node, nullptr, array_key);
    const std::string p = key_path(array_key) + "[" + std::to_string(index) + "]";
    if (!r.value || !r.value->is_array() || index >= r.value->items.size())
        fail(array_key, "no element " + std::to_string(index) + " (" + std::to_string(count(array_key)) +
                            " present)");
    const config_node* item = r.value->items[index].get();
    if (!item->is_table()) fail(array_key, "element " + std::to_string(index) + " is not a table");
    return config_view(item, p, m_reg);
}

config_view config_view::table(const std::string& key) const {
    const lookup_result r = find_key(*this, m_node, nullptr, key);
    if (r.value && !r.value->is_table())
        fail(key, std::string("expected a table, got ") + kind_name(r.value->k));
    return config_view(r.value, key_path(key), m_reg);
}

std::string config_view::where(const std::string& key) const {
    if (!key.empty()) {
        const lookup_result r = find_key(*this, m_node, nullptr, key, false);
        if (r.value) return r.value->prov.str();
        if (r.table) return r.table->prov.str();
    }
    return m_node ? m_node->prov.str() : "default";
}

void config_view::fail(const std::string& key, const std::string& message) const {
    throw config_error(where(key) + ": " + (key.empty() ? m_path : key_path(key)) + ": " + message);
}

}  // namespace vcmsim::platform
