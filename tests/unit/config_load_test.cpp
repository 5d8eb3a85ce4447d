// Loading: include chains, layers, -C overrides, hostile files. Also defines the invented
// registry shared by the config_*_test.cpp files.
#include <catch2/catch.hpp>

#include <fstream>
#include <functional>
#include <optional>

#include "platforms/config/config.h"
#include "platforms/config/param_registry.h"
#include "tests/support/test_util.h"

using namespace vcmsim::platform;

namespace vcmsim::test {

std::string write_cfg(const std::string& dir, const std::string& name, const std::string& text) {
    const std::string path = dir + "/" + name;
    std::ofstream f(path, std::ios::binary);
    f << text;
    return path;
}

const param_registry& config_test_registry() {
    static const param_registry reg = [] {
        param_registry r;
        auto def = [](std::string path, param_type t, std::string dflt, std::string desc) {
            param_def d;
            d.path = std::move(path);
            d.type = t;
            d.default_value = std::move(dflt);
            d.description = std::move(desc);
            return d;
        };
        auto add = [&](std::string path, param_type t, std::string dflt, std::string desc) {
            r.add(def(std::move(path), t, std::move(dflt), std::move(desc)));
        };
        auto ranged = [&](param_def d, std::optional<double> lo, std::optional<double> hi) {
            d.min = lo;
            d.max = hi;
            r.add(d);
        };
        add("sim.seed", param_type::uinteger, "1", "random seed");
        add("sim.quantum", param_type::time, "\"1us\"", "temporal decoupling quantum");
        add("sim.name", param_type::string, "\"soc\"", "platform name");
        ranged(def("sim.ratio", param_type::real, "0.5", "a ratio"), {}, 1.0);
        add("cpu.clock", param_type::frequency, "\"1GHz\"", "CPU clock");
        ranged(def("iommu.tlb.entries", param_type::integer, "128", "TLB entries"), 1, 4096);
        param_def policy = def("iommu.tlb.policy", param_type::enumeration, "\"lru\"", "replacement");
        policy.choices = {"lru", "fifo", "random"};
        r.add(policy);
        param_def granule = def("iommu.granule", param_type::size, "\"4KiB\"", "translation granule");
        granule.unit = "bytes";
        ranged(granule, 4096, 65536);
        add("iommu.base", param_type::uinteger, "0x1000_0000", "MMIO base");
        param_def name = def("dram[].name", param_type::string, "", "instance name");
        name.required = true;
        r.add(name);
        ranged(def("dram[].size", param_type::size, "\"1GiB\"", "capacity"), 1, {});
        param_def lat = def("dram[].latency", param_type::integer, "40", "access latency");
        lat.unit = "cycles";
        r.add(lat);
        add("dram[].bandwidth", param_type::bandwidth, "\"12.8GB/s\"", "peak bandwidth");
        ranged(def("dma[].channels", param_type::integer, "1", "channels"), 1, 16);
        add("dma[].sid", param_type::uinteger, "0", "stream id");
        add("dma[].regions", param_type::uint_list, "[]", "window sizes");
        add("display[].name", param_type::string, "\"display\"", "instance name");
        add("log.levels", param_type::string_map, "", "per-module log levels");
        add("log.file", param_type::string, "", "log file (optional, no default)");
        add("log.tags", param_type::string_list, "[]", "trace tags");
        param_def op = def("scenario.step[].op", param_type::enumeration, "", "operation");
        op.choices = {"fill", "copy", "check"};
        op.required = true;
        r.add(op);
        auto when = [&](std::string path, param_type t, std::string def, std::string w) {
            param_def d;
            d.path = std::move(path);
            d.type = t;
            d.default_value = std::move(def);
            d.when_key = "op";
            d.when_value = std::move(w);
            d.description = "step operand";
            d.required = d.default_value.empty();
            r.add(d);
        };
        when("scenario.step[].addr", param_type::uinteger, "", "fill");
        when("scenario.step[].len", param_type::size, "\"4KiB\"", "fill");
        when("scenario.step[].value", param_type::uinteger, "0", "fill");
        when("scenario.step[].src", param_type::uinteger, "", "copy");
        when("scenario.step[].dst", param_type::uinteger, "", "copy");
        when("scenario.step[].len", param_type::size, "\"4KiB\"", "copy");
        return r;
    }();
    return reg;
}

}  // namespace vcmsim::test

