#include "platforms/trace/trace_reader.h"

#include <cstdio>
#include <cstring>

namespace vcmsim::platform::trace {

namespace {

constexpr size_t chunk_records = 4096;

template <typename T>
T get(const uint8_t* p) {
    uint64_t v = 0;
    for (size_t i = 0; i < sizeof(T); ++i) v |= static_cast<uint64_t>(p[i]) << (8 * i);
    return static_cast<T>(v);
}

const char* const type_names[] = {"?", "lookup", "fill", "evict", "walk", "walk_step", "inval",
                                  "fault", "counter", "dma_begin", "dma_end"};

}  // namespace

std::string hex(uint64_t v) {
    char b[24];
    std::snprintf(b, sizeof b, "0x%llx", static_cast<unsigned long long>(v));
    return b;
}

const char* type_name(uint8_t t) { return t <= core::trace_type_max ? type_names[t] : "?"; }

const char* outcome_name(uint8_t o) {
    switch (static_cast<core::trace_outcome>(o)) {
    case core::trace_outcome::none: return "none";
    case core::trace_outcome::hit: return "hit";
    case core::trace_outcome::miss: return "miss";
    case core::trace_outcome::done: return "done";
    case core::trace_outcome::fault: return "fault";
    case core::trace_outcome::inval_all: return "all";
    case core::trace_outcome::inval_asid: return "asid";
    case core::trace_outcome::inval_va: return "va";
    case core::trace_outcome::inval_vaa: return "va_all_asids";
    case core::trace_outcome::inval_vmid: return "vmid";
    case core::trace_outcome::inval_ste: return "ste";
    case core::trace_outcome::inval_cd: return "cd";
    case core::trace_outcome::inval_range: return "range";
    }
    return "?";
}

const char* fault_name(uint32_t k) {
    switch (k) {
    case 1: return "translation";
    case 2: return "access_flag";
    case 3: return "permission";
    case 4: return "address_size";
    case 5: return "walk_abort";
    case 0x100 | 0x01: return "F_UUT";
    case 0x100 | 0x02: return "C_BAD_STREAMID";
    case 0x100 | 0x04: return "C_BAD_STE";
    case 0x100 | 0x06: return "F_STREAM_DISABLED";
    case 0x100 | 0x0A: return "C_BAD_CD";
    case 0x100 | 0x0B: return "F_WALK_EABT";
    case 0x100 | 0x10: return "F_TRANSLATION";
    case 0x100 | 0x11: return "F_ADDR_SIZE";
    case 0x100 | 0x12: return "F_ACCESS";
    case 0x100 | 0x13: return "F_PERMISSION";
    default: return "other";
    }
}

std::string trace_meta::stream_label(uint16_t sid) const {
    auto it = streams.find(sid);
    return it == streams.end() ? std::string() : it->second;
}

trace_reader::trace_reader(const std::string& path) {
    m_meta.path = path;
    m_in.open(path, std::ios::binary);
    if (!m_in) throw trace_error(path + ": cannot open trace file: " + std::strerror(errno), 66);
    m_in.seekg(0, std::ios::end);
    const uint64_t size = static_cast<uint64_t>(m_in.tellg());
    m_meta.file_bytes = size;
    m_in.seekg(0);
    auto bad = [&](const std::string& what) { return trace_error(path + ": " + what, 65); };
    if (size < core::trace_format::header_bytes)
        throw bad("not a vcmsim trace: " + std::to_string(size) + " bytes, shorter than the 64-byte header");
    uint8_t h[core::trace_format::header_bytes];
    m_in.read(reinterpret_cast<char*>(h), sizeof h);
    if (std::memcmp(h, core::trace_format::magic, 8) != 0) throw bad("not a vcmsim trace (magic is not VCMTRACE)");
    m_meta.version = get<uint16_t>(h + 8);
    if (m_meta.version != core::trace_format::version)
        throw bad("trace format version " + std::to_string(m_meta.version) + " is not supported (this reader: " +
                  std::to_string(core::trace_format::version) + ")");
    if (get<uint16_t>(h + 10) != core::trace_format::header_bytes) throw bad("bad header size field");
    if (get<uint32_t>(h + 12) != core::trace_format::byte_order)
        throw bad("bad byte-order tag (expected 0x01020304 little-endian)");
    if (get<uint16_t>(h + 16) != core::trace_format::record_bytes)
        throw bad("record size " + std::to_string(get<uint16_t>(h + 16)) + " is not 48");
    if (get<uint32_t>(h + 20) != 1) throw bad("time unit is not 1 ps");
    const bool closed = get<uint16_t>(h + 18) & core::trace_format::flag_closed;
    const uint64_t count = get<uint64_t>(h + 24);
    const uint64_t rec_off = get<uint64_t>(h + 32);
    const uint64_t meta_off = get<uint64_t>(h + 40);
    const uint64_t meta_bytes = get<uint32_t>(h + 48);
    const uint64_t reserved = get<uint32_t>(h + 52);
    if (!closed || count == core::trace_format::unfinished)
        throw bad("truncated: the trace was never closed (the writing run stopped early); " +
                  std::to_string(size > rec_off ? (size - rec_off) / 48 : 0) + " complete records present");
    if (rec_off < core::trace_format::header_bytes) throw bad("records offset " + std::to_string(rec_off) + " is inside the header");
    if (rec_off > size)
        throw bad("truncated: the file ends at byte " + std::to_string(size) + ", before the records (offset " +
                  std::to_string(rec_off) + ")");
    if (count > (size - rec_off) / core::trace_format::record_bytes)
        throw bad("truncated: header announces " + std::to_string(count) + " records, the file holds " +
                  std::to_string((size - rec_off) / core::trace_format::record_bytes));
    const uint64_t rec_end = rec_off + count * core::trace_format::record_bytes;
    const bool meta_front = meta_off == core::trace_format::header_bytes && meta_bytes <= reserved &&
                            rec_off == core::trace_format::header_bytes + reserved;
    const bool meta_back = meta_off == rec_end;
    if (!meta_front && !meta_back) throw bad("metadata block at " + std::to_string(meta_off) + " overlaps the records");
    const uint64_t expect = meta_front ? rec_end : meta_off + meta_bytes;
    if (size < expect) throw bad("truncated: " + std::to_string(size) + " bytes, expected " + std::to_string(expect));
    if (size > expect)
        throw bad(std::to_string(size - expect) + " unexpected bytes after the end of the trace");
    std::string meta(meta_bytes, '\0');
    m_in.seekg(static_cast<std::streamoff>(meta_off));
    m_in.read(meta.data(), static_cast<std::streamsize>(meta_bytes));
    try {
        m_meta.json = nlohmann::ordered_json::parse(meta);
        const auto& j = m_meta.json;
        if (!j.is_object() || j.value("schema", "") != "vcmsim.trace.v1")
            throw bad("metadata block: schema is not vcmsim.trace.v1");
        m_meta.tool = j.at("tool").get<std::string>();
        m_meta.config = j.at("config").get<std::string>();
        m_meta.config_hash = j.at("config_hash").get<std::string>();
        m_meta.seed = j.at("seed").get<uint64_t>();
        m_meta.categories = j.at("categories").get<std::vector<std::string>>();
        m_meta.lookups_folded = j.at("lookups_folded").get<bool>();
        m_meta.counter_interval_ps = j.at("counter_interval_ps").get<uint64_t>();
        for (const auto& c : j.at("components")) {
            if (c.at("id").get<uint64_t>() != m_meta.comp_names.size())
                throw bad("metadata block: component ids are not 0, 1, 2...");
            m_meta.comp_names.push_back(c.at("name").get<std::string>());
            m_meta.comp_kinds.push_back(c.at("kind").get<std::string>());
        }
        for (const auto& s : j.at("streams"))
            m_meta.streams[s.at("sid").get<uint32_t>()] = s.at("label").get<std::string>();
        if (j.at("records").get<uint64_t>() != count)
            throw bad("metadata says " + std::to_string(j.at("records").get<uint64_t>()) +
                      " records, the header " + std::to_string(count));
    } catch (const nlohmann::json::exception& e) {
        throw bad(std::string("metadata block is not valid: ") + e.what());
    }
    if (!m_in) throw bad("read error in the metadata block");
    m_meta.record_count = count;
    m_meta.records_offset = rec_off;
    rewind();
}

void trace_reader::rewind() {
    m_in.clear();
    m_in.seekg(static_cast<std::streamoff>(m_meta.records_offset));
    m_chunk.clear();
    m_pos = 0;
    m_index = 0;
    m_loaded = 0;
}

void trace_reader::fill() {
    const uint64_t n = std::min<uint64_t>(chunk_records, m_meta.record_count - m_loaded);
    m_chunk.resize(n);
    m_in.read(reinterpret_cast<char*>(m_chunk.data()), static_cast<std::streamsize>(n * sizeof(core::trace_record)));
    if (!m_in) throw trace_error(m_meta.path + ": read error at record " + std::to_string(m_loaded), 65);
    m_loaded += n;
    m_pos = 0;
}

bool trace_reader::next(core::trace_record& r) {
    if (m_index >= m_meta.record_count) return false;
    if (m_pos >= m_chunk.size()) fill();
    r = m_chunk[m_pos++];
    const uint64_t i = m_index++;
    auto bad = [&](const std::string& what) {
        return trace_error(m_meta.path + ": record " + std::to_string(i) + ": " + what, 65);
    };
    if (r.type == 0 || r.type > core::trace_type_max) throw bad("unknown record type " + std::to_string(r.type));
    if (r.outcome > core::trace_outcome_max || (r.outcome > 4 && r.outcome < 8))
        throw bad("unknown outcome " + std::to_string(r.outcome));
    if (r.comp >= m_meta.comp_names.size())
        throw bad("component id " + std::to_string(r.comp) + " is not in the component table (" +
                  std::to_string(m_meta.comp_names.size()) + " components)");
    if (r.page_shift > 52) throw bad("page shift " + std::to_string(r.page_shift) + " is out of range");
    const unsigned lvl = r.lvl_stage & 0xF;
    if (lvl > 3 && lvl != 0xF) throw bad("level " + std::to_string(lvl) + " is out of range");
    if (r.type == static_cast<uint8_t>(core::trace_type::counter) && r.out_addr > r.in_addr)
        throw bad("counter has more hits (" + std::to_string(r.out_addr) + ") than lookups (" +
                  std::to_string(r.in_addr) + ")");
    return true;
}

}  // namespace vcmsim::platform::trace
