// Sweep points, runner, collection and job emission (sweep_run.h).
#include "platforms/sweep/sweep_run.h"

#include <fcntl.h>
#include <fnmatch.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "platforms/config/config.h"
#include "platforms/config/param_registry.h"
#include "platforms/params.h"

namespace vcmsim::platform::sweep {

using json = nlohmann::json;

namespace {

std::string fnv_hex(const std::string& text) {
    uint64_t h = 0xcbf29ce484222325ull;
    for (const unsigned char c : text) {
        h ^= c;
        h *= 0x100000001b3ull;
    }
    char buf[20];
    std::snprintf(buf, sizeof buf, "%016" PRIx64, h);
    return buf;
}

void make_dirs(const std::string& path) {
    std::string cur;
    std::stringstream ss(path);
    std::string part;
    if (!path.empty() && path[0] == '/') cur = "/";
    while (std::getline(ss, part, '/')) {
        if (part.empty()) continue;
        cur += part + "/";
        ::mkdir(cur.c_str(), 0777);
    }
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
        throw config_error("cannot create directory '" + path + "'", exit_io);
}

bool file_exists(const std::string& p) {
    struct stat st {};
    return ::stat(p.c_str(), &st) == 0;
}

json read_json_file(const std::string& p) {
    std::ifstream f(p);
    if (!f) return json();
    try {
        return json::parse(f);
    } catch (const std::exception&) {
        return json();
    }
}

void write_text(const std::string& p, const std::string& text) {
    std::ofstream f(p, std::ios::binary | std::ios::trunc);
    f << text;
    if (!f) throw config_error("cannot write '" + p + "'", exit_io);
}

std::string now_iso() {
    const std::time_t t = std::time(nullptr);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
    return buf;
}

std::string tool_version() { return std::string("vcmsim ") + VCMSIM_VERSION; }

std::string point_dir(const std::string& outdir, const std::string& id) {
    return outdir + "/points/" + id;
}

// A metric cell: the stat's value, or "name.field" of a histogram/stat object.
json metric_value(const json& stats, const std::string& name) {
    if (!stats.is_object()) return json();
    auto it = stats.find(name);
    if (it != stats.end()) return it->is_object() && it->contains("value") ? (*it)["value"] : json();
    const size_t dot = name.rfind('.');
    if (dot == std::string::npos) return json();
    auto p = stats.find(name.substr(0, dot));
    if (p == stats.end() || !p->is_object()) return json();
    auto f = p->find(name.substr(dot + 1));
    return f != p->end() && f->is_primitive() ? *f : json();
}

std::string cell(const json& v) {
    if (v.is_null()) return "";
    if (v.is_string()) return v.get<std::string>();
    return v.dump();
}

bool deterministic_status(const std::string& s) {
    return s == "ok" || s == "checks_failed" || s == "config_error";
}

}  // namespace

std::string status_of_exit(int code) {
    switch (code) {
        case exit_ok: return "ok";
        case exit_checks_failed: return "checks_failed";
        case exit_config: return "config_error";
        case 124: return "timeout";
        case exit_no_input: return "input_missing";
        case exit_bad_input: return "bad_input";
        case exit_usage: return "usage_error";
        case exit_internal: return "internal_error";
        case exit_io: return "io_error";
        default: break;
    }
    if (code > 128 && code < 160) return "crash";  // a shell's 128+signal
    return "exit_" + std::to_string(code);
}

std::string point_id(const std::string& base, const std::vector<std::string>& overrides,
                     uint64_t seed) {
    std::vector<std::string> ov = overrides;
    ov.push_back("sim.seed=" + std::to_string(seed));
    try {
        register_all_params();
        return config::load({base}, ov).hash(param_registry::global());
    } catch (const std::exception&) {
        std::string text = base;
        for (const auto& o : ov) text += "\n" + o;
        return fnv_hex(text);
    }
}

std::vector<sweep_point> expand_points(const sweep_spec& spec) {
    std::vector<sweep_point> pts;
    std::vector<size_t> odo(spec.axes.size(), 0);
    std::set<std::string> used;
    for (;;) {
        for (const uint64_t seed : spec.seeds) {
            sweep_point p;
            p.index = pts.size();
            p.seed = seed;
            for (size_t a = 0; a < spec.axes.size(); ++a) {
                p.labels.push_back(spec.axes[a].labels[odo[a]]);
                p.overrides.push_back(spec.axes[a].key + "=" + spec.axes[a].values[odo[a]]);
            }
            p.overrides.insert(p.overrides.end(), spec.extra_overrides.begin(),
                               spec.extra_overrides.end());
            p.id = point_id(spec.base, p.overrides, seed);
            // Two spellings of one resolved config (e.g. "4KiB" and 4096) share a hash: keep
            // both rows, in separate folders.
            for (unsigned n = 2; used.count(p.id); ++n)
                p.id = p.id.substr(0, 16) + "-" + std::to_string(n);
            used.insert(p.id);
            pts.push_back(std::move(p));
        }
        // Odometer: the last axis moves fastest.
        size_t a = spec.axes.size();
        while (a > 0) {
            --a;
            if (++odo[a] < spec.axes[a].values.size()) break;
            odo[a] = 0;
            if (a == 0) return pts;
        }
        if (spec.axes.empty()) return pts;
    }
}

std::vector<std::string> point_args(const sweep_spec& spec, const sweep_point& p,
                                    const std::string& dir) {
    std::vector<std::string> a = {"run", spec.base};
    for (const auto& o : p.overrides) {
        a.push_back("-C");
        a.push_back(o);
    }
    a.push_back("--seed");
    a.push_back(std::to_string(p.seed));
    a.push_back("-q");
    a.push_back("--progress");
    a.push_back("never");
    if (spec.timeout_s > 0) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%g", spec.timeout_s);
        a.push_back("--wall-timeout");
        a.push_back(buf);
    }
    a.push_back("-o");
    a.push_back(dir);
    return a;
}

