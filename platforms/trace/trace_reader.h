// Streaming reader of vcmsim TLB/miss trace files (*.vtr, format in traces/README.md).
// Validates the fixed header, the JSON metadata block, the record count against the file size
// and every record's enums and component id; any problem throws trace_error with a message
// naming the file (and record index) and exit code 65 (66 when the file cannot be opened).
#pragma once

#include <cstdint>
#include <fstream>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "models/core/trace.h"

namespace vcmsim::platform::trace {

struct trace_error : std::runtime_error {
    trace_error(const std::string& msg, int code) : std::runtime_error(msg), code(code) {}
    int code;
};

struct trace_meta {
    std::string path;
    uint16_t version = 0;
    uint64_t record_count = 0;
    uint64_t records_offset = 0;
    uint64_t file_bytes = 0;
    nlohmann::ordered_json json;          // the metadata block as stored
    std::vector<std::string> comp_names;  // by id
    std::vector<std::string> comp_kinds;
    std::map<uint32_t, std::string> streams;
    std::vector<std::string> categories;
    bool lookups_folded = true;           // hits folded into COUNTER records
    uint64_t counter_interval_ps = 0;
    std::string tool, config, config_hash;
    uint64_t seed = 0;

    std::string component(uint16_t id) const { return id < comp_names.size() ? comp_names[id] : "?"; }
    std::string stream_label(uint16_t sid) const;
};

class trace_reader {
public:
    // Opens and validates the header and metadata (throws trace_error).
    explicit trace_reader(const std::string& path);
    const trace_meta& meta() const { return m_meta; }
    // The next record, validated; false at the end (throws trace_error on a bad record).
    bool next(core::trace_record& r);
    void rewind();
    uint64_t index() const { return m_index; }

private:
    void fill();
    trace_meta m_meta;
    std::ifstream m_in;
    std::vector<core::trace_record> m_chunk;
    size_t m_pos = 0;
    uint64_t m_index = 0, m_loaded = 0;
};

// Names of the enums, for text, CSV and JSON outputs.
const char* type_name(uint8_t type);
const char* outcome_name(uint8_t outcome);
const char* fault_name(uint32_t kind);
std::string hex(uint64_t v);

}  // namespace vcmsim::platform::trace
