// Trace-driven traffic: the sample traces replay exactly; a bad trace file is an input error
// (exit 65) naming file:line, a missing one exit 66.
#include <catch2/catch.hpp>

#include <fstream>

#include "tests/support/test_util.h"

using namespace vcmsim::test;

TEST_CASE("traffic generators replay the sample traces transaction by transaction", "[platform][traffic]") {
    auto r = run_command(vcmsim_binary() + " run " + source_path("configs/traffic-traces.toml") + " -q");
    INFO(r.out << r.err);
    CHECK(r.exit_code == 0);
    CHECK(r.out.find("top.scanout.reads = 9600") != std::string::npos);
    CHECK(r.out.find("top.nic.writes = 2048") != std::string::npos);
}

TEST_CASE("a malformed traffic trace is a clear input error", "[platform][traffic]") {
    const std::string dir = make_temp_dir("badtrace");
    auto write = [&](const std::string& name, const std::string& text) {
        std::ofstream(dir + "/" + name) << text;
        return dir + "/" + name;
    };
    const std::string cfg = source_path("configs/traffic-traces.toml");
    struct bad { std::string text, fragment; };
    const bad cases[] = {
        {"# vcmsim traffic trace v1\n0 R 0x80000000 64\n10ns X 0x80000040 64\n", ":3: operation must be R or W"},
        {"# vcmsim traffic trace v1\n5ns R 0x80000000 64\n1ns R 0x80000040 64\n", ":3: time goes backwards"},
        {"# vcmsim traffic trace v1\n0 R 0x80000000 0\n", ":2: size must be 1..4096"},
        {"# vcmsim traffic trace v1\n0 R zz 64\n", ":2: bad address"},
        {"0 R 0x80000000 64\n", ":1: not a traffic trace"},
        {"# vcmsim traffic trace v1\n0 R 0x80000000\n", ":2: expected <time>"},
        {"", "empty file"},
    };
    int i = 0;
    for (const auto& c : cases) {
        const std::string path = write("t" + std::to_string(i++) + ".trace", c.text);
        auto r = run_command(vcmsim_binary() + " config validate " + cfg + " -C traffic[0].trace=" + path);
        INFO(c.text << "\n" << r.err);
        CHECK(r.exit_code == 65);
        CHECK(r.err.find(c.fragment) != std::string::npos);
        CHECK(r.err.find(path) != std::string::npos);
    }
    auto missing = run_command(vcmsim_binary() + " config validate " + cfg + " -C traffic[0].trace=/nonexistent.trace");
    CHECK(missing.exit_code == 66);
}
