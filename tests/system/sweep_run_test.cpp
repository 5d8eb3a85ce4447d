// Whole sweeps through the binary: `vcmsim sweep` runs each point as a child `vcmsim run`.
// No sc_start in these processes.
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "platforms/sweep/sweep_run.h"
#include "tests/support/test_util.h"

using vcmsim::test::run_command;
using vcmsim::test::source_path;

namespace {

std::string sweep_bin() { return vcmsim::test::vcmsim_binary(); }

std::string write_spec(const std::string& dir, const std::string& body) {
    const std::string p = dir + "/spec.toml";
    std::ofstream(p) << "base = \"" << source_path("tests/configs/cpu_mmu_stream.toml") << "\"\n"
                     << body;
    return p;
}

const char* walk_metrics =
    "metrics = [\"top.cpu.mmu.walks\", \"top.cpu.mmu.walk_reads\", "
    "\"top.cpu.mmu.walk_cache_reads_saved\"]\n";

std::vector<std::vector<std::string>> csv(const std::string& dir) {
    return vcmsim::platform::sweep::read_csv(dir + "/results.csv");
}

// The row without point_id (a hash) and wall_s (column `wall`), which vary.
std::vector<std::string> stable(std::vector<std::string> row, size_t wall) {
    row.erase(row.begin() + static_cast<long>(wall));
    row.erase(row.begin());
    return row;
}

nlohmann::json manifest(const std::string& dir) {
    return nlohmann::json::parse(vcmsim::test::read_file(dir + "/manifest.json"));
}

}  // namespace

TEST_CASE("sweep: a small sweep writes exact results rows", "[sweep]") {
    const std::string dir = vcmsim::test::make_temp_dir("sweep_small");
    const std::string spec = write_spec(dir, std::string("seeds = [1, 2]\n") + walk_metrics +
                                                 "[axes]\n\"cpu.mmu.walk_cache_entries\" = [0, 16]\n");
    const auto r = run_command(sweep_bin() + " sweep " + spec + " -j 2 -o " + dir + "/out");
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    const auto rows = csv(dir + "/out");
    REQUIRE(rows.size() == 5);
    CHECK(rows[0] == std::vector<std::string>{"point_id", "cpu.mmu.walk_cache_entries", "seed",
                                              "status", "exit_code", "wall_s", "top.cpu.mmu.walks",
                                              "top.cpu.mmu.walk_reads",
                                              "top.cpu.mmu.walk_cache_reads_saved"});
    // 256 walks of 4 levels: without a walk cache every level is read (1024 reads); with 16
    // entries only the first walk reads the upper levels (256 + 3 reads, 765 saved).
    CHECK(stable(rows[1], 5) == std::vector<std::string>{"0", "1", "ok", "0", "256", "1024", "0"});
    CHECK(stable(rows[2], 5) == std::vector<std::string>{"0", "2", "ok", "0", "256", "1024", "0"});
    CHECK(stable(rows[3], 5) == std::vector<std::string>{"16", "1", "ok", "0", "256", "259", "765"});
    CHECK(stable(rows[4], 5) == std::vector<std::string>{"16", "2", "ok", "0", "256", "259", "765"});
    for (size_t i = 1; i < rows.size(); ++i) {
        CHECK(rows[i][0].size() == 16);
        CHECK(std::stod(rows[i][5]) >= 0.0);
        struct stat st {};
        CHECK(::stat((dir + "/out/points/" + rows[i][0] + "/stats.json").c_str(), &st) == 0);
    }
    const auto m = manifest(dir + "/out");
    CHECK(m["points"] == 4);
    CHECK(m["counts"] == nlohmann::json{{"ok", 4}});
    CHECK(m["tool"].get<std::string>().rfind("vcmsim ", 0) == 0);
    const std::string jsonl = vcmsim::test::read_file(dir + "/out/results.jsonl");
    CHECK(std::count(jsonl.begin(), jsonl.end(), '\n') == 4);
    const auto first = nlohmann::json::parse(jsonl.substr(0, jsonl.find('\n')));
    CHECK(first["metrics"]["top.cpu.mmu.walk_reads"] == 1024);
    CHECK(first["axes"]["cpu.mmu.walk_cache_entries"] == "0");
}

