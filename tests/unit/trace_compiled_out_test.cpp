// Built only with -DVCMSIM_TRACE=OFF: the hook gates are constants, `--trace` is refused with
// the usage exit code and a message that says why, and the writer still works for the tools.
#include <catch2/catch.hpp>

#include "models/core/trace.h"
#include "platforms/trace/trace_reader.h"
#include "platforms/trace/trace_tool.h"
#include "tests/support/test_util.h"

using namespace vcmsim;
namespace tr = vcmsim::platform::trace;

static_assert(!core::trace_compiled_in, "this test is built only with VCMSIM_TRACE=OFF");
static_assert(core::trace_compiled_mask == 0);
static_assert(!core::trace_sink::enabled(core::trace_cat::all | core::trace_cat::counter),
              "hook gates are compile-time false");
static_assert(core::trace_sink::active() == 0);

TEST_CASE("trace compiled out: --trace is refused with exit 64 and a clear message", "[trace]") {
    const std::string dir = test::make_temp_dir("trace_off");
    for (const char* cats : {"", "all", "walk,fault"}) {
        INFO(cats);
        std::string err;
        CHECK(tr::configure_trace_from_options(cats, "", "", dir + "/t.vtr", {}, err) == 64);
        CHECK(err.find("tracing compiled out") != std::string::npos);
        CHECK(err.find("VCMSIM_TRACE=ON") != std::string::npos);
        CHECK_FALSE(core::trace_sink::global().is_open());
    }
    std::string err;
    CHECK(tr::configure_trace_from_options("none", "", "", dir + "/t.vtr", {}, err) == 0);
    CHECK(tr::configure_trace_from_options("bogus", "", "", dir + "/t.vtr", {}, err) == 64);
    CHECK(err.find("unknown trace category") != std::string::npos);   // option errors come first
}

TEST_CASE("trace compiled out: the writer still makes files the tools read", "[trace]") {
    const std::string dir = test::make_temp_dir("trace_off_writer");
    core::trace_sink s;
    const uint16_t c = s.register_component("top.x.walker", "walker");
    s.set_categories(core::trace_cat::all);
    REQUIRE(s.open(dir + "/w.vtr", {}));
    CHECK_FALSE(s.enabled(core::trace_cat::walk));   // gates closed, the file is open
    core::trace_record r;
    r.t_ps = 5000;
    r.comp = c;
    r.type = static_cast<uint8_t>(core::trace_type::walk);
    r.dur_ps = 1000;
    r.lvl_stage = core::trace_lvl(3);
    s.record(r);
    REQUIRE(s.close());
    CHECK(s.records_written() == 1);
    tr::trace_reader rd(dir + "/w.vtr");
    core::trace_record back;
    REQUIRE(rd.next(back));
    CHECK(back.t_ps == 5000);
    CHECK(back.dur_ps == 1000);
    CHECK_FALSE(rd.next(back));
}
