// trace inspect / export / diff on a synthetic trace whose numbers are known exactly.
#include <catch2/catch.hpp>

#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "models/core/trace.h"
#include "platforms/trace/trace_reader.h"
#include "platforms/trace/trace_tool.h"
#include "tests/support/test_util.h"

using namespace vcmsim;
using core::trace_record;
using json = nlohmann::json;
namespace tr = vcmsim::platform::trace;

namespace {

trace_record rec(uint64_t t, core::trace_type type, uint16_t comp, uint16_t stream, uint64_t in = 0) {
    trace_record r;
    r.t_ps = t;
    r.type = static_cast<uint8_t>(type);
    r.comp = comp;
    r.stream = stream;
    r.in_addr = in;
    r.lvl_stage = core::trace_lvl(-1);
    return r;
}

// Stream 0x10: 10 lookups at t = 100..1000, misses at 0x1008 (t 200), 0x1ff0 (t 500),
// 0x5000 (t 1000); stream 0x11: 4 lookups at 1500..1800, misses at 0x1000, 0x9000, 0x9abc.
// Walks (ns): 0x10: 10 20 30 40 100; 0x11: 50. One F_TRANSLATION fault, TLBI all + asid.
// all_hits_0x10: stream 0x10 never misses (trace B of the diff).
std::string make_trace(const std::string& dir, const std::string& name, bool all_hits_0x10 = false,
                       uint32_t cats = core::trace_cat::defaults) {
    core::trace_sink s;
    const uint16_t tlb = s.register_component("top.smmu0.tlb", "tlb");
    const uint16_t walker = s.register_component("top.smmu0.walker", "walker");
    s.register_stream(0x10, "dma0");
    s.register_stream(0x11, "dma1");
    s.set_categories(cats);
    s.set_counter_interval(1000);
    core::trace_header_info info;
    info.tool = "vcmsim test";
    info.config_hash = name;
    const std::string path = dir + "/" + name + ".vtr";
    REQUIRE(s.open(path, info));
    for (uint64_t k = 1; k <= 10; ++k) {
        const bool miss = !all_hits_0x10 && (k == 2 || k == 5 || k == 10);
        const uint64_t va = k == 2 ? 0x1008 : k == 5 ? 0x1ff0 : k == 10 ? 0x5000 : 0x7000 + k;
        s.record_lookup(rec(100 * k, core::trace_type::lookup, tlb, 0x10, va), !miss);
    }
    const uint64_t va11[] = {0x3000, 0x1000, 0x9000, 0x9abc};
    for (uint64_t k = 0; k < 4; ++k) s.record_lookup(rec(1500 + 100 * k, core::trace_type::lookup, tlb, 0x11, va11[k]), k == 0);
    const uint32_t lat[] = {10000, 20000, 30000, 40000, 100000, 50000};
    for (int i = 0; i < 6; ++i) {
        trace_record w = rec(2000 + 100 * i, core::trace_type::walk, walker, i == 5 ? 0x11 : 0x10, 0x1000);
        w.dur_ps = lat[i];
        w.aux = 4 | ((i < 2 ? 2u : 0u) << 20);  // 4 reads; walks 0, 1 hit the walk cache at level 1
        w.outcome = static_cast<uint8_t>(core::trace_outcome::done);
        w.page_shift = 12;
        w.lvl_stage = core::trace_lvl(3);
        s.record(w);
    }
    trace_record f = rec(3000, core::trace_type::fault, walker, 0x11, 0xdead000);
    f.aux = 0x110;
    f.lvl_stage = core::trace_lvl(2);
    s.record(f);
    trace_record i1 = rec(4000, core::trace_type::inval, tlb, 0x10);
    i1.outcome = static_cast<uint8_t>(core::trace_outcome::inval_all);
    s.record(i1);
    trace_record i2 = rec(5000, core::trace_type::inval, tlb, 0x10);
    i2.outcome = static_cast<uint8_t>(core::trace_outcome::inval_asid);
    s.record(i2);
    REQUIRE(s.close());
    return path;
}

json inspect_json(const std::string& path, tr::inspect_options o = {}) {
    o.format = "json";
    std::ostringstream out, err;
    REQUIRE(tr::trace_inspect(path, o, out, err) == 0);
    CHECK(err.str().empty());
    return json::parse(out.str());
}

const json& row(const json& j, const std::string& comp, int stream) {
    for (const auto& r : j["rows"])
        if (r["component"] == comp && r["stream"] == stream) return r;
    FAIL("no row " << comp << " " << stream);
    static json none;
    return none;
}

}  // namespace

