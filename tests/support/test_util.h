// Small helpers shared by the tests.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace vcmsim::test {

// Declares that the running test expects SystemC warnings (for example a model warning about
// a bad descriptor). Without it, any warning fails the test process.
void allow_sc_warnings();
bool sc_warnings_allowed();

// Path of a file in the source tree, e.g. source_path("configs/minimal.toml").
std::string source_path(const std::string& rel);
// Path of the vcmsim binary built with the tests.
std::string vcmsim_binary();

struct command_result {
    int exit_code = -1;
    std::string out;   // stdout
    std::string err;   // stderr
};
// Runs a shell command, capturing stdout and stderr separately.
command_result run_command(const std::string& cmd);

// A fresh empty temporary directory, removed by the caller if wanted.
std::string make_temp_dir(const std::string& tag);
std::string read_file(const std::string& path);

}  // namespace vcmsim::test
