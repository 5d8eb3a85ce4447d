// Reader of the QEMU oracle's export format: the whole corpus, exact values, older revisions,
// and clear errors for corrupted or truncated files.
#include <catch2/catch.hpp>

#include <filesystem>
#include <string>

#include "platforms/smmu_replay/oracle_case.h"
#include "tests/support/test_util.h"

using namespace vcmsim::platform::replay;

namespace {

std::string corpus(const std::string& name) { return vcmsim::test::source_path("tests/smmu_corpus/" + name); }

// Parses `text` and returns the error's what(), or "" if it parsed.
std::string parse_error(const std::string& text, const std::string& file = "bad.json") {
    try {
        parse_oracle_case(text, file);
    } catch (const oracle_format_error& e) {
        return e.what();
    }
    return "";
}

// A minimal revision-1 file: no format_revision, no devices, no dev keys.
const char* k_rev1 = R"({"format": "qemu-smmu-oracle-trace/1",
 "platform": {"ram": [1073741824, 2147483648], "smmu_base": 151322624},
 "smmu_idregs": {"IDR0": 1, "sidsize": 16, "oas_bits": 44},
 "edu": {"bdf": "00:01.0", "rid": 8, "sid": 8, "dma_mask": null},
 "trace": [
  {"k": "fill", "addr": 1090519040, "len": 1024, "value": 0, "tag": "stream table"},
  {"k": "reg", "off": 128, "val": 18446744073709551615, "width": 64},
  {"k": "dma", "dir": "read", "sid": 8, "iova": 4096, "len": 16, "buf_off": 0, "harness": false, "events": []}]})";

}  // namespace

TEST_CASE("every corpus file parses, with revision 3 and consistent devices", "[oracle]") {
    std::size_t files = 0, dmas = 0;
    for (const auto& e : std::filesystem::directory_iterator(corpus(""))) {
        if (e.path().extension() != ".json") continue;
        INFO(e.path().string());
        oracle_case c = load_oracle_case(e.path().string());
        ++files;
        CHECK(c.revision == 3);
        CHECK(c.format == oracle_format_name);
        CHECK(c.qemu_version.find("7.2") != std::string::npos);
        CHECK(c.platform.smmu_base == 0x9050000);
        CHECK(c.platform.smmu_size == 0x20000);
        CHECK(c.idregs.s2p == 0);
        CHECK(c.one_buffer_ok);
        CHECK(c.known_deviations.size() == 7);
        REQUIRE(!c.devices.empty());
        for (const auto& t : c.trace)
            if (const dma_op* d = t.dma()) {
                ++dmas;
                CHECK(d->sid == c.devices.at(d->dev).sid);
                CHECK(d->buf_off + d->len <= 4095);
            }
    }
    CHECK(files == 25);
    CHECK(dmas == 553);   // 528 in the harness's 24 built-in cases + 25 in 16k_t0sz39_pages
}

TEST_CASE("4k_block_2m: exact values, including a register value above 2^53", "[oracle]") {
    oracle_case c = load_oracle_case(corpus("4k_block_2m.json"));
    CHECK(c.name == "4k_block_2m");
    CHECK(c.platform.ram.base == 0x40000000);
    CHECK(c.platform.ram.size == 0x80000000);
    REQUIRE(c.platform.iommu_map.size() == 1);
    CHECK(c.platform.iommu_map[0].length == 65536);
    CHECK(c.idregs.oas_bits == 44);
    CHECK(c.idregs.sidsize == 16);
    REQUIRE(c.devices.size() == 1);
    CHECK(c.devices[0].sid == 8);
    CHECK(c.devices[0].dma_addr_mask == 0xffffffffffffffffull);   // 18446744073709551615 exactly
    CHECK(*c.devices[0].dma_mask == 0xffffffffffffffffull);
    CHECK(c.devices[0].max_len == 4095);
    CHECK(c.trace.size() == 58);
    CHECK(c.dma_count() == 13);

    const auto& strtab = std::get<reg_write_op>(c.trace[1].op);
    CHECK(strtab.off == 0x80);
    CHECK(strtab.val == 0x4000000041000000ull);                    // 4611686019517906944 > 2^53
    CHECK(strtab.val == 4611686019517906944ull);
    CHECK(strtab.width == 64);

    const auto& ste = std::get<mem_write_op>(c.trace[5].op);
    CHECK(ste.addr == 0x41000200);
    CHECK(ste.tag == "STE[8]");
    REQUIRE(ste.data.size() == 64);
    CHECK(ste.data[0] == 0x0b);
    CHECK(ste.data[3] == 0x41);

    const dma_op* w = c.trace[35].dma();
    REQUIRE(w);
    CHECK(w->dir == dma_dir::write);
    CHECK(w->iova == 0x600000);
    CHECK(w->len == 128);
    CHECK(w->events.empty());
    REQUIRE(w->observed);
    CHECK(*w->observed->landed_at == 0x43200000);
    CHECK(w->observed->data->size() == 128);
    CHECK(w->observed->data->at(0) == 0x91);

    const dma_op* f = c.trace[56].dma();
    REQUIRE(f);
    REQUIRE(f->events.size() == 8);
    CHECK(f->events[0].type() == 0x10);
    CHECK(f->events[0].stream_id() == 8);
    CHECK(f->events[0].input_addr() == 0x800040);
    CHECK(!f->events[0].rnw());
    CHECK(f->events[7].input_addr() == 0x80005c);
    CHECK(f->events[0].hex() == "1000000008000000000000000000000040008000000000000000000000000000");
    CHECK(f->has_deviation("event_per_access_piece"));
    CHECK(std::get<reg_write_op>(c.trace[57].op).off == 0x100ac);
}

