// `vcmsim sweep plot`: gnuplot script and data from a sweep's results.csv (docs/sweeps.md).
#pragma once

#include <ostream>
#include <string>

namespace vcmsim::platform::sweep {

struct plot_options {
    std::string dir;           // sweep output folder (holds results.csv)
    std::string x;             // column for the x axis (an axis key, or seed)
    std::string y;             // metric column
    std::string series;        // optional column: one line per value
    std::string normalize_to;  // optional x value: each series divided by its y there
    std::string term = "svg";  // svg | png | dumb (ASCII on stdout)
};

// Writes DIR/plots/<y>_vs_<x>[_by_<series>].{dat,gp} and runs gnuplot when it is on PATH.
// Throws config_error (exit_usage) for unknown columns.
int plot_sweep(const plot_options& o, std::ostream& out);

// Full path of an executable on PATH, or "".
std::string find_on_path(const std::string& prog);

}  // namespace vcmsim::platform::sweep
