// Sweep points, the parallel runner and the results table (docs/sweeps.md).
//
// A point is one (axis values, seed) combination; its id is the config hash
// (config::hash, FNV-1a 64 of the resolved TOML) of base + every override + sim.seed, so two
// points with the same resolved config share an id and --resume recognises finished work.
// Each point runs as its own process (`vcmsim run BASE -C ... --seed N -q -o OUT/points/ID`).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "platforms/sweep/sweep_spec.h"

namespace vcmsim::platform::sweep {

struct sweep_point {
    size_t index = 0;                  // position in expansion order (first axis slowest)
    std::string id;                    // 16 hex digits
    std::vector<std::string> labels;   // one per axis
    std::vector<std::string> overrides;  // "key=value" -C assignments (axes, then [set])
    uint64_t seed = 1;
};

// The cartesian product of the axes times the seeds, in a fixed order.
std::vector<sweep_point> expand_points(const sweep_spec& spec);
// Id of a point: hash of the resolved config; falls back to a hash of the base path and
// override text when the config does not load (the point then fails as config_error).
std::string point_id(const std::string& base, const std::vector<std::string>& overrides,
                     uint64_t seed);

// Exit code of `vcmsim run` -> status word: 0 ok, 1 checks_failed, 78 config_error,
// 124 timeout, 66 input_missing, 65 bad_input, 64 usage_error, 70 internal_error,
// 74 io_error, others "exit_N". Killed by a signal: "crash".
std::string status_of_exit(int exit_code);

// Command line of one point (argv, without the program).
std::vector<std::string> point_args(const sweep_spec& spec, const sweep_point& p,
                                    const std::string& point_dir);

struct run_settings {
    std::string outdir;
    std::string runner;        // executable that understands `run ...` (default /proc/self/exe)
    unsigned jobs = 1;
    bool resume = false;
    bool progress = false;     // progress line on stderr
    std::vector<std::string> command_line;  // for the manifest
};

// Runs every point (skipping finished ones with resume), then writes results.csv,
// results.jsonl and manifest.json. Returns 0 when every point is ok, 1 otherwise.
int run_sweep(const sweep_spec& spec, const run_settings& rs);

// Writes OUT/sweep.json (spec + points): what `collect` and `plot` read.
void write_sweep_json(const sweep_spec& spec, const std::vector<sweep_point>& pts,
                      const std::string& outdir);
// Reads OUT/sweep.json and every points/ID/{point.json,exit_code,stats.json}, writes
// results.csv, results.jsonl and manifest.json. Returns 0 when every point is ok, else 1.
int collect_results(const std::string& outdir, const std::vector<std::string>& command_line,
                    const nlohmann::json& extra = {});

// GNU parallel job list (OUT/jobs.txt) and Slurm array script (OUT/sweep.sbatch).
void emit_jobs(const sweep_spec& spec, const std::string& outdir, const std::string& runner);

// CSV field quoting (RFC 4180) and simple CSV reading, shared with `sweep plot`.
std::string csv_field(const std::string& s);
std::vector<std::vector<std::string>> read_csv(const std::string& path);

// Shell single-quoting for job lines.
std::string shell_quote(const std::string& s);

}  // namespace vcmsim::platform::sweep