std::string shell_quote(const std::string& s) {
    std::string out = "'";
    for (const char c : s) {
        if (c == '\'') out += "'\\''";
        else out += c;
    }
    return out + "'";
}

std::string csv_field(const std::string& s) {
    if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
    std::string out = "\"";
    for (const char c : s) {
        if (c == '"') out += '"';
        out += c;
    }
    return out + "\"";
}

std::vector<std::vector<std::string>> read_csv(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    if (!f) throw config_error("cannot read '" + path + "'", exit_no_input);
    std::vector<std::vector<std::string>> rows;
    std::vector<std::string> row;
    std::string field;
    bool quoted = false, any = false;
    char c;
    while (f.get(c)) {
        any = true;
        if (quoted) {
            if (c == '"') {
                if (f.peek() == '"') { field += '"'; f.get(c); }
                else quoted = false;
            } else {
                field += c;
            }
        } else if (c == '"') {
            quoted = true;
        } else if (c == ',') {
            row.push_back(field);
            field.clear();
        } else if (c == '\n') {
            row.push_back(field);
            field.clear();
            rows.push_back(std::move(row));
            row.clear();
            any = false;
        } else if (c != '\r') {
            field += c;
        }
    }
    if (any) {
        row.push_back(field);
        rows.push_back(std::move(row));
    }
    return rows;
}

void write_sweep_json(const sweep_spec& spec, const std::vector<sweep_point>& pts,
                      const std::string& outdir) {
    json s;
    s["schema"] = "vcmsim.sweep.v1";
    s["spec_file"] = spec.spec_file;
    s["base"] = spec.base;
    s["seeds"] = spec.seeds;
    s["timeout_s"] = spec.timeout_s;
    s["metrics"] = spec.metrics;
    s["axes"] = json::array();
    for (const auto& a : spec.axes)
        s["axes"].push_back({{"key", a.key}, {"values", a.values}, {"labels", a.labels}});
    s["points"] = json::array();
    for (const auto& p : pts)
        s["points"].push_back({{"index", p.index}, {"id", p.id}, {"labels", p.labels},
                               {"overrides", p.overrides}, {"seed", p.seed}});
    make_dirs(outdir);
    write_text(outdir + "/sweep.json", s.dump(2) + "\n");
}

