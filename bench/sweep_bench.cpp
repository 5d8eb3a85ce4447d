// sweep_bench: parallel speedup of `vcmsim sweep` and its cost per point beyond the simulation.
//
//   build/bench/sweep_bench [--reps N] [--repeat R] [--vcmsim PATH] [--keep]
//
// Writes two 12-point sweep specs (6 walk-cache sizes x 2 TLB sizes) over
// bench/configs/cpu_stream.toml into a temporary folder. The stream touches 64 pages (64 walks in
// all), which fit either TLB, so every point does the host work of the base config (which the
// in-process reference runs); an axis that changes the simulated time (a DRAM latency) would not.
//   heavy  the CPU fills its 256 KiB buffer R times per point (default 800: ~0.3 s of host
//          time per point on an idle core);
//   tiny   the same points with one fill (about 1 ms of simulation): the point's wall time is
//          then almost all overhead (fork/exec, config load, elaboration, outputs, rows).
// Runs the real `vcmsim sweep` with -j 1 and -j 2 (each N times, the best kept), one
// `vcmsim run` of the tiny point, `vcmsim sweep --dry-run`, and the same simulations
// in-process (sc_start only, in a forked child) for the simulation's own time.
// Figures: speedup T(-j 1) / T(-j 2) (target >= 1.8) and per-point overhead
// T(-j 1) / 12 - simulation time (target <= 50 ms), with a breakdown, the children's CPU time
// and the load average (a busy 2-core machine cannot give a 2x speedup).
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "bench/bench_util.h"
#include "platforms/sweep/sweep_run.h"

using namespace vcmsim;

namespace {

constexpr int points = 12;

struct run_figures {
    double wall = 0;   // s
    double cpu = 0;    // user + sys of the children, s
    double load = 0;   // 1-minute load average before the run
    int exit_code = -1;
    std::string out;   // output folder of a sweep
};

double load1() {
    double l[3] = {};
    return getloadavg(l, 3) > 0 ? l[0] : -1.0;
}

double children_cpu() {
    rusage ru {};
    getrusage(RUSAGE_CHILDREN, &ru);
    return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
           static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

// Runs argv (stdout and stderr to `log`) and waits for it.
run_figures run(const std::vector<std::string>& args, const std::string& log) {
    run_figures f;
    f.load = load1();
    std::vector<std::string> copy = args;
    std::vector<char*> argv;
    for (auto& a : copy) argv.push_back(a.data());
    argv.push_back(nullptr);
    const double cpu0 = children_cpu();
    const auto t0 = std::chrono::steady_clock::now();
    const pid_t pid = fork();
    if (pid == 0) {
        const int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0666);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
        }
        execv(argv[0], argv.data());
        _exit(127);
    }
    int st = 0;
    waitpid(pid, &st, 0);
    f.wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    f.cpu = children_cpu() - cpu0;
    f.exit_code = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    return f;
}

void write_spec(const std::string& path, const std::string& base, unsigned repeat) {
    std::ofstream(path) << "base = \"" << base << "\"\n"
                        << "metrics = [\"top.cpu.bytes_written\"]\n"
                        << "[axes]\n"
                        << "\"cpu.mmu.walk_cache_entries\" = [0, 4, 8, 16, 32, 64]\n"
                        << "\"cpu.mmu.tlb_entries\" = [64, 128]\n"
                        << "[set]\n"
                        << "\"scenario.step[2].repeat\" = " << repeat << "\n";
}

// Mean of the rows' wall_s (the sweep's fork-to-reap time of each point) and of the points'
// stats.json host.wall_s (the run's own time from config load to the end of the simulation).
void point_times(const std::string& outdir, double& point_wall, double& host_wall) {
    const auto rows = platform::sweep::read_csv(outdir + "/results.csv");
    size_t wall_col = 0;
    for (size_t i = 0; i < rows.at(0).size(); ++i)
        if (rows[0][i] == "wall_s") wall_col = i;
    point_wall = host_wall = 0;
    for (size_t r = 1; r < rows.size(); ++r) {
        point_wall += std::stod(rows[r][wall_col]);
        std::ifstream f(outdir + "/points/" + rows[r][0] + "/stats.json");
        host_wall += nlohmann::json::parse(f)["host"]["wall_s"].get<double>();
    }
    point_wall /= static_cast<double>(rows.size() - 1);
    host_wall /= static_cast<double>(rows.size() - 1);
}

