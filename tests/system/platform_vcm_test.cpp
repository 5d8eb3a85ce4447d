// configs/camera-to-display.toml end to end: buffers shared by a camera DMA, an ISP DMA (both
// behind the SMMU, each with its own VCM) and the display (one-to-one VCM), set up by the
// scenario's [vcm] section through the VCM API; the CPU fills and verifies through its own VCM. The walk counts follow from the chunk layout.
#include <catch2/catch.hpp>

#include <filesystem>

#include <nlohmann/json.hpp>

#include "tests/support/test_util.h"

using namespace vcmsim::test;

namespace {

// The whole stats.json of one run (its "stats", "run" blocks) and stats.txt's header line(s).
struct run_out {
    nlohmann::json doc;
    std::string txt;
    double v(const char* n) const { return doc["stats"][n]["value"].get<double>(); }
};

run_out run_config(const std::string& config, const std::string& tag, const std::string& extra) {
    const std::string out = make_temp_dir(tag);
    auto r = run_command(vcmsim_binary() + " run " + source_path(config) + " -q -o " + out + extra);
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    run_out o{nlohmann::json::parse(read_file(out + "/stats.json")), read_file(out + "/stats.txt")};
    std::filesystem::remove_all(out);
    return o;
}

nlohmann::json run_camera(const std::string& tag, const std::string& extra) {
    return run_config("configs/camera-to-display.toml", tag, extra).doc["stats"];
}


constexpr double k_frame = 0x222000;   // 2 MiB + 2 x 64 KiB + 2 x 4 KiB

}  // namespace

TEST_CASE("camera-to-display, 2 MiB / 64 KiB / 4 KiB pools: one walk per block, 16 per 64 KiB chunk", "[platform][vcm]") {
    // Explicit [[vcm.pool]] tables replace the default pools; these give the same layout.
    auto s = run_camera("cam_mixed", " -C 'vcm.pool=[{chunk=\"2MiB\", base=0x8000_0000, size=\"4MiB\"}, "
                                     "{chunk=\"64KiB\", base=0x8040_0000, size=\"512KiB\"}, "
                                     "{chunk=\"4KiB\", base=0x8060_0000, size=\"256KiB\"}]'");
    auto v = [&](const char* n) { return s[n]["value"].get<double>(); };
    // Per stream, each of its two buffers: 1 (2 MiB block) + 2 x 16 (64 KiB chunks as 4 KiB
    // pages) + 2 (4 KiB chunks) = 35 walks; plus the descriptor page: 2 x 35 + 1 = 71.
    // The camera then loses the frame (vcm_unmap frees tables, so the driver invalidates the
    // whole ASID): its late write walks the descriptor page again and faults in the frame: +2.
    CHECK(v("top.smmu0.sid1.walks") == 71 + 2);
    CHECK(v("top.smmu0.sid2.walks") == 71);
    // The CPU through its own VCM: fill sensor (35), verify result (35), two descriptor pages
    // (the late write's descriptor hits in the CPU's TLB).
    CHECK(v("top.cpu.mmu.walks") == 72);
    CHECK(v("top.smmu0.events") == 1);
    CHECK(v("top.smmu0.commands.TLBI_NH_ASID") == 1);
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
    CHECK(v("top.smmu0.sid1.walks") == 1093 + 2);
    CHECK(v("top.smmu0.sid2.walks") == 1093);
    // + the late write's descriptor: 546 pages of result have pushed it out of the CPU's TLB.
    CHECK(v("top.cpu.mmu.walks") == 2 * 546 + 2 + 1);
    CHECK(v("top.smmu0.events") == 1);
    CHECK(v("top.cam.bytes") == k_frame);
    CHECK(v("top.isp.bytes") == k_frame);
    CHECK(v("top.disp0.underruns") == 0);
}