int collect_results(const std::string& outdir, const std::vector<std::string>& command_line,
                    const json& extra) {
    const json sw = read_json_file(outdir + "/sweep.json");
    if (!sw.is_object() || !sw.contains("points"))
        throw config_error(outdir + "/sweep.json: missing or unreadable (not a sweep folder?)",
                           exit_no_input);
    std::vector<std::string> axis_keys;
    for (const auto& a : sw["axes"]) axis_keys.push_back(a["key"].get<std::string>());

    struct row {
        json point, stats, run;
        std::string status;
        json exit_code, wall_s;
    };
    std::vector<row> rows;
    for (const auto& p : sw["points"]) {
        row r;
        r.point = p;
        r.stats = json::object();
        r.run = json::object();
        const std::string dir = point_dir(outdir, p["id"].get<std::string>());
        const json st = read_json_file(dir + "/stats.json");
        if (st.is_object()) {
            if (st.contains("stats") && st["stats"].is_object()) r.stats = st["stats"];
            if (st.contains("run") && st["run"].is_object()) r.run = st["run"];
        }
        const json pj = read_json_file(dir + "/point.json");
        if (pj.is_object()) {
            r.status = pj.value("status", "missing");
            r.exit_code = pj.value("exit_code", json());
            r.wall_s = pj.value("wall_s", json());
        } else if (file_exists(dir + "/exit_code")) {  // a job from --emit-jobs
            std::ifstream f(dir + "/exit_code");
            int code = -1;
            f >> code;
            r.status = f ? status_of_exit(code) : "missing";
            if (f) r.exit_code = code;
            if (st.is_object() && st.contains("host") && st["host"].is_object())
                r.wall_s = st["host"].value("wall_s", json());
        } else {
            r.status = "missing";
        }
        rows.push_back(std::move(r));
    }

    // Metric columns: exact names as given, globs expanded over every point's stats.
    std::vector<std::string> metrics;
    std::set<std::string> seen;
    for (const auto& m : sw.value("metrics", json::array())) {
        const std::string pat = m.get<std::string>();
        if (pat.find_first_of("*?[") == std::string::npos) {
            if (seen.insert(pat).second) metrics.push_back(pat);
            continue;
        }
        std::set<std::string> hits;
        for (const auto& r : rows)
            if (r.stats.is_object())
                for (const auto& [name, v] : r.stats.items())
                    if (::fnmatch(pat.c_str(), name.c_str(), 0) == 0) hits.insert(name);
        for (const auto& h : hits)
            if (seen.insert(h).second) metrics.push_back(h);
    }

    std::ostringstream csv, jsonl;
    csv << "point_id";
    for (const auto& k : axis_keys) csv << "," << csv_field(k);
    csv << ",seed,status,exit_code,wall_s";
    for (const auto& m : metrics) csv << "," << csv_field(m);
    csv << "\n";
    std::map<std::string, unsigned> counts;
    for (const auto& r : rows) {
        ++counts[r.status];
        const json& p = r.point;
        csv << csv_field(p["id"].get<std::string>());
        json axes = json::object();
        for (size_t i = 0; i < axis_keys.size(); ++i) {
            const std::string l = p["labels"][i].get<std::string>();
            csv << "," << csv_field(l);
            axes[axis_keys[i]] = l;
        }
        char wall[32] = "";
        if (r.wall_s.is_number()) std::snprintf(wall, sizeof wall, "%.3f", r.wall_s.get<double>());
        csv << "," << p["seed"].get<uint64_t>() << "," << r.status << "," << cell(r.exit_code)
            << "," << wall;
        json mj = json::object();
        for (const auto& m : metrics) {
            const json v = metric_value(r.stats, m);
            csv << "," << csv_field(cell(v));
            mj[m] = v;
        }
        csv << "\n";
        json line = {{"point_id", p["id"]}, {"index", p["index"]}, {"axes", axes},
                     {"seed", p["seed"]}, {"status", r.status}, {"exit_code", r.exit_code},
                     {"wall_s", r.wall_s}, {"metrics", mj},
                     {"config_hash", r.run.value("config_hash", json())},
                     {"result", r.run.value("result", json())}};
        jsonl << line.dump() << "\n";
    }
    write_text(outdir + "/results.csv", csv.str());
    write_text(outdir + "/results.jsonl", jsonl.str());

    json man = {{"schema", "vcmsim.sweep.manifest.v1"},
                {"tool", tool_version()},
                {"command_line", command_line},
                {"spec_file", sw.value("spec_file", "")},
                {"base", sw.value("base", "")},
                {"axes", axis_keys},
                {"seeds", sw.value("seeds", json::array())},
                {"points", rows.size()},
                {"counts", counts},
                {"collected", now_iso()}};
    char host[256] = "";
    if (::gethostname(host, sizeof host - 1) == 0) man["host"] = host;
    if (extra.is_object())
        for (const auto& [k, v] : extra.items()) man[k] = v;
    write_text(outdir + "/manifest.json", man.dump(2) + "\n");
    return counts["ok"] == rows.size() ? exit_ok : exit_checks_failed;
}