double process_cpu() {
    timespec ts {};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

// The simulation alone, in a forked child: wall time of sc_start, and the CPU time of config
// load + elaboration + simulation (the child's own CPU clock). Best of `reps`.
struct sim_figures {
    double wall = -1, cpu = -1;
};
sim_figures sim_time(const std::string& cfg, unsigned repeat, unsigned reps) {
    sim_figures best;
    for (unsigned r = 0; r < reps; ++r) {
        bench::figures f;
        const bool ok = bench::in_child(
            [&] {
                std::vector<double> s;
                bench::figures x;
                const double c0 = process_cpu();
                x.v[0] = bench::run_platform(cfg, {"scenario.step[2].repeat=" + std::to_string(repeat)}, {}, s);
                x.v[1] = process_cpu() - c0;
                return x;
            },
            f);
        if (!ok) return sim_figures{};
        if (best.wall < 0 || f.v[0] < best.wall) best.wall = f.v[0];
        if (best.cpu < 0 || f.v[1] < best.cpu) best.cpu = f.v[1];
    }
    return best;
}

void line(const char* what, const run_figures& f, double per_point_div) {
    std::printf("  %-34s %7.3f s  (%6.1f ms/point)  children CPU %6.3f s = %.2f cores  load %.2f%s\n",
                what, f.wall, f.wall / per_point_div * 1e3, f.cpu, f.wall > 0 ? f.cpu / f.wall : 0.0,
                f.load, f.exit_code == 0 ? "" : "  FAILED");
}

}  // namespace

