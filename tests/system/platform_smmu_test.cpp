// configs/smmu-two-dma.toml end to end: two DMA engines behind the SMMU with their own
// StreamIDs and page tables (4 KiB and 64 KiB granules), a display beside it.
#include <catch2/catch.hpp>

#include <filesystem>

#include <nlohmann/json.hpp>

#include "tests/support/test_util.h"

using namespace vcmsim::test;

TEST_CASE("smmu-two-dma: isolation, faults with their StreamID, use after unmap, exact walks", "[platform][smmu]") {
    const std::string out = make_temp_dir("smmu2");
    auto r = run_command(vcmsim_binary() + " run " + source_path("configs/smmu-two-dma.toml") + " -q -o " + out);
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    auto s = nlohmann::json::parse(read_file(out + "/stats.json"))["stats"];
    auto v = [&](const char* n) { return s[n]["value"].get<double>(); };
    // Stream 1, 4 KiB pages: 256 source + 256 destination pages + the descriptor page, then,
    // after the unmap flushed ASID 1 (TLBI_NH_ASID past 32 leaves): the source page, the
    // descriptor page and the faulting destination page again.
    CHECK(v("top.smmu0.sid1.walks") == 516);
    // Stream 2, 64 KiB pages: 16 + 16 + the descriptor page + the faulting probe.
    CHECK(v("top.smmu0.sid2.walks") == 34);
    CHECK(v("top.smmu0.sid1.faults.F_TRANSLATION") == 1);
    CHECK(v("top.smmu0.sid2.faults.F_TRANSLATION") == 1);
    CHECK(v("top.smmu0.events") == 2);
    CHECK(v("top.smmu0.events_dropped") == 0);
    CHECK(v("top.dma0.bytes") == 1048576);
    CHECK(v("top.dma1.bytes") == 1048576);
    CHECK(v("top.disp0.underruns") == 0);
    std::filesystem::remove_all(out);
}
