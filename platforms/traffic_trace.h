// Reader of traffic traces: the text files a traffic generator replays (`traffic[].trace`).
// Format (traces/README.md, "Traffic traces"):
//   # vcmsim traffic trace v1            first line, required
//   # any other line starting with # is a comment; blank lines are ignored
//   <time> <R|W> <address> <size> [<stream>]
// time: picoseconds, or with a unit ("250ns", "1.5us"), relative to the start of the run, never
// decreasing; address: hex (0x...) or decimal; size: bytes, 1..4096; stream: StreamID (default:
// the generator's stream_id).
#pragma once

#include <string>
#include <vector>

#include "models/devices/traffic_gen.h"

namespace vcmsim::platform {

// Throws config_error naming file:line (exit_bad_input; exit_no_input for a missing file).
std::vector<devices::trace_record> load_traffic_trace(const std::string& path, uint32_t default_stream);

}  // namespace vcmsim::platform
