// `vcmsim smmu replay` on the committed QEMU oracle corpus: the whole corpus passes, a corrupted
// page-table entry / CD / STE in a copy of a case makes the replay fail naming the DMA and the
// difference, and bad or missing files give the documented exit codes.
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "platforms/smmu_replay/oracle_case.h"
#include "tests/support/test_util.h"

using namespace vcmsim::test;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::string replay_cmd() { return vcmsim_binary() + " smmu replay"; }

std::vector<std::string> corpus_files() {
    std::vector<std::string> v;
    for (const auto& e : fs::directory_iterator(source_path("tests/smmu_corpus")))
        if (e.path().extension() == ".json") v.push_back(e.path().string());
    std::sort(v.begin(), v.end());
    return v;
}

std::vector<std::string> lines_of(const std::string& s) {
    std::vector<std::string> v;
    std::istringstream in(s);
    for (std::string l; std::getline(in, l);) v.push_back(l);
    return v;
}

bool starts_with(const std::string& s, const std::string& p) { return s.compare(0, p.size(), p) == 0; }

// A copy of a corpus case with the data of the `mem` entry tagged `tag` replaced.
std::string corrupted_copy(const std::string& dir, const std::string& name, const std::string& tag,
                           const std::string& new_hex) {
    json j = json::parse(read_file(source_path("tests/smmu_corpus/" + name + ".json")));
    bool found = false;
    for (auto& e : j["trace"])
        if (e["k"] == "mem" && e["tag"] == tag && !found) {
            std::string d = e["data"].get<std::string>();
            REQUIRE(d.size() >= new_hex.size());
            d.replace(0, new_hex.size(), new_hex);
            e["data"] = d;
            found = true;
        }
    REQUIRE(found);
    const std::string path = dir + "/" + name + ".json";
    std::ofstream(path) << j.dump(1);
    return path;
}

// The verdict line of trace entry `index` of case `name`.
std::string verdict_line(const std::string& out, const std::string& name, std::size_t index) {
    for (const auto& l : lines_of(out)) {
        const auto p = l.find(" " + name + " #" + std::to_string(index) + " ");
        if (p != std::string::npos && p < 12) return l;
    }
    return {};
}

}  // namespace

TEST_CASE("the committed QEMU corpus replays on our SMMU with no failure", "[replay][corpus]") {
    const auto files = corpus_files();
    REQUIRE(files.size() >= 25);
    std::size_t dmas = 0;
    for (const auto& f : files) dmas += vcmsim::platform::replay::load_oracle_case(f).dma_count();
    std::string cmd = replay_cmd() + " -j 2";
    for (const auto& f : files) cmd += " " + f;
    const auto t0 = std::chrono::steady_clock::now();
    const auto r = run_command(cmd);
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    INFO(r.out << r.err);
    WARN("corpus replay: " << files.size() << " files, " << dmas << " DMAs, " << secs << " s wall");
    CHECK(r.exit_code == 0);
    const auto lines = lines_of(r.out);
    std::size_t pass = 0, dev = 0, fail = 0;
    for (const auto& l : lines) {
        pass += starts_with(l, "PASS ");
        dev += starts_with(l, "DEVIATION ");
        fail += starts_with(l, "FAIL ");
    }
    CHECK(fail == 0);
    CHECK(pass + dev == dmas);
    // QEMU's two architectural departures (3 + 3 DMAs) are DEVIATIONs, never plain passes.
    std::size_t beyond = 0, block = 0;
    for (const auto& l : lines) {
        beyond += starts_with(l, "DEVIATION ") && l.find("[iova_beyond_48bit]") != std::string::npos;
        block += starts_with(l, "DEVIATION ") && l.find("[invalid_block_accepted]") != std::string::npos;
    }
    CHECK(beyond == 3);
    CHECK(block == 3);
    const auto it = std::find_if(lines.begin(), lines.end(), [](const std::string& l) {
        return l.find(" passed, ") != std::string::npos && l.find(':') == std::string::npos;
    });
    REQUIRE(it != lines.end());
    CHECK(*it == std::to_string(dmas) + " passed, 0 failed");
    CHECK(secs < 60.0);   // target < 30 s on the 2-core dev machine
}

