#include "platforms/smmu_replay/oracle_case.h"

#include <fstream>
#include <limits>
#include <sstream>

#include <nlohmann/json.hpp>

namespace vcmsim::platform::replay {

using json = nlohmann::json;

oracle_format_error::oracle_format_error(const std::string& file, const std::string& json_path,
                                         const std::string& what)
    : std::runtime_error(file + ": " + json_path + ": " + what), m_file(file), m_path(json_path),
      m_detail(what) {}

std::uint32_t event_record::word(unsigned i) const {
    const std::uint8_t* p = raw.data() + 4 * i;
    return std::uint32_t(p[0]) | std::uint32_t(p[1]) << 8 | std::uint32_t(p[2]) << 16 |
           std::uint32_t(p[3]) << 24;
}

std::string event_record::hex() const { return to_hex(raw.data(), raw.size()); }

bool dma_op::has_deviation(const std::string& id) const {
    for (const auto& d : deviations)
        if (d == id) return true;
    return false;
}

std::size_t oracle_case::dma_count() const {
    std::size_t n = 0;
    for (const auto& e : trace) n += e.dma() != nullptr;
    return n;
}

std::string to_hex(const std::uint8_t* p, std::size_t n) {
    static const char digits[] = "0123456789abcdef";
    std::string s(2 * n, '0');
    for (std::size_t i = 0; i < n; ++i) {
        s[2 * i] = digits[p[i] >> 4];
        s[2 * i + 1] = digits[p[i] & 15];
    }
    return s;
}

namespace {

int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

}  // namespace

byte_vector from_hex(const std::string& s) {
    if (s.size() % 2) throw std::invalid_argument("odd number of hex digits (" + std::to_string(s.size()) + ")");
    byte_vector v(s.size() / 2);
    for (std::size_t i = 0; i < v.size(); ++i) {
        int hi = hex_digit(s[2 * i]), lo = hex_digit(s[2 * i + 1]);
        if (hi < 0 || lo < 0)
            throw std::invalid_argument("not a hex digit at position " + std::to_string(hi < 0 ? 2 * i : 2 * i + 1));
        v[i] = std::uint8_t(hi << 4 | lo);
    }
    return v;
}

namespace {

// A JSON value together with its path, for error messages.
class node {
public:
    node(const json& j, std::string path, const std::string& file) : m_j(j), m_path(std::move(path)), m_file(file) {}

    [[noreturn]] void fail(const std::string& what) const { throw oracle_format_error(m_file, m_path, what); }
    const json& raw() const { return m_j; }
    const std::string& path() const { return m_path; }
    bool is_null() const { return m_j.is_null(); }

    node at(const char* key) const {
        if (!m_j.is_object()) fail("expected an object");
        auto it = m_j.find(key);
        if (it == m_j.end()) throw oracle_format_error(m_file, m_path, std::string("missing key '") + key + "'");
        return node(*it, m_path + "." + key, m_file);
    }
    std::optional<node> find(const char* key) const {
        if (!m_j.is_object()) fail("expected an object");
        auto it = m_j.find(key);
        if (it == m_j.end()) return std::nullopt;
        return node(*it, m_path + "." + key, m_file);
    }
    std::size_t size() const {
        if (!m_j.is_array()) fail("expected an array");
        return m_j.size();
    }
    node operator[](std::size_t i) const {
        return node(m_j.at(i), m_path + "[" + std::to_string(i) + "]", m_file);
    }