TEST_CASE("trace inspect: hit rates, misses, walks and percentiles are exact", "[trace]") {
    const std::string dir = test::make_temp_dir("trace_inspect");
    for (uint32_t cats : {core::trace_cat::defaults, core::trace_cat::all}) {
        INFO("categories " << cats);
        const json j = inspect_json(make_trace(dir, "a", false, cats));
        CHECK(j["lookups_folded"] == (cats == core::trace_cat::defaults));
        const json& a = row(j, "top.smmu0.tlb", 0x10);
        CHECK(a["lookups"] == 10);
        CHECK(a["hits"] == 7);
        CHECK(a["misses"] == 3);
        CHECK(a["hit_rate"] == 70.0);
        CHECK(a["invals"] == 2);
        const json& b = row(j, "top.smmu0.tlb", 0x11);
        CHECK(b["lookups"] == 4);
        CHECK(b["hits"] == 1);
        CHECK(b["hit_rate"] == 25.0);
        const json& w = row(j, "top.smmu0.walker", 0x10);
        CHECK(w["walks"] == 5);
        CHECK(w["walk_reads"] == 20);
        CHECK(w["walk_mean_ns"] == 40.0);
        CHECK(w["walk_p50_ns"] == 30.0);
        CHECK(w["walk_p90_ns"] == 100.0);
        CHECK(row(j, "top.smmu0.walker", 0x11)["faults"] == 1);
        const json& wl = j["walk_latency"];
        CHECK(wl["walks"] == 6);
        CHECK(wl["mean_ns"] == 41.667);
        CHECK(wl["p50_ns"] == 30.0);
        CHECK(wl["p90_ns"] == 100.0);
        CHECK(wl["p99_ns"] == 100.0);
        CHECK(wl["bin_ns"] == 10.0);
        REQUIRE(wl["bins"].size() == 11);
        CHECK(wl["bins"][0]["count"] == 0);
        CHECK(wl["bins"][1]["count"] == 1);
        CHECK(wl["bins"][5]["count"] == 1);
        CHECK(wl["bins"][10]["count"] == 1);
        CHECK(wl["bins"][10]["lo_ns"] == 100.0);
        CHECK(j["walk_cache"]["deepest_hit_level"]["L1"] == 2);
        CHECK(j["walk_cache"]["deepest_hit_level"]["none"] == 4);
        CHECK(j["faults"]["total"] == 1);
        CHECK(j["faults"]["by_kind"]["F_TRANSLATION"] == 1);
        CHECK(j["faults"]["first"][0]["level"] == 2);
        CHECK(j["invalidations"]["by_scope"]["all"] == 1);
        CHECK(j["invalidations"]["by_scope"]["asid"] == 1);
        const json& tp = j["top_missing_pages"]["by_component"][0];
        CHECK(tp["component"] == "top.smmu0.tlb");
        CHECK(tp["misses"] == 6);
        CHECK(tp["distinct_pages"] == 3);
        CHECK(tp["pages"][0]["page"] == "0x1000");
        CHECK(tp["pages"][0]["misses"] == 3);
        CHECK(tp["pages"][0]["pct_of_misses"] == 50.0);
        CHECK(tp["pages"][0]["streams"] == json::array({0x10, 0x11}));
        CHECK(tp["pages"][0]["first_miss_ps"] == 200);
        CHECK(tp["pages"][1]["page"] == "0x9000");
        CHECK(tp["pages"][1]["misses"] == 2);
        CHECK(tp["pages"][2]["page"] == "0x5000");
    }
}

