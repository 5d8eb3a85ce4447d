// Reader of the QEMU SMMUv3 oracle's export format ("qemu-smmu-oracle-trace/1", revisions 1..3).
//
// The format is described in ../shared/tools/qemu_oracle/EXPORT-FORMAT.md (relative to the repo
// root) and summarised in docs/smmu-replay.md. One file = one case: the platform, the SMMU ID
// registers, the DMA devices and the chronological trace of guest-memory writes, SMMU register
// writes and DMAs, each DMA with what QEMU 7.2 did (raw event records, observed data, memory
// read back, deviation marks).
//
// Every integer is parsed as uint64_t directly from the JSON token (register values with RA set
// and the all-ones dma mask are above 2^53); floats, negative numbers and numbers above 2^64-1
// are rejected. Older revisions are normalised: a revision-1/2 file gets one device built from
// `edu`, every DMA gets `dev` 0. Unknown keys are ignored, as the format asks.
//
// Errors: a missing, unreadable, truncated or malformed file throws oracle_format_error, whose
// what() names the file and the JSON path of the offending value (e.g. `$.trace[56].events[2]`).
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

namespace vcmsim::platform::replay {

class oracle_format_error : public std::runtime_error {
public:
    oracle_format_error(const std::string& file, const std::string& json_path, const std::string& what);
    const std::string& file() const { return m_file; }
    const std::string& json_path() const { return m_path; }
    const std::string& detail() const { return m_detail; }

private:
    std::string m_file;
    std::string m_path;
    std::string m_detail;
};

using byte_vector = std::vector<std::uint8_t>;

struct addr_size {
    std::uint64_t base = 0;
    std::uint64_t size = 0;
};

struct iommu_map_entry {
    std::uint64_t rid_base = 0, iommu_phandle = 0, sid_base = 0, length = 0;
};

struct preloaded_region {
    std::uint64_t addr = 0, len = 0;
    std::string what;
};

struct platform_info {
    addr_size ram;                              // [base, size]
    std::uint64_t smmu_base = 0;
    std::uint64_t smmu_size = 0x20000;          // absent in revision 1: two 64 KiB pages
    std::optional<addr_size> ecam;
    std::vector<iommu_map_entry> iommu_map;
    std::vector<preloaded_region> ram_preloaded;  // contents not in the file; never touched
};

struct smmu_idregs {
    std::uint32_t idr0 = 0, idr1 = 0, idr3 = 0, idr5 = 0, aidr = 0;
    unsigned s1p = 0, s2p = 0, ttf = 0, stlevel = 0, sidsize = 0, eventqs = 0, cmdqs = 0;
    unsigned oas_bits = 0;
    bool gran4k = false, gran16k = false, gran64k = false;
};

struct device_info {
    unsigned index = 0;
    std::string name;                           // "edu<index>"
    std::string bdf;
    std::uint32_t rid = 0;
    std::uint32_t sid = 0;
    std::uint64_t bar0 = 0;
    std::optional<std::uint64_t> dma_mask;      // null: edu's default 28-bit mask
    std::uint64_t dma_addr_mask = ~0ull;        // SMMU input address = iova & dma_addr_mask
    std::uint32_t buffer_size = 4096;
    std::uint32_t buffer_usable = 4095;
    std::uint8_t buffer_initial_fill = 0;
    std::uint32_t max_len = 4095;
    std::uint8_t aborted_read_fill = 0;
};

struct transaction_attrs {
    unsigned ssv = 0;
    std::uint32_t ssid = 0;
    bool privileged = true, instruction = false, secure = false, ats_translated = false;
};

struct deviation_info {
    std::string qemu, architecture, compare;
};

// One 32-byte event record, as QEMU wrote it (little-endian words w0..w7).
struct event_record {
    std::array<std::uint8_t, 32> raw{};

