#include <catch2/catch.hpp>

#include <sstream>

#include "models/core/stats.h"

using namespace vcmsim::core;

TEST_CASE("stats: counters, averages and derived values register under dotted names", "[core][stats]") {
    stats_registry reg;
    {
        stat_group g("top.dram0", reg);
        counter& c = g.add_counter("reads", "read transactions");
        average& a = g.add_average("lat", "latency", "ns");
        g.add_value("util", "utilisation", "ratio", [] { return 0.25; });
        c.inc(3);
        ++c;
        a.sample(10);
        a.sample(20);
        CHECK(reg.value("top.dram0.reads") == 4);
        CHECK(reg.value("top.dram0.lat") == 15);
        CHECK(reg.value("top.dram0.util") == 0.25);
        auto j = reg.to_json();
        CHECK(j["top.dram0.reads"]["value"] == 4);
        CHECK(j["top.dram0.lat"]["count"] == 2);
        std::ostringstream os;
        reg.write_txt(os);
        CHECK(os.str().find("top.dram0.reads") != std::string::npos);
        CHECK(os.str().find("# read transactions (count)") != std::string::npos);
        CHECK_THROWS_AS(g.add_counter("reads", "again"), std::logic_error);
    }
    CHECK(reg.size() == 0);  // the group deregistered its stats
}

TEST_CASE("stats: histogram percentiles and overflow bucket", "[core][stats]") {
    histogram h(1, 100);
    for (uint64_t v = 1; v <= 100; ++v) h.sample(v);
    CHECK(h.count() == 100);
    CHECK(h.min() == 1);
    CHECK(h.max() == 100);
    CHECK(h.mean() == Approx(50.5));
    CHECK(h.percentile(50) == 50);
    CHECK(h.percentile(90) == 90);
    CHECK(h.percentile(99) == 99);
    CHECK(h.buckets().back() == 1);  // 100 went to the overflow bucket
    histogram w(10, 4);
    for (int i = 0; i < 10; ++i) w.sample(25);
    CHECK(w.percentile(50) == 25);
    w.sample(1000);
    CHECK(w.percentile(100) == 1000);
}