TEST_CASE("trace inspect: page size, window, stream and component filters", "[trace]") {
    const std::string dir = test::make_temp_dir("trace_inspect_f");
    const std::string path = make_trace(dir, "a");
    tr::inspect_options o;
    o.page_bytes = 0x8000;
    o.top = 2;
    json j = inspect_json(path, o);
    const json& pages = j["top_missing_pages"]["by_component"][0]["pages"];
    REQUIRE(pages.size() == 2);
    CHECK(pages[0]["page"] == "0x0");
    CHECK(pages[0]["misses"] == 4);  // 0x1008 0x1ff0 0x1000 0x5000
    CHECK(pages[1]["page"] == "0x8000");
    o = {};
    o.filter.win_start = 0;
    o.filter.win_end = 1000;  // the first counter interval only: 9 lookups, 7 hits
    j = inspect_json(path, o);
    CHECK(row(j, "top.smmu0.tlb", 0x10)["lookups"] == 9);
    CHECK(row(j, "top.smmu0.tlb", 0x10)["hits"] == 7);
    CHECK(j["rows"].size() == 1);
    CHECK(j["walk_latency"]["walks"] == 0);
    o = {};
    o.filter.streams = {0x11};
    o.filter.component = "walker";
    j = inspect_json(path, o);
    REQUIRE(j["rows"].size() == 1);
    CHECK(j["rows"][0]["walks"] == 1);
    CHECK(j["walk_latency"]["p50_ns"] == 50.0);
}

TEST_CASE("trace inspect: text and CSV outputs", "[trace]") {
    const std::string dir = test::make_temp_dir("trace_inspect_t");
    const std::string path = make_trace(dir, "a");
    tr::inspect_options o;
    std::ostringstream out, err;
    REQUIRE(tr::trace_inspect(path, o, out, err) == 0);
    const std::string t = out.str();
    CHECK(t.find("top.smmu0.tlb") != std::string::npos);
    CHECK(t.find("70.00") != std::string::npos);
    CHECK(t.find("top missing pages (4KiB)") != std::string::npos);
    CHECK(t.find("0x1000") != std::string::npos);
    CHECK(t.find("F_TRANSLATION 1") != std::string::npos);
    CHECK(t.find("invalidations 2") != std::string::npos);
    o.format = "csv";
    std::ostringstream csv;
    REQUIRE(tr::trace_inspect(path, o, csv, err) == 0);
    std::istringstream in(csv.str());
    std::string header, line1;
    std::getline(in, header);
    std::getline(in, line1);
    CHECK(header.rfind("component,kind,stream,label,lookups,hits,misses,hit_rate,walks", 0) == 0);
    CHECK(line1.rfind("top.smmu0.tlb,tlb,16,dma0,10,7,3,70.0,0,", 0) == 0);
}

