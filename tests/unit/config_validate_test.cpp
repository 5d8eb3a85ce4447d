// Validation against the registry, typed getters, registry lookups.
#include <catch2/catch.hpp>

#include "platforms/config/config.h"
#include "platforms/config/param_registry.h"

using namespace vcmsim::platform;

namespace vcmsim::test {
const param_registry& config_test_registry();
}
using vcmsim::test::config_test_registry;

namespace {

// The validation message of `text` ("" when valid).
std::string validate_msg(const std::string& text, const std::vector<std::string>& overrides = {}) {
    config c = config::from_string(text, "p.toml");
    for (size_t i = 0; i < overrides.size(); ++i) c.apply_override(overrides[i], static_cast<unsigned>(i + 1));
    try {
        c.validate(config_test_registry());
    } catch (const config_error& e) {
        CHECK(e.code() == exit_config);
        return e.what();
    }
    return {};
}

}  // namespace

TEST_CASE("config validate: unknown keys name file:line:col and suggest", "[config][validate]") {
    CHECK(validate_msg("[iommu.tlb]\nentires = 5\n") ==
          "p.toml:2:1: iommu.tlb.entires: unknown key (did you mean 'iommu.tlb.entries'?)");
    CHECK(validate_msg("[[dram]]\nname = \"x\"\n\n[[dram]]\nname = \"y\"\n  latncy = 3\n") ==
          "p.toml:6:3: dram[1].latncy: unknown key (did you mean 'dram[1].latency'?)");
    // Misplaced key: matched on its last element.
    CHECK(validate_msg("[iommu]\nentries = 5\n") ==
          "p.toml:2:1: iommu.entries: unknown key (did you mean 'iommu.tlb.entries'?)");
    CHECK(validate_msg("[iomu.tlb]\nentries = 5\n") ==
          "p.toml:1:2: iomu: unknown key (did you mean 'iommu'?)");
    CHECK(validate_msg("zzzzzz = 1\n") == "p.toml:1:1: zzzzzz: unknown key");
    CHECK(validate_msg("", {"sim.sede=3"}) ==
          "-C #1 (sim.sede=3): sim.sede: unknown key (did you mean 'sim.seed'?)");
}

TEST_CASE("config validate: types, ranges, enums, units", "[config][validate]") {
    CHECK(validate_msg("[iommu.tlb]\nentries = \"many\"\n") ==
          "p.toml:2:1: iommu.tlb.entries: expected an integer, got a string");
    CHECK(validate_msg("[iommu.tlb]\nentries = 0\n") ==
          "p.toml:2:1: iommu.tlb.entries: value 0 is out of range [1..4096]");
    CHECK(validate_msg("[iommu.tlb]\nentries = 4096\n").empty());  // inclusive
    CHECK(validate_msg("[iommu]\ngranule = \"2MiB\"\n") ==
          "p.toml:2:1: iommu.granule: value 2MiB is out of range [4KiB..64KiB]");
    CHECK(validate_msg("[iommu]\ngranule = \"4KB\"\n") ==
          "p.toml:2:1: iommu.granule: value 4000B is out of range [4KiB..64KiB]");
    CHECK(validate_msg("[iommu.tlb]\npolicy = \"lfu\"\n") ==
          "p.toml:2:1: iommu.tlb.policy: invalid value \"lfu\" (expected one of \"lru\", \"fifo\", \"random\")");
    CHECK(validate_msg("[iommu.tlb]\npolicy = 3\n") ==
          "p.toml:2:1: iommu.tlb.policy: expected one of \"lru\", \"fifo\", \"random\", got an integer");
    CHECK(validate_msg("[sim]\nquantum = \"5min\"\n") ==
          "p.toml:2:1: sim.quantum: bad time '5min': unknown unit 'min' (expected ps, ns, us, \xC2\xB5s, ms, s)");
    CHECK(validate_msg("[sim]\nratio = 1.5\n") == "p.toml:2:1: sim.ratio: value 1.5 is out of range [..1]");
    CHECK(validate_msg("[sim]\nratio = 1\n").empty());
    CHECK(validate_msg("[sim]\nname = true\n") == "p.toml:2:1: sim.name: expected a string, got a boolean");
    CHECK(validate_msg("[[dma]]\nregions = [1, \"2MiB\", -3]\n") ==
          "p.toml:2:1: dma[0].regions: element 2: negative value -3 for an unsigned parameter");
    CHECK(validate_msg("[log]\ntags = [\"a\", 1]\n") ==
          "p.toml:2:1: log.tags: element 1: expected a string, got an integer");
    CHECK(validate_msg("[sim]\nseed = 1979-05-27\n") ==
          "p.toml:2:1: sim.seed: expected an unsigned integer (a \"0x...\" string for values >= 2^63), "
          "got a date-time");
}