namespace {
volatile sig_atomic_t g_interrupt = 0;   // the signal that interrupted the sweep, 0 = none
extern "C" void on_interrupt(int sig) { g_interrupt = sig; }

// SIGINT / SIGTERM handlers for the duration of a sweep (execv in the children resets them).
struct interrupt_guard {
    struct sigaction old_int {}, old_term {};
    interrupt_guard() {
        g_interrupt = 0;
        struct sigaction sa {};
        sa.sa_handler = on_interrupt;
        sigemptyset(&sa.sa_mask);
        ::sigaction(SIGINT, &sa, &old_int);
        ::sigaction(SIGTERM, &sa, &old_term);
    }
    ~interrupt_guard() {
        ::sigaction(SIGINT, &old_int, nullptr);
        ::sigaction(SIGTERM, &old_term, nullptr);
    }
};
}  // namespace

int run_sweep(const sweep_spec& spec, const run_settings& rs) {
    const interrupt_guard guard;
    const std::vector<sweep_point> pts = expand_points(spec);
    make_dirs(rs.outdir + "/points");
    write_sweep_json(spec, pts, rs.outdir);
    const std::string started = now_iso();
    using clock = std::chrono::steady_clock;

    std::vector<const sweep_point*> todo;
    unsigned skipped = 0;
    for (const auto& p : pts) {
        const std::string dir = point_dir(rs.outdir, p.id);
        if (rs.resume) {
            const json pj = read_json_file(dir + "/point.json");
            if (pj.is_object() && deterministic_status(pj.value("status", ""))) {
                ++skipped;
                continue;
            }
        }
        std::remove((dir + "/point.json").c_str());
        std::remove((dir + "/stats.json").c_str());
        std::remove((dir + "/exit_code").c_str());
        todo.push_back(&p);
    }

    struct running {
        const sweep_point* p;
        clock::time_point start;
        bool killed = false;
    };
    std::map<pid_t, running> live;
    size_t next = 0, done = 0, failed = 0;
    const unsigned jobs = rs.jobs ? rs.jobs : 1;
    const double grace = spec.timeout_s > 0 ? std::max(5.0, spec.timeout_s * 0.2) : 0;
    auto show = [&] {
        if (!rs.progress) return;
        std::fprintf(stderr, "\r[sweep] %zu/%zu done, %zu failed, %zu running, %u resumed   ",
                     done, todo.size(), failed, live.size(), skipped);
        std::fflush(stderr);
    };
    bool stopping = false;
    while (next < todo.size() || !live.empty()) {
        // Interrupted (Ctrl-C, SIGTERM): start nothing more, stop the running points; what
        // did not finish has no point.json, so --resume runs it again.
        if (g_interrupt && !stopping) {
            stopping = true;
            next = todo.size();
            for (auto& [lpid, r] : live) ::kill(lpid, SIGTERM);
        }
        while (next < todo.size() && live.size() < jobs) {
            const sweep_point* p = todo[next++];
            const std::string dir = point_dir(rs.outdir, p->id);
            make_dirs(dir);
            const std::vector<std::string> args = point_args(spec, *p, dir);
            std::vector<char*> argv;
            std::string prog = rs.runner;
            argv.push_back(prog.data());
            std::vector<std::string> copy = args;
            for (auto& a : copy) argv.push_back(a.data());
            argv.push_back(nullptr);
            const std::string console = dir + "/console.log";
            const pid_t pid = ::fork();
            if (pid < 0) throw config_error("fork failed", exit_internal);
            if (pid == 0) {
                const int fd = ::open(console.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0666);
                const int in = ::open("/dev/null", O_RDONLY);
                if (fd >= 0) { ::dup2(fd, 1); ::dup2(fd, 2); }
                if (in >= 0) ::dup2(in, 0);
                ::execv(prog.c_str(), argv.data());
                ::_exit(127);
            }
            live[pid] = running{p, clock::now()};
            show();
        }
        int st = 0;
        const pid_t pid = ::waitpid(-1, &st, WNOHANG);
        if (pid > 0 && live.count(pid)) {
            const running r = live[pid];
            live.erase(pid);
            if (stopping && !WIFEXITED(st)) continue;   // stopped by the interruption: not a result
            const double wall = std::chrono::duration<double>(clock::now() - r.start).count();
            json pj = {{"id", r.p->id}, {"index", r.p->index}, {"seed", r.p->seed},
                       {"labels", r.p->labels}, {"wall_s", wall}};
            if (WIFEXITED(st)) {
                const int code = WEXITSTATUS(st);
                pj["exit_code"] = code;
                pj["status"] = code == 127 ? "exec_failed" : status_of_exit(code);
            } else {
                pj["exit_code"] = nullptr;
                pj["signal"] = WIFSIGNALED(st) ? WTERMSIG(st) : 0;
                pj["status"] = r.killed ? "timeout" : "crash";
            }
            ++done;
            if (pj["status"] != "ok") ++failed;
            write_text(point_dir(rs.outdir, r.p->id) + "/point.json", pj.dump(2) + "\n");
            show();
            continue;
        }
        // Hard limit: a point that ignores its --wall-timeout is killed after a grace period.
        if (grace > 0)
            for (auto& [lpid, r] : live)
                if (!r.killed && std::chrono::duration<double>(clock::now() - r.start).count() >
                                     spec.timeout_s + grace) {
                    ::kill(lpid, SIGKILL);
                    r.killed = true;
                }
        std::this_thread::sleep_for(std::chrono::milliseconds(1));   // reap within ~1 ms of an exit
    }
    if (rs.progress) std::fprintf(stderr, "\n");
    json extra = {{"started", started}, {"finished", now_iso()}, {"ran", done},
                  {"resumed", skipped}, {"jobs", jobs}, {"runner", rs.runner},
                  {"interrupted", g_interrupt != 0}};
    const int rc = collect_results(rs.outdir, rs.command_line, extra);
    if (!g_interrupt) return rc;
    std::fprintf(stderr, "vcmsim sweep: interrupted (signal %d) after %zu of %zu points; the others are "
                 "'missing' rows: run the same command with --resume to finish\n",
                 static_cast<int>(g_interrupt), done, todo.size());
    return exit_interrupted;
}

