// trace inspect and trace diff: one pass over the records into per-(component, stream) rows,
// top missing pages, walk-latency percentiles and histogram, faults and invalidations.
#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <iomanip>
#include <ostream>
#include <sstream>
#include <unordered_map>

#include "platforms/config/param_registry.h"  // format_size
#include "platforms/trace/trace_reader.h"
#include "platforms/trace/trace_tool.h"

namespace vcmsim::platform::trace {

namespace {

using core::trace_record;
using core::trace_type;
using json = nlohmann::ordered_json;

// Nearest-rank percentile of a sorted vector: the value at rank ceil(q/100 * n).
uint64_t percentile(const std::vector<uint32_t>& v, unsigned q) {
    if (v.empty()) return 0;
    const size_t rank = (static_cast<size_t>(q) * v.size() + 99) / 100;
    return v[std::max<size_t>(rank, 1) - 1];
}

// "0", "812 ps", "8.945 ns", "10.825 us", "22.552 ms", "1.500 s" (3 decimals above ps).
std::string format_ps(uint64_t ps) {
    if (ps == 0) return "0";
    if (ps < 1000) return std::to_string(ps) + " ps";
    const char* unit = ps < 1000000 ? "ns" : ps < 1000000000ULL ? "us" : ps < 1000000000000ULL ? "ms" : "s";
    const double div = ps < 1000000 ? 1e3 : ps < 1000000000ULL ? 1e6 : ps < 1000000000000ULL ? 1e9 : 1e12;
    char b[48];
    std::snprintf(b, sizeof b, "%.3f %s", static_cast<double>(ps) / div, unit);
    return b;
}

double ns(uint64_t ps) { return static_cast<double>(ps) / 1000.0; }
double pct(uint64_t a, uint64_t b) { return b ? 100.0 * static_cast<double>(a) / static_cast<double>(b) : 0.0; }
double round3(double v) { return static_cast<double>(static_cast<int64_t>(v * 1000.0 + (v >= 0 ? 0.5 : -0.5))) / 1000.0; }

bool passes(const trace_record& r, const trace_meta& m, const filter_options& f, std::vector<char>& comp_ok) {
    if (r.t_ps < f.win_start || r.t_ps >= f.win_end) return false;
    if (!f.streams.empty() && std::find(f.streams.begin(), f.streams.end(), r.stream) == f.streams.end()) return false;
    if (comp_ok.empty()) {
        comp_ok.resize(m.comp_names.size());
        for (size_t i = 0; i < m.comp_names.size(); ++i)
            comp_ok[i] = f.component.empty() || m.comp_names[i].find(f.component) != std::string::npos;
    }
    return comp_ok[r.comp];
}

std::string group(uint64_t v) {
    std::string s = std::to_string(v);
    for (int i = static_cast<int>(s.size()) - 3; i > 0; i -= 3) s.insert(static_cast<size_t>(i), ",");
    return s;
}

std::string fixed(double v, int prec) {
    std::ostringstream o;
    o << std::fixed << std::setprecision(prec) << v;
    return o.str();
}

uint64_t auto_bin(uint64_t max_ps) {
    static const uint64_t steps[] = {1, 2, 5};
    for (uint64_t dec = 1000; dec < (1ULL << 60); dec *= 10)
        for (uint64_t s : steps)
            if (max_ps / (s * dec) < 20) return s * dec;
    return 1ULL << 60;
}

}  // namespace

trace_summary summarize(const std::string& path, const inspect_options& o) {
    trace_reader rd(path);
    const trace_meta& m = rd.meta();
    trace_summary s;
    std::map<uint32_t, size_t> row_of;  // comp << 16 | stream
    std::vector<std::unordered_map<uint64_t, page_count>> pages(m.comp_names.size());
    std::vector<uint32_t> all_walks;
    std::map<std::string, uint64_t> fault_kinds, inval_scopes;
    std::map<int, uint64_t> wc_hit_level;
    json first_faults = json::array();
    uint64_t n_in = 0, t_first = UINT64_MAX, t_last = 0, faults = 0, invals = 0, walk_reads = 0;
    uint64_t events_written = 0, events_dropped = 0;
    const uint64_t page_bytes = o.page_bytes ? o.page_bytes : 4096;
    std::vector<char> comp_ok;
    trace_record r;
    s.rows.reserve(64);
    auto row = [&](const trace_record& rec) -> row_summary& {
        const uint32_t key = (uint32_t(rec.comp) << 16) | rec.stream;
        auto it = row_of.find(key);
        if (it == row_of.end()) {
            it = row_of.emplace(key, s.rows.size()).first;
            s.rows.emplace_back();
            s.rows.back().comp = rec.comp;
            s.rows.back().stream = rec.stream;
        }
        return s.rows[it->second];
    };
    while (rd.next(r)) {
        if (!passes(r, m, o.filter, comp_ok)) continue;
        ++n_in;
        t_first = std::min(t_first, r.t_ps);
        t_last = std::max(t_last, r.t_ps);
        row_summary& w = row(r);
        switch (static_cast<trace_type>(r.type)) {
        case trace_type::lookup: {
            const bool hit = r.outcome == static_cast<uint8_t>(core::trace_outcome::hit);
            if (!(r.ssid & core::trace_flag::counted)) {
                ++w.lookups;
                (hit ? w.hits : w.misses) += 1;
            }
            if (!hit) {
                page_count& p = pages[r.comp][r.in_addr / page_bytes];
                if (p.misses++ == 0) {
                    p.page = r.in_addr / page_bytes * page_bytes;
                    p.first_ps = r.t_ps;
                }
                p.first_ps = std::min(p.first_ps, r.t_ps);
                if (p.streams.size() < 4 && std::find(p.streams.begin(), p.streams.end(), r.stream) == p.streams.end())
                    p.streams.push_back(r.stream);
            }
            break;
        }
        case trace_type::counter:
            w.lookups += r.in_addr;
            w.hits += r.out_addr;
            w.misses += r.in_addr - r.out_addr;
            break;
        case trace_type::walk:
            ++w.walks;
            w.walk_reads += r.aux & 0xFFFF;
            walk_reads += r.aux & 0xFFFF;
            w.walk_ps.push_back(r.dur_ps);
            all_walks.push_back(r.dur_ps);
            if (r.outcome == static_cast<uint8_t>(core::trace_outcome::fault)) ++w.walk_faults;
            ++wc_hit_level[static_cast<int>((r.aux >> 20) & 0xF) - 1];
            break;
        case trace_type::fault:
            ++w.faults;
            ++faults;
            ++fault_kinds[fault_name(r.aux)];
            if (first_faults.size() < 10)
                first_faults.push_back({{"t_ps", r.t_ps}, {"component", m.component(r.comp)}, {"stream", r.stream},
                                        {"kind", fault_name(r.aux)}, {"addr", hex(r.in_addr)},
                                        {"level", (r.lvl_stage & 0xF) == 0xF ? -1 : (r.lvl_stage & 0xF)},
                                        {"asid", r.ctx & 0xFFFF}});
            break;
        case trace_type::inval:
            ++w.invals;
            ++invals;
            ++inval_scopes[outcome_name(r.outcome)];
            break;
        case trace_type::fill:
        case trace_type::evict: {
            const bool fill = r.type == static_cast<uint8_t>(trace_type::fill);
            ++(fill ? w.fills : w.evictions);
            const bool evtq = r.comp < m.comp_kinds.size() && m.comp_kinds[r.comp] == "event_queue";
            if (evtq) ++(fill ? events_written : events_dropped);   // event records: written / dropped
            break;
        }
        default: break;
        }
    }
    std::sort(s.rows.begin(), s.rows.end(), [](const row_summary& a, const row_summary& b) {
        return a.comp != b.comp ? a.comp < b.comp : a.stream < b.stream;
    });
    std::sort(all_walks.begin(), all_walks.end());
    json& j = s.json;
    j["trace"] = path;
    j["version"] = m.version;
    j["records"] = m.record_count;
    j["records_selected"] = n_in;
    j["t_first_ps"] = n_in ? t_first : 0;
    j["t_last_ps"] = t_last;
    j["tool"] = m.tool;
    j["config"] = m.config;
    j["config_hash"] = m.config_hash;
    j["seed"] = m.seed;
    j["categories"] = m.categories;
    j["lookups_folded"] = m.lookups_folded;
    json rows = json::array();
    for (row_summary& w : s.rows) {
        std::sort(w.walk_ps.begin(), w.walk_ps.end());
        uint64_t sum = 0;
        for (uint32_t v : w.walk_ps) sum += v;
        s.by_key[m.component(w.comp) + "|" + std::to_string(w.stream)] = &w;
        rows.push_back({{"component", m.component(w.comp)}, {"kind", m.comp_kinds[w.comp]}, {"stream", w.stream},
                        {"label", m.stream_label(w.stream)}, {"lookups", w.lookups}, {"hits", w.hits},
                        {"misses", w.misses}, {"hit_rate", round3(pct(w.hits, w.lookups))}, {"walks", w.walks},
                        {"walk_reads", w.walk_reads}, {"walk_faults", w.walk_faults},
                        {"walk_mean_ns", w.walks ? round3(ns(sum) / static_cast<double>(w.walks)) : 0.0},
                        {"walk_p50_ns", ns(percentile(w.walk_ps, 50))}, {"walk_p90_ns", ns(percentile(w.walk_ps, 90))},
                        {"walk_p99_ns", ns(percentile(w.walk_ps, 99))},
                        {"walk_max_ns", ns(w.walk_ps.empty() ? 0 : w.walk_ps.back())}, {"faults", w.faults},
                        {"invals", w.invals}, {"fills", w.fills}, {"evictions", w.evictions}});
    }
    j["rows"] = rows;
    json tp = json::array();
    for (size_t c = 0; c < pages.size(); ++c) {
        if (pages[c].empty()) continue;
        std::vector<const page_count*> v;
        uint64_t total = 0;
        for (const auto& kv : pages[c]) {
            v.push_back(&kv.second);
            total += kv.second.misses;
        }
        std::sort(v.begin(), v.end(), [](const page_count* a, const page_count* b) {
            return a->misses != b->misses ? a->misses > b->misses : a->page < b->page;
        });
        json pj = json::array();
        for (size_t i = 0; i < v.size() && i < o.top; ++i)
            pj.push_back({{"page", hex(v[i]->page)}, {"misses", v[i]->misses},
                          {"pct_of_misses", round3(pct(v[i]->misses, total))}, {"streams", v[i]->streams},
                          {"first_miss_ps", v[i]->first_ps}});
        tp.push_back({{"component", m.component(static_cast<uint16_t>(c))}, {"distinct_pages", v.size()},
                      {"misses", total}, {"pages", pj}});
    }
    j["top_missing_pages"] = {{"page_bytes", page_bytes}, {"by_component", tp}};
    uint64_t sum = 0;
    for (uint32_t v : all_walks) sum += v;
    const uint64_t bin = o.bin_ps ? o.bin_ps : auto_bin(all_walks.empty() ? 0 : all_walks.back());
    json bins = json::array();
    if (!all_walks.empty()) {
        std::vector<uint64_t> cnt(all_walks.back() / bin + 1, 0);
        for (uint32_t v : all_walks) ++cnt[v / bin];
        for (size_t i = 0; i < cnt.size(); ++i)
            bins.push_back({{"lo_ns", ns(i * bin)}, {"hi_ns", ns((i + 1) * bin)}, {"count", cnt[i]}});
    }
    j["walk_latency"] = {{"walks", all_walks.size()},
                         {"mean_ns", all_walks.empty() ? 0.0 : round3(ns(sum) / static_cast<double>(all_walks.size()))},
                         {"p50_ns", ns(percentile(all_walks, 50))}, {"p90_ns", ns(percentile(all_walks, 90))},
                         {"p99_ns", ns(percentile(all_walks, 99))},
                         {"max_ns", ns(all_walks.empty() ? 0 : all_walks.back())}, {"bin_ns", ns(bin)}, {"bins", bins}};
    json wc = json::object();
    for (const auto& [lvl, n] : wc_hit_level) wc[lvl < 0 ? "none" : "L" + std::to_string(lvl)] = n;
    j["walk_cache"] = {{"walks", all_walks.size()}, {"walk_reads", walk_reads}, {"deepest_hit_level", wc}};
    j["faults"] = {{"total", faults}, {"by_kind", fault_kinds}, {"first", first_faults}};
    j["invalidations"] = {{"total", invals}, {"by_scope", inval_scopes}};
    j["event_records"] = {{"written", events_written}, {"dropped", events_dropped}};
    return s;
}

namespace {

void print_text(const trace_summary& s, const inspect_options& o, std::ostream& out) {
    const json& j = s.json;
    out << "trace   " << j["trace"].get<std::string>() << "   v" << j["version"] << "   "
        << group(j["records"]) << " records (" << group(j["records_selected"]) << " selected)   "
        << format_ps(j["t_first_ps"]) << " .. " << format_ps(j["t_last_ps"]) << "\n";
    out << "config  " << (j["config"].get<std::string>().empty() ? "-" : j["config"].get<std::string>())
        << "   hash " << (j["config_hash"].get<std::string>().empty() ? "-" : j["config_hash"].get<std::string>())
        << "   seed " << j["seed"] << "   " << j["tool"].get<std::string>() << "\n";
    out << "categories ";
    for (const auto& c : j["categories"]) out << c.get<std::string>() << " ";
    out << (j["lookups_folded"].get<bool>() ? "(hits folded into counters)" : "(every lookup)") << "\n\n";
    char line[256];
    std::snprintf(line, sizeof line, "%-32s %-16s %12s %12s %10s %7s %9s %9s %9s %7s %6s\n", "component", "stream",
                  "lookups", "hits", "misses", "hit %", "walks", "walk avg", "p99", "faults", "inval");
    out << line;
    for (const auto& r : j["rows"]) {
        const uint64_t lk = r["lookups"], wk = r["walks"];
        std::snprintf(line, sizeof line, "%-32s %-16s %12s %12s %10s %7s %9s %9s %9s %7s %6s\n",
                      r["component"].get<std::string>().c_str(),
                      (r["stream"] == core::trace_cpu_stream ? std::string("cpu")
                                                             : "sid " + hex(r["stream"]) + " " + r["label"].get<std::string>())
                          .c_str(),
                      lk ? group(lk).c_str() : "-", lk ? group(r["hits"]).c_str() : "-",
                      lk ? group(r["misses"]).c_str() : "-", lk ? fixed(r["hit_rate"], 2).c_str() : "-",
                      wk ? group(wk).c_str() : "-", wk ? (fixed(r["walk_mean_ns"], 1) + " ns").c_str() : "-",
                      wk ? (fixed(r["walk_p99_ns"], 1) + " ns").c_str() : "-", group(r["faults"]).c_str(),
                      group(r["invals"]).c_str());
        out << line;
    }
    const json& tp = j["top_missing_pages"];
    for (const auto& c : tp["by_component"]) {
        out << "\ntop missing pages (" << format_size(tp["page_bytes"]) << ")  " << c["component"].get<std::string>()
            << "   " << group(c["misses"]) << " misses over " << group(c["distinct_pages"]) << " pages\n";
        std::snprintf(line, sizeof line, "  %-22s %10s %12s  %-20s %s\n", "page", "misses", "% of misses", "streams",
                      "first miss");
        out << line;
        for (const auto& p : c["pages"]) {
            std::string st;
            for (const auto& sid : p["streams"]) st += (st.empty() ? "" : ",") + hex(sid);
            std::snprintf(line, sizeof line, "  %-22s %10s %12s  %-20s %s\n", p["page"].get<std::string>().c_str(),
                          group(p["misses"]).c_str(), fixed(p["pct_of_misses"], 2).c_str(), st.c_str(),
                          format_ps(p["first_miss_ps"]).c_str());
            out << line;
        }
    }
    const json& wl = j["walk_latency"];
    out << "\nwalk latency   " << group(wl["walks"]) << " walks   mean " << fixed(wl["mean_ns"], 1) << " ns   p50 "
        << fixed(wl["p50_ns"], 1) << "   p90 " << fixed(wl["p90_ns"], 1) << "   p99 " << fixed(wl["p99_ns"], 1)
        << "   max " << fixed(wl["max_ns"], 1) << " ns\n";
    const uint64_t walks = wl["walks"];
    for (const auto& b : wl["bins"]) {
        const uint64_t n = b["count"];
        if (!n) continue;
        const double p = pct(n, walks);
        std::snprintf(line, sizeof line, "  [%8s, %8s) ns %10s %6.2f%% ", fixed(b["lo_ns"], 1).c_str(),
                      fixed(b["hi_ns"], 1).c_str(), group(n).c_str(), p);
        out << line << std::string(static_cast<size_t>(p / 2.5 + 0.5), '#') << "\n";
    }
    out << "walk cache     deepest hit level:";
    for (const auto& [k, v] : j["walk_cache"]["deepest_hit_level"].items())
        out << " " << k << " " << fixed(pct(v, walks), 1) << "%";
    out << "   descriptor reads " << group(j["walk_cache"]["walk_reads"]) << "\n";
    out << "faults " << group(j["faults"]["total"]);
    for (const auto& [k, v] : j["faults"]["by_kind"].items()) out << "  " << k << " " << group(v);
    out << "\nevent records " << group(j["event_records"]["written"]) << " written, "
        << group(j["event_records"]["dropped"]) << " dropped (SMMU event queues)";
    out << "\ninvalidations " << group(j["invalidations"]["total"]);
    for (const auto& [k, v] : j["invalidations"]["by_scope"].items()) out << "  " << k << " " << group(v);
    out << "\n";
    for (const auto& f : j["faults"]["first"])
        out << "  fault " << f["kind"].get<std::string>() << " at " << f["addr"].get<std::string>() << " level "
            << f["level"] << " " << f["component"].get<std::string>() << " stream " << hex(f["stream"]) << " t "
            << format_ps(f["t_ps"]) << "\n";
    (void)o;
}

const char* csv_columns =
    "component,kind,stream,label,lookups,hits,misses,hit_rate,walks,walk_reads,walk_faults,walk_mean_ns,"
    "walk_p50_ns,walk_p90_ns,walk_p99_ns,walk_max_ns,faults,invals,fills,evictions\n";

void print_csv(const trace_summary& s, std::ostream& out) {
    out << csv_columns;
    for (const auto& r : s.json["rows"]) {
        bool first = true;
        for (const auto& [k, v] : r.items()) {
            out << (first ? "" : ",");
            first = false;
            if (v.is_string()) {
                std::string t = v.get<std::string>();
                if (t.find_first_of(",\"") != std::string::npos) {
                    std::string q = "\"";
                    for (char c : t) q += c == '"' ? std::string("\"\"") : std::string(1, c);
                    t = q + "\"";
                }
                out << t;
            } else {
                out << v.dump();
            }
        }
        out << "\n";
    }
}

}  // namespace

int trace_inspect(const std::string& path, const inspect_options& o, std::ostream& out, std::ostream& err) {
    try {
        const trace_summary s = summarize(path, o);
        if (o.format == "json") out << s.json.dump(2) << "\n";
        else if (o.format == "csv") print_csv(s, out);
        else print_text(s, o, out);
        return 0;
    } catch (const trace_error& e) {
        err << "vcmsim trace: " << e.what() << "\n";
        return e.code;
    }
}

int trace_diff(const std::string& a, const std::string& b, const inspect_options& o, std::ostream& out,
               std::ostream& err) {
    try {
        const trace_summary sa = summarize(a, o), sb = summarize(b, o);
        std::vector<std::string> keys;
        for (const auto& r : sa.json["rows"]) keys.push_back(r["component"].get<std::string>() + "|" + r["stream"].dump());
        for (const auto& r : sb.json["rows"]) {
            const std::string k = r["component"].get<std::string>() + "|" + r["stream"].dump();
            if (std::find(keys.begin(), keys.end(), k) == keys.end()) keys.push_back(k);
        }
        auto find = [](const trace_summary& s, const std::string& k) -> json {
            for (const auto& r : s.json["rows"])
                if (r["component"].get<std::string>() + "|" + r["stream"].dump() == k) return r;
            return json();
        };
        const char* fields[] = {"lookups", "hits", "misses", "hit_rate", "walks", "walk_reads",
                                "walk_mean_ns", "walk_p50_ns", "walk_p99_ns", "faults", "invals"};
        json rows = json::array();
        for (const auto& k : keys) {
            const json ra = find(sa, k), rb = find(sb, k);
            const json& any = ra.is_null() ? rb : ra;
            json d = {{"component", any["component"]}, {"stream", any["stream"]}, {"label", any["label"]}};
            for (const char* f : fields) {
                const double va = ra.is_null() ? 0.0 : ra[f].get<double>(), vb = rb.is_null() ? 0.0 : rb[f].get<double>();
                d[f] = {{"a", ra.is_null() ? json() : ra[f]}, {"b", rb.is_null() ? json() : rb[f]},
                        {"delta", round3(vb - va)},
                        {"change_pct", va != 0.0 ? json(round3(100.0 * (vb - va) / va)) : json()}};
            }
            rows.push_back(d);
        }
        json j = {{"a", a}, {"b", b}, {"rows", rows},
                  {"walk_latency", {{"a", sa.json["walk_latency"]}, {"b", sb.json["walk_latency"]}}},
                  {"faults", {{"a", sa.json["faults"]["total"]}, {"b", sb.json["faults"]["total"]}}},
                  {"invalidations", {{"a", sa.json["invalidations"]["total"]}, {"b", sb.json["invalidations"]["total"]}}}};
        for (auto* wl : {&j["walk_latency"]["a"], &j["walk_latency"]["b"]}) wl->erase("bins");
        if (o.format == "json") {
            out << j.dump(2) << "\n";
            return 0;
        }
        out << "A  " << a << "   " << group(sa.json["records"]) << " records   config hash "
            << sa.json["config_hash"].get<std::string>() << "\n";
        out << "B  " << b << "   " << group(sb.json["records"]) << " records   config hash "
            << sb.json["config_hash"].get<std::string>() << "\n\n";
        char line[320];
        if (o.format == "csv") out << "component,stream,metric,a,b,delta,change_pct\n";
        for (const auto& d : rows) {
            const std::string name = d["component"].get<std::string>() + "  " +
                                     (d["stream"] == core::trace_cpu_stream ? std::string("cpu") : "sid " + hex(d["stream"]));
            if (o.format != "csv") out << name << "\n";
            for (const char* f : fields) {
                const json& m = d[f];
                if (m["a"].is_null() && m["b"].is_null()) continue;
                if ((m["a"].is_null() || m["a"] == 0) && (m["b"].is_null() || m["b"] == 0)) continue;
                const std::string va = m["a"].is_null() ? "-" : m["a"].dump(), vb = m["b"].is_null() ? "-" : m["b"].dump();
                const std::string ch = m["change_pct"].is_null() ? "" : (m["change_pct"].get<double>() >= 0 ? "+" : "") +
                                                                            fixed(m["change_pct"], 2) + "%";
                if (o.format == "csv") {
                    out << d["component"].get<std::string>() << "," << d["stream"] << "," << f << "," << va << "," << vb
                        << "," << m["delta"].dump() << "," << (m["change_pct"].is_null() ? "" : m["change_pct"].dump()) << "\n";
                    continue;
                }
                std::snprintf(line, sizeof line, "  %-14s %14s %14s %14s %10s\n", f, va.c_str(), vb.c_str(),
                              ((m["delta"].get<double>() >= 0 ? "+" : "") + m["delta"].dump()).c_str(), ch.c_str());
                out << line;
            }
        }
        if (o.format != "csv") {
            const json& wa = j["walk_latency"]["a"];
            const json& wb = j["walk_latency"]["b"];
            out << "\nwalks           " << wa["walks"] << " -> " << wb["walks"] << "\n";
            out << "walk mean ns    " << wa["mean_ns"] << " -> " << wb["mean_ns"] << "\n";
            out << "walk p99 ns     " << wa["p99_ns"] << " -> " << wb["p99_ns"] << "\n";
            out << "faults          " << j["faults"]["a"] << " -> " << j["faults"]["b"] << "\n";
            out << "invalidations   " << j["invalidations"]["a"] << " -> " << j["invalidations"]["b"] << "\n";
        }
        return 0;
    } catch (const trace_error& e) {
        err << "vcmsim trace: " << e.what() << "\n";
        return e.code;
    }
}

}  // namespace vcmsim::platform::trace