using vcmsim::test::config_test_registry;
using vcmsim::test::make_temp_dir;
using vcmsim::test::write_cfg;

namespace {

int error_code_of(const std::function<void()>& f, std::string& msg) {
    try {
        f();
    } catch (const config_error& e) {
        msg = e.what();
        return e.code();
    }
    return 0;
}

}  // namespace

TEST_CASE("config load: include chain, -f layers and -C overrides, later wins", "[config][load]") {
    const std::string dir = make_temp_dir("cfg");
    REQUIRE(system(("mkdir -p " + dir + "/inc").c_str()) == 0);
    write_cfg(dir, "inc/base.toml",
              "[sim]\nseed = 1\nname = \"base\"\n\n[iommu.tlb]\nentries = 64\npolicy = \"fifo\"\n\n"
              "[[dram]]\nname = \"a\"\nsize = \"1GiB\"\n\n[[dram]]\nname = \"b\"\n");
    write_cfg(dir, "inc/mid.toml",
              "include = [\"base.toml\"]\n[sim]\nname = \"mid\"\n[iommu.tlb]\nentries = 128\n");
    const std::string main = write_cfg(dir, "main.toml",
                                       "include = [\"inc/mid.toml\"]\n[sim]\nseed = 2\n\n"
                                       "[[dram]]\nname = \"c\"\n");
    const std::string extra = write_cfg(dir, "extra.toml", "[iommu.tlb]\npolicy = \"random\"\n");
    config cfg = config::load({main, extra}, {"sim.seed=7", "dram[0].latency=55", "dram[1].name=d",
                                              "cpu.clock=2GHz", "log.levels.\"top.dma0\"=debug"});
    REQUIRE_NOTHROW(cfg.validate(config_test_registry()));
    const config_view root = cfg.root(config_test_registry());
    const config_view sim = root.table("sim");
    CHECK(sim.get_uint("seed") == 7);
    CHECK(sim.where("seed") == "-C #1 (sim.seed=7)");
    CHECK(sim.get_string("name") == "mid");
    CHECK(sim.where("name") == dir + "/inc/mid.toml:3:1");
    CHECK(root.get_int("iommu.tlb.entries") == 128);
    CHECK(root.table("iommu").table("tlb").get_string("policy") == "random");
    CHECK(root.table("iommu").where("tlb.policy") == "-f " + extra + ":2:1");
    // [[dram]] of main.toml replaced the two elements of base.toml; -C appended one.
    REQUIRE(root.count("dram") == 2);
    CHECK(root.at("dram", 0).get_string("name") == "c");
    CHECK(root.at("dram", 0).get_int("latency") == 55);
    CHECK(root.at("dram", 0).path() == "dram[0]");
    CHECK(root.at("dram", 1).get_string("name") == "d");
    CHECK(root.at("dram", 1).get_int("latency") == 40);  // registry default
    CHECK(root.at("dram", 1).get_size("size") == 1ull << 30);
    CHECK(root.table("cpu").get_freq_hz("clock") == 2000000000ull);
    CHECK(root.table("log").get_string_map("levels") ==
          std::vector<std::pair<std::string, std::string>>{{"top.dma0", "debug"}});
    CHECK(cfg.files() == std::vector<std::string>{main, dir + "/inc/mid.toml", dir + "/inc/base.toml", extra});
}

