// configs/sweeps/page-size.toml run as a user would (`vcmsim sweep ... -j 2`): the results show
// the expected physics. For every TLB shape: walks and walk reads fall as the mapping size
// grows (4 KiB pages > 16 KiB pages > 64 KiB pages; 2 MiB blocks beat 4 KiB pages), the DMA
// completion time does not rise, and a plot renders.
#include <catch2/catch.hpp>

#include <filesystem>
#include <map>
#include <sstream>

#include "tests/support/test_util.h"

using namespace vcmsim::test;

namespace {

using row = std::map<std::string, std::string>;

std::vector<row> read_csv(const std::string& text) {
    std::istringstream in(text);
    std::string line;
    std::vector<std::string> head;
    std::vector<row> rows;
    auto split = [](const std::string& l) {
        std::vector<std::string> out;
        std::string cell;
        std::istringstream ls(l);
        while (std::getline(ls, cell, ',')) out.push_back(cell);
        return out;
    };
    if (std::getline(in, line)) head = split(line);
    while (std::getline(in, line)) {
        const auto cells = split(line);
        row r;
        for (size_t i = 0; i < head.size() && i < cells.size(); ++i) r[head[i]] = cells[i];
        rows.push_back(r);
    }
    return rows;
}

}  // namespace

TEST_CASE("page-size sweep: walks fall as the mapping grows, DMA time does not rise", "[sweep][vcm]") {
    const std::string out = make_temp_dir("page_size_sweep");
    auto r = run_command(vcmsim_binary() + " sweep " + source_path("configs/sweeps/page-size.toml") +
                         " -j 2 --progress never -o " + out);
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    const auto rows = read_csv(read_file(out + "/results.csv"));
    REQUIRE(rows.size() == 24);
    // (utlb, tlb, mapping) -> row; mapping: "4KiB/false" = 4 KiB pages, "4KiB/true" = blocks.
    std::map<std::string, row> by;
    for (const auto& x : rows) {
        CHECK(x.at("status") == "ok");
        by[x.at("smmu[0].utlb_entries") + "/" + x.at("smmu[0].tlb_entries") + "/" + x.at("vcm.granule") + "/" +
           x.at("vcm.blocks")] = x;
    }
    auto num = [](const row& x, const char* k) { return std::stod(x.at(k)); };
    for (const char* shape : {"1/2", "1/2048", "32/2", "32/2048"}) {
        INFO("utlb/tlb entries " << shape);
        const std::string s = shape;
        const row& p4 = by.at(s + "/4KiB/false");    // 4 KiB pages
        const row& p16 = by.at(s + "/16KiB/false");  // 16 KiB pages
        const row& p64 = by.at(s + "/64KiB/false");  // 64 KiB pages
        const row& b4 = by.at(s + "/4KiB/true");     // 2 MiB blocks + 64 KiB/4 KiB chunks as pages
        for (const char* m : {"top.smmu0.sid1.walks", "top.smmu0.sid2.walks", "top.smmu0.sid1.walk_reads",
                              "top.smmu0.sid2.walk_reads", "top.cpu.mmu.walks"}) {
            INFO(m);
            CHECK(num(p4, m) > num(p16, m));
            CHECK(num(p16, m) > num(p64, m));
            CHECK(num(b4, m) < num(p4, m));
        }
        // The exact counts the layout implies (2 buffers + the descriptor page per stream).
        CHECK(num(p4, "top.smmu0.sid2.walks") == 2 * 546 + 1);
        CHECK(num(p16, "top.smmu0.sid2.walks") == 2 * 137 + 1);
        CHECK(num(p64, "top.smmu0.sid2.walks") == 2 * 35 + 1);
        CHECK(num(b4, "top.smmu0.sid2.walks") == 2 * 35 + 1);
        for (const char* m : {"top.cam.transfer_time.mean", "top.isp.transfer_time.mean"}) {
            INFO(m);
            CHECK(num(p16, m) <= num(p4, m));
            CHECK(num(p64, m) <= num(p16, m));
            CHECK(num(b4, m) <= num(p4, m));
        }
        // 16 KiB and 64 KiB granules: no block fits these buffers, so blocks change nothing.
        CHECK(num(by.at(s + "/16KiB/true"), "top.smmu0.sid2.walks") == num(p16, "top.smmu0.sid2.walks"));
    }
    // Streaming DMAs alternate two pages: a 1-entry micro-TLB misses on every burst (served
    // by the main TLB), without a single extra walk.
    const row& u1 = by.at("1/2048/4KiB/true");
    const row& u32 = by.at("32/2048/4KiB/true");
    CHECK(num(u1, "top.smmu0.sid2.utlb_misses") > 10 * num(u32, "top.smmu0.sid2.utlb_misses"));
    CHECK(num(u1, "top.smmu0.sid2.tlb_misses") == num(u32, "top.smmu0.sid2.tlb_misses"));
    CHECK(num(u1, "top.smmu0.sid2.walks") == num(u32, "top.smmu0.sid2.walks"));

    // The spec's [[plot]]s were rendered by the sweep itself (SVG when gnuplot is installed,
    // which the setup script does; the gnuplot script and data in any case).
    const std::string plot = out + "/plots/top_smmu0_sid2_walks_vs_vcm_granule_by_vcm_blocks";
    CHECK(std::filesystem::exists(plot + ".gp"));
    CHECK(std::filesystem::exists(plot + ".dat"));
    if (run_command("command -v gnuplot").exit_code == 0) {
        REQUIRE(std::filesystem::exists(plot + ".svg"));
        CHECK(read_file(plot + ".svg").find("<svg") != std::string::npos);
    }
    CHECK(r.out.find("plot    wrote") != std::string::npos);
    std::filesystem::remove_all(out);
}
