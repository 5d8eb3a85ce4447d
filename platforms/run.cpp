// `vcmsim run`: load and validate the config, build the platform, simulate, check, report.
#include "platforms/run.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <sstream>

#include <sys/resource.h>
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <systemc>
#include <tlm>

#include "models/core/format.h"
#include "models/core/log.h"
#include "models/core/stats.h"
#include "platforms/config/param_registry.h"
#include "platforms/params.h"
#include "models/cpu/cpu.h"
#include "platforms/platform.h"
#include "platforms/trace/trace_tool.h"
#include "models/core/trace.h"

namespace vcmsim::platform {

namespace fs = std::filesystem;
using clock_type = std::chrono::steady_clock;

namespace {

using core::fmt_time;

long peak_rss_kib() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return u.ru_maxrss;
}

bool show_progress(const run_options& o) {
    if (o.quiet || o.progress == "never") return false;
    if (o.progress == "always") return true;
    const char* ci = std::getenv("CI");
    return isatty(2) && !(ci && *ci && std::string(ci) != "false");
}

void configure_logging(const config_view& root, const run_options& o, const std::string& log_file) {
    const config_view log = root.table("log");
    core::log_level level = core::log_level::warn;
    core::parse_log_level(log.get_string("level"), level);
    core::log_config::reset();
    if (o.verbose > 0)
        level = static_cast<core::log_level>(std::min(4, static_cast<int>(level) + o.verbose));
    core::log_config::set_default(level);
    for (const auto& [pattern, name] : log.get_string_map("levels")) {
        core::log_level l;
        if (!core::parse_log_level(name, l))
            log.fail("levels", "unknown level '" + name + "' (off, warn, info, debug, trace)");
        core::log_config::set_level(pattern, l);
    }
    const core::log_level console = o.quiet ? core::log_level::off : level;
    core::install_report_handler(console, log_file);
}

// Stats shown in the summary: a few per model kind, when present.
std::vector<std::string> headline_stats(const platform& p) {
    static const std::vector<std::pair<std::string, std::vector<std::string>>> by_kind = {
        {"dram", {"bytes_read", "bytes_written", "utilisation"}},
        {"dma", {"bytes"}},
        {"display", {"frames", "underruns"}},
        {"traffic", {"bytes", "errors"}},
        {"smmu", {"events", "invalidations"}},
    };
    std::vector<std::string> out = {"top.cpu.bytes_read", "top.cpu.bytes_written", "top.cpu.mmu.walks"};
    for (const auto& d : p.devices())
        for (const auto& [kind, keys] : by_kind)
            if (kind == d.kind)
                for (const auto& k : keys) out.push_back(d.path + "." + k);
    std::vector<std::string> present;
    for (const auto& n : out)
        if (core::stats_registry::global().find(n) &&
            (n != "top.cpu.mmu.walks" || core::stats_registry::global().value(n) > 0))
            present.push_back(n);
    return present;
}

// Per-stream translation behaviour for the summary: the CPU's MMU and every SMMU stream that
// saw traffic (rows from the stats, so they agree with stats.txt).
void print_translation(std::ostream& os, const platform& p) {
    auto& st = core::stats_registry::global();
    auto val = [&](const std::string& n) { return st.find(n) ? st.value(n) : 0.0; };
    auto pct = [](double part, double all) {
        std::ostringstream o;
        o << std::fixed << std::setprecision(2) << (all > 0 ? 100.0 * part / all : 0.0) << " %";
        return o.str();
    };
    struct row { std::string who; double lookups, utlb_hits, tlb_lookups, tlb_hits, walks, reads; };
    std::vector<row> rows;
    const std::string c = "top.cpu.mmu.";
    if (val(c + "utlb_hits") + val(c + "utlb_misses") > 0)
        rows.push_back({"cpu (MMU)", val(c + "utlb_hits") + val(c + "utlb_misses"), val(c + "utlb_hits"),
                        val(c + "tlb_lookups"), val(c + "tlb_hits"), val(c + "walks"), val(c + "walk_reads")});
    for (const auto& d : p.devices()) {
        if (d.smmu.empty()) continue;
        const device_ref* sm = p.find_device(d.smmu);
        if (!sm) continue;
        const std::string s = sm->path + ".sid" + std::to_string(d.stream_id) + ".";
        if (val(s + "lookups") == 0) continue;
        rows.push_back({d.smmu + " sid" + std::to_string(d.stream_id) + " (" + d.name + ")", val(s + "lookups"),
                        val(s + "utlb_hits"), val(s + "tlb_hits") + val(s + "tlb_misses"), val(s + "tlb_hits"),
                        val(s + "walks"), val(s + "walk_reads")});
    }
    if (rows.empty()) return;
    os << "  translation per stream\n    " << std::left << std::setw(20) << "stream" << std::right << std::setw(9)
       << "lookups" << std::setw(11) << "uTLB hits" << std::setw(10) << "TLB hits" << std::setw(7) << "walks"
       << std::setw(12) << "walk reads" << "\n";
    for (const auto& r : rows)
        os << "    " << std::left << std::setw(20) << r.who << std::right << std::setw(9)
           << static_cast<uint64_t>(r.lookups) << std::setw(11) << pct(r.utlb_hits, r.lookups) << std::setw(10)
           << pct(r.tlb_hits, r.tlb_lookups) << std::setw(7) << static_cast<uint64_t>(r.walks) << std::setw(12)
           << static_cast<uint64_t>(r.reads) << "\n";
}

}  // namespace

