// Comparison of replayed DMAs with QEMU's outcome, on hand-made results.
#include <catch2/catch.hpp>

#include <filesystem>
#include <string>

#include "platforms/smmu_replay/oracle_compare.h"
#include "tests/support/test_util.h"

using namespace vcmsim::platform::replay;

namespace {

oracle_case load(const std::string& name) {
    return load_oracle_case(vcmsim::test::source_path("tests/smmu_corpus/" + name));
}

const dma_op& dma_at(const oracle_case& c, std::size_t i) {
    const dma_op* d = c.trace.at(i).dma();
    REQUIRE(d);
    return *d;
}

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

// A 32-byte F_TRANSLATION record for `sid` at `addr`.
event_record fault_record(std::uint32_t sid, std::uint64_t addr, bool read, std::uint8_t type = 0x10) {
    event_record e;
    e.raw[0] = type;
    for (int i = 0; i < 4; ++i) e.raw[4 + i] = std::uint8_t(sid >> (8 * i));
    e.raw[12] = read ? 0x08 : 0;
    for (int i = 0; i < 8; ++i) e.raw[16 + i] = std::uint8_t(addr >> (8 * i));
    return e;
}

}  // namespace

TEST_CASE("QEMU's own results pass everywhere except where QEMU departs from the architecture", "[oracle]") {
    std::size_t departures = 0;
    compare_summary all;
    for (const auto& e : std::filesystem::directory_iterator(vcmsim::test::source_path("tests/smmu_corpus"))) {
        if (e.path().extension() != ".json") continue;
        oracle_case c = load_oracle_case(e.path().string());
        std::vector<dma_result> results;
        for (const auto& t : c.trace)
            if (const dma_op* d = t.dma()) results.push_back(qemu_result(t.index, *d));
        for (const auto& v : compare_case(c, results)) {
            all.add(v);
            if (v.kind == verdict_kind::fail) {
                ++departures;
                INFO(format_verdict(c.name, v));
                CHECK(contains(v.message, "departs from the architecture"));
            }
        }
    }
    CHECK(departures == 6);   // 3 iova_beyond_48bit + 3 invalid_block_accepted
    CHECK(all.line() == "547 passed, 6 failed");
    CHECK(all.deviation_line().empty());
}

TEST_CASE("a matching write passes; a data mismatch fails naming the DMA and the byte", "[oracle]") {
    oracle_case c = load("4k_block_2m.json");
    const dma_op& w = dma_at(c, 35);
    dma_result r = qemu_result(35, w);
    CHECK(required_ranges(w).size() == 1);
    dma_verdict v = compare_dma(c, 35, w, r);
    CHECK(v.kind == verdict_kind::pass);
    CHECK(format_verdict(c.name, v) == "PASS 4k_block_2m #35 write iova=0x600000 len=128");

    r.mem[0].bytes[5] ^= 0xff;
    v = compare_dma(c, 35, w, r);
    CHECK(v.kind == verdict_kind::fail);
    CHECK(v.what == "#35 write iova=0x600000 len=128");
    CHECK(contains(v.message, "written memory at 0x43200000 differs at +5 (pa 0x43200005)"));

    r = qemu_result(35, w);
    r.pa_first = 0x43201000;
    v = compare_dma(c, 35, w, r);
    CHECK(v.kind == verdict_kind::fail);
    CHECK(contains(v.message, "write landed: QEMU at 0x43200000, ours at 0x43201000"));

    // a harness read without observed data is checked on its events only
    const dma_op& rd = dma_at(c, 34);
    r = qemu_result(34, rd);
    r.data = byte_vector(128, 0);
    v = compare_dma(c, 34, rd, r);
    CHECK(v.kind == verdict_kind::pass);   // harness read without observed data: events only
}