TEST_CASE("config load: -C syntax, indices and append", "[config][load]") {
    config cfg = config::from_string("[[dma]]\nchannels = 2\n[[dma]]\n", "p.toml");
    cfg.apply_override("dma[1].channels=4", 1);
    cfg.apply_override("dma[2].sid = 0x20", 2);          // append
    cfg.apply_override("dma[0].regions=[4096, \"2MiB\"]", 3);
    cfg.apply_override("display[0].name=disp", 4);       // creates the array
    cfg.apply_override("sim.name='quoted'", 5);
    cfg.apply_override("dma[2].label=", 6);             // empty: an empty string
    const config_view root = cfg.root(config_test_registry());
    REQUIRE(root.count("dma") == 3);
    CHECK(root.at("dma", 0).get_int("channels") == 2);
    CHECK(root.at("dma", 1).get_int("channels") == 4);
    CHECK(root.at("dma", 2).get_uint("sid") == 0x20);
    CHECK(root.at("dma", 2).where("sid") == "-C #2 (dma[2].sid = 0x20)");
    CHECK(root.at("dma", 0).get_uint_list("regions") == std::vector<uint64_t>{4096, 2u << 20});
    CHECK(root.at("display", 0).get_string("name") == "disp");
    CHECK(root.table("sim").get_string("name") == "quoted");
    CHECK(root.at("dma", 2).get_string("label").empty());

    std::string msg;
    CHECK(error_code_of([&] { cfg.apply_override("dma[5].sid=1", 7); }, msg) == exit_config);
    CHECK(msg == "-C #7 (dma[5].sid=1): index 5 out of range: 'dma' has 3 element(s); use index 3 to append");
    CHECK(error_code_of([&] { cfg.apply_override("sim.seed", 8); }, msg) == exit_config);
    CHECK(msg == "-C #8 (sim.seed): expected key=value (for example sim.seed=7)");
    CHECK(error_code_of([&] { cfg.apply_override("sim.name.x=1", 9); }, msg) == exit_config);
    CHECK(msg == "-C #9 (sim.name.x=1): 'sim.name' is a string, not a table");
    CHECK(error_code_of([&] { cfg.apply_override("dma.sid=1", 10); }, msg) == exit_config);
    CHECK(msg == "-C #10 (dma.sid=1): 'dma' is an array, not a table");
    CHECK(error_code_of([&] { cfg.apply_override("=1", 11); }, msg) == exit_config);
    CHECK(error_code_of([&] { cfg.apply_override("a[x]=1", 12); }, msg) == exit_config);
    // A value that tries to smuggle in a second key is taken as a plain string.
    cfg.apply_override("sim.name=1\nsim.seed=2", 13);
    CHECK(cfg.root(config_test_registry()).table("sim").get_string("name") == "1\nsim.seed=2");
}

TEST_CASE("config load: include cycle names the chain", "[config][load]") {
    const std::string dir = make_temp_dir("cfg");
    const std::string a = write_cfg(dir, "a.toml", "include = [\"b.toml\"]\n");
    const std::string b = write_cfg(dir, "b.toml", "\ninclude = \"a.toml\"\n");
    std::string msg;
    CHECK(error_code_of([&] { config::load({a}); }, msg) == exit_config);
    CHECK(msg == b + ":2:1: include cycle: " + a + " -> " + b + " -> " + a);
    // A file included twice, but not in a cycle, is fine.
    write_cfg(dir, "c.toml", "[sim]\nseed = 3\n");
    const std::string d = write_cfg(dir, "d.toml", "include = [\"c.toml\", \"c.toml\"]\n");
    CHECK(config::load({d}).root(config_test_registry()).table("sim").get_uint("seed") == 3);
}

TEST_CASE("config load: missing files give exit code 66 naming who included them", "[config][load]") {
    const std::string dir = make_temp_dir("cfg");
    std::string msg;
    CHECK(error_code_of([&] { config::load({dir + "/nope.toml"}); }, msg) == exit_no_input);
    CHECK(msg == "cannot read config file '" + dir + "/nope.toml': No such file or directory");
    const std::string m = write_cfg(dir, "m.toml", "[sim]\nseed = 1\ninclude = 1\n");
    const std::string top = write_cfg(dir, "top.toml", "# x\ninclude = [\"sub/gone.toml\"]\n");
    CHECK(error_code_of([&] { config::load({top}); }, msg) == exit_no_input);
    CHECK(msg == top + ":2:12: cannot read included file '" + dir +
                     "/sub/gone.toml': No such file or directory");
    CHECK(error_code_of([&] { config::load({dir}); }, msg) == exit_no_input);
    CHECK(error_code_of([&] { config::load({m}, {}); }, msg) == 0);  // nested include is just a key
    const std::string bad = write_cfg(dir, "bad.toml", "include = [1]\n");
    CHECK(error_code_of([&] { config::load({bad}); }, msg) == exit_config);
    CHECK(msg == bad + ":1:12: include: expected a file name string or an array of them");
}

