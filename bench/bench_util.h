// Helpers shared by the benchmark programs: run a measurement in a forked child (SystemC
// elaborates once per process) and run a platform config, returning wall time and stats.
#pragma once

#include <chrono>
#include <cstdio>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <systemc>
#include <tlm>

#include "models/core/log.h"
#include "models/core/stats.h"
#include "platforms/config/config.h"
#include "platforms/params.h"
#include "platforms/platform.h"

namespace vcmsim::bench {

// Up to 16 figures sent back from a child.
struct figures {
    double v[16] = {};
};

// Runs fn() in a forked child; false if the child failed.
inline bool in_child(const std::function<figures()>& fn, figures& out) {
    int fd[2];
    if (pipe(fd) != 0) return false;
    const pid_t pid = fork();
    if (pid == 0) {
        close(fd[0]);
        figures f = fn();
        const bool ok = write(fd[1], &f, sizeof f) == static_cast<ssize_t>(sizeof f);
        _exit(ok ? 0 : 1);
    }
    close(fd[1]);
    const bool ok = read(fd[0], &out, sizeof out) == static_cast<ssize_t>(sizeof out);
    close(fd[0]);
    int st = 0;
    waitpid(pid, &st, 0);
    return ok && WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

// CPU time of this process, in seconds (not affected by waiting for a core).
inline double cpu_seconds() {
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

// Builds the platform of `cfg_path` with overrides, simulates to the end of its scenario and
// returns the wall-clock seconds of the simulation (`cpu_s`: its process CPU seconds); `stats`
// receives the named statistics.
inline double run_platform(const std::string& cfg_path, const std::vector<std::string>& overrides,
                           const std::vector<std::string>& names, std::vector<double>& stats,
                           double* cpu_s = nullptr) {
    platform::param_registry& reg = platform::param_registry::global();
    platform::register_all_params(reg);
    platform::config cfg = platform::config::load({cfg_path}, overrides);
    cfg.validate(reg);
    core::install_report_handler(core::log_level::warn);
    platform::init_time_resolution();
    tlm::tlm_global_quantum::instance().set(
        sc_core::sc_time::from_value(cfg.root().table("sim").get_time_ps("quantum")));
    platform::platform top("top", cfg);
    const double c0 = cpu_seconds();
    const auto t0 = std::chrono::steady_clock::now();
    sc_core::sc_start(sc_core::sc_time::from_value(cfg.root().table("sim").get_time_ps("until")));
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (cpu_s) *cpu_s = cpu_seconds() - c0;
    if (!top.cpu_finished()) std::fprintf(stderr, "bench: the scenario did not finish\n");
    stats.clear();
    for (const auto& n : names) stats.push_back(core::stats_registry::global().value(n));
    return wall;
}

}  // namespace vcmsim::bench
