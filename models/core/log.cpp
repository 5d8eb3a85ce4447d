#include "models/core/log.h"

#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <utility>
#include <vector>

#include <systemc>

namespace vcmsim::core {
namespace {

struct log_state {
    log_level default_level = log_level::warn;
    std::vector<std::pair<std::string, log_level>> rules;
    log_level console = log_level::warn;
    std::unique_ptr<std::ofstream> file;
    uint64_t warnings = 0;
    uint64_t errors = 0;
};

log_state& state() {
    static log_state s;
    return s;
}

bool matches(const std::string& pattern, const std::string& name) {
    if (!pattern.empty() && pattern.back() == '*')
        return name.compare(0, pattern.size() - 1, pattern, 0, pattern.size() - 1) == 0;
    return pattern == name;
}

int verbosity_of(log_level l) {
    switch (l) {
    case log_level::info: return sc_core::SC_MEDIUM;
    case log_level::debug: return sc_core::SC_HIGH;
    default: return sc_core::SC_DEBUG;
    }
}

log_level level_of(const sc_core::sc_report& r) {
    if (r.get_severity() != sc_core::SC_INFO) return log_level::warn;
    const int v = r.get_verbosity();
    if (v <= sc_core::SC_MEDIUM) return log_level::info;
    if (v <= sc_core::SC_HIGH) return log_level::debug;
    return log_level::trace;
}

const char* severity_tag(const sc_core::sc_report& r) {
    switch (r.get_severity()) {
    case sc_core::SC_INFO: return "I";
    case sc_core::SC_WARNING: return "W";
    case sc_core::SC_ERROR: return "E";
    default: return "F";
    }
}

void handler(const sc_core::sc_report& r, const sc_core::sc_actions&) {
    log_state& s = state();
    if (r.get_severity() == sc_core::SC_WARNING) ++s.warnings;
    if (r.get_severity() >= sc_core::SC_ERROR) ++s.errors;
    std::string line = std::string("[") + severity_tag(r) + " " +
                       sc_core::sc_time_stamp().to_string() + "] " + r.get_msg_type() + ": " +
                       r.get_msg();
    // Errors always reach the console; warnings and the rest unless the console is off (-q).
    if (r.get_severity() >= sc_core::SC_ERROR ||
        (s.console != log_level::off && level_of(r) <= s.console))
        std::cerr << line << '\n';
    if (s.file) *s.file << line << '\n';
    if (r.get_severity() == sc_core::SC_FATAL) {
        if (s.file) s.file->flush();
        throw r;  // caught by main and mapped to the internal-error exit code
    }
}

}  // namespace

bool parse_log_level(const std::string& s, log_level& out) {
    static const std::pair<const char*, log_level> names[] = {
        {"off", log_level::off},     {"warn", log_level::warn},   {"info", log_level::info},
        {"debug", log_level::debug}, {"trace", log_level::trace},
    };
    for (const auto& n : names)
        if (s == n.first) {
            out = n.second;
            return true;
        }
    return false;
}

const char* log_level_name(log_level l) {
    switch (l) {
    case log_level::off: return "off";
    case log_level::warn: return "warn";
    case log_level::info: return "info";
    case log_level::debug: return "debug";
    default: return "trace";
    }
}

logger::logger(std::string name) : m_name(std::move(name)), m_level(log_config::level_for(m_name)) {}

void logger::write(log_level l, const std::string& msg) const {
    if (l == log_level::warn)
        sc_core::sc_report_handler::report(sc_core::SC_WARNING, m_name.c_str(), msg.c_str(),
                                           __FILE__, __LINE__);
    else
        sc_core::sc_report_handler::report(sc_core::SC_INFO, m_name.c_str(), msg.c_str(),
                                           verbosity_of(l), __FILE__, __LINE__);
}

void log_config::set_default(log_level l) { state().default_level = l; }
void log_config::set_level(const std::string& pattern, log_level l) {
    state().rules.emplace_back(pattern, l);
}
log_level log_config::level_for(const std::string& name) {
    log_level l = state().default_level;
    for (const auto& r : state().rules)
        if (matches(r.first, name)) l = r.second;
    return l;
}
void log_config::reset() {
    state().default_level = log_level::warn;
    state().rules.clear();
}

void install_report_handler(log_level console_level, const std::string& log_file) {
    log_state& s = state();
    s.console = console_level;
    if (!log_file.empty()) {
        s.file = std::make_unique<std::ofstream>(log_file);
        if (!*s.file) s.file.reset();
    }
    // Let every message through to the handler; it filters by level itself.
    sc_core::sc_report_handler::set_verbosity_level(sc_core::SC_DEBUG);
    sc_core::sc_report_handler::set_actions(sc_core::SC_INFO, sc_core::SC_DISPLAY);
    sc_core::sc_report_handler::set_actions(sc_core::SC_WARNING, sc_core::SC_DISPLAY);
    sc_core::sc_report_handler::set_actions(sc_core::SC_ERROR, sc_core::SC_DISPLAY);
    sc_core::sc_report_handler::set_actions(sc_core::SC_FATAL, sc_core::SC_DISPLAY);
    sc_core::sc_report_handler::set_handler(handler);
}

void close_log_file() {
    if (state().file) state().file->flush();
    state().file.reset();
}
uint64_t warning_count() { return state().warnings; }
uint64_t error_count() { return state().errors; }
void reset_report_counts() { state().warnings = state().errors = 0; }

}  // namespace vcmsim::core