TEST_CASE("config validate: values >= 2^63 as strings, negatives into unsigned", "[config][validate]") {
    const std::string text = "[iommu]\nbase = \"0xffff_8000_0000_0000\"\n";
    CHECK(validate_msg(text).empty());
    config c = config::from_string(text, "p.toml");
    CHECK(c.root(config_test_registry()).table("iommu").get_uint("base") == 0xffff800000000000ull);
    CHECK(validate_msg("[iommu]\nbase = \"0x1_0000_0000_0000_0000\"\n") ==
          "p.toml:2:1: iommu.base: '0x1_0000_0000_0000_0000' does not fit in 64 bits");
    CHECK(validate_msg("[sim]\nseed = -1\n") ==
          "p.toml:2:1: sim.seed: negative value -1 for an unsigned parameter");
    CHECK(validate_msg("[[dram]]\nname = \"d\"\nsize = -1\n") ==
          "p.toml:3:1: dram[0].size: negative value -1 is not a size (bytes, or a string such as \"4KiB\")");
    CHECK(validate_msg("[[dram]]\nname = \"d\"\nsize = \"-4KiB\"\n") ==
          "p.toml:3:1: dram[0].size: size '-4KiB' must not be negative");
    CHECK(validate_msg("[[dram]]\nname = \"d\"\nsize = 0\n") ==
          "p.toml:3:1: dram[0].size: value 0B is out of range [1B..]");
}

TEST_CASE("config validate: tables versus scalars", "[config][validate]") {
    CHECK(validate_msg("[sim.seed]\nx = 1\n") ==
          "p.toml:1:6: sim.seed: expected an unsigned integer (a \"0x...\" string for values >= 2^63), got a table");
    CHECK(validate_msg("iommu = 5\n") == "p.toml:1:1: iommu: expected a table, got an integer");
    CHECK(validate_msg("dram = 5\n") == "p.toml:1:1: dram: expected an array of tables ([[dram]]), got an integer");
    CHECK(validate_msg("[dram]\nname = \"x\"\n") ==
          "p.toml:1:2: dram: expected an array of tables ([[dram]]), got a table");
    CHECK(validate_msg("dram = [1]\n") == "p.toml:1:9: dram[0]: expected a table, got an integer");
    // Inline arrays of inline tables are arrays of tables too.
    CHECK(validate_msg("dram = [{ name = \"a\" }, { name = \"b\", size = \"2GiB\" }]\n").empty());
}