TEST_CASE("event fields: one record is enough, a wrong InputAddr or StreamID fails", "[oracle]") {
    oracle_case c = load("4k_block_2m.json");
    const dma_op& f = dma_at(c, 56);
    dma_result r;
    r.index = 56;
    r.events = {fault_record(8, 0x800040, false)};          // one record for the whole transaction
    dma_verdict v = compare_dma(c, 56, f, r);
    CHECK(v.kind == verdict_kind::pass);

    r.events = {fault_record(8, 0x800044, false)};
    v = compare_dma(c, 56, f, r);
    CHECK(v.kind == verdict_kind::fail);
    CHECK(contains(v.message, "InputAddr QEMU 0x800040 ours 0x800044"));
    CHECK(contains(format_verdict(c.name, v), "FAIL 4k_block_2m #56 write iova=0x800040 len=32"));

    r.events = {fault_record(9, 0x800040, false)};
    v = compare_dma(c, 56, f, r);
    CHECK(contains(v.message, "StreamID QEMU 0x8 ours 0x9"));

    r.events = {fault_record(8, 0x800040, true)};
    CHECK(contains(compare_dma(c, 56, f, r).message, "RnW QEMU 0x0 ours 0x1"));

    r.events = {fault_record(8, 0x800040, false, 0x13)};
    CHECK(contains(compare_dma(c, 56, f, r).message, "type QEMU 0x10 ours 0x13"));

    r.events.clear();
    CHECK(contains(compare_dma(c, 56, f, r).message, "events: QEMU F_TRANSLATION sid=0x8 addr=0x800040 write (+7 more), ours no event"));
}

TEST_CASE("iova_beyond_48bit: the architectural fault is a deviation, copying QEMU fails", "[oracle]") {
    oracle_case c = load("4k_t0sz16_pages.json");
    const dma_op& d = dma_at(c, 130);
    REQUIRE(d.has_deviation("iova_beyond_48bit"));
    dma_result r;
    r.index = 130;
    r.events = {fault_record(8, 0x1000000001000ull, false)};
    dma_verdict v = compare_dma(c, 130, d, r);
    CHECK(v.kind == verdict_kind::deviation);
    REQUIRE(v.deviations.size() == 1);
    CHECK(v.deviations[0] == "iova_beyond_48bit");
    CHECK(contains(format_verdict(c.name, v), "DEVIATION 4k_t0sz16_pages #130 write iova=0x1000000001000 len=16 [iova_beyond_48bit]"));

    r.events.clear();                                        // behaves like QEMU
    v = compare_dma(c, 130, d, r);
    CHECK(v.kind == verdict_kind::fail);
    CHECK(contains(v.message, "the architecture requires F_TRANSLATION"));

    compare_summary s;
    s.add(compare_dma(c, 130, d, dma_result{130, 0, {fault_record(8, 0x1000000001000ull, false)}, {}, {}, {}, {}}));
    s.add(v);
    CHECK(s.line() == "1 passed, 1 failed");
    CHECK(s.deviation_line() == "(1 DMA(s) differ from QEMU by a known QEMU deviation)");
}

TEST_CASE("invalid_block_accepted: F_TRANSLATION with nothing landing is the architecture", "[oracle]") {
    oracle_case c = load("4k_block_l0_invalid.json");
    const dma_op& d = dma_at(c, 35);
    REQUIRE(d.has_deviation("invalid_block_accepted"));
    dma_result r;
    r.index = 35;
    r.events = {fault_record(8, d.iova, false)};
    CHECK(compare_dma(c, 35, d, r).kind == verdict_kind::deviation);
    r.pa_first = 0x46e80000;                                 // faulted but wrote anyway
    CHECK(compare_dma(c, 35, d, r).kind == verdict_kind::fail);
}