TEST_CASE("multi_mixed_configs: four devices, StreamID 248, per-DMA dev", "[oracle]") {
    oracle_case c = load_oracle_case(corpus("multi_mixed_configs.json"));
    REQUIRE(c.devices.size() == 4);
    CHECK(c.devices[3].sid == 248);
    CHECK(c.devices[3].bdf == "00:1f.0");
    bool seen248 = false;
    for (const auto& t : c.trace)
        if (const dma_op* d = t.dma(); d && d->dev == 3) {
            seen248 = true;
            CHECK(d->sid == 248);
            for (const auto& e : d->events) CHECK(e.stream_id() == 248);
        }
    CHECK(seen248);
}

TEST_CASE("a revision-1 file is normalised to one device and dev 0", "[oracle]") {
    oracle_case c = parse_oracle_case(k_rev1, "rev1.json");
    CHECK(c.revision == 1);
    CHECK(c.implicit_evtq_drain());
    REQUIRE(c.devices.size() == 1);
    CHECK(c.devices[0].dma_addr_mask == (1ull << 28) - 1);   // dma_mask null: edu's 28-bit default
    CHECK(c.platform.smmu_size == 0x20000);
    CHECK(std::get<reg_write_op>(c.trace[1].op).val == 0xffffffffffffffffull);
    REQUIRE(c.trace[2].dma());
    CHECK(c.trace[2].dma()->dev == 0);
}

TEST_CASE("a truncated file names the file and says it is not valid JSON", "[oracle]") {
    std::string text = vcmsim::test::read_file(corpus("4k_block_2m.json"));
    std::string msg = parse_error(text.substr(0, text.size() / 2), "cut.json");
    CHECK(msg.rfind("cut.json: $: not valid JSON", 0) == 0);
    CHECK_THROWS_AS(load_oracle_case(corpus("no_such_case.json")), oracle_format_error);
}

TEST_CASE("corrupted values name the JSON path", "[oracle]") {
    std::string text = vcmsim::test::read_file(corpus("4k_block_2m.json"));
    auto replaced = [&](const std::string& from, const std::string& to) {
        std::string t = text;
        auto p = t.find(from);
        REQUIRE(p != std::string::npos);
        return t.replace(p, from.size(), to);
    };
    // an event record one byte short
    std::string msg = parse_error(replaced("\"1000000008000000000000000000000040008000000000000000000000000000\"",
                                           "\"10000000080000000000000000000000400080000000000000000000000000\""));
    CHECK(msg.find("bad.json: $.trace[56].events[0]: event record of 31 bytes") == 0);
    // a register value written as a float (what a double-based writer would produce)
    msg = parse_error(replaced("4611686019517906944", "4.611686019517907e18"));
    CHECK(msg.find("$.trace[1].val: expected an unsigned integer") != std::string::npos);
    // a negative number, a non-hex digit, an unknown revision, a missing key, a bad direction
    CHECK(parse_error(replaced("\"len\": 128,\n   \"buf_off\"", "\"len\": -128,\n   \"buf_off\"")).find("$.trace[34].len: expected an unsigned integer") != std::string::npos);
    CHECK(parse_error(replaced("\"data\": \"0310104100000000\"", "\"data\": \"03101041000000zz\"")).find(".data: bad hex string") != std::string::npos);
    CHECK(parse_error(replaced("\"format_revision\": 3", "\"format_revision\": 4")).find("$.format_revision: unsupported format_revision 4") != std::string::npos);
    CHECK(parse_error(replaced("\"smmu_base\"", "\"smmu_bass\"")).find("$.platform: missing key 'smmu_base'") != std::string::npos);
    CHECK(parse_error(replaced("\"dir\": \"write\"", "\"dir\": \"sideways\"")).find("$.trace[35].dir: expected \"read\" or \"write\"") != std::string::npos);
    CHECK(parse_error(replaced("\"len\": 128,\n   \"buf_off\"", "\"len\": 4096,\n   \"buf_off\"")).find("$.trace[34].len: value 4096 out of range") != std::string::npos);
    CHECK(parse_error(replaced("\"dev\": 0", "\"dev\": 2")).find(".dev: device 2 not in devices (1)") != std::string::npos);
    CHECK(parse_error("[1, 2]").find("bad.json: $: the top level is not an object") == 0);
    CHECK(parse_error(replaced("\"k\": \"fill\"", "\"k\": \"poke\"")).find("$.trace[0].k: unknown trace entry kind") != std::string::npos);
}

TEST_CASE("hex helpers round-trip and reject bad input", "[oracle]") {
    byte_vector v = from_hex("00ff7Fa5");
    REQUIRE(v.size() == 4);
    CHECK(v[1] == 0xff);
    CHECK(v[2] == 0x7f);
    CHECK(to_hex(v) == "00ff7fa5");
    CHECK_THROWS_AS(from_hex("abc"), std::invalid_argument);
    CHECK_THROWS_AS(from_hex("0g"), std::invalid_argument);
}
