// Exact translation counts through the CPU model in a platform: walks, descriptor reads and
// walk-cache savings for a stream over N pages, per granule, and with block mappings.
#include <catch2/catch.hpp>

#include <filesystem>

#include <nlohmann/json.hpp>

#include "tests/support/test_util.h"

using namespace vcmsim::test;

namespace {
nlohmann::json run_stream(const std::string& overrides) {
    const std::string out = make_temp_dir("cpu-mmu");
    auto r = run_command(vcmsim_binary() + " run " + source_path("tests/configs/cpu_mmu_stream.toml") +
                         " -q -o " + out + " " + overrides);
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    auto j = nlohmann::json::parse(read_file(out + "/stats.json"))["stats"];
    std::filesystem::remove_all(out);
    return j;
}
double stat(const nlohmann::json& j, const char* name) { return j[name]["value"].get<double>(); }
}  // namespace

TEST_CASE("N distinct 4 KiB pages, cold TLB, no walk cache: N walks and N x 4 reads", "[cpu][mmu]") {
    auto j = run_stream("");
    CHECK(stat(j, "top.cpu.mmu.walks") == 256);
    CHECK(stat(j, "top.cpu.mmu.walk_reads") == 256 * 4);
    CHECK(stat(j, "top.cpu.mmu.tlb_misses") == 256);
    // 16 lines of 64 bytes per page: the first misses, 63 hit the micro-TLB.
    CHECK(stat(j, "top.cpu.mmu.utlb_hits") == 256 * 63);
    CHECK(stat(j, "top.cpu.mmu.faults") == 0);
}

TEST_CASE("a walk cache for the upper levels leaves exactly one read per walk after the first", "[cpu][mmu]") {
    auto j = run_stream("-C cpu.mmu.walk_cache_entries=64");
    CHECK(stat(j, "top.cpu.mmu.walks") == 256);
    CHECK(stat(j, "top.cpu.mmu.walk_reads") == 4 + 255);
    CHECK(stat(j, "top.cpu.mmu.walk_cache_reads_saved") == 255 * 3);
}

TEST_CASE("2 MiB blocks: a 4 MiB stream makes exactly 2 walks of 3 reads", "[cpu][mmu]") {
    auto j = run_stream("-C scenario.step[0].pa=0x80200000 -C scenario.step[0].size=4MiB "
                        "-C scenario.step[2].size=4MiB -C scenario.check[0].addr=0x80200000 "
                        "-C scenario.check[0].size=4MiB");
    CHECK(stat(j, "top.cpu.mmu.walks") == 2);
    CHECK(stat(j, "top.cpu.mmu.walk_reads") == 6);
}

TEST_CASE("16 KiB and 64 KiB granules: one walk per page with their level counts", "[cpu][mmu]") {
    auto j16 = run_stream("-C cpu.mmu.granule=16KiB");
    CHECK(stat(j16, "top.cpu.mmu.walks") == 64);       // 1 MiB / 16 KiB
    CHECK(stat(j16, "top.cpu.mmu.walk_reads") == 64 * 4);
    auto j64 = run_stream("-C cpu.mmu.granule=64KiB");
    CHECK(stat(j64, "top.cpu.mmu.walks") == 16);       // 1 MiB / 64 KiB
    CHECK(stat(j64, "top.cpu.mmu.walk_reads") == 16 * 3);  // 48-bit VA starts at level 1
}

TEST_CASE("a 39-bit VA space starts walks at level 1", "[cpu][mmu]") {
    auto j = run_stream("-C cpu.mmu.va_bits=39");
    CHECK(stat(j, "top.cpu.mmu.walks") == 256);
    CHECK(stat(j, "top.cpu.mmu.walk_reads") == 256 * 3);
}

TEST_CASE("the cpu-mmu example maps, translates and faults as documented", "[cpu][mmu]") {
    auto r = run_command(vcmsim_binary() + " run " + source_path("configs/cpu-mmu.toml") + " -q");
    INFO(r.out << r.err);
    CHECK(r.exit_code == 0);
    CHECK(r.out.find("permission fault at level 3") != std::string::npos);
    CHECK(r.out.find("translation fault at level 1") != std::string::npos);
}
