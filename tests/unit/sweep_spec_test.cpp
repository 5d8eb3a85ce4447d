// Sweep specs, point expansion and point ids (platforms/sweep). No SystemC kernel.
#include <catch2/catch.hpp>

#include <fstream>
#include <set>

#include "platforms/config/config.h"
#include "platforms/config/param_registry.h"
#include "platforms/params.h"
#include "platforms/sweep/sweep_run.h"
#include "platforms/sweep/sweep_spec.h"
#include "tests/support/test_util.h"

using namespace vcmsim::platform;
using namespace vcmsim::platform::sweep;

namespace {

const char* two_axes = R"(
base = "cfg/base.toml"
seeds = [1, 2]
timeout = "2m"
metrics = ["top.cpu.mmu.walks", "top.cpu.mmu.*"]
[axes]
"dram[0].latency" = [40, 80]
"cpu.mmu.granule" = ["4KiB", "64KiB"]
)";

}  // namespace

TEST_CASE("sweep spec: axes, seeds, timeout and metrics are read", "[sweep]") {
    const sweep_spec s = parse_sweep_spec(two_axes, "spec.toml", "/x/y");
    CHECK(s.base == "/x/y/cfg/base.toml");
    REQUIRE(s.axes.size() == 2);
    // TOML tables are unordered: axes come alphabetically.
    CHECK(s.axes[0].key == "cpu.mmu.granule");
    CHECK(s.axes[0].values == std::vector<std::string>{"\"4KiB\"", "\"64KiB\""});
    CHECK(s.axes[0].labels == std::vector<std::string>{"4KiB", "64KiB"});
    CHECK(s.axes[1].key == "dram[0].latency");
    CHECK(s.axes[1].values == std::vector<std::string>{"40", "80"});
    CHECK(s.seeds == std::vector<uint64_t>{1, 2});
    CHECK(s.timeout_s == 120.0);
    CHECK(s.metrics == std::vector<std::string>{"top.cpu.mmu.walks", "top.cpu.mmu.*"});
}

TEST_CASE("sweep spec: a [run] table and [set] overrides", "[sweep]") {
    const sweep_spec s = parse_sweep_spec(
        "base = \"/abs.toml\"\n[axes]\n\"a.b\" = [true, false]\n[run]\nseeds = [7]\ntimeout = 30\n"
        "until = \"2ms\"\n[set]\n\"dram[0].name\" = \"d\"\n",
        "s.toml", ".");
    CHECK(s.base == "/abs.toml");
    CHECK(s.axes[0].values == std::vector<std::string>{"true", "false"});
    CHECK(s.seeds == std::vector<uint64_t>{7});
    CHECK(s.timeout_s == 30.0);
    CHECK(s.extra_overrides == std::vector<std::string>{"dram[0].name=\"d\"", "sim.until=\"2ms\""});
}

TEST_CASE("sweep spec: mistakes are config errors naming the key", "[sweep]") {
    auto err = [](const std::string& text) -> std::string {
        try {
            parse_sweep_spec(text, "s.toml", ".");
        } catch (const config_error& e) {
            CHECK(e.code() == exit_config);
            return e.what();
        }
        return "no error";
    };
    CHECK(err("[axes]\n\"a\" = [1]\n") == "s.toml: base: missing: the platform config to sweep");
    CHECK(err("base = \"b\"\n") == "s.toml: axes: missing: a table of config keys to sweep");
    CHECK(err("base = \"b\"\n[axes]\n\"a\" = []\n") == "s.toml: axes.a: must be a non-empty array of values");
    CHECK(err("base = \"b\"\nsed = [1]\n[axes]\n\"a\" = [1]\n").find("s.toml: sed: unknown key") == 0);
    CHECK(err("base = \"b\"\ntimeout = \"5 parsecs\"\n[axes]\n\"a\" = [1]\n").find("s.toml: timeout:") == 0);
    CHECK(err("base = \"b\"\n[axes]\n\"sim.seed\" = [1]\n") ==
          "s.toml: axes.sim.seed: sweep seeds with seeds = [...], not as an axis");
    CHECK(err("base = \"b\"\nseeds = [-1]\n[axes]\n\"a\" = [1]\n") == "s.toml: seeds: must hold unsigned integers");
}

TEST_CASE("sweep: wall-clock timeouts accept s, m and h", "[sweep]") {
    double v = 0;
    CHECK((parse_wall_seconds("90", v) && v == 90.0));
    CHECK((parse_wall_seconds("1.5m", v) && v == 90.0));
    CHECK((parse_wall_seconds("2h", v) && v == 7200.0));
    CHECK_FALSE(parse_wall_seconds("10ms", v));
    CHECK_FALSE(parse_wall_seconds("-1", v));
}

TEST_CASE("sweep: points are the cartesian product, first axis slowest, seeds fastest", "[sweep]") {
    sweep_spec s = parse_sweep_spec(two_axes, "spec.toml", "/nonexistent");
    const auto pts = expand_points(s);
    REQUIRE(pts.size() == 8);
    const std::vector<std::vector<std::string>> want = {
        {"4KiB", "40"}, {"4KiB", "40"}, {"4KiB", "80"}, {"4KiB", "80"},
        {"64KiB", "40"}, {"64KiB", "40"}, {"64KiB", "80"}, {"64KiB", "80"}};
    for (size_t i = 0; i < pts.size(); ++i) {
        CHECK(pts[i].index == i);
        CHECK(pts[i].labels == want[i]);
        CHECK(pts[i].seed == (i % 2 ? 2u : 1u));
    }
    CHECK(pts[5].overrides == std::vector<std::string>{"cpu.mmu.granule=\"64KiB\"", "dram[0].latency=40"});
    // The base does not exist: ids fall back to a hash of the text, still unique and stable.
    std::set<std::string> ids;
    for (const auto& p : pts) ids.insert(p.id);
    CHECK(ids.size() == 8);
    CHECK(expand_points(s)[3].id == pts[3].id);
}