TEST_CASE("sweep: a bad value is a config_error row and the sweep exits 1", "[sweep]") {
    const std::string dir = vcmsim::test::make_temp_dir("sweep_fail");
    const std::string spec = write_spec(dir, std::string(walk_metrics) +
                                                 "[axes]\n\"cpu.mmu.walk_cache_entries\" = [4, \"many\"]\n");
    const auto r = run_command(sweep_bin() + " sweep " + spec + " -j 1 -o " + dir + "/out");
    INFO(r.out << r.err);
    CHECK(r.exit_code == 1);
    const auto rows = csv(dir + "/out");
    REQUIRE(rows.size() == 3);
    CHECK(stable(rows[1], 5) == std::vector<std::string>{"4", "1", "ok", "0", "256", "259", "765"});
    CHECK(stable(rows[2], 5) == std::vector<std::string>{"many", "1", "config_error", "78", "", "", ""});
    CHECK(manifest(dir + "/out")["counts"] == nlohmann::json{{"config_error", 1}, {"ok", 1}});
    // The point's own console output says why.
    const std::string log = vcmsim::test::read_file(dir + "/out/points/" + rows[2][0] + "/console.log");
    CHECK(log.find("walk_cache_entries") != std::string::npos);
}

TEST_CASE("sweep: --resume reruns only the points without results", "[sweep]") {
    const std::string dir = vcmsim::test::make_temp_dir("sweep_resume");
    const std::string spec = write_spec(dir, std::string(walk_metrics) +
                                                 "[axes]\n\"cpu.mmu.walk_cache_entries\" = [0, 4, 16]\n");
    const std::string cmd = sweep_bin() + " sweep " + spec + " -j 2 -o " + dir + "/out";
    REQUIRE(run_command(cmd).exit_code == 0);
    const auto before = csv(dir + "/out");
    REQUIRE(before.size() == 4);
    REQUIRE(run_command("rm -rf " + dir + "/out/points/" + before[2][0]).exit_code == 0);
    const auto r = run_command(cmd + " --resume");
    INFO(r.out << r.err);
    CHECK(r.exit_code == 0);
    const auto m = manifest(dir + "/out");
    CHECK(m["ran"] == 1);
    CHECK(m["resumed"] == 2);
    const auto after = csv(dir + "/out");
    REQUIRE(after.size() == 4);
    for (size_t i = 1; i < 4; ++i) CHECK(stable(after[i], 5) == stable(before[i], 5));
    // Without --resume every point runs again.
    REQUIRE(run_command(cmd).exit_code == 0);
    CHECK(manifest(dir + "/out")["ran"] == 3);
}

TEST_CASE("sweep: walk-cache.toml - walk reads fall as the walk cache grows", "[sweep]") {
    const std::string dir = vcmsim::test::make_temp_dir("sweep_walkcache");
    const auto r = run_command(sweep_bin() + " sweep " + source_path("configs/sweeps/walk-cache.toml") +
                               " -o " + dir + "/out");
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    const auto rows = csv(dir + "/out");
    REQUIRE(rows.size() == 5);
    REQUIRE(rows[0][6] == "top.cpu.mmu.walks");
    REQUIRE(rows[0][7] == "top.cpu.mmu.walk_reads");
    REQUIRE(rows[0][8] == "top.cpu.mmu.walk_cache_reads_saved");
    std::vector<long> reads;
    for (size_t i = 1; i < rows.size(); ++i) {
        const long walks = std::stol(rows[i][6]), rd = std::stol(rows[i][7]), saved = std::stol(rows[i][8]);
        CHECK(walks == 256);
        CHECK(rd + saved == 4 * walks);  // every level is either read or saved
        reads.push_back(rd);
    }
    CHECK(reads.front() == 1024);
    for (size_t i = 1; i < reads.size(); ++i) CHECK(reads[i] <= reads[i - 1]);
    CHECK(reads.back() < reads.front());

    // The plot script is written whether or not gnuplot is installed.
    const auto p = run_command(sweep_bin() + " sweep plot " + dir + "/out --x cpu.mmu.walk_cache_entries"
                               " --y top.cpu.mmu.walk_reads --normalize-to 0 --term dumb");
    INFO(p.out << p.err);
    CHECK(p.exit_code == 0);
    const std::string dat = vcmsim::test::read_file(
        dir + "/out/plots/top_cpu_mmu_walk_reads_vs_cpu_mmu_walk_cache_entries.dat");
    CHECK(dat.rfind("# cpu.mmu.walk_cache_entries\ttop.cpu.mmu.walk_reads\n0\t1\n4\t0.2529296875\n", 0) == 0);
    const std::string gp = vcmsim::test::read_file(
        dir + "/out/plots/top_cpu_mmu_walk_reads_vs_cpu_mmu_walk_cache_entries.gp");
    CHECK(gp.find("set terminal dumb") != std::string::npos);
}

