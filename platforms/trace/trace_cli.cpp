// `vcmsim trace inspect|export|diff` option parsing, and the --trace options of `vcmsim run`.
#include <iostream>
#include <sstream>

#include <boost/program_options.hpp>

#include "platforms/config/param_registry.h"
#include "platforms/trace/trace_tool.h"

namespace po = boost::program_options;

namespace vcmsim::platform::trace {

namespace {

const char* trace_help =
    "usage: vcmsim trace <command> FILE... [options]\n"
    "\n"
    "commands:\n"
    "  inspect FILE [--json|--csv] [--page-size 4KiB] [--top N] [--bin 50ns]\n"
    "                     per-component and per-stream lookups, hit rates, misses, walks;\n"
    "                     top missing pages; walk-latency percentiles and histogram;\n"
    "                     faults and invalidations\n"
    "  export FILE --to csv|jsonl|perfetto [-o OUT]\n"
    "                     every record as CSV or JSON lines, or Chrome/Perfetto trace JSON\n"
    "                     (open it at https://ui.perfetto.dev)\n"
    "  diff A B [--json|--csv]   per-stream summaries of two traces side by side\n"
    "\n"
    "common options: --window A:B (e.g. 1ms:2ms, times in ps ns us ms s), --stream 0x10,cpu,\n"
    "                --component NAME (substring of the component name)\n"
    "exit codes: 0 ok, 64 usage, 65 malformed or truncated trace, 66 file missing, 74 output error\n";

std::vector<std::string> split(const std::string& s, char sep) {
    std::vector<std::string> out;
    std::string cur;
    std::istringstream in(s);
    while (std::getline(in, cur, sep)) {
        const auto b = cur.find_first_not_of(" \t"), e = cur.find_last_not_of(" \t");
        out.push_back(b == std::string::npos ? std::string() : cur.substr(b, e - b + 1));
    }
    return out;
}

struct usage : std::runtime_error {
    using std::runtime_error::runtime_error;
};

}  // namespace

bool parse_categories(const std::string& s, uint32_t& mask, std::string& err) {
    if (s.empty()) {
        mask = core::trace_cat::defaults;
        return true;
    }
    mask = 0;
    for (const auto& c : split(s, ',')) {
        if (c == "all") mask |= core::trace_cat::all;
        else if (c == "default" || c == "defaults") mask |= core::trace_cat::defaults;
        else if (c == "none" || c == "off") mask |= 0;
        else if (c == "lookup" || c == "lookups") mask |= core::trace_cat::lookup;
        else if (c == "miss" || c == "misses") mask |= core::trace_cat::miss;
        else if (c == "walk" || c == "walks") mask |= core::trace_cat::walk;
        else if (c == "fault" || c == "faults") mask |= core::trace_cat::fault;
        else if (c == "inval" || c == "invalidations") mask |= core::trace_cat::inval;
        else if (c == "fill") mask |= core::trace_cat::fill;
        else if (c == "evict") mask |= core::trace_cat::evict;
        else if (c == "dma") mask |= core::trace_cat::dma;
        else {
            err = "unknown trace category '" + c + "' (lookup, miss, walk, fault, inval, fill, evict, dma, all, none)";
            return false;
        }
    }
    return true;
}

bool parse_window(const std::string& s, uint64_t& start, uint64_t& end, std::string& err) {
    start = 0;
    end = UINT64_MAX;
    if (s.empty()) return true;
    const auto colon = s.find(':');
    if (colon == std::string::npos) {
        err = "window '" + s + "' must be START:END (e.g. 1ms:2ms, :5us, 10us:)";
        return false;
    }
    const std::string a = s.substr(0, colon), b = s.substr(colon + 1);
    std::string e;
    if (!a.empty() && !parse_time_ps(a, start, e)) {
        err = "window start: " + e;
        return false;
    }
    if (!b.empty() && !parse_time_ps(b, end, e)) {
        err = "window end: " + e;
        return false;
    }
    if (end <= start) {
        err = "window '" + s + "' is empty (end must be after start)";
        return false;
    }
    return true;
}

bool parse_streams(const std::string& s, std::vector<uint16_t>& out, std::string& err) {
    out.clear();
    if (s.empty()) return true;
    for (const auto& t : split(s, ',')) {
        if (t == "cpu") {
            out.push_back(core::trace_cpu_stream);
            continue;
        }
        uint64_t v = 0;
        std::string e;
        if (!parse_uint_text(t, v, e) || v > 0xFFFF) {
            err = "stream '" + t + "' is not a stream id (0..0xffff, or cpu)";
            return false;
        }
        out.push_back(static_cast<uint16_t>(v));
    }
    return true;
}

int configure_trace_from_options(const std::string& categories, const std::string& window,
                                 const std::string& streams, const std::string& path,
                                 const core::trace_header_info& info, std::string& err,
                                 const std::string& counter_interval) {
    uint32_t mask = 0;
    uint64_t a = 0, b = 0, interval = 1000000;
    std::vector<uint16_t> sids;
    if (!parse_categories(categories, mask, err) || !parse_window(window, a, b, err) || !parse_streams(streams, sids, err))
        return 64;
    if (!counter_interval.empty()) {
        std::string e;
        if (!parse_time_ps(counter_interval, interval, e) || interval == 0) {
            err = "trace counter interval: " + (e.empty() ? std::string("must be > 0") : e);
            return 64;
        }
    }
    core::trace_sink& s = core::trace_sink::global();
    s.close();
    if (mask == 0) return 0;
    if (!core::trace_compiled_in) {
        err = "--trace: this build has tracing compiled out (configured with -DVCMSIM_TRACE=OFF); "
              "rebuild with -DVCMSIM_TRACE=ON to record traces";
        return 64;
    }
    s.set_categories(mask);
    s.set_window(a, b);
    s.set_streams(sids);
    s.set_counter_interval(interval);
    return s.open(path, info, &err) ? 0 : 74;
}

int trace_main(const std::vector<std::string>& args) {
    try {
        if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
            std::cout << trace_help;
            return args.empty() ? 64 : 0;
        }
        const std::string cmd = args[0];
        if (cmd != "inspect" && cmd != "export" && cmd != "diff")
            throw usage("unknown trace command '" + cmd + "' (inspect, export, diff)");
        std::vector<std::string> files;
        std::string window, streams, page_size = "4KiB", bin, to, out_path;
        unsigned top = 10;
        inspect_options io;
        po::options_description opts("vcmsim trace " + cmd + " options");
        opts.add_options()
            ("help,h", "this help")
            ("file", po::value(&files), "trace file(s)")
            ("window", po::value(&window), "only records with START <= t < END, e.g. 1ms:2ms")
            ("stream", po::value(&streams), "only these streams: 0x10,0x11,cpu")
            ("component", po::value(&io.filter.component), "only components whose name contains this")
            ("json", "JSON output (inspect, diff)")
            ("csv", "CSV output (inspect: the per-stream table; diff: one row per metric)")
            ("page-size", po::value(&page_size), "inspect: page size of the top-missing-pages table (4KiB)")
            ("top", po::value(&top), "inspect: rows of the top-missing-pages table (10)")
            ("bin", po::value(&bin), "inspect: walk-latency histogram bin (automatic)")
            ("to", po::value(&to), "export: csv, jsonl or perfetto")
            ("output,o", po::value(&out_path), "export: output file (stdout when absent)");
        po::positional_options_description pos;
        pos.add("file", -1);
        po::variables_map vm;
        po::store(po::command_line_parser(std::vector<std::string>(args.begin() + 1, args.end()))
                      .options(opts).positional(pos).run(), vm);
        po::notify(vm);
        if (vm.count("help")) {
            std::cout << trace_help << "\n" << opts;
            return 0;
        }
        std::string err;
        if (!parse_window(window, io.filter.win_start, io.filter.win_end, err) || !parse_streams(streams, io.filter.streams, err))
            throw usage(err);
        if (vm.count("json") && vm.count("csv")) throw usage("--json and --csv exclude each other");
        io.format = vm.count("json") ? "json" : vm.count("csv") ? "csv" : "text";
        if (!parse_size(page_size, io.page_bytes, err)) throw usage("--page-size: " + err);
        if (io.page_bytes == 0 || (io.page_bytes & (io.page_bytes - 1))) throw usage("--page-size must be a power of two");
        if (!bin.empty() && (!parse_time_ps(bin, io.bin_ps, err) || io.bin_ps == 0))
            throw usage("--bin: " + (err.empty() ? std::string("must be > 0") : err));
        io.top = top;
        const size_t want = cmd == "diff" ? 2 : 1;
        if (files.size() != want)
            throw usage("trace " + cmd + " needs " + (want == 2 ? std::string("two trace files") : "one trace file"));
        if (cmd == "inspect") return trace_inspect(files[0], io, std::cout, std::cerr);
        if (cmd == "diff") return trace_diff(files[0], files[1], io, std::cout, std::cerr);
        if (to.empty()) throw usage("trace export needs --to csv|jsonl|perfetto");
        export_options eo;
        eo.filter = io.filter;
        eo.to = to;
        eo.out_path = out_path;
        return trace_export(files[0], eo, std::cout, std::cerr);
    } catch (const usage& e) {
        std::cerr << "vcmsim trace: " << e.what() << "\n(see 'vcmsim trace --help')\n";
        return 64;
    } catch (const po::error& e) {
        std::cerr << "vcmsim trace: " << e.what() << "\n(see 'vcmsim trace --help')\n";
        return 64;
    }
}

}  // namespace vcmsim::platform::trace
