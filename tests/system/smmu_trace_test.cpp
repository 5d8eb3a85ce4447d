// Trace points of the SMMU (and the CPU MMU): `vcmsim run --trace` on the shipped configs, then
// the trace is read back (reader API and `vcmsim trace inspect --json`) and compared with
// stats.json exactly: per stream, micro-TLB and main-TLB hits/misses, walks, walk reads, faults
// by event, event records and invalidation commands. The Perfetto export has one track per
// (component, stream).
#include <catch2/catch.hpp>

#include <map>
#include <set>
#include <tuple>
#include <string>

#include <nlohmann/json.hpp>

#include "models/core/trace.h"
#include "models/smmu/smmu_structs.h"
#include "platforms/trace/trace_reader.h"
#include "tests/support/test_util.h"

using namespace vcmsim;
using json = nlohmann::json;
namespace tr = vcmsim::platform::trace;

namespace {

// Runs `vcmsim run <config> -o <dir> <trace_opt>`; returns the directory.
std::string run_traced(const std::string& config, const std::string& tag, const std::string& trace_opt) {
    const std::string dir = test::make_temp_dir(tag);
    const auto r = test::run_command(test::vcmsim_binary() + " run " + test::source_path(config) + " -o " + dir +
                                     " " + trace_opt);
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    return dir;
}

json load_stats(const std::string& dir) { return json::parse(test::read_file(dir + "/stats.json"))["stats"]; }

uint64_t stat(const json& s, const std::string& name) {
    INFO("stat " << name);
    REQUIRE(s.contains(name));
    return s[name]["value"].get<uint64_t>();
}

bool has(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

// Tallies of one (component, stream) from the raw records.
struct tally {
    uint64_t hits = 0, misses = 0, walks = 0, walk_reads = 0, faults = 0, fills = 0, evicts = 0, invals = 0;
    std::map<std::string, uint64_t> fault_names;
    std::set<unsigned> walk_page_shifts;
};

// key: component name + "|" + stream
std::map<std::string, tally> read_all(const std::string& path, tr::trace_meta* meta = nullptr) {
    tr::trace_reader rd(path);
    if (meta) *meta = rd.meta();
    std::map<std::string, tally> out;
    core::trace_record r;
    while (rd.next(r)) {
        tally& t = out[rd.meta().component(r.comp) + "|" + std::to_string(r.stream)];
        switch (static_cast<core::trace_type>(r.type)) {
        case core::trace_type::lookup:
            REQUIRE((r.ssid & core::trace_flag::counted) == 0);   // `lookup` on: nothing folded
            (r.outcome == static_cast<uint8_t>(core::trace_outcome::hit) ? t.hits : t.misses) += 1;
            break;
        case core::trace_type::walk:
            ++t.walks;
            t.walk_reads += r.aux & 0xFFFF;
            if (r.outcome == static_cast<uint8_t>(core::trace_outcome::done)) {
                t.walk_page_shifts.insert(r.page_shift);
                CHECK(r.out_addr != 0);
            }
            break;
        case core::trace_type::fault:
            ++t.faults;
            if (r.aux >= 0x100) ++t.fault_names[smmu::event_name(static_cast<smmu::event_id>(r.aux - 0x100))];
            break;
        case core::trace_type::fill: ++t.fills; break;
        case core::trace_type::evict: ++t.evicts; break;
        case core::trace_type::inval: ++t.invals; break;
        case core::trace_type::counter: FAIL("COUNTER record although `lookup` was on"); break;
        default: break;
        }
    }
    return out;
}

// Sum over the components whose name contains every part, for one stream.
tally sum(const std::map<std::string, tally>& m, uint16_t stream, std::initializer_list<const char*> parts) {
    tally s;
    for (const auto& [k, t] : m) {
        const auto bar = k.rfind('|');
        if (std::stoul(k.substr(bar + 1)) != stream) continue;
        bool ok = true;
        for (const char* p : parts) ok = ok && has(k.substr(0, bar), p);
        if (!ok) continue;
        s.hits += t.hits;
        s.misses += t.misses;
        s.walks += t.walks;
        s.walk_reads += t.walk_reads;
        s.faults += t.faults;
        s.fills += t.fills;
        s.evicts += t.evicts;
        s.invals += t.invals;
        for (const auto& [n, c] : t.fault_names) s.fault_names[n] += c;
        s.walk_page_shifts.insert(t.walk_page_shifts.begin(), t.walk_page_shifts.end());
    }
    return s;
}

// Faults of one stream in the stats: NAME -> count.
std::map<std::string, uint64_t> stat_faults(const json& s, const std::string& prefix) {
    std::map<std::string, uint64_t> out;
    for (const auto& [k, v] : s.items())
        if (k.rfind(prefix, 0) == 0) out[k.substr(prefix.size())] = v["value"].get<uint64_t>();
    return out;
}

// inspect --json rows summed per stream over components containing `part`.
struct row_sum {
    uint64_t lookups = 0, hits = 0, misses = 0, walks = 0, walk_reads = 0, faults = 0, invals = 0, fills = 0;
};
row_sum rows(const json& j, uint16_t stream, const std::string& part) {
    row_sum s;
    for (const auto& r : j["rows"]) {
        if (r["stream"].get<uint64_t>() != stream || !has(r["component"].get<std::string>(), part)) continue;
        s.lookups += r["lookups"].get<uint64_t>();
        s.hits += r["hits"].get<uint64_t>();
        s.misses += r["misses"].get<uint64_t>();
        s.walks += r["walks"].get<uint64_t>();
        s.walk_reads += r["walk_reads"].get<uint64_t>();
        s.faults += r["faults"].get<uint64_t>();
        s.invals += r["invals"].get<uint64_t>();
        s.fills += r["fills"].get<uint64_t>();
    }
    return s;
}

json inspect_json(const std::string& trace) {
    const auto r = test::run_command(test::vcmsim_binary() + " trace inspect " + trace + " --json");
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    return json::parse(r.out);
}

}  // namespace

TEST_CASE("SMMU trace with every category equals the stats per stream") {
    const std::string dir = run_traced("configs/smmu-two-dma.toml", "smmutrace_all", "--trace all");
    const json s = load_stats(dir);
    tr::trace_meta meta;
    const auto m = read_all(dir + "/trace.vtr", &meta);

    // Components and stream labels (the TBU port names).
    std::set<std::string> comps(meta.comp_names.begin(), meta.comp_names.end());
    for (const char* c : {"top.smmu0.tbu0.utlb", "top.smmu0.tbu1.utlb", "top.smmu0.tcu.tlb", "top.smmu0.tcu.walk_cache",
                          "top.smmu0.tcu.walker", "top.smmu0.tcu.config", "top.smmu0.evtq", "top.smmu0.cmdq"})
        CHECK(comps.count(c) == 1);
    CHECK(meta.streams.at(1) == "dma0");
    CHECK(meta.streams.at(2) == "dma1");

    for (uint16_t sid : {1, 2}) {
        INFO("sid " << sid);
        const std::string p = "top.smmu0.sid" + std::to_string(sid) + ".";
        const tally utlb = sum(m, sid, {"top.smmu0.tbu", ".utlb"});
        const tally tlb = sum(m, sid, {"top.smmu0.tcu.tlb"});
        const tally wc = sum(m, sid, {"top.smmu0.tcu.walk_cache"});
        const tally walker = sum(m, sid, {"top.smmu0.tcu.walker"});
        const tally all = sum(m, sid, {"top.smmu0."});
        CHECK(utlb.misses == stat(s, p + "utlb_misses"));
        CHECK(utlb.hits == stat(s, p + "utlb_hits"));
        CHECK(utlb.hits + utlb.misses == stat(s, p + "lookups"));
        CHECK(tlb.misses == stat(s, p + "tlb_misses"));
        CHECK(tlb.hits == stat(s, p + "tlb_hits"));
        CHECK(walker.walks == stat(s, p + "walks"));
        CHECK(walker.walk_reads == stat(s, p + "walk_reads"));
        CHECK(wc.hits + wc.misses == walker.walks);   // one walk-cache lookup per walk
        CHECK(all.fault_names == stat_faults(s, p + "faults."));
        CHECK(all.faults == 1);   // the scenario: one F_TRANSLATION per stream
        CHECK(all.fault_names.at("F_TRANSLATION") == 1);
        CHECK(utlb.misses > 0);
        CHECK(walker.walks > 0);
        // Stream 1 uses the 4 KiB granule, stream 2 the 64 KiB one (page mappings only).
        CHECK(walker.walk_page_shifts == std::set<unsigned>{sid == 1 ? 12u : 16u});
    }
    // Event records written / dropped, and TLBI/CFGI commands.
    uint64_t fills = 0, evicts = 0, invals = 0;
    for (const auto& [k, t] : m) {
        if (has(k, "top.smmu0.evtq|")) fills += t.fills, evicts += t.evicts;
        if (has(k, "top.smmu0.cmdq|")) invals += t.invals;
    }
    CHECK(fills == stat(s, "top.smmu0.events"));
    CHECK(fills == 2);
    CHECK(evicts == stat(s, "top.smmu0.events_dropped"));
    CHECK(invals == stat(s, "top.smmu0.invalidations"));
    CHECK(sum(m, 1, {"top.smmu0.cmdq"}).invals == 1);   // CFGI_STE of the attach
    CHECK(sum(m, 2, {"top.smmu0.cmdq"}).invals == 1);
}

TEST_CASE("SMMU trace exact fault, event and invalidation records") {
    const std::string dir = run_traced("configs/smmu-two-dma.toml", "smmutrace_rec", "--trace fault,inval");
    tr::trace_reader rd(dir + "/trace.vtr");
    core::trace_record r;
    std::vector<core::trace_record> faults, events, invals;
    while (rd.next(r)) {
        const std::string c = rd.meta().component(r.comp);
        if (r.type == static_cast<uint8_t>(core::trace_type::fault)) faults.push_back(r);
        else if (r.type == static_cast<uint8_t>(core::trace_type::fill)) events.push_back(r);
        else if (r.type == static_cast<uint8_t>(core::trace_type::inval)) invals.push_back(r);
        else if (r.type != static_cast<uint8_t>(core::trace_type::counter))   // hits are always folded
            FAIL("unexpected record type " << int(r.type) << " on " << c);
    }
    // Stream 2 reads the never mapped 0x5000_0000 first, then stream 1 writes the unmapped
    // 0x2000_0000: F_TRANSLATION at level 2 found by the walker, ASID = the stream's CD.
    REQUIRE(faults.size() == 2);
    REQUIRE(events.size() == 2);
    const uint64_t va[2] = {0x50000000, 0x20000000};
    for (int i = 0; i < 2; ++i) {
        INFO("fault " << i);
        const uint16_t sid = i == 0 ? 2 : 1;
        CHECK(rd.meta().component(faults[i].comp) == "top.smmu0.tcu.walker");
        CHECK(faults[i].stream == sid);
        CHECK(faults[i].in_addr == va[i]);
        CHECK(faults[i].aux == 0x110);   // 0x100 + F_TRANSLATION
        CHECK(faults[i].outcome == static_cast<uint8_t>(core::trace_outcome::fault));
        CHECK((faults[i].lvl_stage & 0xF) == 2);
        CHECK((faults[i].ctx & 0xFFFF) == sid);   // asid = sid in the scenario
        // The event record follows at the same time, in consecutive queue slots.
        CHECK(rd.meta().component(events[i].comp) == "top.smmu0.evtq");
        CHECK(events[i].stream == sid);
        CHECK(events[i].in_addr == va[i]);
        CHECK(events[i].aux == 0x110);
        CHECK(events[i].t_ps == faults[i].t_ps);
        CHECK(events[i].outcome == static_cast<uint8_t>(core::trace_outcome::done));
    }
    CHECK(events[1].out_addr == events[0].out_addr + 32);
    // Commands: CFGI_ALL, TLBI_NSNH_ALL at enable; CFGI_STE per attach; TLBI by ASID on unmap.
    std::vector<std::pair<uint8_t, uint16_t>> got;
    for (const auto& i : invals) {
        CHECK(rd.meta().component(i.comp) == "top.smmu0.cmdq");
        got.push_back({i.outcome, i.stream});
    }
    using o = core::trace_outcome;
    const std::vector<std::pair<uint8_t, uint16_t>> want = {
        {uint8_t(o::inval_range), 0xFFFE}, {uint8_t(o::inval_all), 0xFFFE}, {uint8_t(o::inval_ste), 1},
        {uint8_t(o::inval_ste), 2}, {uint8_t(o::inval_asid), 0xFFFE}};
    CHECK(got == want);
    CHECK((invals.back().ctx & 0xFFFF) == 1);
    for (size_t i = 1; i < invals.size(); ++i) CHECK(invals[i].t_ps > invals[i - 1].t_ps);
}

TEST_CASE("SMMU trace with default categories: inspect --json equals the stats") {
    const std::string dir = run_traced("configs/smmu-two-dma.toml", "smmutrace_def", "--trace");
    const json s = load_stats(dir);
    const json j = inspect_json(dir + "/trace.vtr");
    CHECK(j["lookups_folded"] == true);
    for (uint16_t sid : {1, 2}) {
        INFO("sid " << sid);
        const std::string p = "top.smmu0.sid" + std::to_string(sid) + ".";
        const row_sum utlb = rows(j, sid, ".utlb");
        const row_sum tlb = rows(j, sid, "top.smmu0.tcu.tlb");
        const row_sum walker = rows(j, sid, "top.smmu0.tcu.walker");
        const row_sum all = rows(j, sid, "top.smmu0.");
        CHECK(utlb.lookups == stat(s, p + "lookups"));
        CHECK(utlb.misses == stat(s, p + "utlb_misses"));
        CHECK(utlb.hits == stat(s, p + "utlb_hits"));
        CHECK(tlb.misses == stat(s, p + "tlb_misses"));
        CHECK(tlb.hits == stat(s, p + "tlb_hits"));
        CHECK(walker.walks == stat(s, p + "walks"));
        CHECK(walker.walk_reads == stat(s, p + "walk_reads"));
        uint64_t stat_fault_total = 0;
        for (const auto& [n, c] : stat_faults(s, p + "faults.")) stat_fault_total += c;
        CHECK(all.faults == stat_fault_total);
        CHECK(all.faults == 1);
        CHECK(rows(j, sid, "top.smmu0.evtq").fills == 1);
    }
    CHECK(j["faults"]["total"] == 2);
    CHECK(j["invalidations"]["total"].get<uint64_t>() == stat(s, "top.smmu0.invalidations"));
}

TEST_CASE("CPU trace round trip: misses, walks and faults equal top.cpu.mmu stats") {
    for (const char* opt : {"--trace all", "--trace"}) {
        INFO(opt);
        const std::string dir = run_traced("configs/cpu-mmu.toml", "smmutrace_cpu", opt);
        const json s = load_stats(dir);
        const json j = inspect_json(dir + "/trace.vtr");
        const uint16_t cpu = core::trace_cpu_stream;
        const row_sum utlb = rows(j, cpu, "top.cpu.mmu.utlb");
        const row_sum tlb = rows(j, cpu, "top.cpu.mmu.tlb");
        const row_sum walker = rows(j, cpu, "top.cpu.mmu.walker");
        const row_sum all = rows(j, cpu, "top.cpu.mmu.");
        CHECK(utlb.misses == stat(s, "top.cpu.mmu.utlb_misses"));
        CHECK(utlb.hits == stat(s, "top.cpu.mmu.utlb_hits"));
        CHECK(tlb.misses == stat(s, "top.cpu.mmu.tlb_misses"));
        CHECK(tlb.hits == stat(s, "top.cpu.mmu.tlb_hits"));
        CHECK(walker.walks == stat(s, "top.cpu.mmu.walks"));
        CHECK(walker.walk_reads == stat(s, "top.cpu.mmu.walk_reads"));
        CHECK(all.faults == stat(s, "top.cpu.mmu.faults"));
        CHECK(all.invals == stat(s, "top.cpu.mmu.tlbi"));
        CHECK(utlb.misses > 0);
        CHECK(all.faults > 0);
        if (std::string(opt) == "--trace all") {   // the raw records agree with inspect
            const auto m = read_all(dir + "/trace.vtr");
            CHECK(sum(m, cpu, {"top.cpu.mmu.utlb"}).misses == utlb.misses);
            CHECK(sum(m, cpu, {"top.cpu.mmu.walker"}).walks == walker.walks);
        }
    }
}

TEST_CASE("SMMU trace Perfetto export has one track per stream") {
    const std::string dir = run_traced("configs/smmu-two-dma.toml", "smmutrace_pf", "--trace");
    const std::string out = dir + "/trace.json";
    const auto r = test::run_command(test::vcmsim_binary() + " trace export " + dir + "/trace.vtr --to perfetto -o " + out);
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    const json j = json::parse(test::read_file(out));
    REQUIRE(j["traceEvents"].is_array());
    std::map<int, std::string> procs;              // pid -> component
    std::map<std::pair<int, int>, std::string> threads;   // (pid, tid) -> label
    std::set<std::pair<int, int>> used;
    std::set<std::tuple<int, int, std::string, std::string>> events;   // (pid, tid, event, iova)
    for (const auto& e : j["traceEvents"]) {
        const std::string ph = e["ph"];
        if (ph == "M" && e["name"] == "process_name") {
            CHECK(procs.emplace(e["pid"].get<int>(), e["args"]["name"].get<std::string>()).second);
        } else if (ph == "M" && e["name"] == "thread_name") {
            CHECK(threads.emplace(std::make_pair(e["pid"].get<int>(), e["tid"].get<int>()),
                                  e["args"]["name"].get<std::string>()).second);   // one track each
        } else if (ph == "X" || ph == "i") {
            used.insert({e["pid"].get<int>(), e["tid"].get<int>()});
            if (e["cat"] == "event") {   // event-queue records: instants with the record's fields
                CHECK(e["args"]["written"] == true);
                CHECK(e["args"]["sid"] == e["tid"]);
                CHECK(e["name"] == "event " + e["args"]["event"].get<std::string>());
                events.insert({e["pid"].get<int>(), e["tid"].get<int>(), e["args"]["event"].get<std::string>(),
                               e["args"]["iova"].get<std::string>()});
            }
        }
    }
    for (const auto& u : used) CHECK(threads.count(u) == 1);   // every event sits on a named track
    // The two F_TRANSLATION records of the scenario (stream 2's unmapped read, stream 1's write
    // after unmap) appear on <smmu>.evtq's tracks of SIDs 2 and 1.
    int evtq = -1;
    for (const auto& [p, n] : procs)
        if (n == "top.smmu0.evtq") evtq = p;
    REQUIRE(evtq > 0);
    std::set<std::string> seen;
    for (const auto& [pid, tid, id, iova] : events) {
        CHECK(pid == evtq);
        seen.insert(std::to_string(tid) + " " + id + " " + iova);
    }
    CHECK(seen == std::set<std::string>{"2 F_TRANSLATION 0x50000000", "1 F_TRANSLATION 0x20000000"});
    // Per SMMU component: exactly the tracks of SIDs 1 and 2, named by SID and port.
    for (const char* c : {"top.smmu0.tcu.tlb", "top.smmu0.tcu.walker"}) {
        INFO(c);
        int pid = -1;
        for (const auto& [p, n] : procs)
            if (n == c) pid = p;
        REQUIRE(pid > 0);
        std::map<int, std::string> tids;
        for (const auto& [k, label] : threads)
            if (k.first == pid) tids[k.second] = label;
        CHECK(tids == std::map<int, std::string>{{1, "SID 0x1 dma0"}, {2, "SID 0x2 dma1"}});
    }
    for (int port = 0; port < 2; ++port) {
        const std::string c = "top.smmu0.tbu" + std::to_string(port) + ".utlb";
        int pid = -1;
        for (const auto& [p, n] : procs)
            if (n == c) pid = p;
        REQUIRE(pid > 0);
        std::set<int> tids;
        for (const auto& [k, label] : threads)
            if (k.first == pid) tids.insert(k.second);
        CHECK(tids == std::set<int>{port + 1});
    }
}
