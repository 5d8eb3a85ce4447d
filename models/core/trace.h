// TLB/miss trace sink: the one object every translation point (CPU micro-TLB and TLB, SMMU
// TLBs, walk caches, walkers, event queue, invalidation commands) writes records to. Plain
// C++, no SystemC kernel: the caller passes the simulated time (ps) of each record.
//
// File format (traces/README.md): a 64-byte fixed header, a JSON metadata block (components,
// streams, categories, config hash, seed), then fixed 48-byte little-endian records.
//
// Cost model: a disabled sink costs one load and one predictable branch at each point
//
//   if (m_trace->enabled(core::trace_cat::walk)) m_trace->record(r);
//
// (hook owners keep a trace_sink* that is never null: trace_sink::disabled() by default).
// Records go through a fixed buffer written with fwrite: no allocation per record.
//
// Compile-time switch: CMake option VCMSIM_TRACE (default ON) defines VCMSIM_TRACE_ENABLED=1/0.
// With 0, enabled() and active() are constexpr false / 0, so the optimizer removes every hook
// body; hooks that pass `tr` on to another function AND it with trace_compiled_mask first. The
// writer itself (open, record, close) still works, for the tools and tests that write files.
//
// Lookups: when category `lookup` is off, record_lookup() folds every lookup into a per
// (component, stream) COUNTER record every counter_interval ps of simulated time, so the hit
// rate over time survives; misses are still recorded when `miss` is on, flagged as counted.
// Records are written in emission order; with temporal decoupling, times across components
// may go backwards by up to one quantum.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#ifndef VCMSIM_TRACE_ENABLED
#define VCMSIM_TRACE_ENABLED 1
#endif