TEST_CASE("replay --json gives one object per DMA and a total", "[replay][json]") {
    const std::string f = source_path("tests/smmu_corpus/multi_same_iova.json");
    const auto r = run_command(replay_cmd() + " --json " + f);
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    const auto c = vcmsim::platform::replay::load_oracle_case(f);
    std::size_t verdicts = 0;
    json last;
    for (const auto& l : lines_of(r.out)) {
        last = json::parse(l);
        if (last.contains("verdict")) {
            ++verdicts;
            CHECK(last["verdict"] != "fail");
        }
    }
    CHECK(verdicts == c.dma_count());
    CHECK(last["passed"] == c.dma_count());
    CHECK(last["failed"] == 0);
    CHECK(last["files"] == 1);
}

TEST_CASE("a corrupted page-table entry fails the DMA that uses it", "[replay][corrupt]") {
    const std::string dir = make_temp_dir("replay-pte");
    // desc L2[3]: the 2 MiB block at IOVA 0x600000 now points at 0x43400000 instead of 0x43200000.
    const std::string f = corrupted_copy(dir, "4k_block_2m", "desc L2[3]", "0107404300000000");
    const auto r = run_command(replay_cmd() + " " + f);
    INFO(r.out << r.err);
    CHECK(r.exit_code == 1);
    const std::string l = verdict_line(r.out, "4k_block_2m", 35);
    CHECK(starts_with(l, "FAIL 4k_block_2m #35 write iova=0x600000 len=128"));
    CHECK(l.find("write landed: QEMU at 0x43200000, ours at 0x43400000") != std::string::npos);
    CHECK(lines_of(r.out).back().find(" failed") != std::string::npos);
    CHECK(lines_of(r.out).back().find(" 0 failed") == std::string::npos);
    fs::remove_all(dir);
}

TEST_CASE("a corrupted context descriptor fails the first DMA with C_BAD_CD", "[replay][corrupt]") {
    const std::string dir = make_temp_dir("replay-cd");
    // CD DW0 bit 31 (V) cleared: 0x0001620cc0003510 -> 0x0001620c40003510.
    const std::string f = corrupted_copy(dir, "4k_block_2m", "CD", "103500400c620100");
    const auto r = run_command(replay_cmd() + " " + f);
    INFO(r.out << r.err);
    CHECK(r.exit_code == 1);
    const std::string l = verdict_line(r.out, "4k_block_2m", 34);
    CHECK(starts_with(l, "FAIL 4k_block_2m #34 read iova=0xff00000 len=128 (harness)"));
    CHECK(l.find("events: QEMU no event, ours C_BAD_CD sid=0x8") != std::string::npos);
    fs::remove_all(dir);
}

TEST_CASE("a corrupted STE fails the first DMA with C_BAD_STE", "[replay][corrupt]") {
    const std::string dir = make_temp_dir("replay-ste");
    // STE[8] DW0 V cleared: 0x4100040b -> 0x4100040a.
    const std::string f = corrupted_copy(dir, "4k_block_2m", "STE[8]", "0a");
    const auto r = run_command(replay_cmd() + " " + f);
    INFO(r.out << r.err);
    CHECK(r.exit_code == 1);
    const std::string l = verdict_line(r.out, "4k_block_2m", 34);
    CHECK(starts_with(l, "FAIL 4k_block_2m #34 read iova=0xff00000 len=128 (harness)"));
    CHECK(l.find("events: QEMU no event, ours C_BAD_STE sid=0x8") != std::string::npos);
    fs::remove_all(dir);
}

TEST_CASE("a truncated file exits 65 with the reader's message, a missing one 66", "[replay][errors]") {
    const std::string dir = make_temp_dir("replay-bad");
    const std::string text = read_file(source_path("tests/smmu_corpus/4k_block_2m.json"));
    const std::string cut = dir + "/cut.json";
    std::ofstream(cut) << text.substr(0, text.size() / 2);
    auto r = run_command(replay_cmd() + " " + cut);
    INFO(r.out << r.err);
    CHECK(r.exit_code == 65);
    CHECK(r.err.find("cut.json: $: not valid JSON") != std::string::npos);
    r = run_command(replay_cmd() + " " + dir + "/absent.json");
    CHECK(r.exit_code == 66);
    CHECK(r.err.find("absent.json: no such file") != std::string::npos);
    r = run_command(replay_cmd());
    CHECK(r.exit_code == 64);
    fs::remove_all(dir);
}