TEST_CASE("sweep: --dry-run lists the points without running them", "[sweep]") {
    const std::string dir = vcmsim::test::make_temp_dir("sweep_dry");
    const std::string spec = write_spec(dir, "seeds = [1, 2]\n[axes]\n\"cpu.mmu.walk_cache_entries\" = [0, 4]\n"
                                             "\"cpu.mmu.granule\" = [\"4KiB\", \"64KiB\"]\n");
    const auto r = run_command(sweep_bin() + " sweep " + spec + " --dry-run --json -o " + dir + "/out");
    REQUIRE(r.exit_code == 0);
    const auto j = nlohmann::json::parse(r.out);
    REQUIRE(j.size() == 8);
    CHECK(j[7]["axes"] == nlohmann::json{{"cpu.mmu.granule", "64KiB"}, {"cpu.mmu.walk_cache_entries", "4"}});
    CHECK(j[7]["seed"] == 2);
    struct stat st {};
    CHECK(::stat((dir + "/out").c_str(), &st) != 0);
    CHECK(run_command(sweep_bin() + " sweep " + spec + " --dry-run").out.find("8 points") != std::string::npos);
}

TEST_CASE("sweep: --emit-jobs writes jobs that GNU parallel runs and collect merges", "[sweep]") {
    const std::string dir = vcmsim::test::make_temp_dir("sweep_jobs");
    const std::string spec = write_spec(dir, std::string(walk_metrics) +
                                                 "[axes]\n\"cpu.mmu.walk_cache_entries\" = [0, 16]\n");
    const auto r = run_command(sweep_bin() + " sweep " + spec + " --emit-jobs " + dir + "/jobs");
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    const std::string jobs = vcmsim::test::read_file(dir + "/jobs/jobs.txt");
    CHECK(std::count(jobs.begin(), jobs.end(), '\n') == 2);
    CHECK(jobs.find(" 'run' ") != std::string::npos);
    CHECK(vcmsim::test::read_file(dir + "/jobs/sweep.sbatch").find("#SBATCH --array=1-2\n") != std::string::npos);
    // Before any job ran, collect reports every point missing.
    CHECK(run_command(sweep_bin() + " sweep collect " + dir + "/jobs").exit_code == 1);
    CHECK(stable(csv(dir + "/jobs")[1], 5) == std::vector<std::string>{"0", "1", "missing", "", "", "", ""});

    const bool have_parallel = run_command("parallel --version").exit_code == 0;
    if (have_parallel) {
        CHECK(run_command("parallel --will-cite -j 2 -a " + dir + "/jobs/jobs.txt").exit_code == 0);
    } else {
        WARN("GNU parallel is not installed: running jobs.txt with bash instead");
        CHECK(run_command("bash " + dir + "/jobs/jobs.txt").exit_code == 0);
    }
    const auto c = run_command(sweep_bin() + " sweep collect " + dir + "/jobs");
    INFO(c.out << c.err);
    CHECK(c.exit_code == 0);
    const auto rows = csv(dir + "/jobs");
    REQUIRE(rows.size() == 3);
    CHECK(stable(rows[1], 5) == std::vector<std::string>{"0", "1", "ok", "0", "256", "1024", "0"});
    CHECK(stable(rows[2], 5) == std::vector<std::string>{"16", "1", "ok", "0", "256", "259", "765"});
}

TEST_CASE("sweep: usage and spec errors have their exit codes", "[sweep]") {
    const std::string dir = vcmsim::test::make_temp_dir("sweep_errors");
    CHECK(run_command(sweep_bin() + " sweep").exit_code == 64);
    CHECK(run_command(sweep_bin() + " sweep " + dir + "/nope.toml").exit_code == 66);
    std::ofstream(dir + "/bad.toml") << "base = \"x.toml\"\n[axes]\n\"a\" = []\n";
    const auto r = run_command(sweep_bin() + " sweep " + dir + "/bad.toml");
    CHECK(r.exit_code == 78);
    CHECK(r.err.find("axes.a: must be a non-empty array") != std::string::npos);
    CHECK(run_command(sweep_bin() + " sweep plot " + dir + " --x a --y b").exit_code == 66);
}

