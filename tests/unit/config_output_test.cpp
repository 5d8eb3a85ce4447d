// Resolved outputs: to_toml, to_json, provenance listing, hash; registry listings.
#include <catch2/catch.hpp>

#include <sstream>

#include "platforms/config/config.h"
#include "platforms/config/param_registry.h"

using namespace vcmsim::platform;

namespace vcmsim::test {
const param_registry& config_test_registry();
}
using vcmsim::test::config_test_registry;

namespace {

const char* k_platform =
    "[sim]\n"
    "seed = 7\n"
    "\n"
    "[iommu]\n"
    "base = \"0xffff_8000_0000_0000\"\n"
    "tlb.entries = 256\n"
    "\n"
    "[[dram]]\n"
    "name = \"dram0\"\n"
    "size = 2147483648\n"
    "\n"
    "[[scenario.step]]\n"
    "op = \"fill\"\n"
    "addr = 0x8000_0000\n"
    "\n"
    "[log.levels]\n"
    "\"top.dma0\" = \"debug\"\n"
    "\"top.cpu\" = \"info\"\n";

}  // namespace

TEST_CASE("config output: resolved TOML has every default, canonical values", "[config][output]") {
    const param_registry& reg = config_test_registry();
    config c = config::from_string(k_platform, "p.toml");
    c.apply_override("dram[0].latency=55", 1);
    REQUIRE_NOTHROW(c.validate(reg));
    const std::string expected =
        "[sim]\n"
        "seed = 7\n"
        "quantum = \"1us\"\n"
        "name = \"soc\"\n"
        "ratio = 0.5\n"
        "\n"
        "[cpu]\n"
        "clock = \"1GHz\"\n"
        "\n"
        "[iommu]\n"
        "granule = \"4KiB\"\n"
        "base = \"0xffff800000000000\"\n"
        "\n"
        "[iommu.tlb]\n"
        "entries = 256\n"
        "policy = \"lru\"\n"
        "\n"
        "[log]\n"
        "tags = []\n"
        "\n"
        "[log.levels]\n"
        "\"top.cpu\" = \"info\"\n"
        "\"top.dma0\" = \"debug\"\n"
        "\n"
        "[scenario]\n"
        "\n"
        "[[scenario.step]]\n"
        "op = \"fill\"\n"
        "addr = 0x80000000\n"
        "len = \"4KiB\"\n"
        "value = 0\n"
        "\n"
        "[[dram]]\n"
        "name = \"dram0\"\n"
        "size = \"2GiB\"\n"
        "latency = 55\n"
        "bandwidth = \"12.8GB/s\"\n";
    CHECK(c.to_toml(reg) == expected);
}

TEST_CASE("config output: hash is stable and survives a to_toml round trip", "[config][output]") {
    const param_registry& reg = config_test_registry();
    config c = config::from_string(k_platform, "p.toml");
    const std::string h = c.hash(reg);
    CHECK(h.size() == 16);
    CHECK(h.find_first_not_of("0123456789abcdef") == std::string::npos);
    CHECK(c.hash(reg) == h);
    config again = config::from_string(k_platform, "other-name.toml");
    CHECK(again.hash(reg) == h);  // the file name is not part of the hash

    config round = config::from_string(c.to_toml(reg), "resolved.toml");
    REQUIRE_NOTHROW(round.validate(reg));
    CHECK(round.to_toml(reg) == c.to_toml(reg));
    CHECK(round.hash(reg) == h);

    // Same values written differently: same hash. A changed value: another hash.
    config c2 = config::from_string(k_platform, "p.toml");
    c2.apply_override("dram[0].size=\"2GiB\"", 1);
    c2.apply_override("sim.quantum=1000000", 2);
    CHECK(c2.hash(reg) == h);
    c2.apply_override("sim.seed=8", 3);
    CHECK(c2.hash(reg) != h);

    // FNV-1a 64 of the empty string for a config with nothing to print.
    config empty;
    CHECK(empty.hash(param_registry()) == "cbf29ce484222325");
}