TEST_CASE("trace export: perfetto JSON has slices, instants, counters and track names", "[trace]") {
    const std::string dir = test::make_temp_dir("trace_perfetto");
    const std::string path = make_trace(dir, "a");
    tr::export_options o;
    o.to = "perfetto";
    o.out_path = dir + "/p.json";
    std::ostringstream out, err;
    REQUIRE(tr::trace_export(path, o, out, err) == 0);
    const json j = json::parse(test::read_file(o.out_path));
    CHECK(j["displayTimeUnit"] == "ns");
    int x = 0, inst = 0, c = 0, procs = 0, threads = 0;
    for (const auto& e : j["traceEvents"]) {
        REQUIRE(e.contains("ph"));
        REQUIRE(e.contains("pid"));
        const std::string ph = e["ph"];
        if (ph == "X") {
            ++x;
            CHECK(e["pid"] == 2);  // walker: component 1
            CHECK(e["ts"].is_number());
            CHECK(e["dur"].is_number());
            if (x == 1) {
                CHECK(e["ts"].get<double>() == Approx(0.002));
                CHECK(e["dur"].get<double>() == Approx(0.010));
                CHECK(e["tid"] == 0x10);
                CHECK(e["args"]["reads"] == 4);
            }
        } else if (ph == "i") {
            ++inst;
            CHECK(e["s"] == "t");
            CHECK(e.contains("tid"));
        } else if (ph == "C") {
            ++c;
            CHECK(e["args"]["value"].is_number());
        } else if (ph == "M") {
            (e["name"] == "process_name" ? procs : threads) += 1;
            CHECK(e["args"]["name"].is_string());
        } else {
            FAIL("unexpected phase " << ph);
        }
    }
    CHECK(x == 6);
    CHECK(inst == 6 + 1 + 2);  // misses, fault, invalidations
    // counters: (0x10 intervals 0 and 1000) + (0x11 interval 1000), two series each
    CHECK(c == 6);
    CHECK(procs == 2);
    CHECK(threads == 4);  // tlb: 0x10 0x11; walker: 0x10 0x11
}

