// End-to-end runs of the vcmsim binary: the example platform, determinism, exit codes,
// sparse memory footprint, and a scenario that can never finish.
#include <catch2/catch.hpp>

#include <filesystem>

#include <nlohmann/json.hpp>

#include "tests/support/test_util.h"

using namespace vcmsim::test;
namespace fs = std::filesystem;

namespace {
command_result run_vcmsim(const std::string& args) {
    return run_command(vcmsim_binary() + " " + args);
}
nlohmann::json load_json(const std::string& path) { return nlohmann::json::parse(read_file(path)); }
}  // namespace

TEST_CASE("the minimal platform runs to a passing check and writes its outputs", "[platform]") {
    const std::string out = make_temp_dir("minimal");
    auto r = run_vcmsim("run " + source_path("configs/minimal.toml") + " -o " + out);
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(r.out.find("PASS") != std::string::npos);
    for (const char* f : {"stats.json", "stats.txt", "config.resolved.toml", "config.resolved.json", "run.log"})
        CHECK(fs::exists(out + "/" + f));
    auto j = load_json(out + "/stats.json");
    CHECK(j["schema"] == "vcmsim.stats.v1");
    CHECK(j["run"]["result"] == "pass");
    CHECK(j["stats"]["top.dma0.bytes"]["value"] == 4194304);
    CHECK(j["stats"]["top.disp0.frames"]["value"].get<uint64_t>() >= 3);
    CHECK(j["stats"]["top.disp0.underruns"]["value"] == 0);
    CHECK(read_file(out + "/stats.txt").find("top.dram0.bytes_read") != std::string::npos);
    fs::remove_all(out);
}

TEST_CASE("identical runs give byte-identical stats apart from the host block", "[platform][determinism]") {
    const std::string a = make_temp_dir("det-a"), b = make_temp_dir("det-b");
    const std::string cfg = source_path("configs/minimal.toml");
    REQUIRE(run_vcmsim("run " + cfg + " -q --seed 7 -o " + a).exit_code == 0);
    REQUIRE(run_vcmsim("run " + cfg + " -q --seed 7 -o " + b).exit_code == 0);
    auto ja = load_json(a + "/stats.json"), jb = load_json(b + "/stats.json");
    CHECK(ja["run"]["seed"] == 7);
    ja.erase("host");
    jb.erase("host");
    CHECK(ja.dump() == jb.dump());
    CHECK(read_file(a + "/stats.txt") == read_file(b + "/stats.txt"));
    CHECK(read_file(a + "/config.resolved.toml") == read_file(b + "/config.resolved.toml"));
    fs::remove_all(a);
    fs::remove_all(b);
}

TEST_CASE("a 64 GiB sparse DRAM with 4 MiB touched stays under 100 MiB of host memory", "[platform][memory]") {
    const std::string out = make_temp_dir("sparse");
    auto r = run_vcmsim("run " + source_path("tests/configs/sparse64g.toml") + " -q -o " + out);
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    auto j = load_json(out + "/stats.json");
    CHECK(j["stats"]["top.dram0.host_pages"]["value"] == 64);
    const long rss_kib = j["host"]["peak_rss_kib"].get<long>();
    INFO("peak RSS " << rss_kib << " KiB");
    CHECK(rss_kib < 100 * 1024);
    fs::remove_all(out);
}

TEST_CASE("past host_memory_limit the guest's writes fail with a clear message, the host stays small", "[platform][memory]") {
    const std::string out = make_temp_dir("sparse_cap");
    // The same 64 GiB DRAM and 4 MiB of writes, with room for 1 MiB of host pages only.
    auto r = run_vcmsim("run " + source_path("tests/configs/sparse64g.toml") + " -q -o " + out +
                        " -C 'dram[0].host_memory_limit=\"1MiB\"'");
    INFO(r.out << r.err);
    CHECK(r.exit_code == 1);   // a check failed; no crash, no allocation past the limit
    auto j = load_json(out + "/stats.json");
    CHECK(j["stats"]["top.dram0.host_pages"]["value"] == 16);
    CHECK(j["stats"]["top.dram0.errors"]["value"].get<double>() >= 1);
    CHECK(read_file(out + "/run.log").find("host memory limit reached") != std::string::npos);
    fs::remove_all(out);
}