    std::uint32_t word(unsigned i) const;
    std::uint8_t type() const { return raw[0]; }
    bool ssv() const { return (word(0) >> 11) & 1u; }
    std::uint32_t substream_id() const { return word(0) >> 12; }
    std::uint32_t stream_id() const { return word(1); }
    bool rnw() const { return (word(3) >> 3) & 1u; }
    std::uint64_t input_addr() const { return word(4) | (std::uint64_t(word(5)) << 32); }
    bool is_translation_fault() const { return type() >= 0x10 && type() <= 0x13; }  // F_TRANSLATION..F_PERMISSION
    std::string hex() const;
    bool operator==(const event_record& o) const { return raw == o.raw; }
};

struct mem_range {
    std::uint64_t pa = 0;
    byte_vector bytes;
};

struct observed_result {
    std::optional<byte_vector> data;            // read: bytes received; write: bytes found at landed_at
    bool has_landed_at = false;                 // write: key present
    std::optional<std::uint64_t> landed_at;     //   ... and its value (nullopt = JSON null)
    bool has_landed_at_2nd_page = false;
    std::optional<std::uint64_t> landed_at_2nd_page;
    std::vector<mem_range> mem_after;           // revision 2+
};

// The harness's own walk of its shadow tables for the first byte. Informational only; the
// comparison uses it solely as "the new translation" for stale_tlb_possible DMAs.
struct ref_walk_info {
    bool ok = false;
    std::uint64_t pa = 0;                        // ok
    std::optional<unsigned> level;
    std::uint64_t size = 0;                      // ok
    unsigned ap = 0;                             // ok
    std::string fault;                           // !ok, e.g. "F_TRANSLATION"
};

enum class dma_dir { read, write };

struct mem_write_op { std::uint64_t addr = 0; byte_vector data; std::string tag; };
struct mem_fill_op { std::uint64_t addr = 0, len = 0; std::uint8_t value = 0; std::string tag; };
struct reg_write_op { std::uint64_t off = 0, val = 0; unsigned width = 32; };

struct dma_op {
    dma_dir dir = dma_dir::read;
    std::uint32_t sid = 0;
    unsigned dev = 0;
    std::uint64_t iova = 0;                      // SMMU input = iova & devices[dev].dma_addr_mask
    std::uint32_t len = 0;
    std::uint32_t buf_off = 0;
    bool harness = false;
    std::vector<event_record> events;            // QEMU's records, queue order
    std::vector<std::string> deviations;         // ids of known_deviations
    std::optional<observed_result> observed;
    std::optional<ref_walk_info> ref_walk;

    bool has_deviation(const std::string& id) const;
};

struct trace_entry {
    std::size_t index = 0;                       // position in the file's trace (the `i` of results)
    std::variant<mem_write_op, mem_fill_op, reg_write_op, dma_op> op;

    const dma_op* dma() const { return std::get_if<dma_op>(&op); }
};

struct oracle_case {
    std::string file;                            // path or name it was read from
    std::string name;                            // file stem
    std::string format;
    unsigned revision = 1;
    std::string qemu_version, time_mode;
    platform_info platform;
    smmu_idregs idregs;
    std::vector<device_info> devices;            // never empty; devices[i].index == i
    bool one_buffer_ok = true;
    transaction_attrs transactions;
    std::uint64_t stream_table_base = 0;         // informational: the trace is authoritative
    unsigned stream_table_log2size = 0;
    std::map<std::string, deviation_info> known_deviations;
    std::vector<trace_entry> trace;

    // Revision 1 did not record EVTQ_CONS writes: a replayer drains its queue after every DMA.
    bool implicit_evtq_drain() const { return revision < 2; }
    std::size_t dma_count() const;
};

// The format string every file carries, and the revisions this reader accepts.
inline constexpr const char* oracle_format_name = "qemu-smmu-oracle-trace/1";
inline constexpr unsigned oracle_max_revision = 3;

// Reads and parses a file. Throws oracle_format_error.
oracle_case load_oracle_case(const std::string& path);
// Parses JSON text; `file` names it in errors. Throws oracle_format_error.
oracle_case parse_oracle_case(const std::string& text, const std::string& file);

// Lowercase hex without prefix <-> bytes (memory order). from_hex throws std::invalid_argument.
std::string to_hex(const std::uint8_t* p, std::size_t n);
inline std::string to_hex(const byte_vector& v) { return to_hex(v.data(), v.size()); }
byte_vector from_hex(const std::string& s);

}  // namespace vcmsim::platform::replay
