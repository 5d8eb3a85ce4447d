#include "platforms/traffic_trace.h"

#include <fstream>
#include <sstream>

#include "platforms/config/config.h"
#include "platforms/config/param_registry.h"

namespace vcmsim::platform {

namespace {
bool parse_u64(const std::string& s, uint64_t& out) {
    try {
        size_t used = 0;
        out = std::stoull(s, &used, 0);
        return used == s.size() && s[0] != '-';
    } catch (const std::exception&) {
        return false;
    }
}
}  // namespace

std::vector<devices::trace_record> load_traffic_trace(const std::string& path, uint32_t default_stream) {
    std::ifstream in(path);
    if (!in) throw config_error("cannot read traffic trace '" + path + "'", exit_no_input);
    std::vector<devices::trace_record> out;
    std::string line;
    unsigned n = 0;
    uint64_t last_time = 0;
    auto fail = [&](const std::string& what) {
        throw config_error(path + ":" + std::to_string(n) + ": " + what, exit_bad_input);
    };
    while (std::getline(in, line)) {
        ++n;
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (n == 1) {
            if (line != "# vcmsim traffic trace v1")
                fail("not a traffic trace: the first line must be '# vcmsim traffic trace v1'");
            continue;
        }
        const auto first = line.find_first_not_of(" \t");
        if (first == std::string::npos || line[first] == '#') continue;
        std::istringstream fields(line);
        std::string t, op, addr, size, stream, extra;
        fields >> t >> op >> addr >> size;
        if (size.empty()) fail("expected <time> <R|W> <address> <size> [<stream>]");
        fields >> stream >> extra;
        if (!extra.empty()) fail("too many fields");
        devices::trace_record r;
        std::string err;
        if (!parse_time_ps(t, r.time_ps, err)) fail("bad time '" + t + "': " + err);
        if (r.time_ps < last_time) fail("time goes backwards (" + t + ")");
        last_time = r.time_ps;
        if (op == "R" || op == "r") r.is_write = false;
        else if (op == "W" || op == "w") r.is_write = true;
        else fail("operation must be R or W, not '" + op + "'");
        if (!parse_u64(addr, r.address)) fail("bad address '" + addr + "'");
        uint64_t sz = 0;
        if (!parse_u64(size, sz) || sz == 0 || sz > 4096) fail("size must be 1..4096 bytes, not '" + size + "'");
        r.size = static_cast<uint32_t>(sz);
        if (r.address + (sz - 1) < r.address) fail("transaction wraps past the top of the address space");
        uint64_t sid = default_stream;
        if (!stream.empty() && (!parse_u64(stream, sid) || sid > 0xffffffffULL)) fail("bad stream '" + stream + "'");
        r.stream_id = static_cast<uint32_t>(sid);
        out.push_back(r);
    }
    if (n == 0) fail("empty file");
    if (out.empty()) fail("no transactions");
    return out;
}

}  // namespace vcmsim::platform