TEST_CASE("config validate: required keys and discriminated step tables", "[config][validate]") {
    CHECK(validate_msg("[[dram]]\nsize = \"1GiB\"\n") ==
          "p.toml:1:1: dram[0].name: missing required key in table 'dram[0]'");
    const std::string steps =
        "[[scenario.step]]\nop = \"fill\"\naddr = 0x1000\nlen = \"8KiB\"\n\n"
        "[[scenario.step]]\nop = \"copy\"\nsrc = 1\ndst = 2\n";
    CHECK(validate_msg(steps).empty());
    {
        config c = config::from_string(steps, "p.toml");
        const config_view s0 = c.root(config_test_registry()).table("scenario").at("step", 0);
        CHECK(s0.get_size("len") == 8192);
        CHECK(s0.get_uint("value") == 0);  // default of the fill variant
        const config_view s1 = c.root(config_test_registry()).table("scenario").at("step", 1);
        CHECK(s1.get_size("len") == 4096);
        CHECK_THROWS_AS(s1.get_uint("value"), config_error);  // no such key for copy
    }
    CHECK(validate_msg("[[scenario.step]]\nop = \"copy\"\nsrc = 1\ndst = 2\naddr = 5\n") ==
          "p.toml:5:1: scenario.step[0].addr: not valid when op = \"copy\" (valid for op = fill)");
    CHECK(validate_msg("[[scenario.step]]\nop = \"fill\"\n") ==
          "p.toml:1:1: scenario.step[0].addr: missing required key in table 'scenario.step[0]' for op = fill");
    CHECK(validate_msg("[[scenario.step]]\nop = \"zap\"\n") ==
          "p.toml:2:1: scenario.step[0].op: invalid value \"zap\" (expected one of \"fill\", \"copy\", \"check\")");
    CHECK(validate_msg("[[scenario.step]]\naddr = 1\n") ==
          "p.toml:1:1: scenario.step[0].op: missing required key in table 'scenario.step[0]'\n"
          "p.toml:2:1: scenario.step[0].addr: not valid when op = (absent) (valid for op = fill)");
}

TEST_CASE("config validate: string maps accept any key", "[config][validate]") {
    const std::string text = "[log.levels]\n\"top.dma0\" = \"debug\"\n\"top.cpu\" = \"info\"\n";
    CHECK(validate_msg(text).empty());
    config c = config::from_string(text, "p.toml");
    CHECK(c.root(config_test_registry()).table("log").get_string_map("levels") ==
          std::vector<std::pair<std::string, std::string>>{{"top.cpu", "info"}, {"top.dma0", "debug"}});
    CHECK(validate_msg("[log.levels]\ntop.dma0 = \"debug\"\n") ==
          "p.toml:1:6: log.levels: entry top: expected a string, got a table (quote keys that contain dots)");
    CHECK(validate_msg("[log]\nlevels = 3\n") == "p.toml:2:1: log.levels: expected a table of strings, got an integer");
}

TEST_CASE("config validate: all errors collected, sorted by file and line", "[config][validate]") {
    const std::string msg = validate_msg("[sim]\nseed = -1\n\n[iommu.tlb]\nentries = 0\npolicy = \"x\"\n"
                                         "[[dram]]\nsize = 0\n",
                                         {"sim.name=1"});
    CHECK(msg ==
          "p.toml:2:1: sim.seed: negative value -1 for an unsigned parameter\n"
          "p.toml:5:1: iommu.tlb.entries: value 0 is out of range [1..4096]\n"
          "p.toml:6:1: iommu.tlb.policy: invalid value \"x\" (expected one of \"lru\", \"fifo\", \"random\")\n"
          "p.toml:7:1: dram[0].name: missing required key in table 'dram[0]'\n"
          "p.toml:8:1: dram[0].size: value 0B is out of range [1B..]\n"
          "-C #1 (sim.name=1): sim.name: expected a string, got an integer");
}

