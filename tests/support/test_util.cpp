#include "tests/support/test_util.h"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <sys/wait.h>
#include <unistd.h>

namespace vcmsim::test {
namespace {
bool g_allow = false;
}

void allow_sc_warnings() { g_allow = true; }
bool sc_warnings_allowed() { return g_allow; }

std::string source_path(const std::string& rel) { return std::string(VCMSIM_SOURCE_DIR) + "/" + rel; }
std::string vcmsim_binary() { return VCMSIM_BINARY; }

std::string read_file(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    std::ostringstream os;
    os << f.rdbuf();
    return os.str();
}

std::string make_temp_dir(const std::string& tag) {
    std::string tmpl = "/tmp/vcmsim-test-" + tag + "-XXXXXX";
    std::vector<char> buf(tmpl.begin(), tmpl.end());
    buf.push_back('\0');
    if (!mkdtemp(buf.data())) throw std::runtime_error("mkdtemp failed");
    return buf.data();
}

command_result run_command(const std::string& cmd) {
    const std::string dir = make_temp_dir("cmd");
    const std::string out = dir + "/out", err = dir + "/err";
    const std::string full = "SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1 " + cmd + " >" + out + " 2>" + err + " </dev/null";
    const int st = std::system(full.c_str());
    command_result r;
    r.exit_code = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    r.out = read_file(out);
    r.err = read_file(err);
    std::remove(out.c_str());
    std::remove(err.c_str());
    rmdir(dir.c_str());
    return r;
}

}  // namespace vcmsim::test
