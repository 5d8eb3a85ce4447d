// The vcmsim command line: subcommand dispatch, option parsing (Boost.Program_options) and the
// mapping of errors to documented exit codes.
#include <iostream>
#include <sstream>

#include <boost/program_options.hpp>
#include <systemc>

#include "platforms/config/config.h"
#include "platforms/config/param_registry.h"
#include "platforms/params.h"
#include "platforms/run.h"
#include "platforms/smmu_replay/replay.h"
#include "platforms/sweep/sweep_cli.h"
#include "platforms/trace/trace_tool.h"

namespace po = boost::program_options;

namespace vcmsim::platform {

namespace {

const char* main_help =
    "vcmsim - SystemC/TLM-2.0 simulator of an SoC memory-translation fabric\n"
    "\n"
    "usage: vcmsim <command> [options]\n"
    "\n"
    "commands:\n"
    "  run CONFIG [-f FILE]... [-C key=value]... [-o OUTDIR]   run one simulation\n"
    "  config validate CONFIG...                               check configs without running\n"
    "  config show CONFIG [--provenance] [--format toml|json]  print the resolved config\n"
    "  list models                                             the models a config can use\n"
    "  list params [PREFIX] [--format toml|json|markdown]      every config parameter\n"
    "  sweep SPEC.toml [-j N] [--dry-run] [--resume] [-o DIR]   parameter sweep (docs/sweeps.md);\n"
    "                                                          also: sweep plot|collect DIR\n"
    "  trace inspect|export|diff FILE...                       TLB/miss traces (traces/README.md)\n"
    "  smmu replay FILE.json... [--json] [-v] [-j N]           replay QEMU SMMUv3 oracle cases on our SMMU\n"
    "  version                                                 tool and library versions\n"
    "\n"
    "examples:\n"
    "  vcmsim run configs/minimal.toml -o out/minimal\n"
    "  vcmsim run configs/minimal.toml -C dram[0].bandwidth=1GB/s -C sim.seed=7\n"
    "  vcmsim list params dma\n"
    "  vcmsim run configs/cpu-mmu.toml -o out/mmu --trace all && vcmsim trace inspect out/mmu/trace.vtr\n"
    "\n"
    "exit codes: 0 ok, 1 checks failed (sweep: some points failed), 64 usage, 65 bad input data, 66 input file missing,\n"
    "            70 internal error, 74 output error, 78 config error, 124 wall-clock limit\n"
    "'vcmsim <command> --help' describes a command's options.\n";

struct usage_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

po::variables_map parse(const std::vector<std::string>& args, const po::options_description& opts,
                        const po::positional_options_description& pos) {
    po::variables_map vm;
    po::store(po::command_line_parser(args).options(opts).positional(pos).run(), vm);
    po::notify(vm);
    return vm;
}

int cmd_run(const std::vector<std::string>& args) {
    run_options o;
    std::vector<std::string> configs;
    std::string seed;
    po::options_description opts("vcmsim run CONFIG [options]");
    opts.add_options()
        ("help,h", "this help")
        ("config", po::value(&configs), "platform config (TOML)")
        ("file,f", po::value(&o.files)->composing(), "extra config file merged after CONFIG (repeatable)")
        ("set,C", po::value(&o.overrides)->composing(), "override: key.path=value, e.g. dram[0].latency=60 (repeatable, later wins)")
        ("outdir,o", po::value(&o.outdir), "write config.resolved.toml, stats.json, stats.txt and run.log here")
        ("seed", po::value(&seed), "master seed (same as -C sim.seed=N)")
        ("json", po::bool_switch(&o.json), "print the summary as JSON")
        ("progress", po::value(&o.progress)->default_value("auto"), "auto|always|never: progress line on stderr")
        ("wall-timeout", po::value(&o.wall_timeout_s), "stop after this many wall-clock seconds (exit 124)")
        ("trace", po::value(&o.trace)->implicit_value("miss,walk,fault,inval"),
         "record a TLB/miss trace in OUTDIR/trace.vtr: categories miss,walk,fault,inval (default), all, lookup, ...")
        ("trace-window", po::value(&o.trace_window), "only record between two times, e.g. 1ms:2ms")
        ("trace-stream", po::value(&o.trace_streams), "only record these streams, e.g. 0x10,0x11")
        ("trace-counter-interval", po::value(&o.trace_counter_interval), "period of the folded hit counters (default 1us)")
        ("quiet,q", po::bool_switch(&o.quiet), "no messages on stderr")
        ("verbose,v", po::value<int>()->implicit_value(1)->zero_tokens(), "more log output (info)");
    po::positional_options_description pos;
    pos.add("config", 1);
    po::variables_map vm = parse(args, opts, pos);
    if (vm.count("help")) {
        std::cout << opts << "\nOutputs: the summary on stdout; messages on stderr.\n";
        return exit_ok;
    }
    if (configs.empty()) throw usage_error("run needs a CONFIG file");
    if (vm.count("verbose")) o.verbose = 1;
    if (o.progress != "auto" && o.progress != "always" && o.progress != "never")
        throw usage_error("--progress takes auto, always or never");
    if (!seed.empty()) {
        try {
            size_t used = 0;
            o.seed = std::stoull(seed, &used, 0);
            if (used != seed.size()) throw std::invalid_argument(seed);
        } catch (const std::exception&) {
            throw usage_error("--seed takes an unsigned integer, not '" + seed + "'");
        }
    }
    std::vector<std::string> files = {configs.front()};
    files.insert(files.end(), o.files.begin(), o.files.end());
    o.files = files;
    return run_simulation(o);
}

int cmd_config(const std::vector<std::string>& args) {
    if (args.empty()) throw usage_error("config needs 'validate' or 'show'");
    const std::string sub = args.front();
    std::vector<std::string> rest(args.begin() + 1, args.end());
    std::vector<std::string> files, extra, overrides;
    std::string format = "toml";
    po::options_description opts("vcmsim config validate|show CONFIG... [options]");
    opts.add_options()
        ("help,h", "this help")
        ("config", po::value(&files), "config files")
        ("file,f", po::value(&extra)->composing(), "extra config file (repeatable)")
        ("set,C", po::value(&overrides)->composing(), "override key.path=value (repeatable)")
        ("format", po::value(&format), "show: toml (default) or json")
        ("provenance", "show: every key with the file and line it came from");
    po::positional_options_description pos;
    pos.add("config", -1);
    po::variables_map vm = parse(rest, opts, pos);
    if (vm.count("help")) {
        std::cout << opts;
        return exit_ok;
    }
    if (files.empty()) throw usage_error("config " + sub + " needs a CONFIG file");
    if (sub == "validate") {
        int worst = exit_ok;
        for (const auto& f : files) {
            std::vector<std::string> layers = {f};
            layers.insert(layers.end(), extra.begin(), extra.end());
            const int rc = config_validate(layers, overrides);
            if (rc != exit_ok && worst == exit_ok) worst = rc;
        }
        return worst;
    }
    if (sub == "show") {
        if (format != "toml" && format != "json") throw usage_error("--format takes toml or json");
        files.insert(files.end(), extra.begin(), extra.end());
        return config_show(files, overrides, format, vm.count("provenance") > 0);
    }
    throw usage_error("unknown config command '" + sub + "' (validate, show)");
}

int cmd_list(const std::vector<std::string>& args) {
    if (args.empty()) throw usage_error("list needs 'models' or 'params'");
    if (args[0] == "models") return list_models();
    if (args[0] != "params") throw usage_error("unknown list command '" + args[0] + "' (models, params)");
    std::string filter, format = "toml";
    po::options_description opts("vcmsim list params [PREFIX] [--format toml|json|markdown]");
    opts.add_options()("help,h", "this help")("prefix", po::value(&filter), "only keys starting with PREFIX")
        ("format", po::value(&format), "toml (default), json or markdown");
    po::positional_options_description pos;
    pos.add("prefix", 1);
    po::variables_map vm = parse(std::vector<std::string>(args.begin() + 1, args.end()), opts, pos);
    if (vm.count("help")) {
        std::cout << opts;
        return exit_ok;
    }
    if (format != "toml" && format != "json" && format != "markdown")
        throw usage_error("--format takes toml, json or markdown");
    return list_params(filter, format);
}

}  // namespace

int cli_main(int argc, char** argv) {
    std::vector<std::string> args(argv + 1, argv + argc);
    try {
        if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
            std::cout << main_help;
            return args.empty() ? exit_usage : exit_ok;
        }
        const std::string cmd = args[0];
        std::vector<std::string> rest(args.begin() + 1, args.end());
        if (cmd == "run") return cmd_run(rest);
        if (cmd == "config") return cmd_config(rest);
        if (cmd == "list") return cmd_list(rest);
        if (cmd == "trace") return trace::trace_main(rest);
        if (cmd == "sweep") return sweep_main(rest);
        if (cmd == "smmu") {
            if (!rest.empty() && rest[0] == "replay")
                return smmu_replay_main(std::vector<std::string>(rest.begin() + 1, rest.end()));
            throw usage_error("unknown smmu command (replay)");
        }
        if (cmd == "version" || cmd == "--version")
            return print_version(!rest.empty() && rest[0] == "--json");
        throw usage_error("unknown command '" + cmd + "'");
    } catch (const usage_error& e) {
        std::cerr << "vcmsim: " << e.what() << "\n(see 'vcmsim --help')\n";
        return exit_usage;
    } catch (const po::error& e) {
        std::cerr << "vcmsim: " << e.what() << "\n(see 'vcmsim --help')\n";
        return exit_usage;
    } catch (const config_error& e) {
        std::cerr << "config error: " << e.what() << "\n";
        return e.code();
    } catch (const sc_core::sc_report& e) {
        std::cerr << "vcmsim: internal error: " << e.what() << "\n";
        return exit_internal;
    } catch (const std::exception& e) {
        std::cerr << "vcmsim: internal error: " << e.what() << "\n";
        return exit_internal;
    }
}

}  // namespace vcmsim::platform
