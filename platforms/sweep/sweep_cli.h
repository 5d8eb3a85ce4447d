// `vcmsim sweep ...`: entry point wired into platforms/cli.cpp (docs/sweeps.md).
#pragma once

#include <string>
#include <vector>

namespace vcmsim::platform {

// args: everything after "sweep". Returns a documented exit code: 0 every point ok, 1 some
// point failed (see results.csv), 64 usage, 66 spec missing, 74 output error, 78 bad spec.
int sweep_main(const std::vector<std::string>& args);

}  // namespace vcmsim::platform