void emit_jobs(const sweep_spec& spec_in, const std::string& outdir, const std::string& runner) {
    sweep_spec spec = spec_in;
    char buf[4096];
    if (::realpath(spec.base.c_str(), buf)) spec.base = buf;  // jobs may run from anywhere
    const std::vector<sweep_point> pts = expand_points(spec);
    make_dirs(outdir + "/points");
    write_sweep_json(spec, pts, outdir);
    std::string out_abs = outdir;
    if (::realpath(outdir.c_str(), buf)) out_abs = buf;
    std::ostringstream jobs;
    for (const auto& p : pts) {
        const std::string dir = point_dir(out_abs, p.id);
        std::string line = "mkdir -p " + shell_quote(dir) + " && { " + shell_quote(runner);
        for (const auto& a : point_args(spec, p, dir)) line += " " + shell_quote(a);
        line += " >" + shell_quote(dir + "/console.log") + " 2>&1; echo $? >" +
                shell_quote(dir + "/exit_code") + "; }";
        jobs << line << "\n";
    }
    write_text(outdir + "/jobs.txt", jobs.str());
    std::ostringstream sb;
    sb << "#!/bin/bash\n"
       << "# Slurm job array: one vcmsim run per line of jobs.txt. Submit with\n"
       << "#   sbatch " << out_abs << "/sweep.sbatch\n"
       << "# then merge the results with: vcmsim sweep collect " << out_abs << "\n"
       << "#SBATCH --job-name=vcmsim-sweep\n"
       << "#SBATCH --array=1-" << pts.size() << "\n"
       << "#SBATCH --ntasks=1\n"
       << "#SBATCH --cpus-per-task=1\n";
    if (spec.timeout_s > 0) {
        const long mins = static_cast<long>(spec.timeout_s / 60) + 2;
        sb << "#SBATCH --time=" << mins << "\n";
    }
    sb << "#SBATCH --output=" << out_abs << "/points/slurm-%A_%a.out\n"
       << "set -u\n"
       << "line=$(sed -n \"${SLURM_ARRAY_TASK_ID}p\" " << shell_quote(out_abs + "/jobs.txt") << ")\n"
       << "exec bash -c \"$line\"\n";
    write_text(outdir + "/sweep.sbatch", sb.str());
    ::chmod((outdir + "/sweep.sbatch").c_str(), 0755);
}

}  // namespace vcmsim::platform::sweep
