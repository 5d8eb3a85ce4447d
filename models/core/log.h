// Logging through sc_report_handler, one logger per module, levels checked before formatting.
//
//   core::logger m_log{name()};               // in a module, named by its hierarchy
//   VCMSIM_LOG_DEBUG(m_log, "walk iova=0x" << std::hex << iova);
//   VCMSIM_LOG_WARN(m_log, "descriptor at 0x" << std::hex << a << " has zero length");
//
// Levels per module come from log_config::set_level(pattern, level): the pattern is a
// hierarchical name or a prefix ending in '*' ("top.dma*"); the last matching rule wins.
// Warnings go out as SC_WARNING, everything else as SC_INFO with a verbosity, so SystemC's
// own messages and ours share one handler (install_report_handler) and one policy.
#pragma once

#include <cstdint>
#include <sstream>
#include <string>

namespace vcmsim::core {

enum class log_level : int { off = 0, warn = 1, info = 2, debug = 3, trace = 4 };

// Parses "off|warn|info|debug|trace"; returns false on an unknown name.
bool parse_log_level(const std::string& s, log_level& out);
const char* log_level_name(log_level l);

class logger {
public:
    explicit logger(std::string name);
    bool enabled(log_level l) const { return static_cast<int>(l) <= static_cast<int>(m_level); }
    void write(log_level l, const std::string& msg) const;
    const std::string& name() const { return m_name; }
    log_level level() const { return m_level; }
    void set_level(log_level l) { m_level = l; }

private:
    std::string m_name;
    log_level m_level;
};

// Global log policy. Loggers read it when they are constructed.
struct log_config {
    static void set_default(log_level l);
    static void set_level(const std::string& pattern, log_level l);
    static log_level level_for(const std::string& name);
    static void reset();
};

// Installs the report handler used by every vcmsim process: messages go to stderr (console
// level) and to an optional log file (all messages that reach the handler). SystemC errors
// are not thrown: they are counted, so the run can exit with a documented code.
void install_report_handler(log_level console_level, const std::string& log_file = {});
void close_log_file();
uint64_t warning_count();
uint64_t error_count();
void reset_report_counts();

}  // namespace vcmsim::core

#define VCMSIM_LOG_AT(lg, lvl, expr)                                                             \
    do {                                                                                       \
        if ((lg).enabled(lvl)) {                                                               \
            std::ostringstream vcmsim_os_;                                                     \
            vcmsim_os_ << expr;                                                                \
            (lg).write(lvl, vcmsim_os_.str());                                                 \
        }                                                                                      \
    } while (0)
#define VCMSIM_LOG_WARN(lg, expr) VCMSIM_LOG_AT(lg, ::vcmsim::core::log_level::warn, expr)
#define VCMSIM_LOG_INFO(lg, expr) VCMSIM_LOG_AT(lg, ::vcmsim::core::log_level::info, expr)
#define VCMSIM_LOG_DEBUG(lg, expr) VCMSIM_LOG_AT(lg, ::vcmsim::core::log_level::debug, expr)
#define VCMSIM_LOG_TRACE(lg, expr) VCMSIM_LOG_AT(lg, ::vcmsim::core::log_level::trace, expr)