int run_simulation(const run_options& o) {
    param_registry& reg = param_registry::global();
    register_all_params(reg);
    const auto wall_start = clock_type::now();

    std::vector<std::string> overrides = o.overrides;
    if (o.seed) overrides.push_back("sim.seed=" + std::to_string(*o.seed));
    config cfg = config::load(o.files, overrides);
    cfg.validate(reg);
    const config_view root = cfg.root();
    const config_view sim = root.table("sim");

    std::string log_file;
    if (!o.outdir.empty()) {
        std::error_code ec;
        fs::create_directories(o.outdir, ec);
        if (ec) {
            std::cerr << "vcmsim: cannot create output folder '" << o.outdir << "': " << ec.message() << "\n";
            return exit_io;
        }
        log_file = o.outdir + "/run.log";
        std::ofstream(o.outdir + "/config.resolved.toml") << cfg.to_toml(reg);
        std::ofstream(o.outdir + "/config.resolved.json") << cfg.to_json(reg).dump(2) << "\n";
    }
    configure_logging(root, o, log_file);

    init_time_resolution();
    tlm::tlm_global_quantum::instance().set(sc_core::sc_time::from_value(sim.get_time_ps("quantum")));
    const uint64_t until_ps = sim.get_time_ps("until");
    const std::string hash = cfg.hash(reg);

    if (!o.trace.empty()) {
        if (o.outdir.empty()) {
            std::cerr << "vcmsim: --trace needs -o OUTDIR (the trace is written to OUTDIR/trace.vtr)\n";
            return exit_usage;
        }
        core::trace_header_info info;
        info.tool = std::string("vcmsim ") + VCMSIM_VERSION;
        info.config = o.files.front();
        info.config_hash = hash;
        info.seed = sim.get_uint("seed");
        std::string err;
        const int rc = trace::configure_trace_from_options(o.trace, o.trace_window, o.trace_streams,
                                                           o.outdir + "/trace.vtr", info, err,
                                                           o.trace_counter_interval);
        if (rc != exit_ok) {
            std::cerr << "vcmsim: " << err << "\n";
            return rc;
        }
    }

    platform top("top", cfg);

    // Simulate in slices so that progress, the wall-clock limit and the sim-time limit work
    // without kernel hooks.
    const bool progress = show_progress(o);
    uint64_t slice_ps = 10000000;  // 10 us, adapted to ~0.1 s of wall time per slice
    auto last_report = clock_type::now();
    bool wall_timeout = false, starved = false;
    while (sc_core::sc_get_status() != sc_core::SC_STOPPED) {
        const uint64_t now = sc_core::sc_time_stamp().value();
        if (now >= until_ps) break;
        const auto t0 = clock_type::now();
        sc_core::sc_start(sc_core::sc_time::from_value(std::min(slice_ps, until_ps - now)));
        const double dt = std::chrono::duration<double>(clock_type::now() - t0).count();
        if (dt < 0.05 && slice_ps < (1ULL << 50)) slice_ps *= 2;
        else if (dt > 0.2 && slice_ps > 1000000) slice_ps /= 2;
        if (sc_core::sc_get_status() != sc_core::SC_STOPPED && !sc_core::sc_pending_activity()) {
            starved = true;
            break;
        }
        const double wall = std::chrono::duration<double>(clock_type::now() - wall_start).count();
        if (o.wall_timeout_s > 0 && wall > o.wall_timeout_s) {
            wall_timeout = true;
            break;
        }
        if (progress && clock_type::now() - last_report > std::chrono::milliseconds(250)) {
            last_report = clock_type::now();
            const uint64_t t = sc_core::sc_time_stamp().value();
            std::cerr << "\r  simulated " << fmt_time(t) << "  (" << std::fixed << std::setprecision(1)
                      << 100.0 * static_cast<double>(t) / static_cast<double>(until_ps)
                      << " % of sim.until), wall " << std::setprecision(1) << wall << " s   " << std::flush;
        }
    }
    if (progress) std::cerr << "\r" << std::string(72, ' ') << "\r" << std::flush;
    if (!o.trace.empty()) {
        std::string err;
        if (!core::trace_sink::global().close(&err)) {
            std::cerr << "vcmsim: cannot finish the trace: " << err << "\n";
            return exit_io;
        }
    }
    const uint64_t sim_ps = sc_core::sc_time_stamp().value();
    const double wall_s = std::chrono::duration<double>(clock_type::now() - wall_start).count();

    std::vector<check_result> checks = top.the_scenario().evaluate(top);
    if (!top.cpu().finished()) {
        std::string why = wall_timeout ? "the wall-clock limit was reached"
                          : starved    ? "no simulation activity was left (a wait that can never end)"
                                       : "sim.until (" + fmt_time(until_ps) + ") was reached";
        checks.push_back({"scenario finished", false, "the scenario did not finish: " + why});
    }
    size_t failed = 0;
    for (const auto& c : checks) failed += c.ok ? 0 : 1;
    const bool pass = failed == 0;

    auto& stats = core::stats_registry::global();
    nlohmann::json run;
    run["tool"] = std::string("vcmsim ") + VCMSIM_VERSION;
    run["config_files"] = o.files;
    run["config_hash"] = hash;
    run["seed"] = top.master_seed();
    run["sim_time_ps"] = sim_ps;
    run["result"] = pass ? "pass" : "fail";
    run["checks"] = nlohmann::json::array();
    for (const auto& c : checks)
        run["checks"].push_back({{"name", c.name}, {"ok", c.ok}, {"message", c.message}});
    run["warnings"] = core::warning_count();
    const std::string setup_mode = top.the_scenario().vcm_setup_mode();
    if (!setup_mode.empty()) run["vcm_setup"] = setup_mode;   // "debug" = zero-time setup
    nlohmann::json host;
    host["wall_s"] = std::round(wall_s * 1e6) / 1e6;
    host["sim_seconds_per_wall_second"] = wall_s > 0 ? (sim_ps / 1e12) / wall_s : 0.0;
    host["peak_rss_kib"] = peak_rss_kib();
    nlohmann::json doc;
    doc["schema"] = "vcmsim.stats.v1";
    doc["run"] = run;
    doc["stats"] = stats.to_json();
    doc["host"] = host;  // the only block that differs between identical runs

    if (!o.outdir.empty()) {
        std::ofstream js(o.outdir + "/stats.json");
        js << doc.dump(1) << "\n";
        std::ofstream txt(o.outdir + "/stats.txt");
        txt << "# vcmsim statistics; config hash " << hash << ", seed " << top.master_seed()
            << ", simulated " << sim_ps << " ps\n";
        if (setup_mode == "debug")
            txt << "# VCM setup in DEBUG mode (zero-time): driver work before the first step is not timed\n";
        stats.write_txt(txt);
        if (!js || !txt) {
            std::cerr << "vcmsim: cannot write outputs in '" << o.outdir << "'\n";
            return exit_io;
        }
    }

    if (o.json) {
        std::cout << nlohmann::json({{"run", run}, {"host", host}}).dump(2) << "\n";
    } else {
        std::ostream& os = std::cout;
        os << "vcmsim run " << o.files.front() << ": " << (pass ? "PASS" : "FAIL") << "\n";
        os << "  simulated time  " << fmt_time(sim_ps) << "\n";
        os << "  wall time       " << std::fixed << std::setprecision(3) << wall_s << " s ("
           << std::setprecision(3) << (wall_s > 0 ? sim_ps / 1e9 / wall_s : 0.0)
           << " simulated ms per second), peak RSS " << peak_rss_kib() / 1024 << " MiB\n";
        if (setup_mode == "debug")
            os << "  vcm setup       DEBUG (zero-time): the driver work before the first step is not timed\n";
        os << "  headline stats\n";
        for (const auto& n : headline_stats(top)) {
            os << "    " << std::left << std::setw(36) << n << " ";
            const double v = stats.value(n);
            if (v == std::floor(v)) os << static_cast<int64_t>(v) << "\n";
            else os << std::setprecision(4) << v << "\n";
        }
        print_translation(os, top);
        os << "  checks          " << checks.size() - failed << " passed, " << failed << " failed\n";
        for (const auto& c : checks)
            if (!c.ok || checks.size() <= 24)
                os << "    " << (c.ok ? "ok   " : "FAIL ") << c.name << ": " << c.message << "\n";
        if (core::warning_count())
            os << "  warnings        " << core::warning_count() << " (see "
               << (!log_file.empty() ? log_file : o.quiet ? "a run without -q" : "stderr") << ")\n";
        if (!o.outdir.empty()) os << "  outputs         " << o.outdir << "/ (stats.txt, stats.json, config.resolved.toml, run.log)\n";
    }
    core::close_log_file();
    if (wall_timeout) return 124;
    return pass ? exit_ok : exit_checks_failed;
}

}  // namespace vcmsim::platform
