// The corpus of invalid configs in tests/configs/bad: each file names the exit code and the
// message fragments `vcmsim config validate` must produce (see tests/configs/README.md).
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <sstream>

#include "tests/support/test_util.h"

using namespace vcmsim::test;
namespace fs = std::filesystem;

namespace {
struct expectation {
    int exit_code = -1;
    std::vector<std::string> fragments;
};

expectation read_expectation(const std::string& path) {
    expectation e;
    std::istringstream in(read_file(path));
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("# expect-exit: ", 0) == 0) e.exit_code = std::stoi(line.substr(15));
        else if (line.rfind("# expect: ", 0) == 0) e.fragments.push_back(line.substr(10));
    }
    return e;
}
}  // namespace

TEST_CASE("every bad config gives its documented exit code and message", "[platform][config]") {
    std::vector<std::string> cases;
    for (const auto& entry : fs::directory_iterator(source_path("tests/configs/bad"))) {
        const std::string p = entry.path().string();
        if (p.size() > 5 && p.substr(p.size() - 5) == ".toml" && p.find(".inc.toml") == std::string::npos)
            cases.push_back(p);
    }
    std::sort(cases.begin(), cases.end());
    REQUIRE(cases.size() >= 25);
    for (const auto& path : cases) {
        const expectation e = read_expectation(path);
        INFO("case " << path);
        REQUIRE(e.exit_code > 0);
        REQUIRE_FALSE(e.fragments.empty());
        auto r = run_command(vcmsim_binary() + " config validate " + path);
        INFO("stderr: " << r.err);
        CHECK(r.exit_code == e.exit_code);
        for (const auto& f : e.fragments) {
            INFO("expected fragment: " << f);
            CHECK(r.err.find(f) != std::string::npos);
        }
        // Never a crash: a crash would give a signal exit (>= 128).
        CHECK(r.exit_code < 128);
    }
}

TEST_CASE("run reports config errors with the same code as validate", "[platform][config]") {
    auto r = run_command(vcmsim_binary() + " run " + source_path("tests/configs/bad/13_overlapping_dram.toml"));
    CHECK(r.exit_code == 78);
    CHECK(r.err.find("overlaps") != std::string::npos);
}