TEST_CASE("a scenario that can never finish fails its checks instead of hanging", "[platform]") {
    auto r = run_vcmsim("run " + source_path("tests/configs/wait_forever.toml") + " -q");
    INFO(r.out << r.err);
    CHECK(r.exit_code == 1);
    CHECK(r.out.find("did not finish") != std::string::npos);
}

TEST_CASE("exit codes: usage 64, missing file 66, config error 78", "[platform][cli]") {
    CHECK(run_vcmsim("").exit_code == 64);
    CHECK(run_vcmsim("frobnicate").exit_code == 64);
    CHECK(run_vcmsim("run").exit_code == 64);
    CHECK(run_vcmsim("run --no-such-flag x.toml").exit_code == 64);
    auto missing = run_vcmsim("run /nonexistent/platform.toml");
    CHECK(missing.exit_code == 66);
    CHECK(missing.err.find("/nonexistent/platform.toml") != std::string::npos);
    auto bad = run_vcmsim("run " + source_path("configs/minimal.toml") + " -C cpu.clok=1GHz");
    CHECK(bad.exit_code == 78);
    CHECK(bad.err.find("did you mean") != std::string::npos);
    CHECK(run_vcmsim("version").exit_code == 0);
    CHECK(run_vcmsim("list params dram").out.find("latency = 40") != std::string::npos);
    CHECK(run_vcmsim("config validate " + source_path("configs/minimal.toml")).exit_code == 0);
}

TEST_CASE("overrides change the run: a DRAM without bandwidth makes the copy faster", "[platform][cli]") {
    const std::string a = make_temp_dir("ovr-a"), b = make_temp_dir("ovr-b");
    const std::string cfg = source_path("configs/minimal.toml");
    REQUIRE(run_vcmsim("run " + cfg + " -q -o " + a).exit_code == 0);
    REQUIRE(run_vcmsim("run " + cfg + " -q -C dram[0].bandwidth=100GB/s -o " + b).exit_code == 0);
    auto ja = load_json(a + "/stats.json"), jb = load_json(b + "/stats.json");
    CHECK(ja["run"]["config_hash"] != jb["run"]["config_hash"]);
    CHECK(jb["stats"]["top.dram0.utilisation"]["value"].get<double>() <
          ja["stats"]["top.dram0.utilisation"]["value"].get<double>());
    fs::remove_all(a);
    fs::remove_all(b);
}

TEST_CASE("a display starved of bandwidth underruns on every line, exactly", "[platform][display]") {
    const std::string out = make_temp_dir("underrun");
    auto r = run_vcmsim("run " + source_path("tests/configs/display_underrun.toml") + " -q -o " + out);
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    auto j = load_json(out + "/stats.json");
    CHECK(j["stats"]["top.disp0.underruns"]["value"] == 480);
    CHECK(j["stats"]["top.disp0.frames"]["value"] == 2);
    // With the default bandwidth the same display keeps up.
    auto ok = run_vcmsim("run " + source_path("tests/configs/display_underrun.toml") +
                         " -q -C dram[0].bandwidth=12.8GB/s -C scenario.check[0].equals=0");
    CHECK(ok.exit_code == 0);
    fs::remove_all(out);
}

TEST_CASE("docs/config-reference.md is the current parameter listing", "[platform][docs]") {
    auto r = run_vcmsim("list params --format markdown");
    REQUIRE(r.exit_code == 0);
    INFO("regenerate: ./build/vcmsim list params --format markdown > docs/config-reference.md");
    CHECK(r.out == read_file(source_path("docs/config-reference.md")));
}
