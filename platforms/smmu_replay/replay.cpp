// `vcmsim smmu replay`: options, one forked child per file, the result pipe, comparison and
// output. See replay.h.
#include "platforms/smmu_replay/replay.h"

#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <sstream>

#include <boost/program_options.hpp>
#include <nlohmann/json.hpp>
#include <systemc>

#include "models/core/log.h"
#include "platforms/config/config.h"
#include "platforms/smmu_replay/oracle_case.h"
#include "platforms/smmu_replay/oracle_compare.h"
#include "platforms/smmu_replay/replay_platform.h"

namespace po = boost::program_options;
using nlohmann::json;

namespace vcmsim::platform {

namespace {

using namespace replay;

// ---- The child -> parent wire: one JSON object per line ------------------------------------

std::string wire_result(const dma_result& r) {
    json j;
    j["i"] = r.index;
    j["dev"] = r.dev;
    json ev = json::array();
    for (const auto& e : r.events) ev.push_back(e.hex());
    j["events"] = ev;
    j["data"] = r.data ? json(to_hex(*r.data)) : json(nullptr);
    std::string t(r.terminated.size(), '0');
    for (std::size_t i = 0; i < t.size(); ++i) t[i] = r.terminated[i] ? '1' : '0';
    j["terminated"] = t;
    j["pa_first"] = r.pa_first ? json(*r.pa_first) : json(nullptr);
    json mem = json::array();
    for (const auto& m : r.mem) mem.push_back(json::array({m.pa, to_hex(m.bytes)}));
    j["mem"] = mem;
    return j.dump();
}

dma_result parse_result(const json& j) {
    dma_result r;
    r.index = j.at("i").get<std::size_t>();
    r.dev = j.at("dev").get<unsigned>();
    for (const auto& h : j.at("events")) {
        const byte_vector b = from_hex(h.get<std::string>());
        event_record e;
        std::copy_n(b.begin(), std::min<std::size_t>(b.size(), 32), e.raw.begin());
        r.events.push_back(e);
    }
    if (!j.at("data").is_null()) r.data = from_hex(j.at("data").get<std::string>());
    for (char ch : j.at("terminated").get<std::string>()) r.terminated.push_back(ch == '1');
    if (!j.at("pa_first").is_null()) r.pa_first = j.at("pa_first").get<std::uint64_t>();
    for (const auto& m : j.at("mem"))
        r.mem.push_back({m.at(0).get<std::uint64_t>(), from_hex(m.at(1).get<std::string>())});
    return r;
}

struct child_output {
    std::vector<dma_result> results;
    std::vector<std::string> notes;
    bool done = false;        // the child reached the end of the trace
    bool crashed = false;     // no "done" line, or an abnormal exit
};

bool write_all(int fd, const std::string& s) {
    const char* p = s.data();
    std::size_t left = s.size();
    while (left) {
        const ssize_t n = ::write(fd, p, left);
        if (n < 0) {
            if (errno == EINTR) continue;
            return false;
        }
        p += n;
        left -= static_cast<std::size_t>(n);
    }
    return true;
}

[[noreturn]] void child_main(int fd, const oracle_case& c, const replay_run_options& opt) {
    auto send = [fd](const json& j) { write_all(fd, j.dump() + "\n"); };
    int code = 0;
    try {
        replay_callbacks cb;
        cb.result = [fd](const dma_result& r) { write_all(fd, wire_result(r) + "\n"); };
        cb.note = [&](const std::string& s) { send(json{{"note", s}}); };
        const bool ok = run_case(c, opt, cb);
        if (core::error_count()) send(json{{"note", std::to_string(core::error_count()) + " SystemC error(s) during the replay"}});
        send(json{{"done", ok}});
    } catch (const sc_core::sc_report& e) {
        send(json{{"note", std::string("internal error: ") + e.what()}});
        code = exit_internal;
    } catch (const std::exception& e) {
        send(json{{"note", std::string("internal error: ") + e.what()}});
        code = exit_internal;
    }
    ::close(fd);
    std::cout.flush();
    std::cerr.flush();
    std::fflush(nullptr);
    ::_exit(code);
}

struct running_child {
    pid_t pid = -1;
    int fd = -1;
};

running_child start_child(const oracle_case& c, const replay_run_options& opt) {
    int fds[2];
    if (::pipe(fds) != 0) throw std::runtime_error("pipe failed");
    std::cout.flush();
    std::cerr.flush();
    std::fflush(nullptr);
    const pid_t pid = ::fork();
    if (pid < 0) {
        ::close(fds[0]);
        ::close(fds[1]);
        throw std::runtime_error("fork failed");
    }
    if (pid == 0) {
        ::close(fds[0]);
        child_main(fds[1], c, opt);
    }
    ::close(fds[1]);
    return running_child{pid, fds[0]};
}

child_output finish_child(const running_child& ch) {
    child_output out;
    std::string buf;
    char tmp[65536];
    for (;;) {
        const ssize_t n = ::read(ch.fd, tmp, sizeof tmp);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        buf.append(tmp, static_cast<std::size_t>(n));
    }
    ::close(ch.fd);
    int status = 0;
    while (::waitpid(ch.pid, &status, 0) < 0 && errno == EINTR) {}
    std::istringstream in(buf);
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty()) continue;
        try {
            const json j = json::parse(line);
            if (j.contains("note")) out.notes.push_back(j["note"].get<std::string>());
            else if (j.contains("done")) out.done = j["done"].get<bool>();
            else out.results.push_back(parse_result(j));
        } catch (const std::exception& e) {
            out.notes.push_back(std::string("unreadable result line from the replay: ") + e.what());
        }
    }
    if (WIFSIGNALED(status)) {
        out.crashed = true;
        out.notes.push_back("the replay process died with signal " + std::to_string(WTERMSIG(status)));
    } else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        out.crashed = true;
        out.notes.push_back("the replay process exited with status " + std::to_string(WEXITSTATUS(status)));
    }
    return out;
}