TEST_CASE("trace export: perfetto JSON shows event-queue records, fills, evictions, walk steps and DMA",
          "[trace]") {
    const std::string dir = test::make_temp_dir("trace_perfetto_all");
    core::trace_sink s;
    const uint16_t evtq = s.register_component("top.smmu0.evtq", "event_queue");     // pid 1
    const uint16_t tlb = s.register_component("top.smmu0.tcu.tlb", "tlb");           // pid 2
    const uint16_t walker = s.register_component("top.smmu0.tcu.walker", "walker");  // pid 3
    const uint16_t dma = s.register_component("top.dma0", "dma");                    // pid 4
    s.set_categories(core::trace_cat::all);
    const std::string path = dir + "/all.vtr";
    REQUIRE(s.open(path, {}));
    trace_record r = rec(1000, core::trace_type::fill, evtq, 2, 0x50000000);  // event written
    r.out_addr = 0x9f001020;
    r.outcome = static_cast<uint8_t>(core::trace_outcome::done);
    r.ssid = 3 | core::trace_flag::ssid_valid;
    r.aux = 0x110;
    s.record(r);
    r = rec(2000, core::trace_type::evict, evtq, 1, 0x20000000);  // event dropped
    r.aux = 0x113;
    s.record(r);
    r = rec(3000, core::trace_type::fill, tlb, 1, 0x10000000);
    r.out_addr = 0x80000000;
    r.page_shift = 12;
    r.lvl_stage = core::trace_lvl(3);
    r.ctx = core::trace_ctx(7);
    s.record(r);
    r.t_ps = 4000;
    r.type = static_cast<uint8_t>(core::trace_type::evict);
    s.record(r);
    r = rec(5000, core::trace_type::walk_step, walker, 1, 0x10000000);
    r.out_addr = 0x9f002008;
    r.dur_ps = 2000;
    r.lvl_stage = core::trace_lvl(1);
    s.record(r);
    r.t_ps = 6000;
    r.dur_ps = 0;
    s.record(r);
    r = rec(7000, core::trace_type::dma_begin, dma, 1, 0x10000000);
    r.out_addr = 0x20000000;
    r.aux = 4096;
    s.record(r);
    r.t_ps = 9000;
    r.type = static_cast<uint8_t>(core::trace_type::dma_end);
    s.record(r);
    REQUIRE(s.close());

    tr::export_options o;
    o.to = "perfetto";
    o.out_path = dir + "/all.json";
    std::ostringstream out, err;
    REQUIRE(tr::trace_export(path, o, out, err) == 0);
    const json j = json::parse(test::read_file(o.out_path));   // valid JSON
    std::vector<json> ev;
    std::set<std::pair<int, int>> named;
    for (const auto& e : j["traceEvents"]) {
        if (e["ph"] == "M") {
            if (e["name"] == "thread_name") named.insert({e["pid"].get<int>(), e["tid"].get<int>()});
            continue;
        }
        ev.push_back(e);
    }
    REQUIRE(ev.size() == 8);   // every record is an event
    for (const auto& e : ev) CHECK(named.count({e["pid"].get<int>(), e["tid"].get<int>()}) == 1);
    const json written = {{"name", "event F_TRANSLATION"}, {"cat", "event"}, {"ph", "i"}, {"s", "t"},
                          {"ts", 0.001}, {"pid", 1}, {"tid", 2},
                          {"args", {{"event", "F_TRANSLATION"}, {"written", true}, {"sid", 2},
                                    {"iova", "0x50000000"}, {"slot_pa", "0x9f001020"}, {"ssid", 3}}}};
    CHECK(ev[0] == written);
    const json dropped = {{"name", "event dropped F_PERMISSION"}, {"cat", "event"}, {"ph", "i"}, {"s", "t"},
                          {"ts", 0.002}, {"pid", 1}, {"tid", 1},
                          {"args", {{"event", "F_PERMISSION"}, {"written", false}, {"sid", 1},
                                    {"iova", "0x20000000"}}}};
    CHECK(ev[1] == dropped);
    const json tlb_args = {{"va", "0x10000000"}, {"pa", "0x80000000"}, {"page_shift", 12}, {"level", 3},
                           {"asid", 7}};
    CHECK(ev[2] == json({{"name", "fill"}, {"cat", "fill"}, {"ph", "i"}, {"s", "t"}, {"ts", 0.003},
                         {"pid", 2}, {"tid", 1}, {"args", tlb_args}}));
    CHECK(ev[3] == json({{"name", "evict"}, {"cat", "evict"}, {"ph", "i"}, {"s", "t"}, {"ts", 0.004},
                         {"pid", 2}, {"tid", 1}, {"args", tlb_args}}));
    const json step_args = {{"va", "0x10000000"}, {"addr", "0x9f002008"}, {"level", 1}, {"aux", 0}};
    CHECK(ev[4] == json({{"name", "walk step"}, {"cat", "walk"}, {"ph", "X"}, {"ts", 0.005}, {"dur", 0.002},
                         {"pid", 3}, {"tid", 1}, {"args", step_args}}));
    CHECK(ev[5] == json({{"name", "walk step"}, {"cat", "walk"}, {"ph", "i"}, {"s", "t"}, {"ts", 0.006},
                         {"pid", 3}, {"tid", 1}, {"args", step_args}}));
    const json dma_args = {{"in_addr", "0x10000000"}, {"out_addr", "0x20000000"}, {"dur_ps", 0}, {"aux", 4096}};
    CHECK(ev[6] == json({{"name", "dma begin"}, {"cat", "dma"}, {"ph", "i"}, {"s", "t"}, {"ts", 0.007},
                         {"pid", 4}, {"tid", 1}, {"args", dma_args}}));
    CHECK(ev[7] == json({{"name", "dma end"}, {"cat", "dma"}, {"ph", "i"}, {"s", "t"}, {"ts", 0.009},
                         {"pid", 4}, {"tid", 1}, {"args", dma_args}}));
}