    std::uint64_t u64(std::uint64_t max = std::numeric_limits<std::uint64_t>::max()) const {
        std::uint64_t v = 0;
        if (m_j.is_number_unsigned())
            v = m_j.get<std::uint64_t>();
        else if (m_j.is_number_integer()) {
            std::int64_t s = m_j.get<std::int64_t>();
            if (s < 0) fail("expected an unsigned integer, got " + m_j.dump());
            v = std::uint64_t(s);
        } else {
            fail("expected an unsigned integer, got " + std::string(m_j.is_number_float() ? "a non-integer or too large number " : "") + m_j.dump().substr(0, 40));
        }
        if (v > max) fail("value " + std::to_string(v) + " out of range (max " + std::to_string(max) + ")");
        return v;
    }
    std::uint32_t u32() const { return std::uint32_t(u64(0xffffffffu)); }
    std::optional<std::uint64_t> u64_or_null() const {
        if (m_j.is_null()) return std::nullopt;
        return u64();
    }
    bool boolean() const {
        if (!m_j.is_boolean()) fail("expected true or false");
        return m_j.get<bool>();
    }
    std::string str() const {
        if (!m_j.is_string()) fail("expected a string");
        return m_j.get<std::string>();
    }
    byte_vector hex() const {
        try {
            return from_hex(str());
        } catch (const std::invalid_argument& e) {
            fail(std::string("bad hex string: ") + e.what());
        }
    }
    addr_size pair() const {
        if (size() < 2) fail("expected [base, size]");
        return {(*this)[0].u64(), (*this)[1].u64()};
    }

private:
    const json& m_j;
    std::string m_path;
    const std::string& m_file;
};

std::uint64_t u64_or(const node& n, const char* key, std::uint64_t dflt) {
    auto v = n.find(key);
    return v ? v->u64() : dflt;
}

platform_info parse_platform(const node& n) {
    platform_info p;
    p.ram = n.at("ram").pair();
    p.smmu_base = n.at("smmu_base").u64();
    p.smmu_size = u64_or(n, "smmu_size", p.smmu_size);
    if (auto e = n.find("ecam"); e && !e->is_null()) p.ecam = e->pair();
    if (auto m = n.find("iommu_map")) {
        for (std::size_t i = 0; i < m->size(); ++i) {
            node r = (*m)[i];
            if (r.size() < 4) r.fail("expected [rid_base, phandle, sid_base, length]");
            p.iommu_map.push_back({r[0].u64(), r[1].u64(), r[2].u64(), r[3].u64()});
        }
    }
    if (auto pre = n.find("ram_preloaded")) {
        for (std::size_t i = 0; i < pre->size(); ++i) {
            node r = (*pre)[i];
            preloaded_region reg{r.at("addr").u64(), r.at("len").u64(), {}};
            if (auto w = r.find("what")) reg.what = w->str();
            p.ram_preloaded.push_back(reg);
        }
    }
    return p;
}

smmu_idregs parse_idregs(const node& n) {
    smmu_idregs r;
    auto u32_or = [&](const char* k) { auto v = n.find(k); return v ? v->u32() : 0u; };
    r.idr0 = u32_or("IDR0");
    r.idr1 = u32_or("IDR1");
    r.idr3 = u32_or("IDR3");
    r.idr5 = u32_or("IDR5");
    r.aidr = u32_or("AIDR");
    r.s1p = u32_or("s1p");
    r.s2p = u32_or("s2p");
    r.ttf = u32_or("ttf");
    r.stlevel = u32_or("stlevel");
    r.sidsize = u32_or("sidsize");
    r.eventqs = u32_or("eventqs");
    r.cmdqs = u32_or("cmdqs");
    r.oas_bits = u32_or("oas_bits");
    r.gran4k = u32_or("gran4k");
    r.gran16k = u32_or("gran16k");
    r.gran64k = u32_or("gran64k");
    return r;
}

device_info parse_device(const node& n, unsigned index) {
    device_info d;
    d.index = index;
    if (auto i = n.find("index"); i && i->u64() != index) i->fail("index " + std::to_string(i->u64()) + " at position " + std::to_string(index));
    d.name = n.find("name") ? n.at("name").str() : "edu" + std::to_string(index);
    if (auto b = n.find("bdf")) d.bdf = b->str();
    d.rid = n.find("rid") ? n.at("rid").u32() : 0;
    d.sid = n.at("sid").u32();
    d.bar0 = u64_or(n, "bar0", 0);
    bool mask_key = false;
    if (auto m = n.find("dma_mask")) { mask_key = true; d.dma_mask = m->u64_or_null(); }
    if (auto m = n.find("dma_addr_mask"))
        d.dma_addr_mask = m->u64();
    else  // revision 1: derive it as the harness does (null = edu's 28-bit default)
        d.dma_addr_mask = d.dma_mask ? *d.dma_mask : (mask_key ? (1ull << 28) - 1 : ~0ull);
    if (auto b = n.find("buffer")) {
        d.buffer_size = std::uint32_t(b->at("size").u64(1u << 20));
        d.buffer_usable = std::uint32_t(u64_or(*b, "usable", d.buffer_size));
        d.buffer_initial_fill = std::uint8_t(b->find("initial_fill") ? b->at("initial_fill").u64(255) : 0);
        if (d.buffer_usable > d.buffer_size) b->fail("usable > size");
    }
    d.max_len = std::uint32_t(n.find("max_len") ? n.at("max_len").u64(d.buffer_usable) : d.buffer_usable);
    d.aborted_read_fill = std::uint8_t(n.find("aborted_read_fill") ? n.at("aborted_read_fill").u64(255) : 0);
    return d;
}

std::vector<mem_range> parse_mem_ranges(const node& n) {
    std::vector<mem_range> out;
    for (std::size_t i = 0; i < n.size(); ++i) {
        node r = n[i];
        if (r.size() != 2) r.fail("expected [pa, hex]");
        out.push_back({r[0].u64(), r[1].hex()});
    }
    return out;
}

observed_result parse_observed(const node& n) {
    observed_result o;
    if (!n.raw().is_object()) n.fail("expected an object");
    if (auto d = n.find("data")) o.data = d->hex();
    if (auto l = n.find("landed_at")) { o.has_landed_at = true; o.landed_at = l->u64_or_null(); }
    if (auto l = n.find("landed_at_2nd_page")) { o.has_landed_at_2nd_page = true; o.landed_at_2nd_page = l->u64_or_null(); }
    if (auto m = n.find("mem_after")) o.mem_after = parse_mem_ranges(*m);
    return o;
}

dma_op parse_dma(const node& n, const oracle_case& c) {
    dma_op d;
    std::string dir = n.at("dir").str();
    if (dir == "read") d.dir = dma_dir::read;
    else if (dir == "write") d.dir = dma_dir::write;
    else n.at("dir").fail("expected \"read\" or \"write\", got \"" + dir + "\"");
    d.sid = n.at("sid").u32();
    d.dev = n.find("dev") ? unsigned(n.at("dev").u64(0xffff)) : 0;
    if (d.dev >= c.devices.size())
        n.at("dev").fail("device " + std::to_string(d.dev) + " not in devices (" + std::to_string(c.devices.size()) + ")");
    const device_info& dev = c.devices[d.dev];
    if (d.sid != dev.sid)
        n.at("sid").fail("StreamID " + std::to_string(d.sid) + " differs from devices[" + std::to_string(d.dev) + "].sid " + std::to_string(dev.sid));
    d.iova = n.at("iova").u64();
    d.len = std::uint32_t(n.at("len").u64(dev.max_len));
    if (d.len == 0) n.at("len").fail("zero-length DMA");
    d.buf_off = std::uint32_t(n.at("buf_off").u64(dev.buffer_usable));
    if (std::uint64_t(d.buf_off) + d.len > dev.buffer_usable)
        n.at("buf_off").fail("buf_off + len exceeds the device buffer (" + std::to_string(dev.buffer_usable) + " usable bytes)");
    d.harness = n.find("harness") ? n.at("harness").boolean() : false;
    node ev = n.at("events");
    for (std::size_t i = 0; i < ev.size(); ++i) {
        byte_vector b = ev[i].hex();
        if (b.size() != 32) ev[i].fail("event record of " + std::to_string(b.size()) + " bytes, expected 32");
        event_record r;
        std::copy(b.begin(), b.end(), r.raw.begin());
        d.events.push_back(r);
    }
    if (auto dv = n.find("deviations")) {
        for (std::size_t i = 0; i < dv->size(); ++i) {
            std::string id = (*dv)[i].str();
            if (c.revision >= 2 && !c.known_deviations.count(id)) (*dv)[i].fail("deviation '" + id + "' not in known_deviations");
            d.deviations.push_back(id);
        }
    }
    if (auto o = n.find("observed"); o && !o->is_null()) d.observed = parse_observed(*o);
    if (auto w = n.find("ref_walk"); w && !w->is_null()) {
        ref_walk_info r;
        r.ok = w->at("ok").boolean();
        if (auto l = w->find("level"); l && !l->is_null()) r.level = unsigned(l->u64(3));
        if (r.ok) {
            r.pa = w->at("pa").u64();
            r.size = u64_or(*w, "size", 0);
            r.ap = unsigned(w->find("ap") ? w->at("ap").u64(3) : 0);
        } else if (auto f = w->find("fault"); f && !f->is_null()) {
            r.fault = f->str();
        }
        d.ref_walk = r;
    }
    return d;
}

trace_entry parse_entry(const node& n, std::size_t index, const oracle_case& c) {
    trace_entry e;
    e.index = index;
    std::string k = n.at("k").str();
    auto tag = [&] { auto t = n.find("tag"); return t ? t->str() : std::string(); };
    if (k == "mem") {
        mem_write_op m{n.at("addr").u64(), n.at("data").hex(), tag()};
        if (m.data.empty()) n.at("data").fail("empty memory write");
        e.op = std::move(m);
    } else if (k == "fill") {
        e.op = mem_fill_op{n.at("addr").u64(), n.at("len").u64(), std::uint8_t(n.at("value").u64(255)), tag()};
    } else if (k == "reg") {
        reg_write_op r{n.at("off").u64(), n.at("val").u64(), unsigned(n.find("width") ? n.at("width").u64() : 32)};
        if (r.width != 32 && r.width != 64) n.at("width").fail("width must be 32 or 64");
        if (r.width == 32 && r.val > 0xffffffffu) n.at("val").fail("32-bit register write of a value above 2^32");
        e.op = r;
    } else if (k == "dma") {
        e.op = parse_dma(n, c);
    } else {
        n.at("k").fail("unknown trace entry kind \"" + k + "\"");
    }
    return e;
}

std::string file_stem(const std::string& path) {
    std::size_t s = path.find_last_of('/');
    std::string base = s == std::string::npos ? path : path.substr(s + 1);
    std::size_t dot = base.rfind(".json");
    return dot == std::string::npos ? base : base.substr(0, dot);
}

}  // namespace

oracle_case parse_oracle_case(const std::string& text, const std::string& file) {
    json doc;
    try {
        doc = json::parse(text);
    } catch (const json::parse_error& e) {
        throw oracle_format_error(file, "$", std::string("not valid JSON (truncated or corrupted?) at byte ") +
                                                 std::to_string(e.byte) + ": " + e.what());
    }
    node root(doc, "$", file);
    if (!doc.is_object()) root.fail("the top level is not an object");
    oracle_case c;
    c.file = file;
    c.name = file_stem(file);
    c.format = root.at("format").str();
    if (c.format != oracle_format_name) root.at("format").fail("unknown format \"" + c.format + "\"");
    if (auto r = root.find("format_revision")) {
        c.revision = unsigned(r->u64(1000));
        if (c.revision < 1 || c.revision > oracle_max_revision)
            r->fail("unsupported format_revision " + std::to_string(c.revision) + " (this reader knows 1.." +
                    std::to_string(oracle_max_revision) + ")");
    }
    if (auto q = root.find("qemu")) {
        if (auto v = q->find("version")) c.qemu_version = v->str();
        if (auto t = q->find("time_mode")) c.time_mode = t->str();
    }
    c.platform = parse_platform(root.at("platform"));
    c.idregs = parse_idregs(root.at("smmu_idregs"));
    if (auto devs = root.find("devices"); devs && devs->size() > 0) {
        for (std::size_t i = 0; i < devs->size(); ++i) c.devices.push_back(parse_device((*devs)[i], unsigned(i)));
    } else {
        c.devices.push_back(parse_device(root.at("edu"), 0));
    }
    for (std::size_t i = 0; i < c.devices.size(); ++i)
        for (std::size_t j = 0; j < i; ++j)
            if (c.devices[i].sid == c.devices[j].sid)
                root.at("devices")[i].at("sid").fail("StreamID shared with devices[" + std::to_string(j) + "]");
    c.one_buffer_ok = root.find("one_buffer_ok") ? root.at("one_buffer_ok").boolean() : c.devices.size() == 1;
    if (auto t = root.find("transactions")) {
        if (auto v = t->find("ssv")) c.transactions.ssv = unsigned(v->u64(1));
        if (auto v = t->find("ssid")) c.transactions.ssid = v->u32();
        if (auto v = t->find("privileged")) c.transactions.privileged = v->boolean();
        if (auto v = t->find("instruction")) c.transactions.instruction = v->boolean();
        if (auto v = t->find("secure")) c.transactions.secure = v->boolean();
        if (auto v = t->find("ats_translated")) c.transactions.ats_translated = v->boolean();
    }
    if (auto st = root.find("stream_table"); st && !st->is_null()) {
        if (auto b = st->find("base"); b && !b->is_null()) c.stream_table_base = b->u64();
        if (auto l = st->find("log2size"); l && !l->is_null()) c.stream_table_log2size = unsigned(l->u64(32));
    }
    if (auto kd = root.find("known_deviations")) {
        if (!kd->raw().is_object()) kd->fail("expected an object");
        for (auto it = kd->raw().begin(); it != kd->raw().end(); ++it) {
            node d(it.value(), kd->path() + "." + it.key(), file);
            deviation_info info;
            if (auto v = d.find("qemu")) info.qemu = v->str();
            if (auto v = d.find("architecture")) info.architecture = v->str();
            if (auto v = d.find("compare")) info.compare = v->str();
            c.known_deviations[it.key()] = info;
        }
    }
    node tr = root.at("trace");
    c.trace.reserve(tr.size());
    for (std::size_t i = 0; i < tr.size(); ++i) c.trace.push_back(parse_entry(tr[i], i, c));
    return c;
}

oracle_case load_oracle_case(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw oracle_format_error(path, "$", "cannot open the file");
    std::ostringstream ss;
    ss << in.rdbuf();
    if (in.bad()) throw oracle_format_error(path, "$", "read error");
    return parse_oracle_case(ss.str(), path);
}

}  // namespace vcmsim::platform::replay
