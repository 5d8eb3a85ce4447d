#include "models/core/trace.h"

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <nlohmann/json.hpp>

namespace vcmsim::core {

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the trace writer stores records in host order and needs a little-endian host"
#endif
static_assert(offsetof(trace_record, dur_ps) == 24 && offsetof(trace_record, comp) == 28 &&
                  offsetof(trace_record, stream) == 30 && offsetof(trace_record, ctx) == 32 &&
                  offsetof(trace_record, ssid) == 36 && offsetof(trace_record, type) == 40 &&
                  offsetof(trace_record, outcome) == 41 && offsetof(trace_record, page_shift) == 42 &&
                  offsetof(trace_record, lvl_stage) == 43 && offsetof(trace_record, aux) == 44,
              "trace_record layout is the file layout");

namespace {

constexpr size_t buffer_records = 4096;  // 192 KiB per write
constexpr size_t slot_count = 4096;      // (component, stream) counter slots

template <typename T>
void put(uint8_t* p, T v) {
    for (size_t i = 0; i < sizeof(T); ++i) p[i] = static_cast<uint8_t>(static_cast<uint64_t>(v) >> (8 * i));
}

const char* category_names[] = {"lookup", "miss", "walk", "fault", "inval", "fill", "evict", "dma"};

std::string default_kind(const std::string& name) {
    const auto dot = name.rfind('.');
    return dot == std::string::npos ? name : name.substr(dot + 1);
}

}  // namespace

trace_sink::~trace_sink() { close(); }

trace_sink& trace_sink::global() {
    static trace_sink s;
    return s;
}

trace_sink& trace_sink::disabled() {
    static trace_sink s;
    return s;
}

uint16_t trace_sink::register_component(const std::string& name, const std::string& kind) {
    for (size_t i = 0; i < m_comp_names.size(); ++i)
        if (m_comp_names[i] == name) return static_cast<uint16_t>(i);
    if (m_comp_names.size() >= 0xFFFF) return 0xFFFF;  // table full: records land on "unknown"
    m_comp_names.push_back(name);
    m_comp_kinds.push_back(kind.empty() ? default_kind(name) : kind);
    return static_cast<uint16_t>(m_comp_names.size() - 1);
}

void trace_sink::register_stream(uint32_t sid, std::string label) { m_streams[sid] = std::move(label); }

void trace_sink::set_streams(const std::vector<uint16_t>& sids) {
    m_stream_filter = !sids.empty();
    m_stream_bits.assign(m_stream_filter ? 1024 : 0, 0);
    for (uint16_t s : sids) m_stream_bits[s >> 6] |= 1ULL << (s & 63);
}

std::string trace_sink::metadata(bool final) const {
    nlohmann::ordered_json j;
    j["schema"] = "vcmsim.trace.v1";
    j["tool"] = m_info.tool;
    j["config"] = m_info.config;
    j["config_hash"] = m_info.config_hash;
    j["seed"] = m_info.seed;
    j["time_unit"] = "ps";
    auto cats = nlohmann::json::array();
    for (unsigned i = 0; i < 8; ++i)
        if (m_categories & (1u << i)) cats.push_back(category_names[i]);
    j["categories"] = cats;
    j["lookups_folded"] = (m_categories & trace_cat::lookup) == 0;
    j["counter_interval_ps"] = m_interval;
    j["window_ps"] = {m_win_start, m_win_end == UINT64_MAX ? nlohmann::json() : nlohmann::json(m_win_end)};
    auto sf = nlohmann::json::array();
    for (unsigned s = 0; m_stream_filter && s < 65536; ++s)
        if (m_stream_bits[s >> 6] >> (s & 63) & 1) sf.push_back(s);
    j["stream_filter"] = sf;
    auto comps = nlohmann::json::array();
    for (size_t i = 0; i < m_comp_names.size(); ++i)
        comps.push_back({{"id", i}, {"name", m_comp_names[i]}, {"kind", m_comp_kinds[i]}});
    j["components"] = comps;
    auto streams = nlohmann::json::array();
    for (const auto& [sid, label] : m_streams) streams.push_back({{"sid", sid}, {"label", label}});
    j["streams"] = streams;
    j["record_bytes"] = trace_format::record_bytes;
    j["record_fields"] = {"t_ps:u64", "in_addr:u64", "out_addr:u64", "dur_ps:u32", "comp:u16",
                          "stream:u16", "ctx:u32", "ssid:u32", "type:u8", "outcome:u8",
                          "page_shift:u8", "lvl_stage:u8", "aux:u32"};
    j["final"] = final;
    j["records"] = final ? nlohmann::json(m_written) : nlohmann::json();
    j["dropped_counter_lookups"] = m_dropped_lookups;
    return j.dump();
}

namespace {
void make_header(uint8_t* h, uint64_t count, uint64_t records_off, uint64_t meta_off, uint32_t meta_bytes,
                 uint32_t reserved, bool closed) {
    std::memset(h, 0, trace_format::header_bytes);
    std::memcpy(h, trace_format::magic, 8);
    put<uint16_t>(h + 8, trace_format::version);
    put<uint16_t>(h + 10, trace_format::header_bytes);
    put<uint32_t>(h + 12, trace_format::byte_order);
    put<uint16_t>(h + 16, trace_format::record_bytes);
    put<uint16_t>(h + 18, closed ? trace_format::flag_closed : 0);
    put<uint32_t>(h + 20, 1);
    put<uint64_t>(h + 24, count);
    put<uint64_t>(h + 32, records_off);
    put<uint64_t>(h + 40, meta_off);
    put<uint32_t>(h + 48, meta_bytes);
    put<uint32_t>(h + 52, reserved);
}
}  // namespace

bool trace_sink::open(const std::string& path, const trace_header_info& info, std::string* err) {
    close();
    m_file = std::fopen(path.c_str(), "wb");
    if (!m_file) {
        if (err) *err = "cannot create trace file '" + path + "': " + std::strerror(errno);
        return false;
    }
    m_path = path;
    m_info = info;
    m_buf.assign(buffer_records, trace_record{});
    m_used = 0;
    m_written = 0;
    m_write_error = false;
    m_slots.assign(slot_count, slot{});
    m_slot_order.clear();
    m_last_slot = nullptr;
    m_dropped_lookups = 0;
    m_fold_start = 0;
    m_fold_end = m_interval;
    const std::string meta = metadata(false);
    m_meta_reserved = std::max<uint64_t>(16384, (meta.size() * 2 + 4095) / 4096 * 4096);
    uint8_t h[trace_format::header_bytes];
    make_header(h, trace_format::unfinished, trace_format::header_bytes + m_meta_reserved,
                trace_format::header_bytes, static_cast<uint32_t>(meta.size()),
                static_cast<uint32_t>(m_meta_reserved), false);
    std::vector<char> region(m_meta_reserved, 0);
    std::memcpy(region.data(), meta.data(), meta.size());
    if (std::fwrite(h, sizeof h, 1, m_file) != 1 || std::fwrite(region.data(), region.size(), 1, m_file) != 1) {
        if (err) *err = "cannot write trace file '" + path + "': " + std::strerror(errno);
        std::fclose(m_file);
        m_file = nullptr;
        return false;
    }
    m_active = m_categories | ((m_categories & trace_cat::lookup) ? 0 : trace_cat::counter);
    return true;
}

void trace_sink::write_buffer() {
    if (m_used && m_file && std::fwrite(m_buf.data(), sizeof(trace_record), m_used, m_file) != m_used)
        m_write_error = true;
    m_used = 0;
}

void trace_sink::flush() {
    write_buffer();
    if (m_file) std::fflush(m_file);
}

trace_sink::slot* trace_sink::find_slot(uint32_t key) {
    size_t i = (key * 0x9E3779B1u) >> 20;  // 12 bits for 4096 slots
    for (size_t n = 0; n < slot_count; ++n, i = (i + 1) & (slot_count - 1)) {
        slot& s = m_slots[i];
        if (s.key == key) return m_last_slot = &s;
        if (s.key == 0xFFFFFFFFu) {
            if (m_slot_order.size() >= slot_count * 3 / 4) return nullptr;
            s.key = key;
            m_slot_order.push_back(static_cast<uint32_t>(i));
            return m_last_slot = &s;
        }
    }
    return nullptr;
}

void trace_sink::fold(uint64_t new_start) {
    for (uint32_t i : m_slot_order) {
        slot& s = m_slots[i];
        if (!s.lookups) continue;
        trace_record r;
        r.t_ps = m_fold_start;
        r.in_addr = s.lookups;
        r.out_addr = s.hits;
        r.dur_ps = static_cast<uint32_t>(std::min<uint64_t>(m_interval, UINT32_MAX));
        r.comp = static_cast<uint16_t>(s.key >> 16);
        r.stream = static_cast<uint16_t>(s.key);
        r.type = static_cast<uint8_t>(trace_type::counter);
        r.lvl_stage = trace_lvl(-1, 0);
        m_buf[m_used++] = r;
        ++m_written;
        if (m_used == m_buf.size()) write_buffer();
        s.lookups = s.hits = 0;
    }
    m_fold_start = new_start;
    m_fold_end = new_start + m_interval;
}

void trace_sink::count_lookup_slow(uint16_t comp, uint16_t stream, bool hit, uint64_t t_ps) {
    if (!m_active || t_ps < m_win_start || t_ps >= m_win_end || !stream_ok(stream)) return;
    if (t_ps >= m_fold_end) fold(t_ps - t_ps % m_interval);
    const uint32_t key = (uint32_t(comp) << 16) | stream;
    slot* s = m_last_slot && m_last_slot->key == key ? m_last_slot : find_slot(key);
    if (!s) {
        ++m_dropped_lookups;
        return;
    }
    ++s->lookups;
    s->hits += hit;
}

void trace_sink::record_lookup_slow(trace_record r, bool hit) {
    r.type = static_cast<uint8_t>(trace_type::lookup);
    r.outcome = static_cast<uint8_t>(hit ? trace_outcome::hit : trace_outcome::miss);
    if (m_active & trace_cat::lookup) {
        record(r);
        return;
    }
    count_lookup(r.comp, r.stream, hit, r.t_ps);
    if (!hit && (m_active & trace_cat::miss)) {
        r.ssid |= trace_flag::counted;
        record(r);
    }
}

bool trace_sink::close(std::string* err) {
    if (!m_file) return true;
    fold(m_fold_end);
    write_buffer();
    const uint64_t records_end = trace_format::header_bytes + m_meta_reserved + m_written * trace_format::record_bytes;
    const std::string meta = metadata(true);
    uint64_t meta_off = trace_format::header_bytes;
    bool ok = !m_write_error;
    if (meta.size() <= m_meta_reserved) {
        std::vector<char> region(m_meta_reserved, 0);
        std::memcpy(region.data(), meta.data(), meta.size());
        ok = ok && std::fseek(m_file, trace_format::header_bytes, SEEK_SET) == 0 &&
             std::fwrite(region.data(), region.size(), 1, m_file) == 1;
    } else {
        meta_off = records_end;
        ok = ok && std::fseek(m_file, 0, SEEK_END) == 0 && std::fwrite(meta.data(), meta.size(), 1, m_file) == 1;
    }
    uint8_t h[trace_format::header_bytes];
    make_header(h, m_written, trace_format::header_bytes + m_meta_reserved, meta_off,
                static_cast<uint32_t>(meta.size()), static_cast<uint32_t>(m_meta_reserved), true);
    ok = ok && std::fseek(m_file, 0, SEEK_SET) == 0 && std::fwrite(h, sizeof h, 1, m_file) == 1;
    ok = (std::fclose(m_file) == 0) && ok;
    m_file = nullptr;
    m_active = 0;
    m_last_slot = nullptr;
    m_buf.clear();
    m_buf.shrink_to_fit();
    if (!ok && err) *err = "error writing trace file '" + m_path + "'";
    return ok;
}

}  // namespace vcmsim::core
