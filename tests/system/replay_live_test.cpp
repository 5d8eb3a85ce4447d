// Live mode: regenerate the QEMU oracle corpus with scripts/qemu-oracle-regen.sh (needs
// qemu-system-aarch64; the script prints "skipped: ..." without it) and replay the fresh files.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <sstream>

#include "tests/support/test_util.h"

using namespace vcmsim::test;
namespace fs = std::filesystem;

TEST_CASE("a freshly regenerated QEMU corpus replays with no failure", "[replay][live]") {
    const std::string dir = make_temp_dir("replay-live");
    const auto g = run_command("bash " + source_path("scripts/qemu-oracle-regen.sh") + " " + dir);
    INFO(g.out << g.err);
    if (g.out.find("skipped:") != std::string::npos) {
        WARN("live QEMU mode skipped: " << g.out);
        fs::remove_all(dir);
        return;
    }
    REQUIRE(g.exit_code == 0);
    std::vector<std::string> files;
    for (const auto& e : fs::directory_iterator(dir))
        if (e.path().extension() == ".json") files.push_back(e.path().string());
    std::sort(files.begin(), files.end());
    REQUIRE(files.size() >= 25);
    std::string cmd = vcmsim_binary() + " smmu replay -j 2";
    for (const auto& f : files) cmd += " " + f;
    const auto r = run_command(cmd);
    INFO(r.out << r.err);
    CHECK(r.exit_code == 0);
    CHECK(r.out.find("\nFAIL ") == std::string::npos);
    CHECK(r.out.find(" 0 failed\n") != std::string::npos);
    fs::remove_all(dir);
}