// ---- Output -----------------------------------------------------------------------------------

const char* kind_name(verdict_kind k) {
    return k == verdict_kind::pass ? "pass" : k == verdict_kind::fail ? "fail" : "deviation";
}

struct job {
    std::string path;
    oracle_case c;
    running_child child;
    std::chrono::steady_clock::time_point start;
};

}  // namespace

int smmu_replay_main(const std::vector<std::string>& args) {
    std::vector<std::string> files;
    bool as_json = false, verbose = false;
    unsigned jobs = 1;
    po::options_description opts("vcmsim smmu replay FILE.json... [options]");
    opts.add_options()
        ("help,h", "this help")
        ("file", po::value(&files), "oracle trace files (qemu-smmu-oracle-trace/1)")
        ("json", po::bool_switch(&as_json), "one JSON object per line instead of text")
        ("verbose,v", po::bool_switch(&verbose), "model logs, notes, and our result under every non-PASS verdict")
        ("jobs,j", po::value(&jobs), "replay up to N files at once (default 1)");
    po::positional_options_description pos;
    pos.add("file", -1);
    po::variables_map vm;
    try {
        po::store(po::command_line_parser(args).options(opts).positional(pos).run(), vm);
        po::notify(vm);
    } catch (const po::error& e) {
        std::cerr << "vcmsim smmu replay: " << e.what() << "\n(see 'vcmsim smmu replay --help')\n";
        return exit_usage;
    }
    if (vm.count("help")) {
        std::cout << opts
                  << "\nReplays QEMU SMMUv3 oracle traces on our SMMU model and compares every DMA "
                     "(docs/smmu-replay.md).\nExit: 0 all passed, 1 a DMA failed, 64 usage, 65 bad "
                     "file, 66 missing file, 70 internal error.\n";
        return exit_ok;
    }
    if (files.empty()) {
        std::cerr << "vcmsim smmu replay: needs at least one FILE.json\n(see 'vcmsim smmu replay --help')\n";
        return exit_usage;
    }
    if (jobs < 1) jobs = 1;

    replay_run_options ropt;
    ropt.verbose = verbose;
    const compare_options copt;   // our SMMU reports S2P = 0, like QEMU 7.2
    compare_summary total;
    int input_rc = exit_ok;
    bool crashed = false;
    std::size_t next = 0, replayed = 0;
    std::deque<job> running;

    auto launch = [&]() {
        while (running.size() < jobs && next < files.size()) {
            const std::string& path = files[next++];
            if (!std::filesystem::exists(path)) {
                std::cerr << "vcmsim smmu replay: " << path << ": no such file\n";
                if (input_rc == exit_ok) input_rc = exit_no_input;
                continue;
            }
            job j;
            j.path = path;
            try {
                j.c = load_oracle_case(path);
            } catch (const oracle_format_error& e) {
                std::cerr << "vcmsim smmu replay: " << e.what() << "\n";
                if (input_rc == exit_ok) input_rc = exit_bad_input;
                continue;
            }
            j.start = std::chrono::steady_clock::now();
            j.child = start_child(j.c, ropt);
            running.push_back(std::move(j));
        }
    };

    launch();
    while (!running.empty()) {
        job j = std::move(running.front());
        running.pop_front();
        const child_output out = finish_child(j.child);
        const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - j.start).count();
        launch();
        ++replayed;
        crashed |= out.crashed;
        const std::string& name = j.c.name;
        for (const auto& n : out.notes) {
            if (as_json) std::cout << json{{"case", name}, {"note", n}}.dump() << "\n";
            else std::cout << "note " << name << ": " << n << "\n";
        }
        const std::vector<dma_verdict> verdicts = compare_case(j.c, out.results, copt);
        compare_summary s;
        std::size_t k = 0;
        for (const dma_verdict& v : verdicts) {
            s.add(v);
            if (as_json) {
                std::cout << json{{"case", name}, {"i", v.index}, {"verdict", kind_name(v.kind)}, {"what", v.what},
                                  {"message", v.message}, {"deviations", v.deviations}}.dump()
                          << "\n";
            } else {
                std::cout << format_verdict(name, v) << "\n";
            }
            if (verbose && v.kind != verdict_kind::pass && k < out.results.size())
                std::cout << (as_json ? "" : "  ours: ") << result_to_json_line(out.results[k]) << "\n";
            ++k;
        }
        total.passed += s.passed;
        total.failed += s.failed;
        total.deviations += s.deviations;
        if (as_json) {
            std::cout << json{{"case", name}, {"file", j.path}, {"passed", s.passed}, {"failed", s.failed},
                              {"deviations", s.deviations}, {"seconds", secs}}.dump()
                      << "\n";
        } else {
            std::ostringstream t;
            t << std::fixed << std::setprecision(2) << secs;
            std::cout << name << ": " << s.line();
            if (s.deviations) std::cout << " (" << s.deviations << " deviation" << (s.deviations > 1 ? "s" : "") << ")";
            std::cout << " (" << t.str() << " s)\n";
        }
        std::cout.flush();
    }
    if (as_json) {
        std::cout << json{{"passed", total.passed}, {"failed", total.failed}, {"deviations", total.deviations},
                          {"files", replayed}}.dump()
                  << "\n";
    } else {
        std::cout << total.line() << "\n";
        if (!total.deviation_line().empty()) std::cout << total.deviation_line() << "\n";
    }
    std::cout.flush();
    if (input_rc != exit_ok) return input_rc;
    if (crashed) return exit_internal;
    return total.failed ? exit_checks_failed : exit_ok;
}

}  // namespace vcmsim::platform
