// Loading: TOML files (the only file that includes toml++), include chains, merging of
// layers and -C overrides. See docs/config-format.md.
#include "platforms/config/config.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <toml++/toml.h>

#include "platforms/config/config_node.h"

namespace vcmsim::platform {

namespace fs = std::filesystem;

namespace {

constexpr unsigned k_max_depth = 64;                    // nested tables/arrays
constexpr uintmax_t k_max_file_bytes = 64ull << 20;     // 64 MiB per config file

std::string pos_str(const std::string& file, const toml::source_region& src) {
    return file + ":" + std::to_string(src.begin.line) + ":" + std::to_string(src.begin.column);
}

// Converts a toml++ node into our tree, stamping provenance. Depth-limited.
std::unique_ptr<config_node> convert(const toml::node& tn, const provenance& base,
                                     const std::string& file, unsigned depth) {
    auto n = std::make_unique<config_node>();
    n->prov = base;
    n->prov.line = tn.source().begin.line;
    n->prov.column = tn.source().begin.column;
    if (depth > k_max_depth)
        throw config_error(pos_str(file, tn.source()) + ": nesting deeper than " +
                           std::to_string(k_max_depth) + " levels");
    if (const toml::table* t = tn.as_table()) {
        n->k = config_node::kind::table;
        for (const auto& [key, child] : *t) {
            auto c = convert(child, base, file, depth + 1);
            // Point at the key ("entries = 5" -> the column of "entries"), not the value.
            if (key.source().begin.line != 0) {
                c->prov.line = key.source().begin.line;
                c->prov.column = key.source().begin.column;
            }
            n->fields[std::string(key.str())] = std::move(c);
        }
    } else if (const toml::array* a = tn.as_array()) {
        n->k = config_node::kind::array;
        n->items.reserve(a->size());
        for (const toml::node& child : *a) n->items.push_back(convert(child, base, file, depth + 1));
    } else if (const auto* v = tn.as_integer()) {
        n->k = config_node::kind::integer;
        n->i = v->get();
        n->hex = (v->flags() & toml::value_flags::format_as_hexadecimal) != toml::value_flags::none;
    } else if (const auto* f = tn.as_floating_point()) {
        n->k = config_node::kind::real;
        n->d = f->get();
    } else if (const auto* b = tn.as_boolean()) {
        n->k = config_node::kind::boolean;
        n->b = b->get();
    } else if (const auto* s = tn.as_string()) {
        n->k = config_node::kind::string;
        n->s = s->get();
    } else {
        n->k = config_node::kind::datetime;
        std::ostringstream os;
        if (const auto* dt = tn.as_date_time()) os << *dt;
        else if (const auto* da = tn.as_date()) os << *da;
        else if (const auto* ti = tn.as_time()) os << *ti;
        n->s = os.str();
    }
    // A source position of 0 means "unknown" (implicit tables): keep the parent's.
    if (n->prov.line == 0) n->prov = base;
    return n;
}

// Later layer wins: tables merge recursively, anything else is replaced (arrays of tables
// included: a later [[dram]] list replaces the earlier one as a whole).
void merge_into(config_node& dst, std::unique_ptr<config_node> src) {
    for (auto& [key, val] : src->fields) {
        auto it = dst.fields.find(key);
        if (it != dst.fields.end() && it->second->is_table() && val->is_table())
            merge_into(*it->second, std::move(val));
        else
            dst.fields[key] = std::move(val);
    }
}

class loader {
public:
    explicit loader(std::vector<std::string>& files) : m_files(files) {}

    // Loads `path` (its includes first), returning the merged tree of this file.
    std::unique_ptr<config_node> load_file(const std::string& path, const std::string& origin,
                                           const std::string& included_at) {
        std::string id;
        std::error_code ec;
        const fs::path canon = fs::weakly_canonical(fs::path(path), ec);
        id = ec ? path : canon.string();
        for (size_t i = 0; i < m_stack.size(); ++i) {
            if (m_stack[i].first != id) continue;
            std::string chain;
            for (size_t j = i; j < m_stack.size(); ++j) chain += m_stack[j].second + " -> ";
            throw config_error(included_at + ": include cycle: " + chain + path);
        }
        const std::string text = read(path, included_at);
        m_files.push_back(path);
        return load_text(text, path, origin, id);
    }

