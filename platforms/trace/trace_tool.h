// `vcmsim trace inspect|export|diff`: offline analysis of TLB/miss trace files, and the
// run-side helper that configures the global trace sink from the --trace options.
// Every function writes to the given streams and returns an exit code: 0 ok, 64 usage,
// 65 bad trace data, 66 trace file missing, 74 output file cannot be written.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "models/core/trace.h"

namespace vcmsim::platform::trace {

struct filter_options {
    uint64_t win_start = 0, win_end = UINT64_MAX;  // [start, end) ps
    std::vector<uint16_t> streams;                 // empty = all
    std::string component;                         // substring of the component name; empty = all
};

struct inspect_options {
    filter_options filter;
    uint64_t page_bytes = 4096;   // granularity of "top missing pages"
    unsigned top = 10;
    uint64_t bin_ps = 0;          // walk-latency histogram bin; 0 = automatic (1-2-5 ns steps)
    std::string format = "text";  // text | json | csv
};

struct export_options {
    filter_options filter;
    std::string to;               // csv | jsonl | perfetto
    std::string out_path;         // empty or "-" = the output stream
};

// One (component, stream) row of a summary.
struct row_summary {
    uint16_t comp = 0;
    uint16_t stream = 0;
    uint64_t lookups = 0, hits = 0, misses = 0;
    uint64_t walks = 0, walk_reads = 0, walk_faults = 0;
    uint64_t faults = 0, invals = 0, fills = 0, evictions = 0;
    std::vector<uint32_t> walk_ps;  // walk latencies (sorted once summarised)
};

struct page_count {
    uint64_t page = 0, misses = 0, first_ps = 0;
    std::vector<uint16_t> streams;  // up to 4 distinct
};

struct trace_summary {
    nlohmann::ordered_json json;  // everything inspect --json prints
    std::vector<row_summary> rows;
    std::map<std::string, row_summary*> by_key;  // "component|stream"
};

// Reads `path` and summarises it (throws trace_error).
trace_summary summarize(const std::string& path, const inspect_options& o);

int trace_inspect(const std::string& path, const inspect_options& o, std::ostream& out, std::ostream& err);
int trace_export(const std::string& path, const export_options& o, std::ostream& out, std::ostream& err);
int trace_diff(const std::string& a, const std::string& b, const inspect_options& o, std::ostream& out,
               std::ostream& err);

// `vcmsim trace ...` (args after "trace"): parses options, runs, maps errors to exit codes.
int trace_main(const std::vector<std::string>& args);

// Option parsing shared with `vcmsim run --trace`:
//   categories  "miss,walk,fault,inval" (default when empty), "all", "none"/"off", "lookup(s)",
//               "fill", "evict", "dma"
//   window      "A:B" in time units ("1ms:2ms", ":5us", "10us:"); empty = all
//   streams     "0x10,0x11,65535" (stream ids; "cpu" = 0xFFFF); empty = all
bool parse_categories(const std::string& s, uint32_t& mask, std::string& err);
bool parse_window(const std::string& s, uint64_t& start, uint64_t& end, std::string& err);
bool parse_streams(const std::string& s, std::vector<uint16_t>& out, std::string& err);

// Configures and opens core::trace_sink::global() for a run. Returns 0, 64 (bad option text,
// message in err) or 74 (file cannot be created). counter_interval: time text, empty = 1us.
// Categories "none" leaves the sink closed. Call before sc_start; call
// core::trace_sink::global().close() after the run (before writing the summary).
int configure_trace_from_options(const std::string& categories, const std::string& window,
                                 const std::string& streams, const std::string& path,
                                 const core::trace_header_info& info, std::string& err,
                                 const std::string& counter_interval = "");

}  // namespace vcmsim::platform::trace
