// `vcmsim sweep SPEC [-j N] [--dry-run] [--resume] [-o OUTDIR] [--emit-jobs DIR]`,
// `vcmsim sweep plot DIR ...` and `vcmsim sweep collect DIR` (docs/sweeps.md).
#include "platforms/sweep/sweep_cli.h"

#include <unistd.h>

#include <fstream>
#include <iomanip>
#include <iostream>
#include <sstream>
#include <thread>

#include <boost/program_options.hpp>
#include <nlohmann/json.hpp>

#include "platforms/config/config.h"
#include "platforms/sweep/sweep_plot.h"
#include "platforms/sweep/sweep_run.h"
#include "platforms/sweep/sweep_spec.h"

namespace po = boost::program_options;

namespace vcmsim::platform {

namespace {

using namespace sweep;

const char* sweep_help =
    "usage: vcmsim sweep SPEC.toml [-j N] [--dry-run [--json]] [--resume] [-o OUTDIR]\n"
    "       vcmsim sweep SPEC.toml --emit-jobs DIR     job list for GNU parallel + Slurm script\n"
    "       vcmsim sweep collect DIR                   merge per-point results into results.csv\n"
    "       vcmsim sweep plot DIR --x KEY --y METRIC [--series KEY] [--normalize-to VALUE]\n"
    "                             [--term svg|png|dumb]\n"
    "\n"
    "Runs every point of a sweep spec (docs/sweeps.md) as its own 'vcmsim run' process and\n"
    "writes OUTDIR/results.csv, results.jsonl, manifest.json and points/<id>/.\n"
    "exit codes: 0 every point ok, 1 some point failed (the failures are rows of results.csv),\n"
    "            64 usage, 66 spec missing, 74 output error, 78 invalid spec\n";

std::string self_exe() {
    char buf[4096];
    const ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
    if (n <= 0) return "/proc/self/exe";
    buf[n] = '\0';
    return buf;
}

std::string default_outdir(const std::string& spec) {
    std::string stem = spec.substr(spec.find_last_of('/') + 1);
    const size_t dot = stem.rfind('.');
    if (dot != std::string::npos && dot > 0) stem = stem.substr(0, dot);
    return "out/sweeps/" + stem;
}

int dry_run(const sweep_spec& spec, bool as_json) {
    const auto pts = expand_points(spec);
    if (as_json) {
        nlohmann::json a = nlohmann::json::array();
        for (const auto& p : pts) {
            nlohmann::json axes = nlohmann::json::object();
            for (size_t i = 0; i < spec.axes.size(); ++i) axes[spec.axes[i].key] = p.labels[i];
            a.push_back({{"point_id", p.id}, {"axes", axes}, {"seed", p.seed}, {"overrides", p.overrides}});
        }
        std::cout << a.dump(2) << "\n";
        return exit_ok;
    }
    std::vector<size_t> w;
    for (const auto& a : spec.axes) {
        size_t m = a.key.size();
        for (const auto& l : a.labels) m = std::max(m, l.size());
        w.push_back(m);
    }
    std::cout << std::left << std::setw(18) << "point_id";
    for (size_t i = 0; i < spec.axes.size(); ++i) std::cout << std::setw(w[i] + 2) << spec.axes[i].key;
    std::cout << "seed\n";
    for (const auto& p : pts) {
        std::cout << std::setw(18) << p.id;
        for (size_t i = 0; i < p.labels.size(); ++i) std::cout << std::setw(w[i] + 2) << p.labels[i];
        std::cout << p.seed << "\n";
    }
    std::cout << pts.size() << " points (";
    for (const auto& a : spec.axes) std::cout << a.values.size() << " " << a.key << " x ";
    std::cout << spec.seeds.size() << " seeds), base " << spec.base << "\n";
    return exit_ok;
}

int cmd_plot(const std::vector<std::string>& args) {
    plot_options o;
    po::options_description opts("vcmsim sweep plot DIR --x KEY --y METRIC [options]");
    opts.add_options()("help,h", "this help")("dir", po::value(&o.dir), "sweep output folder")
        ("x", po::value(&o.x), "column for the x axis (an axis key)")
        ("y", po::value(&o.y), "metric column")
        ("series", po::value(&o.series), "one line per value of this column")
        ("normalize-to", po::value(&o.normalize_to), "divide each series by its value at x = VALUE")
        ("term", po::value(&o.term), "svg (default), png or dumb (ASCII on stdout)");
    po::positional_options_description pos;
    pos.add("dir", 1);
    po::variables_map vm;
    po::store(po::command_line_parser(args).options(opts).positional(pos).run(), vm);
    po::notify(vm);
    if (vm.count("help")) {
        std::cout << opts;
        return exit_ok;
    }
    if (o.dir.empty() || o.x.empty() || o.y.empty())
        throw config_error("sweep plot needs DIR, --x and --y", exit_usage);
    return plot_sweep(o, std::cout);
}

int cmd_sweep(const std::vector<std::string>& args) {
    std::string spec_file, outdir, emit, runner;
    unsigned jobs = 0;
    bool dry = false, resume = false, as_json = false;
    std::string progress = "auto";
    po::options_description opts("vcmsim sweep SPEC.toml [options]");
    opts.add_options()("help,h", "this help")("spec", po::value(&spec_file), "sweep spec (TOML)")
        ("jobs,j", po::value(&jobs), "points run at once (default: number of cores)")
        ("dry-run", po::bool_switch(&dry), "list the points and exit")
        ("json", po::bool_switch(&as_json), "--dry-run: the points as JSON")
        ("resume", po::bool_switch(&resume), "skip points already finished in OUTDIR (ok, checks_failed, config_error)")
        ("outdir,o", po::value(&outdir), "output folder (default out/sweeps/<spec name>)")
        ("emit-jobs", po::value(&emit), "write DIR/jobs.txt (GNU parallel) and DIR/sweep.sbatch (Slurm) instead of running")
        ("progress", po::value(&progress), "auto (default: on a terminal), always or never")
        ("runner", po::value(&runner), "vcmsim binary that runs the points (default: this one)");
    po::positional_options_description pos;
    pos.add("spec", 1);
    po::variables_map vm;
    po::store(po::command_line_parser(args).options(opts).positional(pos).run(), vm);
    po::notify(vm);
    if (vm.count("help")) {
        std::cout << sweep_help << "\n" << opts;
        return exit_ok;
    }
    if (spec_file.empty()) throw config_error("sweep needs a SPEC file", exit_usage);
    if (progress != "auto" && progress != "always" && progress != "never")
        throw config_error("--progress takes auto, always or never", exit_usage);
    const sweep_spec spec = load_sweep_spec(spec_file);
    if (dry) return dry_run(spec, as_json);
    if (runner.empty()) runner = self_exe();
    if (!emit.empty()) {
        emit_jobs(spec, emit, runner);
        std::cout << "wrote " << emit << "/jobs.txt (" << expand_points(spec).size()
                  << " points), " << emit << "/sweep.sbatch and " << emit << "/sweep.json\n"
                  << "run:   parallel -j $(nproc) < " << emit << "/jobs.txt   (or sbatch "
                  << emit << "/sweep.sbatch)\n"
                  << "then:  vcmsim sweep collect " << emit << "\n";
        return exit_ok;
    }
    run_settings rs;
    rs.outdir = outdir.empty() ? default_outdir(spec_file) : outdir;
    rs.runner = runner;
    rs.jobs = jobs ? jobs : std::max(1u, std::thread::hardware_concurrency());
    rs.resume = resume;
    rs.progress = progress == "always" || (progress == "auto" && ::isatty(2));
    rs.command_line = {"vcmsim", "sweep"};
    rs.command_line.insert(rs.command_line.end(), args.begin(), args.end());
    const int rc = run_sweep(spec, rs);
    std::ifstream mf(rs.outdir + "/manifest.json");
    const nlohmann::json man = nlohmann::json::parse(mf, nullptr, false);
    std::cout << "sweep " << spec_file << ": " << man.value("points", 0) << " points";
    if (man.contains("counts"))
        for (const auto& [k, v] : man["counts"].items()) std::cout << ", " << v.get<int>() << " " << k;
    if (man.value("resumed", 0) > 0) std::cout << " (" << man.value("resumed", 0) << " resumed)";
    std::cout << "\n  results " << rs.outdir << "/results.csv\n";
    for (const auto& ps : spec.plots) {   // [[plot]]: rendered now; a plot problem never changes rc
        plot_options o;
        o.dir = rs.outdir;
        o.x = ps.x;
        o.y = ps.y;
        o.series = ps.series;
        o.normalize_to = ps.normalize_to;
        o.term = ps.term;
        std::ostringstream msg;
        try {
            plot_sweep(o, msg);
            std::cout << "  plot    " << msg.str();
        } catch (const config_error& e) {
            std::cerr << "vcmsim sweep: plot of " << ps.y << " vs " << ps.x << " not written: " << e.what() << "\n";
        }
    }
    return rc;
}

}  // namespace

int sweep_main(const std::vector<std::string>& args) {
    try {
        if (args.empty()) {
            std::cerr << sweep_help;
            return exit_usage;
        }
        if (args[0] == "plot") return cmd_plot({args.begin() + 1, args.end()});
        if (args[0] == "collect") {
            if (args.size() != 2 || args[1].rfind("-", 0) == 0) {
                if (args.size() == 2 && (args[1] == "--help" || args[1] == "-h")) {
                    std::cout << "usage: vcmsim sweep collect DIR\n";
                    return exit_ok;
                }
                throw config_error("sweep collect needs exactly one DIR", exit_usage);
            }
            std::vector<std::string> cl = {"vcmsim", "sweep"};
            cl.insert(cl.end(), args.begin(), args.end());
            const int rc = collect_results(args[1], cl);
            std::cout << "wrote " << args[1] << "/results.csv\n";
            return rc;
        }
        return cmd_sweep(args);
    } catch (const po::error& e) {
        std::cerr << "vcmsim sweep: " << e.what() << "\n(see 'vcmsim sweep --help')\n";
        return exit_usage;
    } catch (const config_error& e) {
        if (e.code() == exit_usage) {
            std::cerr << "vcmsim sweep: " << e.what() << "\n(see 'vcmsim sweep --help')\n";
        } else {
            std::cerr << (e.code() == exit_config ? "sweep spec error: " : "vcmsim sweep: ")
                      << e.what() << "\n";
        }
        return e.code();
    } catch (const std::exception& e) {
        std::cerr << "vcmsim sweep: internal error: " << e.what() << "\n";
        return exit_internal;
    }
}

}  // namespace vcmsim::platform