TEST_CASE("trace export: CSV and JSON lines carry every selected record", "[trace]") {
    const std::string dir = test::make_temp_dir("trace_csv");
    const std::string path = make_trace(dir, "a", false, core::trace_cat::all);
    tr::export_options o;
    o.to = "csv";
    std::ostringstream out, err;
    REQUIRE(tr::trace_export(path, o, out, err) == 0);
    std::istringstream in(out.str());
    std::string line;
    std::vector<std::string> lines;
    while (std::getline(in, line)) lines.push_back(line);
    REQUIRE(lines.size() == 1 + 14 + 6 + 1 + 2);
    CHECK(lines[1] == "100,lookup,hit,top.smmu0.tlb,16,0,0,0,0,0x7001,0x0,0,0,-1,1,0,0");
    o.to = "jsonl";
    o.filter.streams = {0x11};
    o.filter.component = "walker";
    std::ostringstream jl;
    REQUIRE(tr::trace_export(path, o, jl, err) == 0);
    std::istringstream in2(jl.str());
    std::vector<json> recs;
    while (std::getline(in2, line)) recs.push_back(json::parse(line));
    REQUIRE(recs.size() == 2);
    CHECK(recs[0]["type"] == "walk");
    CHECK(recs[0]["dur_ps"] == 50000);
    CHECK(recs[1]["type"] == "fault");
    CHECK(recs[1]["fault"] == "F_TRANSLATION");
    CHECK(recs[1]["in_addr"] == "0xdead000");
    o.to = "xml";
    CHECK(tr::trace_export(path, o, jl, err) == 64);
}

TEST_CASE("trace diff: per-stream summaries side by side with the changes", "[trace]") {
    const std::string dir = test::make_temp_dir("trace_diff");
    const std::string a = make_trace(dir, "a"), b = make_trace(dir, "b", true);
    tr::inspect_options o;
    o.format = "json";
    std::ostringstream out, err;
    REQUIRE(tr::trace_diff(a, b, o, out, err) == 0);
    const json j = json::parse(out.str());
    bool found = false;
    for (const auto& r : j["rows"]) {
        if (r["component"] != "top.smmu0.tlb" || r["stream"] != 0x10) continue;
        found = true;
        CHECK(r["hit_rate"]["a"] == 70.0);
        CHECK(r["hit_rate"]["b"] == 100.0);
        CHECK(r["hit_rate"]["delta"] == 30.0);
        CHECK(r["misses"]["change_pct"] == -100.0);
        CHECK(r["lookups"]["delta"] == 0.0);
    }
    CHECK(found);
    o.format = "text";
    std::ostringstream txt;
    REQUIRE(tr::trace_diff(a, b, o, txt, err) == 0);
    CHECK(txt.str().find("hit_rate") != std::string::npos);
    CHECK(txt.str().find("+30") != std::string::npos);
    CHECK(tr::trace_diff(a, dir + "/missing.vtr", o, txt, err) == 66);
}

TEST_CASE("trace: option parsing for categories, windows and streams", "[trace]") {
    uint32_t m = 0;
    std::string err;
    CHECK(tr::parse_categories("", m, err));
    CHECK(m == core::trace_cat::defaults);
    CHECK(tr::parse_categories("all", m, err));
    CHECK(m == core::trace_cat::all);
    CHECK(tr::parse_categories("walk, fault", m, err));
    CHECK(m == (core::trace_cat::walk | core::trace_cat::fault));
    CHECK_FALSE(tr::parse_categories("walks,bogus", m, err));
    CHECK(err.find("bogus") != std::string::npos);
    uint64_t a = 0, b = 0;
    CHECK(tr::parse_window("1ms:2ms", a, b, err));
    CHECK(a == 1000000000ULL);
    CHECK(b == 2000000000ULL);
    CHECK(tr::parse_window("10us:", a, b, err));
    CHECK(b == UINT64_MAX);
    CHECK_FALSE(tr::parse_window("2ms:1ms", a, b, err));
    CHECK_FALSE(tr::parse_window("5us", a, b, err));
    std::vector<uint16_t> s;
    CHECK(tr::parse_streams("0x10, 17,cpu", s, err));
    CHECK(s == std::vector<uint16_t>{0x10, 17, 0xFFFF});
    CHECK_FALSE(tr::parse_streams("0x10000", s, err));
    CHECK(tr::trace_main({"inspect"}) == 64);
    CHECK(tr::trace_main({"frobnicate", "x"}) == 64);
    CHECK(tr::trace_main({"inspect", "/nonexistent/x.vtr"}) == 66);
}
