// `trace inspect` on a trace of configs/camera-to-display.toml: its per-component, per-stream
// table agrees exactly with the run's own statistics (issue 7's acceptance on the pipeline).
#include <catch2/catch.hpp>

#include <filesystem>

#include <nlohmann/json.hpp>

#include "tests/support/test_util.h"

using namespace vcmsim::test;

namespace {
const nlohmann::json* row(const nlohmann::json& rows, const std::string& component, uint64_t stream) {
    for (const auto& r : rows)
        if (r["component"] == component && r["stream"].get<uint64_t>() == stream) return &r;
    return nullptr;
}
}  // namespace

TEST_CASE("trace inspect on camera-to-display matches the stats, stream by stream", "[trace][camera]") {
    const std::string out = make_temp_dir("cam-trace");
    auto r = run_command(vcmsim_binary() + " run " + source_path("configs/camera-to-display.toml") +
                         " -q --trace -o " + out);
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    auto insp = run_command(vcmsim_binary() + " trace inspect " + out + "/trace.vtr --json");
    INFO(insp.err);
    REQUIRE(insp.exit_code == 0);
    const auto t = nlohmann::json::parse(insp.out);
    const auto stats = nlohmann::json::parse(read_file(out + "/stats.json"))["stats"];
    auto stat = [&](const std::string& n) { return stats[n]["value"].get<uint64_t>(); };
    const auto& rows = t["rows"];
    // The camera's late write: one fault, one event record, as the stats count them.
    CHECK(t["faults"]["total"].get<uint64_t>() == 1);
    CHECK(t["event_records"]["written"].get<uint64_t>() == stat("top.smmu0.events"));
    CHECK(t["event_records"]["dropped"].get<uint64_t>() == stat("top.smmu0.events_dropped"));
    for (uint64_t sid : {1, 2}) {
        INFO("StreamID " << sid);
        const std::string p = "top.smmu0.sid" + std::to_string(sid) + ".";
        const auto* utlb = row(rows, "top.smmu0.tbu" + std::to_string(sid - 1) + ".utlb", sid);
        const auto* tlb = row(rows, "top.smmu0.tcu.tlb", sid);
        const auto* walker = row(rows, "top.smmu0.tcu.walker", sid);
        REQUIRE(utlb);
        REQUIRE(tlb);
        REQUIRE(walker);
        CHECK((*utlb)["lookups"].get<uint64_t>() == stat(p + "lookups"));
        CHECK((*utlb)["misses"].get<uint64_t>() == stat(p + "utlb_misses"));
        CHECK((*utlb)["hits"].get<uint64_t>() == stat(p + "utlb_hits"));
        CHECK((*tlb)["misses"].get<uint64_t>() == stat(p + "tlb_misses"));
        CHECK((*walker)["walks"].get<uint64_t>() == stat(p + "walks"));
        CHECK((*walker)["walk_reads"].get<uint64_t>() == stat(p + "walk_reads"));
        // The chunk layout's count (platform_vcm_test); the camera's late write adds 2.
        CHECK((*walker)["walks"].get<uint64_t>() == (sid == 1 ? 73u : 71u));
    }
    const auto* cpu_utlb = row(rows, "top.cpu.mmu.utlb", 0xFFFF);
    const auto* cpu_walker = row(rows, "top.cpu.mmu.walker", 0xFFFF);
    REQUIRE(cpu_utlb);
    REQUIRE(cpu_walker);
    CHECK((*cpu_utlb)["misses"].get<uint64_t>() == stat("top.cpu.mmu.utlb_misses"));
    CHECK((*cpu_walker)["walks"].get<uint64_t>() == stat("top.cpu.mmu.walks"));
    CHECK((*cpu_walker)["walk_reads"].get<uint64_t>() == stat("top.cpu.mmu.walk_reads"));
    // The text table prints the same rows.
    auto text = run_command(vcmsim_binary() + " trace inspect " + out + "/trace.vtr");
    CHECK(text.out.find("sid 0x1 cam") != std::string::npos);
    CHECK(text.out.find("top missing pages") != std::string::npos);
    CHECK(text.out.find("walk latency") != std::string::npos);
    std::filesystem::remove_all(out);
}
