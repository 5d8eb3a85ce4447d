// The trace-file corpus (tests/traces, written by make_trace_corpus.py, an independent writer
// of the format in traces/README.md): good.vtr reads back exactly; every file in bad/ gives
// exit code 65 and its expected message from inspect, export and diff, never a crash.
#include <catch2/catch.hpp>

#include <dirent.h>

#include <fstream>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "platforms/trace/trace_reader.h"
#include "platforms/trace/trace_tool.h"
#include "tests/support/test_util.h"

using namespace vcmsim;
namespace tr = vcmsim::platform::trace;

TEST_CASE("trace corpus: a file from the independent writer reads back", "[trace]") {
    tr::inspect_options o;
    o.format = "json";
    std::ostringstream out, err;
    REQUIRE(tr::trace_inspect(test::source_path("tests/traces/good.vtr"), o, out, err) == 0);
    const auto j = nlohmann::json::parse(out.str());
    CHECK(j["records"] == 5);
    CHECK(j["config_hash"] == "c0ffee");
    CHECK(j["rows"][0]["lookups"] == 10);
    CHECK(j["rows"][0]["hits"] == 8);
    CHECK(j["rows"][0]["invals"] == 1);
    CHECK(j["walk_latency"]["p50_ns"] == 44.0);
    CHECK(j["faults"]["by_kind"]["translation"] == 1);
    CHECK(j["top_missing_pages"]["by_component"][0]["pages"][0]["page"] == "0x40001000");
}

TEST_CASE("trace corpus: every malformed or truncated file gives exit 65 and a clear message", "[trace]") {
    const std::string dir = test::source_path("tests/traces/bad");
    std::ifstream ex(dir + "/expected.txt");
    REQUIRE(ex);
    std::set<std::string> listed;
    std::string line;
    while (std::getline(ex, line)) {
        if (line.empty() || line[0] == '#') continue;
        const auto tab = line.find('\t');
        REQUIRE(tab != std::string::npos);
        const std::string file = line.substr(0, tab), msg = line.substr(tab + 1);
        listed.insert(file);
        INFO(file << ": expecting '" << msg << "'");
        const std::string path = dir + "/" + file;
        tr::inspect_options o;
        std::ostringstream out, err;
        CHECK(tr::trace_inspect(path, o, out, err) == 65);
        CHECK(err.str().find(path + ": ") != std::string::npos);
        CHECK(err.str().find(msg) != std::string::npos);
        tr::export_options eo;
        eo.to = "perfetto";
        std::ostringstream out2, err2;
        CHECK(tr::trace_export(path, eo, out2, err2) == 65);
        CHECK(err2.str().find(msg) != std::string::npos);
        std::ostringstream out3, err3;
        CHECK(tr::trace_diff(test::source_path("tests/traces/good.vtr"), path, o, out3, err3) == 65);
    }
    // every file of the corpus is listed
    DIR* d = opendir(dir.c_str());
    REQUIRE(d);
    while (dirent* e = readdir(d)) {
        const std::string n = e->d_name;
        if (n.size() > 4 && n.substr(n.size() - 4) == ".vtr") CHECK(listed.count(n) == 1);
    }
    closedir(d);
    CHECK(listed.size() >= 20);
}

TEST_CASE("trace corpus: a missing file gives exit 66", "[trace]") {
    tr::inspect_options o;
    std::ostringstream out, err;
    CHECK(tr::trace_inspect("/nonexistent/trace.vtr", o, out, err) == 66);
    CHECK(err.str().find("cannot open trace file") != std::string::npos);
}