TEST_CASE("sweep: a point id is the config hash of the resolved config", "[sweep]") {
    register_all_params();
    const std::string base = vcmsim::test::source_path("tests/configs/cpu_mmu_stream.toml");
    const std::string id = point_id(base, {"cpu.mmu.walk_cache_entries=4"}, 3);
    CHECK(id == config::load({base}, {"cpu.mmu.walk_cache_entries=4", "sim.seed=3"})
                    .hash(param_registry::global()));
    CHECK(id.size() == 16);
    CHECK(point_id(base, {"cpu.mmu.walk_cache_entries=4"}, 4) != id);
    CHECK(point_id(base, {"cpu.mmu.walk_cache_entries=16"}, 3) != id);
    // Two spellings of the same value resolve to the same config and the same id.
    CHECK(point_id(base, {"cpu.mmu.table_pool_size=\"1MiB\""}, 1) ==
          point_id(base, {"cpu.mmu.table_pool_size=1048576"}, 1));
}

TEST_CASE("sweep: duplicate resolved configs get distinct folders", "[sweep]") {
    const std::string base = vcmsim::test::source_path("tests/configs/cpu_mmu_stream.toml");
    sweep_spec s = parse_sweep_spec("base = \"" + base +
                                        "\"\n[axes]\n\"cpu.mmu.table_pool_size\" = [\"1MiB\", 1048576]\n",
                                    "s.toml", ".");
    const auto pts = expand_points(s);
    REQUIRE(pts.size() == 2);
    CHECK(pts[1].id == pts[0].id + "-2");
}

TEST_CASE("sweep: exit codes map to statuses", "[sweep]") {
    CHECK(status_of_exit(0) == "ok");
    CHECK(status_of_exit(1) == "checks_failed");
    CHECK(status_of_exit(78) == "config_error");
    CHECK(status_of_exit(124) == "timeout");
    CHECK(status_of_exit(66) == "input_missing");
    CHECK(status_of_exit(70) == "internal_error");
    CHECK(status_of_exit(139) == "crash");
    CHECK(status_of_exit(3) == "exit_3");
}

TEST_CASE("sweep: point command line and CSV quoting", "[sweep]") {
    sweep_spec s = parse_sweep_spec("base = \"b.toml\"\ntimeout = 30\n[axes]\n\"x.y\" = [\"a b\"]\n", "s", ".");
    const auto pts = expand_points(s);
    CHECK(point_args(s, pts[0], "out/p") ==
          std::vector<std::string>{"run", "./b.toml", "-C", "x.y=\"a b\"", "--seed", "1", "-q",
                                   "--progress", "never", "--wall-timeout", "30", "-o", "out/p"});
    CHECK(shell_quote("it's") == "'it'\\''s'");
    CHECK(csv_field("plain") == "plain");
    CHECK(csv_field("a,b") == "\"a,b\"");
    CHECK(csv_field("say \"hi\"") == "\"say \"\"hi\"\"\"");
    const std::string dir = vcmsim::test::make_temp_dir("sweep_csv");
    std::ofstream(dir + "/t.csv") << "a,b\n\"x,1\",\"q\"\"\"\n";
    const auto rows = read_csv(dir + "/t.csv");
    REQUIRE(rows.size() == 2);
    CHECK(rows[1] == std::vector<std::string>{"x,1", "q\""});
}

TEST_CASE("sweep spec: [[plot]] tables name an axis (or seed) and a metric", "[sweep]") {
    const std::string base = std::string(two_axes) +
                             "[[plot]]\nx = \"dram[0].latency\"\ny = \"top.cpu.mmu.walks\"\nseries = \"cpu.mmu.granule\"\n"
                             "[[plot]]\nx = \"seed\"\ny = \"top.cpu.mmu.walks\"\nterm = \"dumb\"\n";
    const sweep_spec s = parse_sweep_spec(base, "spec.toml", ".");
    REQUIRE(s.plots.size() == 2);
    CHECK(s.plots[0].x == "dram[0].latency");
    CHECK(s.plots[0].series == "cpu.mmu.granule");
    CHECK(s.plots[0].term == "svg");
    CHECK(s.plots[1].term == "dumb");
    auto err = [](const std::string& text) -> std::string {
        try {
            parse_sweep_spec(text, "s.toml", ".");
        } catch (const config_error& e) {
            return e.what();
        }
        return "no error";
    };
    CHECK(err(std::string(two_axes) + "[[plot]]\nx = \"cpu.clock\"\ny = \"m\"\n") ==
          "s.toml: plot[0]: 'cpu.clock' is not an axis of this sweep");
    CHECK(err(std::string(two_axes) + "[[plot]]\ny = \"m\"\n") ==
          "s.toml: plot[0]: needs x (an axis key or seed) and y (a metric)");
    CHECK(err(std::string(two_axes) + "[[plot]]\nx = \"seed\"\ny = \"m\"\nterm = \"pdf\"\n") ==
          "s.toml: plot[0].term: must be svg, png or dumb");
    CHECK(err(std::string(two_axes) + "[[plot]]\nx = \"seed\"\ny = \"m\"\ncolour = \"red\"\n").find(
              "s.toml: plot[0].colour: unknown key") == 0);
}