namespace vcmsim::core {

// True when the trace hooks are compiled in (VCMSIM_TRACE=ON).
constexpr bool trace_compiled_in = VCMSIM_TRACE_ENABLED != 0;
// `tr &= trace_compiled_mask` makes a category word passed between functions a constant 0 when
// tracing is compiled out.
constexpr uint32_t trace_compiled_mask = trace_compiled_in ? ~0u : 0u;

// One record, exactly as stored in the file (little-endian host, no padding).
struct trace_record {
    uint64_t t_ps = 0;       // event time; start time for WALK
    uint64_t in_addr = 0;    // VA / IOVA (COUNTER: lookups in the interval)
    uint64_t out_addr = 0;   // PA / IPA, 0 when none (COUNTER: hits in the interval)
    uint32_t dur_ps = 0;     // latency, saturating (COUNTER: interval length)
    uint16_t comp = 0;       // component id (metadata table)
    uint16_t stream = 0;     // StreamID (low 16 bits); 0xFFFF = CPU
    uint32_t ctx = 0;        // ASID (low 16) | VMID (high 16)
    uint32_t ssid = 0;       // SubstreamID (bits 19:0) | flags (bits 31:20, trace_flag)
    uint8_t type = 0;        // trace_type
    uint8_t outcome = 0;     // trace_outcome
    uint8_t page_shift = 0;  // log2 page/block size, 0 = unknown
    uint8_t lvl_stage = 0;   // level (3:0, 0xF none) | stage (5:4) | perms (7:6)
    uint32_t aux = 0;        // per type: WALK reads etc., FAULT kind, INVAL count
};
static_assert(sizeof(trace_record) == 48, "trace records are 48 bytes");

enum class trace_type : uint8_t {
    lookup = 1, fill = 2, evict = 3, walk = 4, walk_step = 5, inval = 6, fault = 7, counter = 8,
    dma_begin = 9, dma_end = 10,
};
constexpr unsigned trace_type_max = 10;

enum class trace_outcome : uint8_t {
    none = 0, hit = 1, miss = 2, done = 3, fault = 4,
    inval_all = 8, inval_asid = 9, inval_va = 10, inval_vaa = 11, inval_vmid = 12,
    inval_ste = 13, inval_cd = 14, inval_range = 15,
};
constexpr unsigned trace_outcome_max = 15;

// ssid flag bits (bits 31:20 of trace_record::ssid).
namespace trace_flag {
constexpr uint32_t counted = 1u << 20;  // LOOKUP also folded into a COUNTER record
constexpr uint32_t ssid_valid = 1u << 21;
constexpr uint32_t ssid_mask = 0xFFFFFu;
}  // namespace trace_flag

// Categories (bit mask). `counter` is internal: set whenever the sink is open and `lookup` is
// off, so hook points call record_lookup() for every lookup in both cases.
namespace trace_cat {
constexpr uint32_t lookup = 1u << 0;   // every lookup, hits included
constexpr uint32_t miss = 1u << 1;     // lookups that miss
constexpr uint32_t walk = 1u << 2;
constexpr uint32_t fault = 1u << 3;
constexpr uint32_t inval = 1u << 4;
constexpr uint32_t fill = 1u << 5;
constexpr uint32_t evict = 1u << 6;
constexpr uint32_t dma = 1u << 7;
constexpr uint32_t counter = 1u << 8;
constexpr uint32_t defaults = miss | walk | fault | inval;
constexpr uint32_t all = lookup | miss | walk | fault | inval | fill | evict | dma;
constexpr uint32_t any_lookup = lookup | miss | counter;
}  // namespace trace_cat

// Level/stage/perms byte helpers.
constexpr uint8_t trace_lvl(int level, unsigned stage = 1, unsigned perms = 0) {
    return static_cast<uint8_t>((level < 0 || level > 14 ? 0xF : level) | ((stage & 3) << 4) | ((perms & 3) << 6));
}
constexpr uint32_t trace_ctx(uint16_t asid, uint16_t vmid = 0) { return asid | (uint32_t(vmid) << 16); }

constexpr uint16_t trace_cpu_stream = 0xFFFF;

// Fixed header (64 bytes, little-endian; traces/README.md):
//   0 magic "VCMTRACE" | 8 u16 version | 10 u16 header_bytes | 12 u32 byte-order tag 0x01020304
//   16 u16 record_bytes | 18 u16 flags (bit 0 closed) | 20 u32 time unit in ps (1)
//   24 u64 record_count (all ones until closed) | 32 u64 records_offset | 40 u64 meta_offset
//   48 u32 meta_bytes | 52 u32 meta_reserved | 56 u64 zero
namespace trace_format {
constexpr char magic[9] = "VCMTRACE";
constexpr uint16_t version = 1;
constexpr uint16_t header_bytes = 64;
constexpr uint16_t record_bytes = 48;
constexpr uint32_t byte_order = 0x01020304u;
constexpr uint16_t flag_closed = 1;
constexpr uint64_t unfinished = ~0ULL;
}  // namespace trace_format

struct trace_header_info {
    std::string tool;          // "vcmsim 0.1.0"
    std::string config;        // config file(s), as given
    std::string config_hash;   // hash of the resolved config
    uint64_t seed = 0;
};

class trace_sink {
public:
    trace_sink() = default;
    ~trace_sink();
    trace_sink(const trace_sink&) = delete;
    trace_sink& operator=(const trace_sink&) = delete;

    // The process-wide sink models register with (closed, all categories off, by default).
    static trace_sink& global();
    // A sink that is never opened: the default target of hook points.
    static trace_sink& disabled();

    // The hook gates. The categories in force are 0 while closed: a hook with several points
    // reads active() once. Constant false / 0 when tracing is compiled out.
#if VCMSIM_TRACE_ENABLED
    bool enabled(uint32_t cat) const { return (m_active & cat) != 0; }
    uint32_t active() const { return m_active; }
#else
    static constexpr bool enabled(uint32_t) { return false; }
    static constexpr uint32_t active() { return 0; }
#endif
    bool is_open() const { return m_file != nullptr; }

    // Ids are stable: registering a known name again returns its id. Kind: "utlb", "tlb",
    // "walk_cache", "walker", "event_queue", "cmdq"...; empty = last name component.
    uint16_t register_component(const std::string& hierarchical_name, const std::string& kind = "");
    void register_stream(uint32_t sid, std::string label);
    const std::vector<std::string>& components() const { return m_comp_names; }