    std::unique_ptr<config_node> load_text(const std::string& text, const std::string& name,
                                           const std::string& origin, const std::string& id) {
        std::string_view body(text);
        if (body.size() >= 3 && body.substr(0, 3) == "\xEF\xBB\xBF") body.remove_prefix(3);
        toml::table tbl;
        try {
            tbl = toml::parse(body, name);
        } catch (const toml::parse_error& e) {
            throw config_error(pos_str(name, e.source()) + ": syntax error: " +
                               std::string(e.description()));
        }
        provenance base;
        base.file = name;
        base.origin = origin;
        base.line = 1;
        base.column = 1;
        auto own = convert(tbl, base, name, 0);
        own->prov = base;
        std::vector<std::pair<std::string, std::string>> includes;  // path, "file:l:c"
        if (auto it = own->fields.find("include"); it != own->fields.end()) {
            const config_node& inc = *it->second;
            const std::string at = inc.prov.str();
            auto add = [&](const config_node& n) {
                if (n.k != config_node::kind::string || n.s.empty())
                    throw config_error(n.prov.str() +
                                       ": include: expected a file name string or an array of them");
                includes.emplace_back(n.s, n.prov.str());
            };
            if (inc.is_array())
                for (const auto& item : inc.items) add(*item);
            else
                add(inc);
            own->fields.erase(it);
        }
        auto result = std::make_unique<config_node>();
        result->prov = base;
        m_stack.emplace_back(id, name);
        for (const auto& [inc_path, at] : includes) {
            fs::path p(inc_path);
            if (p.is_relative()) p = fs::path(name).parent_path() / p;
            merge_into(*result, load_file(p.lexically_normal().string(), "include", at));
        }
        m_stack.pop_back();
        merge_into(*result, std::move(own));
        return result;
    }

private:
    static std::string read(const std::string& path, const std::string& included_at) {
        const std::string who = included_at.empty() ? std::string() : included_at + ": ";
        const std::string what = included_at.empty() ? "config file" : "included file";
        std::error_code ec;
        if (fs::is_directory(path, ec))
            throw config_error(who + "cannot read " + what + " '" + path + "': is a directory",
                               exit_no_input);
        std::ifstream f(path, std::ios::binary);
        if (!f)
            throw config_error(who + "cannot read " + what + " '" + path + "': " +
                                   std::strerror(errno),
                               exit_no_input);
        const uintmax_t size = fs::file_size(path, ec);
        if (!ec && size > k_max_file_bytes)
            throw config_error(who + what + " '" + path + "' is larger than 64 MiB");
        std::ostringstream os;
        os << f.rdbuf();
        return os.str();
    }