TEST_CASE("config output: JSON mirrors the resolved tree", "[config][output]") {
    const param_registry& reg = config_test_registry();
    config c = config::from_string(k_platform, "p.toml");
    const nlohmann::json j = c.to_json(reg);
    CHECK(j["sim"]["seed"] == 7);
    CHECK(j["sim"]["quantum"] == "1us");
    CHECK(j["iommu"]["tlb"]["entries"] == 256);
    CHECK(j["iommu"]["base"] == "0xffff800000000000");
    CHECK(j["dram"][0]["size"] == "2GiB");
    CHECK(j["dram"][0]["latency"] == 40);
    CHECK(j["scenario"]["step"][0]["addr"] == 0x80000000);
    CHECK(j["log"]["levels"]["top.dma0"] == "debug");
}

TEST_CASE("config output: provenance listing names every leaf's origin", "[config][output]") {
    const param_registry& reg = config_test_registry();
    config c = config::from_string(k_platform, "p.toml");
    c.apply_override("dram[0].latency=55", 1);
    const std::string p = c.provenance_listing(reg);
    CHECK(p.find("sim.seed = 7    # p.toml:2:1\n") != std::string::npos);
    CHECK(p.find("sim.quantum = \"1us\"    # default\n") != std::string::npos);
    CHECK(p.find("iommu.tlb.entries = 256    # p.toml:6:5\n") != std::string::npos);
    CHECK(p.find("dram[0].latency = 55    # -C #1 (dram[0].latency=55)\n") != std::string::npos);
    CHECK(p.find("dram[0].size = \"2GiB\"    # p.toml:10:1\n") != std::string::npos);
    CHECK(p.find("scenario.step[0].value = 0    # default\n") != std::string::npos);
    CHECK(p.find("log.levels.\"top.dma0\" = \"debug\"    # p.toml:17:1\n") != std::string::npos);
    // One line per leaf.
    size_t lines = 0;
    for (char ch : p) lines += ch == '\n';
    CHECK(lines == 20);
}

TEST_CASE("config registry: listings", "[config][registry]") {
    const param_registry& reg = config_test_registry();
    std::ostringstream os;
    reg.write_listing(os);
    const std::string l = os.str();
    CHECK(l.rfind("[sim]\nseed = 1    # uint, default 1, random seed\n", 0) == 0);
    CHECK(l.find("entries = 128    # int, default 128, [1..4096], TLB entries\n") != std::string::npos);
    CHECK(l.find("policy = \"lru\"    # enum, default \"lru\", {lru, fifo, random}, replacement\n") !=
          std::string::npos);
    CHECK(l.find("granule = \"4KiB\"    # size, bytes, default \"4KiB\", [4KiB..64KiB], translation granule\n") !=
          std::string::npos);
    CHECK(l.find("\n[[dram]]\nname = \"\"    # string, required, instance name\n") != std::string::npos);
    CHECK(l.find("\n[[scenario.step]]\nop = \"fill\"    # selects the variant below\n"
                 "addr = 0    # uint, required, (op = fill), step operand\n") != std::string::npos);
    CHECK(l.find("[iommu.tlb]") != std::string::npos);
    CHECK(l.find("\n# file = \"\"    # string, no default, log file (optional, no default)\n") != std::string::npos);
    // The listing itself is a loadable TOML file.
    CHECK_NOTHROW(config::from_string(l, "listing.toml"));

    std::ostringstream filtered;
    reg.write_listing(filtered, "dram");
    CHECK(filtered.str().rfind("[[dram]]\n", 0) == 0);
    CHECK(filtered.str().find("sim") == std::string::npos);

    std::ostringstream js;
    reg.write_json(js, "iommu.tlb");
    const nlohmann::json j = nlohmann::json::parse(js.str());
    REQUIRE(j.size() == 2);
    CHECK(j[0]["path"] == "iommu.tlb.entries");
    CHECK(j[0]["max"] == 4096.0);
    CHECK(j[1]["choices"] == nlohmann::json::array({"lru", "fifo", "random"}));

    std::ostringstream md;
    reg.write_markdown(md);
    CHECK(md.str().rfind("| Key | Type | Default | Unit | Range / choices | Description |\n", 0) == 0);
    CHECK(md.str().find("| `dram[].name` | string | *required* |  |  | instance name |\n") != std::string::npos);
}