TEST_CASE("camera-to-display, default pools (vcm.pool_base/pool_size) per granule: walks fall as the mapping size grows", "[platform][vcm]") {
    // 4 KiB granule, pools 2 MiB / 64 KiB / 4 KiB: as with the explicit pools.
    auto g4 = run_camera("cam_g4", "");
    CHECK(g4["top.smmu0.sid2.walks"]["value"] == 71);
    // Without block mappings the 2 MiB chunk is 512 pages: 546 per buffer, as 4 KiB pools.
    auto g4p = run_camera("cam_g4p", " -C vcm.blocks=false");
    CHECK(g4p["top.smmu0.sid2.walks"]["value"] == 2 * 546 + 1);
    CHECK(g4p["top.cpu.mmu.walks"]["value"] == 2 * 546 + 2 + 1);
    // 16 KiB granule (chunks 32 MiB / 16 KiB; no 32 MiB chunk fits these buffers):
    // ceil(0x222000 / 16 KiB) = 137 pages per buffer.
    auto g16 = run_camera("cam_g16", " -C vcm.granule=16KiB");
    CHECK(g16["top.smmu0.sid2.walks"]["value"] == 2 * 137 + 1);
    CHECK(g16["top.cpu.mmu.walks"]["value"] == 2 * 137 + 2 + 1);
    // 64 KiB granule: ceil(0x222000 / 64 KiB) = 35 pages per buffer, as many as the 4 KiB
    // granule with blocks.
    auto g64 = run_camera("cam_g64", " -C vcm.granule=64KiB");
    CHECK(g64["top.smmu0.sid2.walks"]["value"] == 2 * 35 + 1);
    CHECK(g64["top.smmu0.sid1.walks"]["value"] == 2 * 35 + 1 + 2);
}

TEST_CASE("camera-to-display, vcm.setup = debug: the setup takes no simulated time and says so", "[platform][vcm]") {
    const run_out timed = run_config("configs/camera-to-display.toml", "cam_timed", "");
    const run_out debug = run_config("configs/camera-to-display.toml", "cam_debug", " -C vcm.setup=debug");
    CHECK(timed.doc["run"]["vcm_setup"] == "timed");
    CHECK(debug.doc["run"]["vcm_setup"] == "debug");
    CHECK(debug.txt.find("DEBUG mode (zero-time)") != std::string::npos);
    CHECK(timed.txt.find("DEBUG") == std::string::npos);
    CHECK(timed.v("top.cpu.untimed_accesses") == 0);
    CHECK(debug.v("top.cpu.untimed_accesses") > 1000);   // page tables, STEs, CDs, queues
    // Same translations and the same results, earlier: the setup's time is gone.
    CHECK(debug.v("top.smmu0.sid1.walks") == timed.v("top.smmu0.sid1.walks"));
    CHECK(debug.v("top.cpu.mmu.walks") == timed.v("top.cpu.mmu.walks"));
    CHECK(debug.v("top.smmu0.commands.SYNC") == timed.v("top.smmu0.commands.SYNC"));
    const double t_timed = timed.doc["run"]["sim_time_ps"].get<double>();
    const double t_debug = debug.doc["run"]["sim_time_ps"].get<double>();
    CHECK(t_debug < t_timed - 10e6);   // more than 10 us of driver work went away
    // Only setup work was untimed: the steps' own CPU accesses cost the same.
    CHECK(debug.v("top.cpu.bytes_read") == timed.v("top.cpu.bytes_read"));
}

TEST_CASE("vcm_unmap / vcm_remap steps: a stale IOVA faults, the remapped buffer works again", "[platform][vcm]") {
    const run_out o = run_config("tests/configs/vcm_remap.toml", "vcm_remap", "");
    CHECK(o.doc["run"]["result"] == "pass");
    CHECK(o.v("top.smmu0.events") == 1);
    CHECK(o.v("top.dma0.bytes") == 65536);   // only the second copy moved data
    // Unmapping a 64 KiB buffer (16 pages, tables kept): one TLBI_NH_VA per page.
    CHECK(o.v("top.smmu0.commands.TLBI_NH_VA") == 16);
}