    // Configuration (before open; takes effect at open).
    void set_categories(uint32_t mask) { m_categories = mask & trace_cat::all; }
    uint32_t categories() const { return m_categories; }
    void set_window(uint64_t start_ps, uint64_t end_ps) { m_win_start = start_ps; m_win_end = end_ps; }
    void set_streams(const std::vector<uint16_t>& sids);  // empty = every stream
    void set_counter_interval(uint64_t ps) { m_interval = ps ? ps : 1; }
    uint64_t counter_interval() const { return m_interval; }

    // Opens `path` and writes the header; false with `err` set when the file cannot be made.
    bool open(const std::string& path, const trace_header_info& info, std::string* err = nullptr);
    // Folds the last counters, writes the final metadata and record count, closes. Returns
    // false on a write error (err set).
    bool close(std::string* err = nullptr);
    void flush();

    // Records r if it passes the window and stream filter (the caller checked its category).
    void record(const trace_record& r) {
        if (!m_active || r.t_ps < m_win_start || r.t_ps >= m_win_end || !stream_ok(r.stream)) return;
        m_buf[m_used++] = r;
        ++m_written;
        if (m_used == m_buf.size()) write_buffer();
    }
    // A lookup (type/outcome set by the sink): a LOOKUP record when `lookup` is on, else folded
    // into counters (and a flagged LOOKUP record when it missed and `miss` is on).
    void record_lookup(const trace_record& r, bool hit) {
        if (hit && !(m_active & trace_cat::lookup)) count_lookup(r.comp, r.stream, true, r.t_ps);
        else record_lookup_slow(r, hit);
    }
    // Folds one lookup into the (component, stream) counters of the current interval. The
    // common case (same slot as last time, inside the window and the current interval) is inline.
    void count_lookup(uint16_t comp, uint16_t stream, bool hit, uint64_t t_ps) {
        const uint32_t key = (uint32_t(comp) << 16) | stream;
        if (m_last_slot && m_last_slot->key == key && t_ps < m_fold_end && t_ps >= m_win_start && t_ps < m_win_end) {
            ++m_last_slot->lookups;
            m_last_slot->hits += hit;
            return;
        }
        count_lookup_slow(comp, stream, hit, t_ps);
    }

    uint64_t records_written() const { return m_written; }

private:
    struct slot {
        uint32_t key = 0xFFFFFFFFu;
        uint64_t lookups = 0, hits = 0;
    };
    bool stream_ok(uint16_t s) const { return !m_stream_filter || (m_stream_bits[s >> 6] >> (s & 63) & 1); }
    void write_buffer();
    void record_lookup_slow(trace_record r, bool hit);
    void count_lookup_slow(uint16_t comp, uint16_t stream, bool hit, uint64_t t_ps);
    void fold(uint64_t new_start);
    slot* find_slot(uint32_t key);
    std::string metadata(bool final) const;

    uint32_t m_active = 0;       // categories in force (0 while closed)
    uint32_t m_categories = trace_cat::defaults;
    uint64_t m_win_start = 0, m_win_end = UINT64_MAX;
    bool m_stream_filter = false;
    std::vector<uint64_t> m_stream_bits;
    uint64_t m_interval = 1000000;  // 1 us
    uint64_t m_fold_start = 0, m_fold_end = 0;

    std::vector<std::string> m_comp_names, m_comp_kinds;
    std::map<uint32_t, std::string> m_streams;

    std::FILE* m_file = nullptr;
    std::string m_path;
    trace_header_info m_info;
    std::vector<trace_record> m_buf;
    size_t m_used = 0;
    uint64_t m_written = 0;
    uint64_t m_meta_reserved = 0;
    bool m_write_error = false;
    std::vector<slot> m_slots;          // open addressing, power-of-two size
    std::vector<uint32_t> m_slot_order; // used slots in first-use order
    slot* m_last_slot = nullptr;
    uint64_t m_dropped_lookups = 0;
};

}  // namespace vcmsim::core
