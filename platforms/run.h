// The subcommands of the vcmsim command line. Each returns a documented exit code
// (config.h: exit_ok, exit_checks_failed, exit_usage, ...).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace vcmsim::platform {

struct run_options {
    std::vector<std::string> files;      // platform file, then every -f FILE
    std::vector<std::string> overrides;  // -C key=value, in order
    std::string outdir;                  // -o; empty = no output files
    std::optional<uint64_t> seed;        // --seed (an override of sim.seed)
    std::string progress = "auto";       // auto | always | never
    bool json = false;                   // summary as JSON on stdout
    bool quiet = false;
    int verbose = 0;                     // -v count: info, debug, trace on the console
    double wall_timeout_s = 0;           // 0 = none
    std::string trace;                   // categories; empty = no trace
    std::string trace_window, trace_streams, trace_counter_interval;
};

int run_simulation(const run_options& o);
int config_validate(const std::vector<std::string>& files, const std::vector<std::string>& overrides);
int config_show(const std::vector<std::string>& files, const std::vector<std::string>& overrides,
                const std::string& format, bool provenance);
int list_models();
int list_params(const std::string& filter, const std::string& format);
int print_version(bool json);

// Entry point of the vcmsim binary (cli.cpp).
int cli_main(int argc, char** argv);

}  // namespace vcmsim::platform