    std::vector<std::string>& m_files;
    std::vector<std::pair<std::string, std::string>> m_stack;  // canonical id, display name
};

bool valid_utf8(const std::string& s) {
    for (size_t i = 0; i < s.size();) {
        const unsigned char c = static_cast<unsigned char>(s[i]);
        size_t n = c < 0x80 ? 0 : (c >> 5) == 0x6 ? 1 : (c >> 4) == 0xE ? 2 : (c >> 3) == 0x1E ? 3 : 9;
        if (n == 9 || (n == 1 && c < 0xC2) || i + n >= s.size()) return false;
        for (size_t k = 1; k <= n; ++k)
            if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
        i += n + 1;
    }
    return true;
}

struct path_segment {
    std::string name;
    bool indexed = false;
    size_t index = 0;
};

// "dma[1].channels", "log.levels.\"top.dma0\"". Returns false with a message.
bool parse_key_path(const std::string& text, std::vector<path_segment>& out, std::string& err) {
    size_t p = 0;
    const size_t n = text.size();
    while (true) {
        path_segment seg;
        while (p < n && text[p] == ' ') ++p;
        if (p < n && (text[p] == '"' || text[p] == '\'')) {
            const char q = text[p++];
            while (p < n && text[p] != q) seg.name += text[p++];
            if (p >= n) {
                err = "unterminated quoted key";
                return false;
            }
            ++p;
        } else {
            while (p < n && (std::isalnum(static_cast<unsigned char>(text[p])) || text[p] == '_' ||
                             text[p] == '-'))
                seg.name += text[p++];
            if (seg.name.empty()) {
                err = "expected a key name at offset " + std::to_string(p);
                return false;
            }
        }
        if (p < n && text[p] == '[') {
            size_t q = p + 1;
            uint64_t idx = 0;
            std::string e;
            const size_t close = text.find(']', q);
            if (close == std::string::npos || !parse_uint_text(text.substr(q, close - q), idx, e) ||
                idx > (1u << 20)) {
                err = "bad array index in '" + text + "'";
                return false;
            }
            seg.indexed = true;
            seg.index = static_cast<size_t>(idx);
            p = close + 1;
        }
        while (p < n && text[p] == ' ') ++p;
        out.push_back(seg);
        if (p == n) return true;
        if (text[p] != '.') {
            err = "unexpected '" + std::string(1, text[p]) + "' in key path";
            return false;
        }
        ++p;
    }
}

}  // namespace

std::string provenance::str() const {
    if (origin == "-C")
        return "-C #" + std::to_string(override_index) + " (" + override_text + ")";
    if (file.empty()) return "default";
    const std::string pos = file + ":" + std::to_string(line) + ":" + std::to_string(column);
    return origin == "-f" ? "-f " + pos : pos;
}

bool config_node::is_table_array() const {
    if (k != kind::array || items.empty()) return false;
    for (const auto& it : items)
        if (!it->is_table()) return false;
    return true;
}

const config_node* config_node::get(const std::string& key) const {
    if (k != kind::table) return nullptr;
    auto it = fields.find(key);
    return it == fields.end() ? nullptr : it->second.get();
}

std::unique_ptr<config_node> config_node::clone() const {
    auto c = std::make_unique<config_node>();
    c->k = k;
    c->b = b;
    c->i = i;
    c->d = d;
    c->s = s;
    c->hex = hex;
    c->prov = prov;
    for (const auto& [key, v] : fields) c->fields[key] = v->clone();
    c->items.reserve(items.size());
    for (const auto& v : items) c->items.push_back(v->clone());
    return c;
}

std::unique_ptr<config_node> detail::parse_value_text(const std::string& text,
                                                      const provenance& prov) {
    if (text.find_first_of("\r\n") != std::string::npos) return nullptr;
    try {
        const std::string doc = "v = " + text + "\n";
        toml::table t = toml::parse(std::string_view(doc), std::string_view("<value>"));
        if (t.size() != 1 || !t.contains("v")) return nullptr;
        auto n = convert(*t.get("v"), prov, "<value>", 1);
        struct stamp {
            static void all(config_node& x, const provenance& p) {
                x.prov = p;
                for (auto& f : x.fields) all(*f.second, p);
                for (auto& i : x.items) all(*i, p);
            }
        };
        stamp::all(*n, prov);
        return n;
    } catch (const toml::parse_error&) {
        return nullptr;
    } catch (const config_error&) {
        return nullptr;
    }
}

config::config() : m_root(std::make_unique<config_node>()) {}
config::config(config&&) noexcept = default;
config& config::operator=(config&&) noexcept = default;
config::~config() = default;

config config::load(const std::vector<std::string>& files,
                    const std::vector<std::string>& overrides) {
    config c;
    for (size_t i = 0; i < files.size(); ++i) {
        loader ld(c.m_files);
        auto tree = ld.load_file(files[i], i == 0 ? "file" : "-f", {});
        if (i == 0) c.m_root->prov = tree->prov;
        merge_into(*c.m_root, std::move(tree));
    }
    for (size_t i = 0; i < overrides.size(); ++i)
        c.apply_override(overrides[i], static_cast<unsigned>(i + 1));
    return c;
}

config config::from_string(const std::string& toml_text, const std::string& name) {
    config c;
    loader ld(c.m_files);
    std::error_code ec;
    const fs::path canon = fs::weakly_canonical(fs::path(name), ec);
    auto tree = ld.load_text(toml_text, name, "file", ec ? name : canon.string());
    c.m_root->prov = tree->prov;
    merge_into(*c.m_root, std::move(tree));
    return c;
}

void config::apply_override(const std::string& assignment, unsigned index) {
    provenance prov;
    prov.origin = "-C";
    prov.override_index = index;
    prov.override_text = assignment;
    if (!valid_utf8(assignment)) {
        prov.override_text = "<invalid UTF-8>";
        throw config_error(prov.str() + ": not valid UTF-8");
    }
    const std::string where = prov.str() + ": ";
    // Split at the first '=' outside quotes.
    size_t eq = std::string::npos;
    char quote = 0;
    for (size_t i = 0; i < assignment.size(); ++i) {
        const char c = assignment[i];
        if (quote) {
            if (c == quote) quote = 0;
        } else if (c == '"' || c == '\'') {
            quote = c;
        } else if (c == '=') {
            eq = i;
            break;
        }
    }
    if (eq == std::string::npos)
        throw config_error(where + "expected key=value (for example sim.seed=7)");
    std::vector<path_segment> segs;
    std::string err;
    if (!parse_key_path(assignment.substr(0, eq), segs, err)) throw config_error(where + err);
    if (segs.size() > k_max_depth)
        throw config_error(where + "key path deeper than " + std::to_string(k_max_depth) + " levels");
    std::string text = assignment.substr(eq + 1);
    while (!text.empty() && text.front() == ' ') text.erase(text.begin());
    while (!text.empty() && text.back() == ' ') text.pop_back();
    std::unique_ptr<config_node> value = detail::parse_value_text(text, prov);
    if (!value) {  // not a TOML value: take the text as a string (-C cpu.clock=2GHz)
        value = std::make_unique<config_node>();
        value->k = config_node::kind::string;
        value->s = text;
        value->prov = prov;
    }
    auto new_table = [&] {
        auto t = std::make_unique<config_node>();
        t->prov = prov;
        return t;
    };
    config_node* cur = m_root.get();
    std::string walked;
    for (size_t si = 0; si < segs.size(); ++si) {
        const path_segment& seg = segs[si];
        const bool last = si + 1 == segs.size();
        walked = detail::join_path(walked, detail::quote_key(seg.name));
        if (!cur->is_table())
            throw config_error(where + "'" + walked + "': parent is not a table");
        std::unique_ptr<config_node>& slot = cur->fields[seg.name];
        if (!seg.indexed) {
            if (last) {
                slot = std::move(value);
                return;
            }
            if (!slot) slot = new_table();
            if (!slot->is_table())
                throw config_error(where + "'" + walked + "' is " + kind_name(slot->k) +
                                   ", not a table");
            cur = slot.get();
            continue;
        }
        if (!slot) {
            slot = std::make_unique<config_node>();
            slot->k = config_node::kind::array;
            slot->prov = prov;
        }
        if (!slot->is_array())
            throw config_error(where + "'" + walked + "' is " + kind_name(slot->k) +
                               ", not an array");
        const size_t len = slot->items.size();
        const std::string array_name = walked;
        walked += "[" + std::to_string(seg.index) + "]";
        if (seg.index > len)
            throw config_error(where + "index " + std::to_string(seg.index) + " out of range: '" +
                               array_name + "' has " + std::to_string(len) +
                               " element(s); use index " + std::to_string(len) + " to append");
        if (seg.index == len) slot->items.push_back(last ? nullptr : new_table());
        if (last) {
            slot->items[seg.index] = std::move(value);
            return;
        }
        cur = slot->items[seg.index].get();
        if (!cur->is_table())
            throw config_error(where + "'" + walked + "' is " + kind_name(cur->k) +
                               ", not a table");
    }
}

config_view config::root() const { return root(param_registry::global()); }

config_view config::root(const param_registry& reg) const {
    return config_view(m_root.get(), "", &reg);
}

const std::vector<std::string>& config::files() const { return m_files; }

}  // namespace vcmsim::platform