TEST_CASE("config view: getters, defaults and fail()", "[config][view]") {
    config c = config::from_string("[[dram]]\nname = \"d0\"\nsize = 0\n[sim]\nquantum = 250\n", "v.toml");
    const config_view root = c.root(config_test_registry());
    const config_view sim = root.table("sim");
    CHECK(sim.get_uint("seed") == 1);               // default
    CHECK(sim.get_time_ps("quantum") == 250);       // bare integer = ps
    CHECK(sim.has("quantum"));
    CHECK_FALSE(sim.has("seed"));
    CHECK(sim.get_double("ratio") == 0.5);
    CHECK(root.table("iommu").get_uint("base") == 0x10000000);
    CHECK(root.table("iommu").table("tlb").get_int("entries") == 128);   // absent table: defaults
    CHECK(root.table("iommu").table("tlb").where("entries") == "default");
    CHECK(root.table("cpu").get_freq_hz("clock") == 1000000000);
    CHECK(root.count("dma") == 0);
    const config_view d = root.at("dram", 0);
    CHECK(d.key_path("size") == "dram[0].size");
    CHECK(d.where("size") == "v.toml:3:1");
    CHECK(d.get_bandwidth("bandwidth") == 12800000000ull);
    try {
        d.get_size("size");
        FAIL("no throw");
    } catch (const config_error& e) {
        CHECK(std::string(e.what()) == "v.toml:3:1: dram[0].size: value 0B is out of range [1B..]");
    }
    try {
        d.fail("name", "duplicate name");
        FAIL("no throw");
    } catch (const config_error& e) {
        CHECK(std::string(e.what()) == "v.toml:2:1: dram[0].name: duplicate name");
        CHECK(e.code() == exit_config);
    }
    config c2 = config::from_string("[[dram]]\nsize = 4096\n", "w.toml");
    try {
        c2.root(config_test_registry()).at("dram", 0).get_string("name");
        FAIL("no throw");
    } catch (const config_error& e) {
        CHECK(std::string(e.what()) == "w.toml:1:1: dram[0].name: missing required key");
    }
    // Optional without a default: valid when absent, the getter says so.
    CHECK_FALSE(root.table("log").has("file"));
    try {
        root.table("log").get_string("file");
        FAIL("no throw");
    } catch (const config_error& e) {
        CHECK(std::string(e.what()) == "default: log.file: not set and has no default (check has() first)");
    }
    CHECK_THROWS_AS(root.at("dram", 1), config_error);
    CHECK_THROWS_AS(root.table("sim").get_bool("seed"), config_error);
    CHECK_THROWS_AS(root.get_int("nothing.registered"), config_error);
}

TEST_CASE("config registry: add, find, suggest, is_table", "[config][registry]") {
    const param_registry& reg = config_test_registry();
    REQUIRE(reg.find("sim.seed") != nullptr);
    CHECK(reg.find("sim.seed")->type == param_type::uinteger);
    CHECK(reg.find("scenario.step[].len", "copy")->when_value == "copy");
    CHECK(reg.find("scenario.step[].len", "fill")->when_value == "fill");
    CHECK(reg.find("scenario.step[].src", "fill") == nullptr);
    CHECK(reg.find("nope") == nullptr);
    CHECK(reg.is_table("dram[]"));
    CHECK(reg.is_table("iommu"));
    CHECK(reg.is_table("iommu.tlb"));
    CHECK_FALSE(reg.is_table("dram"));
    CHECK_FALSE(reg.is_table("sim.seed"));
    CHECK(reg.suggest("iommu.tlb.entires") == "iommu.tlb.entries");
    CHECK(reg.suggest("dram[].latncy") == "dram[].latency");
    CHECK(reg.suggest("sim.sede") == "sim.seed");
    CHECK(reg.suggest("completely.different") == "");

    param_registry r;
    param_def d;
    d.path = "a.b";
    d.default_value = "1";
    r.add(d);
    CHECK_THROWS_AS(r.add(d), std::logic_error);
    d.path = "a.c";
    d.default_value = "\"x\"";  // an integer param with a string default
    CHECK_THROWS_AS(r.add(d), std::logic_error);
    d.type = param_type::enumeration;
    d.default_value = "\"x\"";
    CHECK_THROWS_AS(r.add(d), std::logic_error);  // no choices
    d.choices = {"x", "y"};
    CHECK_NOTHROW(r.add(d));
}
