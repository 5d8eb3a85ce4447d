// trace export: CSV, JSON lines and Chrome/Perfetto trace-event JSON.
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <map>
#include <ostream>
#include <set>
#include <tuple>

#include <nlohmann/json.hpp>

#include "platforms/trace/trace_reader.h"
#include "platforms/trace/trace_tool.h"

namespace vcmsim::platform::trace {

namespace {

using core::trace_record;
using core::trace_type;

// Microseconds with 6 decimals, exact for integer picoseconds.
std::string us(uint64_t ps) {
    char b[40];
    std::snprintf(b, sizeof b, "%llu.%06llu", static_cast<unsigned long long>(ps / 1000000),
                  static_cast<unsigned long long>(ps % 1000000));
    return b;
}

int level_of(const trace_record& r) { return (r.lvl_stage & 0xF) == 0xF ? -1 : (r.lvl_stage & 0xF); }

bool selected(const trace_record& r, const filter_options& f, const std::vector<char>& comp_ok) {
    if (r.t_ps < f.win_start || r.t_ps >= f.win_end) return false;
    if (!f.streams.empty() && std::find(f.streams.begin(), f.streams.end(), r.stream) == f.streams.end()) return false;
    return comp_ok[r.comp];
}

std::string jstr(const std::string& s) { return nlohmann::json(s).dump(); }

void export_csv(trace_reader& rd, const filter_options& f, const std::vector<char>& ok, std::ostream& out) {
    const trace_meta& m = rd.meta();
    out << "t_ps,type,outcome,component,stream,asid,vmid,ssid,flags,in_addr,out_addr,dur_ps,page_shift,level,stage,"
           "perms,aux\n";
    trace_record r;
    while (rd.next(r)) {
        if (!selected(r, f, ok)) continue;
        out << r.t_ps << ',' << type_name(r.type) << ',' << outcome_name(r.outcome) << ',' << m.component(r.comp)
            << ',' << r.stream << ',' << (r.ctx & 0xFFFF) << ',' << (r.ctx >> 16) << ','
            << (r.ssid & core::trace_flag::ssid_mask) << ',' << (r.ssid >> 20) << ',' << hex(r.in_addr) << ','
            << hex(r.out_addr) << ',' << r.dur_ps << ',' << unsigned(r.page_shift) << ',' << level_of(r) << ','
            << ((r.lvl_stage >> 4) & 3) << ',' << (r.lvl_stage >> 6) << ',' << r.aux << '\n';
    }
}

void export_jsonl(trace_reader& rd, const filter_options& f, const std::vector<char>& ok, std::ostream& out) {
    const trace_meta& m = rd.meta();
    trace_record r;
    while (rd.next(r)) {
        if (!selected(r, f, ok)) continue;
        nlohmann::ordered_json j = {{"t_ps", r.t_ps}, {"type", type_name(r.type)}, {"outcome", outcome_name(r.outcome)},
                                    {"component", m.component(r.comp)}, {"stream", r.stream},
                                    {"asid", r.ctx & 0xFFFF}, {"vmid", r.ctx >> 16},
                                    {"ssid", r.ssid & core::trace_flag::ssid_mask}, {"flags", r.ssid >> 20}};
        if (r.type == static_cast<uint8_t>(trace_type::counter)) {
            j["lookups"] = r.in_addr;
            j["hits"] = r.out_addr;
            j["interval_ps"] = r.dur_ps;
        } else {
            j["in_addr"] = hex(r.in_addr);
            j["out_addr"] = hex(r.out_addr);
            j["dur_ps"] = r.dur_ps;
            j["page_shift"] = r.page_shift;
            j["level"] = level_of(r);
            j["stage"] = (r.lvl_stage >> 4) & 3;
            j["perms"] = r.lvl_stage >> 6;
            j["aux"] = r.aux;
            if (r.type == static_cast<uint8_t>(trace_type::fault)) j["fault"] = fault_name(r.aux);
        }
        out << j.dump() << '\n';
    }
}

// Chrome trace-event JSON: pid = component id + 1, tid = stream id; walks are X slices,
// misses/faults/invalidations instants, hit rate and misses per interval counters. Event-queue
// FILL/EVICT records are `event <ID>` / `event dropped <ID>` instants; other FILL/EVICT,
// WALK_STEP and DMA_BEGIN/END records are instants too (a WALK_STEP with a duration a slice).
void export_perfetto(trace_reader& rd, const filter_options& f, const std::vector<char>& ok, std::ostream& out,
                     std::ostream& err) {
    const trace_meta& m = rd.meta();
    const uint64_t interval = m.counter_interval_ps ? m.counter_interval_ps : 1000000;
    std::set<std::pair<uint16_t, uint16_t>> tracks;
    std::set<uint16_t> procs;
    // (comp, stream, interval start) -> lookups, hits: from traced lookups and COUNTER records.
    std::map<std::tuple<uint16_t, uint16_t, uint64_t>, std::pair<uint64_t, uint64_t>> rate;
    uint64_t bytes = 0;
    bool warned = false;
    out << "{\"displayTimeUnit\":\"ns\",\"traceEvents\":[\n";
    bool first = true;
    auto emit = [&](const std::string& e) {
        out << (first ? "" : ",\n") << e;
        first = false;
        bytes += e.size() + 2;
        if (!warned && bytes > 200000000) {
            err << "vcmsim trace: warning: the Perfetto JSON exceeds 200 MB; the UI may fail to load it "
                   "(use --window or --stream to export less)\n";
            warned = true;
        }
    };
    trace_record r;
    while (rd.next(r)) {
        if (!selected(r, f, ok)) continue;
        const std::string where = ",\"pid\":" + std::to_string(r.comp + 1) + ",\"tid\":" + std::to_string(r.stream);
        auto track = [&] {
            procs.insert(r.comp);
            tracks.insert({r.comp, r.stream});
        };
        switch (static_cast<trace_type>(r.type)) {
        case trace_type::walk:
            track();
            emit("{\"name\":\"walk\",\"cat\":\"walk\",\"ph\":\"X\",\"ts\":" + us(r.t_ps) + ",\"dur\":" + us(r.dur_ps) +
                 where + ",\"args\":{\"va\":\"" + hex(r.in_addr) + "\",\"pa\":\"" + hex(r.out_addr) +
                 "\",\"level\":" + std::to_string(level_of(r)) + ",\"reads\":" + std::to_string(r.aux & 0xFFFF) +
                 ",\"page_shift\":" + std::to_string(r.page_shift) + ",\"result\":\"" + outcome_name(r.outcome) +
                 "\",\"asid\":" + std::to_string(r.ctx & 0xFFFF) + "}}");
            break;
        case trace_type::lookup: {
            const bool hit = r.outcome == static_cast<uint8_t>(core::trace_outcome::hit);
            if (!(r.ssid & core::trace_flag::counted)) {
                auto& c = rate[{r.comp, r.stream, r.t_ps - r.t_ps % interval}];
                ++c.first;
                c.second += hit;
            }
            if (hit) break;
            track();
            emit("{\"name\":\"miss\",\"cat\":\"miss\",\"ph\":\"i\",\"s\":\"t\",\"ts\":" + us(r.t_ps) + where +
                 ",\"args\":{\"va\":\"" + hex(r.in_addr) + "\",\"asid\":" + std::to_string(r.ctx & 0xFFFF) + "}}");
            break;
        }
        case trace_type::fault:
            track();
            emit("{\"name\":" + jstr(std::string("fault ") + fault_name(r.aux)) +
                 ",\"cat\":\"fault\",\"ph\":\"i\",\"s\":\"t\",\"ts\":" + us(r.t_ps) + where + ",\"args\":{\"va\":\"" +
                 hex(r.in_addr) + "\",\"level\":" + std::to_string(level_of(r)) + "}}");
            break;
        case trace_type::inval:
            track();
            emit("{\"name\":" + jstr(std::string("inval ") + outcome_name(r.outcome)) +
                 ",\"cat\":\"inval\",\"ph\":\"i\",\"s\":\"t\",\"ts\":" + us(r.t_ps) + where + ",\"args\":{\"va\":\"" +
                 hex(r.in_addr) + "\",\"asid\":" + std::to_string(r.ctx & 0xFFFF) + "}}");
            break;
        case trace_type::counter: {
            auto& c = rate[{r.comp, r.stream, r.t_ps}];
            c.first += r.in_addr;
            c.second += r.out_addr;
            break;
        }
        case trace_type::fill:
        case trace_type::evict: {
            track();
            const bool fill = r.type == static_cast<uint8_t>(trace_type::fill);
            const bool event = r.comp < m.comp_kinds.size() && m.comp_kinds[r.comp] == "event_queue";
            std::string args;
            if (event) {   // an SMMU event record written to (FILL) or dropped from (EVICT) the queue
                args = "\"event\":" + jstr(fault_name(r.aux)) + ",\"written\":" + (fill ? "true" : "false") +
                       ",\"sid\":" + std::to_string(r.stream) + ",\"iova\":\"" + hex(r.in_addr) + "\"";
                if (fill) args += ",\"slot_pa\":\"" + hex(r.out_addr) + "\"";
                if (r.ssid & core::trace_flag::ssid_valid)
                    args += ",\"ssid\":" + std::to_string(r.ssid & core::trace_flag::ssid_mask);
            } else {       // a TLB entry filled or evicted
                args = "\"va\":\"" + hex(r.in_addr) + "\",\"pa\":\"" + hex(r.out_addr) +
                       "\",\"page_shift\":" + std::to_string(r.page_shift) + ",\"level\":" +
                       std::to_string(level_of(r)) + ",\"asid\":" + std::to_string(r.ctx & 0xFFFF);
            }
            const std::string name = event ? std::string(fill ? "event " : "event dropped ") + fault_name(r.aux)
                                           : std::string(fill ? "fill" : "evict");
            emit("{\"name\":" + jstr(name) + ",\"cat\":\"" + (event ? "event" : fill ? "fill" : "evict") +
                 "\",\"ph\":\"i\",\"s\":\"t\",\"ts\":" + us(r.t_ps) + where + ",\"args\":{" + args + "}}");
            break;
        }
        case trace_type::walk_step:
            track();
            emit("{\"name\":\"walk step\",\"cat\":\"walk\",\"ph\":\"" + std::string(r.dur_ps ? "X" : "i") +
                 (r.dur_ps ? "\",\"dur\":" + us(r.dur_ps) : std::string("\",\"s\":\"t\"")) +
                 ",\"ts\":" + us(r.t_ps) + where + ",\"args\":{\"va\":\"" + hex(r.in_addr) + "\",\"addr\":\"" +
                 hex(r.out_addr) + "\",\"level\":" + std::to_string(level_of(r)) + ",\"aux\":" +
                 std::to_string(r.aux) + "}}");
            break;
        case trace_type::dma_begin:
        case trace_type::dma_end: {
            track();
            const bool begin = r.type == static_cast<uint8_t>(trace_type::dma_begin);
            emit("{\"name\":\"" + std::string(begin ? "dma begin" : "dma end") +
                 "\",\"cat\":\"dma\",\"ph\":\"i\",\"s\":\"t\",\"ts\":" + us(r.t_ps) + where +
                 ",\"args\":{\"in_addr\":\"" + hex(r.in_addr) + "\",\"out_addr\":\"" + hex(r.out_addr) +
                 "\",\"dur_ps\":" + std::to_string(r.dur_ps) + ",\"aux\":" + std::to_string(r.aux) + "}}");
            break;
        }
        }
    }
    for (const auto& [k, c] : rate) {
        const auto& [comp, stream, t] = k;
        procs.insert(comp);
        const std::string sname = stream == core::trace_cpu_stream ? std::string("cpu") : "sid " + hex(stream);
        const std::string where = ",\"pid\":" + std::to_string(comp + 1) + ",\"ts\":" + us(t);
        char pct[32];
        std::snprintf(pct, sizeof pct, "%.3f", c.first ? 100.0 * double(c.second) / double(c.first) : 0.0);
        emit("{\"name\":" + jstr("hit % " + sname) + ",\"cat\":\"counter\",\"ph\":\"C\"" + where +
             ",\"args\":{\"value\":" + pct + "}}");
        emit("{\"name\":" + jstr("misses " + sname) + ",\"cat\":\"counter\",\"ph\":\"C\"" + where +
             ",\"args\":{\"value\":" + std::to_string(c.first - c.second) + "}}");
    }
    for (uint16_t p : procs)
        emit("{\"name\":\"process_name\",\"ph\":\"M\",\"pid\":" + std::to_string(p + 1) +
             ",\"tid\":0,\"args\":{\"name\":" + jstr(m.component(p)) + "}}");
    for (const auto& [p, s] : tracks) {
        std::string label = s == core::trace_cpu_stream ? std::string("cpu")
                            : s == 0xFFFE                ? std::string("SMMU-wide")
                                                         : "SID " + hex(s);
        const std::string l = m.stream_label(s);
        if (!l.empty() && l != "cpu") label += " " + l;
        emit("{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":" + std::to_string(p + 1) +
             ",\"tid\":" + std::to_string(s) + ",\"args\":{\"name\":" + jstr(label) + "}}");
    }
    out << "\n],\"otherData\":{\"trace\":" << jstr(m.path) << ",\"tool\":" << jstr(m.tool)
        << ",\"config_hash\":" << jstr(m.config_hash) << "}}\n";
}

}  // namespace

int trace_export(const std::string& path, const export_options& o, std::ostream& out, std::ostream& err) {
    if (o.to != "csv" && o.to != "jsonl" && o.to != "perfetto") {
        err << "vcmsim trace: --to takes csv, jsonl or perfetto, not '" << o.to << "'\n";
        return 64;
    }
    try {
        trace_reader rd(path);
        std::vector<char> ok(rd.meta().comp_names.size());
        for (size_t i = 0; i < ok.size(); ++i)
            ok[i] = o.filter.component.empty() || rd.meta().comp_names[i].find(o.filter.component) != std::string::npos;
        std::ofstream file;
        std::ostream* dst = &out;
        if (!o.out_path.empty() && o.out_path != "-") {
            file.open(o.out_path, std::ios::binary);
            if (!file) {
                err << "vcmsim trace: cannot write '" << o.out_path << "'\n";
                return 74;
            }
            dst = &file;
        }
        if (o.to == "csv") export_csv(rd, o.filter, ok, *dst);
        else if (o.to == "jsonl") export_jsonl(rd, o.filter, ok, *dst);
        else export_perfetto(rd, o.filter, ok, *dst, err);
        dst->flush();
        if (!*dst) {
            err << "vcmsim trace: error writing the export\n";
            return 74;
        }
        return 0;
    } catch (const trace_error& e) {
        err << "vcmsim trace: " << e.what() << "\n";
        return e.code;
    }
}

}  // namespace vcmsim::platform::trace