TEST_CASE("sweep: crashed and hung points are crash and timeout rows", "[sweep]") {
    const std::string dir = vcmsim::test::make_temp_dir("sweep_crash");
    // Stand-in runners: one dies of SIGSEGV, one ignores --wall-timeout and hangs.
    std::ofstream(dir + "/crash.sh") << "#!/bin/sh\nkill -SEGV $$\n";
    std::ofstream(dir + "/hang.sh") << "#!/bin/sh\nexec sleep 60\n";
    REQUIRE(run_command("chmod +x " + dir + "/crash.sh " + dir + "/hang.sh").exit_code == 0);
    const std::string spec = write_spec(dir, "timeout = 0.2\n[axes]\n\"cpu.mmu.walk_cache_entries\" = [4]\n");
    const auto c = run_command(sweep_bin() + " sweep " + spec + " --runner " + dir + "/crash.sh -o " + dir + "/c");
    CHECK(c.exit_code == 1);
    CHECK(stable(csv(dir + "/c")[1], 5) == std::vector<std::string>{"4", "1", "crash", ""});
    // Killed after the timeout plus a 5 s grace period.
    const auto h = run_command(sweep_bin() + " sweep " + spec + " --runner " + dir + "/hang.sh -o " + dir + "/h");
    CHECK(h.exit_code == 1);
    const auto rows = csv(dir + "/h");
    CHECK(stable(rows[1], 5) == std::vector<std::string>{"4", "1", "timeout", ""});
    CHECK(std::stod(rows[1][5]) >= 5.2);
}

TEST_CASE("sweep: an interrupted sweep exits 130, keeps finished points, and --resume runs the rest", "[sweep]") {
    const std::string dir = vcmsim::test::make_temp_dir("sweep_interrupt");
    // Six points of ~0.3 s each, one at a time; SIGINT arrives while the third or so runs.
    const std::string spec = write_spec(dir, std::string(walk_metrics) +
                                                 "[set]\n\"scenario.step[2].repeat\" = 200\n\"sim.until\" = \"10s\"\n"
                                                 "[axes]\n\"cpu.mmu.walk_cache_entries\" = [0, 4, 8, 16, 32, 64]\n");
    const std::string cmd = sweep_bin() + " sweep " + spec + " -j 1 --progress never -o " + dir + "/out";
    const auto r = run_command("sh -c '" + cmd + " & pid=$!; sleep 0.8; kill -INT $pid; wait $pid; echo rc=$?'");
    INFO(r.out << r.err);
    if (r.out.find("rc=0") != std::string::npos) {
        WARN("the sweep finished before the interruption arrived: nothing to check");
        return;
    }
    REQUIRE(r.out.find("rc=130") != std::string::npos);
    CHECK(r.err.find("interrupted (signal 2)") != std::string::npos);
    const auto m = manifest(dir + "/out");
    CHECK(m["interrupted"] == true);
    const int finished = m["ran"].get<int>();
    CHECK(finished < 6);
    const auto rows = csv(dir + "/out");
    REQUIRE(rows.size() == 7);   // every point has a row; the unfinished ones are 'missing'
    int ok = 0, missing = 0;
    for (size_t i = 1; i < rows.size(); ++i) {
        ok += rows[i][3] == "ok";
        missing += rows[i][3] == "missing";
    }
    CHECK(ok == finished);
    CHECK(missing == 6 - finished);
    // No orphan keeps running and writing: the killed point left no result.
    const auto again = run_command(cmd + " --resume");
    INFO(again.out << again.err);
    CHECK(again.exit_code == 0);
    const auto m2 = manifest(dir + "/out");
    CHECK(m2["ran"] == 6 - finished);
    CHECK(m2["resumed"] == finished);
    CHECK(m2["interrupted"] == false);
    for (const auto& row : csv(dir + "/out"))
        if (row[0] != "point_id") CHECK(row[3] == "ok");
}