TEST_CASE("vcm steps and pools: mistakes are config errors naming the key", "[platform][vcm]") {
    const std::string cfg = source_path("tests/configs/vcm_remap.toml");
    auto run = [&](const std::string& extra) { return run_command(vcmsim_binary() + " config validate " + cfg + extra); };
    auto none = run(" -C vcm.pool_size=0");   // and no [[vcm.pool]]
    CHECK(none.exit_code == 78);
    CHECK(none.err.find("pool_size") != std::string::npos);
    auto outside = run(" -C vcm.pool_base=0x4000_0000");
    CHECK(outside.exit_code == 78);
    CHECK(outside.err.find("inside a [[dram]]") != std::string::npos);
    auto twice = run(" -C 'vcm.buffer[0].devices=[\"dma0\", \"dma0\"]'");
    CHECK(twice.exit_code == 78);
    CHECK(twice.err.find("vcm.buffer[0].devices: 'dma0' is listed twice") != std::string::npos);
    auto chunk = run(" -C 'vcm.pool=[{chunk=\"3KiB\", base=0x8000_0000, size=\"3KiB\"}]'");
    CHECK(chunk.exit_code == 78);
    CHECK(chunk.err.find("vcm.pool[0].chunk: must be a power of two of at least the granule (4KiB)") != std::string::npos);
    auto align = run(" -C 'vcm.pool=[{chunk=\"64KiB\", base=0x8000_1000, size=\"1MiB\"}]'");
    CHECK(align.exit_code == 78);
    CHECK(align.err.find("vcm.pool[0].base: must be aligned to the chunk size") != std::string::npos);
    auto step = run(" -C 'scenario.step[1].buffer=\"nope\"'");
    CHECK(step.exit_code == 78);
    CHECK(step.err.find("no [[vcm.buffer]] named 'nope'") != std::string::npos);
}

TEST_CASE("vcm_remap of a buffer that is still mapped fails the step", "[platform][vcm]") {
    const std::string out = make_temp_dir("vcm_remap_twice");
    auto r = run_command(vcmsim_binary() + " run " + source_path("tests/configs/vcm_remap.toml") + " -q -o " + out +
                         " -C 'scenario.step[1].op=\"vcm_remap\"'");
    std::filesystem::remove_all(out);
    CHECK(r.exit_code == 1);
    CHECK(r.out.find("already mapped") != std::string::npos);
}

TEST_CASE("vcm buffer attributes: a memory type picks the pools, read_only makes a write fault", "[platform][vcm]") {
    const run_out o = run_config("tests/configs/vcm_attrs.toml", "vcm_attrs", "");
    CHECK(o.doc["run"]["result"] == "pass");   // incl. "src lies in the slow pool" at 0x8100_0000
    CHECK(o.v("top.smmu0.events") == 1);        // the F_PERMISSION of the write
    // Without the memory type the buffer comes from the first pool, and the check fails.
    const std::string out = make_temp_dir("vcm_attrs_any");
    auto r = run_command(vcmsim_binary() + " run " + source_path("tests/configs/vcm_attrs.toml") + " -q -o " + out +
                         " -C 'vcm.buffer[0].pools=[]'");
    std::filesystem::remove_all(out);
    CHECK(r.exit_code == 1);
    // Names are checked.
    auto bad = run_command(vcmsim_binary() + " config validate " + source_path("tests/configs/vcm_attrs.toml") +
                           " -C 'vcm.buffer[0].pools=[\"quick\"]' -C 'vcm.buffer[1].read_only=[\"disp\"]'");
    CHECK(bad.exit_code == 78);
    CHECK(bad.err.find("no pool named 'quick' (pools: fast, slow)") != std::string::npos);
}
