// trace_bench: cost of the TLB/miss trace sink.
//
//   build/bench/trace_bench [runs]
//
// 1. The sink alone: records per second (WALK records to a file) and lookups folded into
//    counters per second.
// 2. The CPU stream (bench/configs/cpu_stream.toml, 819 200 translated line accesses) with
//    tracing off, default categories (miss,walk,fault,inval + hit counters) and all (every
//    lookup), each in its own forked process, best of `runs` (3): simulated accesses per host
//    second, trace bytes per million translations. Targets: default <= 15 % slower than off;
//    compiled in but off within noise of the build without hooks (compare with cpu_mmu_bench).
//    VCMSIM_TRACE_BENCH_INSPECT=1 prints `trace inspect` of each trace.
#include <sys/stat.h>

#include <cstdlib>
#include <iostream>

#include "bench/bench_util.h"
#include "models/core/trace.h"
#include "platforms/trace/trace_tool.h"

using namespace vcmsim;

namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

std::string tmp_path(const char* name) {
    const char* d = std::getenv("TMPDIR");
    return std::string(d ? d : "/tmp") + "/vcmsim_trace_bench_" + std::to_string(getpid()) + "_" + name;
}

bench::figures sink_alone() {
    bench::figures f;
    core::trace_sink s;
    const uint16_t c = s.register_component("bench.walker");
    s.set_categories(core::trace_cat::all);
    const std::string p = tmp_path("sink.vtr");
    if (!s.open(p, {})) return f;
    const uint64_t n = 20000000;
    core::trace_record r;
    r.comp = c;
    r.type = static_cast<uint8_t>(core::trace_type::walk);
    auto t0 = std::chrono::steady_clock::now();
    for (uint64_t i = 0; i < n; ++i) {
        r.t_ps = i * 1000;
        r.in_addr = i << 12;
        s.record(r);
    }
    s.close();
    f.v[0] = static_cast<double>(n) / seconds_since(t0);
    std::remove(p.c_str());
    s.set_categories(core::trace_cat::defaults);
    if (!s.open(p, {})) return f;
    t0 = std::chrono::steady_clock::now();
    for (uint64_t i = 0; i < n; ++i) {
        r.t_ps = i * 100;
        r.stream = static_cast<uint16_t>(i & 3);
        s.record_lookup(r, true);
    }
    s.close();
    f.v[1] = static_cast<double>(n) / seconds_since(t0);
    std::remove(p.c_str());
    return f;
}

// mode: 0 off, 1 default, 2 all
bench::figures stream(int mode) {
    bench::figures f;
    const std::string p = tmp_path("stream.vtr");
    if (mode) {
        std::string err;
        if (platform::trace::configure_trace_from_options(mode == 2 ? "all" : "", "", "", p, {}, err) != 0) {
            std::fprintf(stderr, "trace_bench: %s\n", err.c_str());
            return f;
        }
    }
    std::vector<double> s;
    const std::string cfg = std::string(VCMSIM_SOURCE_DIR) + "/bench/configs/cpu_stream.toml";
    f.v[0] = bench::run_platform(cfg, {}, {"top.cpu.stores", "top.cpu.loads"}, s);
    f.v[1] = s[0] + s[1];
    if (mode) {
        core::trace_sink::global().close();
        f.v[2] = static_cast<double>(core::trace_sink::global().records_written());
        struct stat st {};
        if (stat(p.c_str(), &st) == 0) f.v[3] = static_cast<double>(st.st_size);
        if (std::getenv("VCMSIM_TRACE_BENCH_INSPECT")) {  // print the summary of this trace
            platform::trace::inspect_options o;
            platform::trace::trace_inspect(p, o, std::cout, std::cerr);
            std::cout.flush();
        }
        std::remove(p.c_str());
    }
    return f;
}

}  // namespace

int sc_main(int argc, char** argv) {
    const int runs = argc > 1 ? std::max(1, std::atoi(argv[1])) : 3;
    std::printf("trace_bench\n");
    std::fflush(stdout);  // forked children must not inherit buffered output
    bench::figures sa;
    if (!bench::in_child(sink_alone, sa)) return 1;
    std::printf("  sink alone: %7.1f M records/s written, %7.1f M lookups/s folded into counters\n",
                sa.v[0] / 1e6, sa.v[1] / 1e6);
    std::fflush(stdout);
    const char* names[] = {"off", "default", "all"};
    double rate[3] = {}, bytes[3] = {}, recs[3] = {}, accesses = 0;
    for (int r = 0; r < runs; ++r)
        for (int m = 0; m < 3; ++m) {
            bench::figures f;
            if (!bench::in_child([m] { return stream(m); }, f) || f.v[0] <= 0) {
                std::fprintf(stderr, "trace_bench: a platform run failed\n");
                return 1;
            }
            rate[m] = std::max(rate[m], f.v[1] / f.v[0]);
            recs[m] = f.v[2];
            bytes[m] = f.v[3];
            accesses = f.v[1];
        }
    for (int m = 0; m < 3; ++m)
        std::printf("  CPU stream, tracing %-8s %7.2f M accesses/s  (%5.1f %% of off)  %10.0f records  %10.0f bytes "
                    "per M translations\n",
                    names[m], rate[m] / 1e6, 100.0 * rate[m] / rate[0], recs[m], bytes[m] / accesses * 1e6);
    std::printf("  default slowdown %.1f %% (target <= 15 %%)\n", 100.0 * (1.0 - rate[1] / rate[0]));
    return 0;
}

int main(int argc, char** argv) {
    setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 1);
    return sc_core::sc_elab_and_sim(argc, argv);
}
