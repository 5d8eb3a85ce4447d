// configs/camera-to-display.toml end to end: buffers shared by a camera DMA, an ISP DMA (both
// behind the SMMU, each with its own VCM) and the display (one-to-one VCM), set up by the
// scenario's [vcm] section through the VCM API; the CPU fills and verifies through its own VCM. The walk counts follow from the chunk layout.
#include <catch2/catch.hpp>

#include <filesystem>

#include <nlohmann/json.hpp>

#include "tests/support/test_util.h"

using namespace vcmsim::test;

namespace {

nlohmann::json run_camera(const std::string& tag, const std::string& extra) {
    const std::string out = make_temp_dir(tag);
    auto r = run_command(vcmsim_binary() + " run " + source_path("configs/camera-to-display.toml") +
                         " -q -o " + out + extra);
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    auto s = nlohmann::json::parse(read_file(out + "/stats.json"))["stats"];
    std::filesystem::remove_all(out);
    return s;
}

constexpr double k_frame = 0x222000;   // 2 MiB + 2 x 64 KiB + 2 x 4 KiB

}  // namespace

TEST_CASE("camera-to-display, 2 MiB / 64 KiB / 4 KiB pools: one walk per block, 16 per 64 KiB chunk", "[platform][vcm]") {
    auto s = run_camera("cam_mixed", "");
    auto v = [&](const char* n) { return s[n]["value"].get<double>(); };
    // Per stream, each of its two buffers: 1 (2 MiB block) + 2 x 16 (64 KiB chunks as 4 KiB
    // pages) + 2 (4 KiB chunks) = 35 walks; plus the descriptor page: 2 x 35 + 1 = 71.
    CHECK(v("top.smmu0.sid1.walks") == 71);
    CHECK(v("top.smmu0.sid2.walks") == 71);
    // The CPU through its own VCM: fill sensor (35), verify result (35), two descriptor pages.
    CHECK(v("top.cpu.mmu.walks") == 72);
    CHECK(v("top.smmu0.events") == 0);
    CHECK(v("top.cam.bytes") == k_frame);
    CHECK(v("top.isp.bytes") == k_frame);
    CHECK(v("top.disp0.frames") == 1);
    CHECK(v("top.disp0.underruns") == 0);
}

TEST_CASE("camera-to-display, 4 KiB pool only: one walk per page", "[platform][vcm]") {
    auto s = run_camera("cam_4k", " -C 'vcm.pool=[{chunk=\"4KiB\", base=0x8100_0000, size=\"8MiB\"}]'");
    auto v = [&](const char* n) { return s[n]["value"].get<double>(); };
    // 0x222000 / 4 KiB = 546 pages per buffer (the contiguous result too: with only 4 KiB
    // chunks it is described, and mapped, page by page): 2 x 546 + the descriptor page.
    CHECK(v("top.smmu0.sid1.walks") == 1093);
    CHECK(v("top.smmu0.sid2.walks") == 1093);
    CHECK(v("top.cpu.mmu.walks") == 2 * 546 + 2);
    CHECK(v("top.smmu0.events") == 0);
    CHECK(v("top.cam.bytes") == k_frame);
    CHECK(v("top.isp.bytes") == k_frame);
    CHECK(v("top.disp0.underruns") == 0);
}
