// trace_bench: cost of the TLB/miss trace sink.
//
//   build/bench/trace_bench [runs]
//
// 1. The sink alone: records per second (WALK records to a file) and lookups folded into
//    counters per second.
// 2. The CPU stream (bench/configs/cpu_stream.toml, 819 200 translated line accesses) with
//    tracing off, default categories (miss,walk,fault,inval + hit counters) and all (every
//    lookup), each in its own forked process, modes alternating, best of `runs` (7): simulated
//    accesses per second of process CPU time (wall time on a shared 2-core machine swings by
//    +-20 % with the neighbours), trace bytes per million translations. Targets: default <= 15 % slower than off;
//    compiled in but off within noise of the build without hooks (bench/trace_compiled_out.sh).
//    VCMSIM_TRACE_BENCH_INSPECT=1 prints `trace inspect` of each trace.
//
//   build/bench/trace_bench --hooks
//
// For bench/trace_compiled_out.sh: four workloads with tracing off, each in its own forked
// process, one line each "NAME WORK WALL_S CPU_S" (WORK simulated units, wall-clock and process
// CPU seconds of sc_start):
//   cpu_stream   bench/configs/cpu_stream.toml, buffer filled 1000 times: 4 096 000 CPU
//                accesses, all translated (micro-TLB/TLB hits); WORK = accesses
//   smmu_dma     bench/configs/smmu_dma_stream.toml: a DMA engine behind the SMMU, 4 KiB pages,
//                2 097 168 SMMU translations (a TCU TLB miss and walk per new page); WORK =
//                translations
//   cpu_mmu-off  cpu_stream with translation off, and
//   dma_no-smmu  bench/configs/dma_stream.toml, the DMA without an SMMU: controls with no hook
//                on their path. WORK = accesses / bursts
// In a build with tracing compiled out (-DVCMSIM_TRACE=OFF) the default mode runs only the sink
// alone and the `off` stream.
#include <sys/stat.h>

#include <cstdlib>
#include <ctime>
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

// mode: 0 off, 1 default, 2 all. v[0]: process CPU seconds of the run (wall time on a shared
// machine moves with the neighbours; CPU time much less).
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
    bench::run_platform(cfg, {}, {"top.cpu.stores", "top.cpu.loads"}, s, &f.v[0]);
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

// One --hooks workload (tracing off): v[0] work (sum of `work` stats), v[1] wall s, v[2] CPU s.
bench::figures hot_run(const std::string& cfg_name, const std::vector<std::string>& ov,
                       const std::vector<std::string>& work) {
    bench::figures f;
    std::vector<double> s;
    f.v[1] = bench::run_platform(std::string(VCMSIM_SOURCE_DIR) + "/bench/configs/" + cfg_name, ov, work, s, &f.v[2]);
    for (const double v : s) f.v[0] += v;
    return f;
}

int hooks() {
    struct workload {
        const char* name;
        const char* cfg;
        std::vector<std::string> ov, work;
    };
    const std::vector<std::string> cpu_work = {"top.cpu.stores", "top.cpu.loads"};
    const workload w[] = {
        {"cpu_stream", "cpu_stream.toml", {"scenario.step[2].repeat=1000"}, cpu_work},
        {"smmu_dma", "smmu_dma_stream.toml", {}, {"top.smmu0.sid1.lookups"}},
        {"cpu_mmu-off", "cpu_stream.toml", {"scenario.step[1].op=mmu_disable", "scenario.step[2].repeat=1000"}, cpu_work},
        {"dma_no-smmu", "dma_stream.toml", {}, {"top.dma0.ch0.bursts"}},
    };
    for (const auto& x : w) {
        bench::figures f;
        if (!bench::in_child([&x] { return hot_run(x.cfg, x.ov, x.work); }, f) || f.v[0] <= 0 || f.v[2] <= 0) {
            std::fprintf(stderr, "trace_bench: the %s run failed\n", x.name);
            return 1;
        }
        std::printf("%s %.0f %.6f %.6f\n", x.name, f.v[0], f.v[1], f.v[2]);
        std::fflush(stdout);
    }
    return 0;
}

}  // namespace

int sc_main(int argc, char** argv) {
    if (argc > 1 && std::string(argv[1]) == "--hooks") return hooks();
    const int runs = argc > 1 ? std::max(1, std::atoi(argv[1])) : 7;
    std::printf("trace_bench%s\n", core::trace_compiled_in ? "" : " (tracing compiled out: VCMSIM_TRACE=OFF)");
    std::fflush(stdout);  // forked children must not inherit buffered output
    bench::figures sa;
    if (!bench::in_child(sink_alone, sa)) return 1;
    std::printf("  sink alone: %7.1f M records/s written, %7.1f M lookups/s folded into counters\n",
                sa.v[0] / 1e6, sa.v[1] / 1e6);
    std::fflush(stdout);
    const char* names[] = {"off", "default", "all"};
    const int modes = core::trace_compiled_in ? 3 : 1;
    double rate[3] = {}, bytes[3] = {}, recs[3] = {}, accesses = 0;
    for (int r = 0; r < runs; ++r)
        for (int m = 0; m < modes; ++m) {
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
    for (int m = 0; m < modes; ++m)
        std::printf("  CPU stream, tracing %-8s %7.2f M accesses/s  (%5.1f %% of off)  %10.0f records  %10.0f bytes "
                    "per M translations\n",
                    names[m], rate[m] / 1e6, 100.0 * rate[m] / rate[0], recs[m], bytes[m] / accesses * 1e6);
    if (modes == 3)
        std::printf("  default slowdown %.1f %% (target <= 15 %%; process CPU time, best of %d alternating runs)\n",
                    100.0 * (1.0 - rate[1] / rate[0]), runs);
    std::printf("  compiled in but off vs compiled out: bench/trace_compiled_out.sh\n");
    return 0;
}

int main(int argc, char** argv) {
    setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 1);
    return sc_core::sc_elab_and_sim(argc, argv);
}