TEST_CASE("config load: syntax errors carry file:line:col", "[config][load]") {
    std::string msg;
    CHECK(error_code_of([] { config::from_string("[sim]\nseed = \n", "s.toml"); }, msg) == exit_config);
    CHECK(msg.rfind("s.toml:2:", 0) == 0);
    CHECK(msg.find("syntax error") != std::string::npos);
    // Integers past int64 must be strings; toml++ rejects them with a position.
    CHECK(error_code_of([] { config::from_string("a = 0x1_0000_0000_0000_0000\n", "h.toml"); }, msg) ==
          exit_config);
    CHECK(msg.rfind("h.toml:1:", 0) == 0);
    CHECK(error_code_of([] { config::from_string("a = 0xffff_8000_0000_0000\n", "h.toml"); }, msg) ==
          exit_config);
    CHECK(error_code_of([] { config::from_string("a = 99999999999999999999\n", "h.toml"); }, msg) ==
          exit_config);
}

TEST_CASE("config load: hostile inputs give config_error, never a crash", "[config][load][hostile]") {
    const param_registry& reg = config_test_registry();
    std::string msg;
    // Empty file: an empty, valid config.
    {
        config c = config::from_string("", "empty.toml");
        CHECK_NOTHROW(c.validate(reg));
        CHECK(c.root(reg).table("sim").get_uint("seed") == 1);
    }
    // Binary garbage.
    {
        std::string garbage;
        for (int i = 0; i < 512; ++i) garbage += static_cast<char>((i * 167 + 13) & 0xff);
        CHECK(error_code_of([&] { config::from_string(garbage, "g.toml"); }, msg) == exit_config);
        CHECK(error_code_of([&] { config::from_string(std::string("a = \"\0\"", 7), "z.toml"); }, msg) ==
              exit_config);
        CHECK(error_code_of([&] { config::from_string("a = \"\xff\xfe\"", "u.toml"); }, msg) == exit_config);
    }
    // UTF-8 BOM and CRLF line ends.
    {
        config c = config::from_string("\xEF\xBB\xBF[sim]\r\nseed = 3\r\nname = \"x\"\r\n", "bom.toml");
        CHECK_NOTHROW(c.validate(reg));
        CHECK(c.root(reg).table("sim").get_uint("seed") == 3);
        CHECK(c.root(reg).table("sim").where("name") == "bom.toml:3:1");
    }
    // 10000-deep nesting: arrays, inline tables, dotted headers, dotted keys.
    {
        const std::string arrays = "a = " + std::string(10000, '[') + std::string(10000, ']') + "\n";
        CHECK(error_code_of([&] { config::from_string(arrays, "d.toml"); }, msg) == exit_config);
        std::string inl = "a = ";
        for (int i = 0; i < 10000; ++i) inl += "{ b = ";
        inl += "1";
        for (int i = 0; i < 10000; ++i) inl += " }";
        CHECK(error_code_of([&] { config::from_string(inl + "\n", "d.toml"); }, msg) == exit_config);
        std::string hdr = "[a";
        for (int i = 0; i < 10000; ++i) hdr += ".a";
        CHECK(error_code_of([&] { config::from_string(hdr + "]\nx = 1\n", "d.toml"); }, msg) == exit_config);
        CHECK(msg.find("nesting deeper than 64 levels") != std::string::npos);
        std::string dotted = "a";
        for (int i = 0; i < 10000; ++i) dotted += ".a";
        CHECK(error_code_of([&] { config::from_string(dotted + " = 1\n", "d.toml"); }, msg) == exit_config);
        config c;
        CHECK(error_code_of([&] { c.apply_override(dotted + "=1", 1); }, msg) == exit_config);
        CHECK(msg.find("key path deeper than 64 levels") != std::string::npos);
    }
    // Overrides with bytes that are not UTF-8 (they would poison the JSON output).
    {
        config c;
        CHECK(error_code_of([&] { c.apply_override("sim.name=\xff\xfe", 3); }, msg) == exit_config);
        CHECK(msg == "-C #3 (<invalid UTF-8>): not valid UTF-8");
        CHECK(error_code_of([&] { c.apply_override("sim.name=caf\xc3\xa9", 4); }, msg) == 0);
    }
    // Duplicate keys and tables: rejected with a position.
    {
        CHECK(error_code_of([] { config::from_string("[sim]\nseed = 1\nseed = 2\n", "dup.toml"); }, msg) ==
              exit_config);
        CHECK(msg.rfind("dup.toml:3:", 0) == 0);
        CHECK(error_code_of([] { config::from_string("[sim]\n[sim]\n", "dup.toml"); }, msg) == exit_config);
        CHECK(msg.rfind("dup.toml:2:", 0) == 0);
    }
}