TEST_CASE("stale_tlb_possible: the new translation is accepted, anything else fails", "[oracle]") {
    oracle_case c = load("4k_t0sz16_pages.json");
    const dma_op& d = dma_at(c, 93);                         // remap without TLBI: QEMU used the old PA
    REQUIRE(d.has_deviation("stale_tlb_possible"));
    REQUIRE(d.ref_walk);
    dma_result r;
    r.index = 93;
    r.pa_first = d.ref_walk->pa;                             // ours walked the new tables
    dma_verdict v = compare_dma(c, 93, d, r);
    CHECK(v.kind == verdict_kind::deviation);
    CHECK(v.deviations.at(0) == "stale_tlb_possible");
    r.pa_first = d.ref_walk->pa + 0x1000;
    CHECK(compare_dma(c, 93, d, r).kind == verdict_kind::fail);
    CHECK(compare_dma(c, 93, d, qemu_result(93, d)).kind == verdict_kind::pass);
}

TEST_CASE("aborted_read_zero_fill: terminated bytes may differ, read bytes may not", "[oracle]") {
    const char* text = R"({"format": "qemu-smmu-oracle-trace/1", "format_revision": 2,
      "platform": {"ram": [1073741824, 2147483648], "smmu_base": 151322624},
      "smmu_idregs": {"s2p": 0}, "edu": {"sid": 8, "dma_addr_mask": 18446744073709551615},
      "known_deviations": {"aborted_read_zero_fill": {}, "event_per_access_piece": {}},
      "trace": [{"k": "dma", "dir": "read", "sid": 8, "iova": 8188, "len": 8, "buf_off": 0, "harness": false,
        "events": ["1000000008000000000000000800000000200000000000000000000000000000"],
        "deviations": ["aborted_read_zero_fill"], "observed": {"data": "1122334400000000"}}]})";
    oracle_case c = parse_oracle_case(text, "zero_fill.json");
    const dma_op& d = dma_at(c, 0);
    dma_result r = qemu_result(0, d);
    CHECK(compare_dma(c, 0, d, r).kind == verdict_kind::pass);
    r.data = byte_vector{0x11, 0x22, 0x33, 0x44, 0x5a, 0x5a, 0x5a, 0x5a};   // ours keeps the old buffer bytes
    r.terminated = {false, false, false, false, true, true, true, true};
    dma_verdict v = compare_dma(c, 0, d, r);
    CHECK(v.kind == verdict_kind::deviation);
    CHECK(contains(v.message, "read data differs in 4 of 8 bytes, first at +4: QEMU 00, ours 5a"));
    r.data->at(1) = 0;                                        // a byte that was read from memory
    v = compare_dma(c, 0, d, r);
    CHECK(v.kind == verdict_kind::fail);
    CHECK(contains(v.message, "do not cover this difference"));
}

TEST_CASE("stage2_unimplemented compares as is unless the model has stage 2", "[oracle]") {
    oracle_case c = load("ste_cd_config.json");
    for (const auto& t : c.trace) {
        const dma_op* d = t.dma();
        if (!d || !d->has_deviation("stage2_unimplemented")) continue;
        dma_result r;
        r.index = t.index;
        r.pa_first = 0x50000000;                            // a stage-2 model translated it
        CHECK(compare_dma(c, t.index, *d, r).kind == verdict_kind::fail);
        compare_options o;
        o.model_has_stage2 = true;
        CHECK(compare_dma(c, t.index, *d, r, o).kind == verdict_kind::deviation);
        return;
    }
    FAIL("no stage2_unimplemented DMA in ste_cd_config");
}

TEST_CASE("results: missing ones fail, the JSON line has the section-7 shape", "[oracle]") {
    oracle_case c = load("4k_block_2m.json");
    std::vector<dma_verdict> v = compare_case(c, {});
    REQUIRE(v.size() == 13);
    CHECK(v[0].kind == verdict_kind::fail);
    CHECK(contains(v[0].message, "no result"));
    dma_result r;
    r.index = 56;
    r.events = {fault_record(8, 0x800040, false)};
    CHECK(result_to_json_line(r) ==
          "{\"i\": 56, \"dev\": 0, \"events\": [\"1000000008000000000000000000000040008000000000000000000000000000\"], "
          "\"pa_first\": null, \"mem\": []}");
    r.index = 55;
    CHECK(contains(compare_dma(c, 56, dma_at(c, 56), r).message, "result is for entry #55"));
}