int sc_main(int argc, char** argv) {
    const std::string src = VCMSIM_SOURCE_DIR;
    std::string bin = VCMSIM_BINARY;
    unsigned reps = 2, repeat = 800;
    bool keep = false;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--reps" && i + 1 < argc) reps = static_cast<unsigned>(std::max(1, std::atoi(argv[++i])));
        else if (a == "--repeat" && i + 1 < argc) repeat = static_cast<unsigned>(std::max(1, std::atoi(argv[++i])));
        else if (a == "--vcmsim" && i + 1 < argc) bin = argv[++i];
        else if (a == "--keep") keep = true;
        else {
            std::fprintf(stderr, "usage: sweep_bench [--reps N] [--repeat R] [--vcmsim PATH] [--keep]\n");
            return 64;
        }
    }
    const std::string base = src + "/bench/configs/cpu_stream.toml";
    char tmpl[] = "/tmp/sweep_bench.XXXXXX";
    if (!mkdtemp(tmpl)) {
        std::perror("sweep_bench: mkdtemp");
        return 1;
    }
    const std::string dir = tmpl;
    write_spec(dir + "/heavy.toml", base, repeat);
    write_spec(dir + "/tiny.toml", base, 1);
    const double load_start = load1();

    // The simulations' own time, in-process.
    const sim_figures sim_tiny = sim_time(base, 1, 3 * reps);

    auto sweep = [&](const std::string& spec, unsigned j, const std::string& out) {
        run_figures f = run({bin, "sweep", dir + "/" + spec, "-j", std::to_string(j), "--progress",
                             "never", "-o", dir + "/" + out},
                            dir + "/" + out + ".log");
        f.out = dir + "/" + out;
        return f;
    };
    auto best = [](run_figures& b, const run_figures& f) {
        if (b.exit_code != 0 || (f.exit_code == 0 && f.wall < b.wall)) b = f;
    };

    // Parent-only cost: expanding and hashing 12 points.
    run_figures dry;
    for (unsigned r = 0; r < reps; ++r)
        best(dry, run({bin, "sweep", dir + "/heavy.toml", "--dry-run"}, dir + "/dry.log"));
    // One plain `vcmsim run` of the tiny point, with outputs.
    run_figures one;
    for (unsigned r = 0; r < 3 * reps; ++r)
        best(one, run({bin, "run", base, "-C", "scenario.step[2].repeat=1", "-q", "--progress", "never",
                       "-o", dir + "/one"},
                      dir + "/one.log"));
    run_figures tiny1, tiny2, heavy1, heavy2;
    for (unsigned r = 0; r < reps; ++r) {
        const std::string n = std::to_string(r);
        best(tiny1, sweep("tiny.toml", 1, "tiny_j1_" + n));
        best(tiny2, sweep("tiny.toml", 2, "tiny_j2_" + n));
    }
    sim_figures sim_heavy;
    for (unsigned r = 0; r < reps; ++r) {  // interleaved, so load drift hits all three alike
        const std::string n = std::to_string(r);
        const sim_figures s = sim_time(base, repeat, 1);
        if (sim_heavy.wall < 0 || (s.wall >= 0 && s.wall < sim_heavy.wall)) sim_heavy.wall = s.wall;
        if (sim_heavy.cpu < 0 || (s.cpu >= 0 && s.cpu < sim_heavy.cpu)) sim_heavy.cpu = s.cpu;
        best(heavy1, sweep("heavy.toml", 1, "heavy_j1_" + n));
        best(heavy2, sweep("heavy.toml", 2, "heavy_j2_" + n));
    }
    if (sim_heavy.wall < 0 || sim_tiny.wall < 0 || dry.exit_code || one.exit_code || tiny1.exit_code ||
        tiny2.exit_code || heavy1.exit_code || heavy2.exit_code) {
        std::fprintf(stderr, "sweep_bench: a measurement failed (logs in %s)\n", dir.c_str());
        return 1;
    }
    double tiny_point = 0, tiny_host = 0, heavy_point = 0, heavy_host = 0;
    point_times(tiny1.out, tiny_point, tiny_host);   // of the best run of each
    point_times(heavy1.out, heavy_point, heavy_host);

    const double speedup = heavy1.wall / heavy2.wall;
    const double ovh_heavy = heavy1.wall / points - sim_heavy.wall;
    const double ovh_tiny = tiny1.wall / points - sim_tiny.wall;
    const double ovh_heavy_cpu = heavy1.cpu / points - sim_heavy.cpu;
    const double ovh_tiny_cpu = tiny1.cpu / points - sim_tiny.cpu;
    std::printf("sweep_bench: 12-point sweeps (6 cpu.mmu.walk_cache_entries x 2 cpu.mmu.tlb_entries) of "
                "bench/configs/cpu_stream.toml, best of %u; %ld cores online\n",
                reps, sysconf(_SC_NPROCESSORS_ONLN));
    std::printf("load average (1 min): %.2f at start, %.2f at end\n", load_start, load1());
    std::printf("simulation alone (in-process): heavy (repeat=%u) sc_start %.1f ms wall, %.1f ms CPU; "
                "tiny (repeat=1) %.1f ms wall, %.1f ms CPU (CPU includes config load + elaboration)\n",
                repeat, sim_heavy.wall * 1e3, sim_heavy.cpu * 1e3, sim_tiny.wall * 1e3, sim_tiny.cpu * 1e3);
    std::printf("wall times (children CPU = user + sys of vcmsim and its points):\n");
    line("vcmsim sweep heavy -j 1", heavy1, points);
    line("vcmsim sweep heavy -j 2", heavy2, points);
    line("vcmsim sweep tiny -j 1", tiny1, points);
    line("vcmsim sweep tiny -j 2", tiny2, points);
    line("vcmsim sweep heavy --dry-run", dry, points);
    line("vcmsim run tiny (one point)", one, 1);
    std::printf("per point, tiny -j 1 (%.1f ms): row wall_s %.1f ms (fork to reap); sweep "
                "parent (expand, hash, poll, collect) %.1f ms, run process start + outputs + exit %.1f "
                "ms, config load + elaboration %.1f ms, simulation %.1f ms\n",
                tiny1.wall / points * 1e3, tiny_point * 1e3, (tiny1.wall / points - tiny_point) * 1e3,
                (tiny_point - tiny_host) * 1e3, (tiny_host - sim_tiny.wall) * 1e3, sim_tiny.wall * 1e3);
    std::printf("per point, heavy -j 1 (%.1f ms): row wall_s %.1f ms, run's host.wall_s %.1f ms, "
                "simulation %.1f ms\n",
                heavy1.wall / points * 1e3, heavy_point * 1e3, heavy_host * 1e3, sim_heavy.wall * 1e3);
    std::printf("speedup -j 2 over -j 1:      %7.2f      (target >= 1.8)  %s\n", speedup,
                speedup >= 1.8 ? "met" : "NOT met");
    std::printf("overhead per point, heavy:   %7.1f ms   (target <= 50 ms) %s  [T(-j 1)/12 - sc_start wall]; "
                "CPU %.1f ms\n",
                ovh_heavy * 1e3, ovh_heavy <= 0.05 ? "met" : "NOT met", ovh_heavy_cpu * 1e3);
    std::printf("overhead per point, tiny:    %7.1f ms   (target <= 50 ms) %s  [T(-j 1)/12 - sc_start wall]; "
                "CPU %.1f ms\n",
                ovh_tiny * 1e3, ovh_tiny <= 0.05 ? "met" : "NOT met", ovh_tiny_cpu * 1e3);
    if (heavy2.cpu / heavy2.wall < 1.8)
        std::printf("note: -j 2 got %.2f cores of CPU (load %.2f): the machine is busy, the speedup is "
                    "bounded by the cores it could get\n",
                    heavy2.cpu / heavy2.wall, heavy2.load);
    if (keep) std::printf("outputs kept in %s\n", dir.c_str());
    else std::filesystem::remove_all(dir);
    return 0;
}

int main(int argc, char** argv) {
    setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 1);
    return sc_core::sc_elab_and_sim(argc, argv);
}
