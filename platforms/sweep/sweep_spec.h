// Sweep specs (`vcmsim sweep SPEC.toml`): a base platform config, axes of -C keys whose
// cartesian product gives the points, seeds, a per-point wall-clock timeout and the metrics
// to tabulate. Format and outputs: docs/sweeps.md.
//
//   base = "../../tests/configs/cpu_mmu_stream.toml"   # relative to the spec file
//   seeds = [1, 2]
//   timeout = 60            # wall seconds per point (or "90s", "10m", "1h")
//   metrics = ["top.cpu.mmu.walks", "top.cpu.mmu.*"]
//   [axes]
//   "cpu.mmu.walk_cache_entries" = [0, 4, 16, 64]
//   [[plot]]                # rendered at the end into OUTDIR/plots (optional, repeatable)
//   x = "cpu.mmu.walk_cache_entries"
//   y = "top.cpu.mmu.walks"
//
// seeds/timeout/metrics/until may also sit in a [run] table. The spec is read with the
// project's config loader (platforms/config), so it accepts the same TOML and `include`.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace vcmsim::platform::sweep {

struct sweep_axis {
    std::string key;                  // a -C key path: "dram[0].latency"
    std::vector<std::string> values;  // TOML inline text for -C: 40, "4KiB", true
    std::vector<std::string> labels;  // the value for tables and plots: 40, 4KiB, true
};

// A [[plot]] the sweep renders when it ends (as `vcmsim sweep plot` would).
struct sweep_plot_spec {
    std::string x, y, series, normalize_to;
    std::string term = "svg";   // svg | png | dumb
};

struct sweep_spec {
    std::string spec_file;            // as given
    std::string base;                 // base config path, resolved against the spec's folder
    std::vector<sweep_axis> axes;     // alphabetical by key (TOML tables are unordered)
    std::vector<uint64_t> seeds = {1};
    double timeout_s = 0;             // 0 = none
    std::string until;                // optional sim.until override ("2ms")
    std::vector<std::string> metrics; // stat names or globs (fnmatch); "name.mean" picks a field
    std::vector<std::string> extra_overrides;  // [set] table: fixed -C overrides for every point
    std::vector<sweep_plot_spec> plots;        // [[plot]] tables
};

// Reads and checks a spec; throws config_error (exit 78) naming the spec and the key.
sweep_spec load_sweep_spec(const std::string& path);
// Same, from text (tests); `dir` is the folder `base` is relative to.
sweep_spec parse_sweep_spec(const std::string& toml_text, const std::string& name,
                            const std::string& dir);

// "90" / 90 / "90s" / "10m" / "1h" -> seconds; false on a bad value.
bool parse_wall_seconds(const std::string& text, double& out);

}  // namespace vcmsim::platform::sweep
