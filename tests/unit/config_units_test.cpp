#include <catch2/catch.hpp>

#include "platforms/config/param_registry.h"

using namespace vcmsim::platform;

namespace {

uint64_t size_of(const std::string& s) {
    uint64_t v = 0;
    std::string err;
    INFO(s);
    REQUIRE(parse_size(s, v, err));
    CHECK(err.empty());
    return v;
}

std::string size_err(const std::string& s) {
    uint64_t v = 12345;
    std::string err;
    INFO(s);
    CHECK_FALSE(parse_size(s, v, err));
    CHECK(v == 12345);  // untouched on error
    return err;
}

template <typename F>
uint64_t ok(F f, const std::string& s) {
    uint64_t v = 0;
    std::string err;
    INFO(s << ": " << err);
    REQUIRE(f(s, v, err));
    return v;
}

template <typename F>
std::string bad(F f, const std::string& s) {
    uint64_t v = 0;
    std::string err;
    INFO(s);
    CHECK_FALSE(f(s, v, err));
    CHECK_FALSE(err.empty());
    return err;
}

}  // namespace

TEST_CASE("config units: sizes", "[config][units]") {
    CHECK(size_of("4096") == 4096);
    CHECK(size_of("0") == 0);
    CHECK(size_of("4KiB") == 4096);
    CHECK(size_of("4 KiB") == 4096);
    CHECK(size_of("2MiB") == 2u << 20);
    CHECK(size_of("1GiB") == 1ull << 30);
    CHECK(size_of("1TiB") == 1ull << 40);
    CHECK(size_of("4KB") == 4000);
    CHECK(size_of("4kB") == 4000);
    CHECK(size_of("3MB") == 3000000);
    CHECK(size_of("1.5KiB") == 1536);
    CHECK(size_of("0.5MiB") == 512 * 1024);
    CHECK(size_of("1.50000000000000000000000KiB") == 1536);
    CHECK(size_of("100B") == 100);
    CHECK(size_of("1_000") == 1000);
    CHECK(size_of("0x1000") == 4096);
    CHECK(size_of("15EiB") == 15ull << 60);
    CHECK(size_of("18446744073709551615") == UINT64_MAX);

    CHECK(size_err("1.3KiB").find("not a whole number of bytes") != std::string::npos);
    CHECK(size_err("-1KiB").find("must not be negative") != std::string::npos);
    CHECK(size_err("4QB").find("unknown unit 'QB'") != std::string::npos);
    CHECK(size_err("").find("empty size") != std::string::npos);
    CHECK(size_err("KiB").find("expected a number") != std::string::npos);
    CHECK(size_err("1.KiB").find("expected a number") != std::string::npos);
    CHECK(size_err("16EiB").find("does not fit in 64 bits") != std::string::npos);
    CHECK(size_err("18446744073709551616").find("does not fit in 64 bits") != std::string::npos);
    CHECK(size_err("99999999999999999999999999999999999999999999TiB").find("does not fit") !=
          std::string::npos);
    CHECK(size_err("0x1_0000_0000_0000_0000").find("does not fit in 64 bits") != std::string::npos);
    CHECK(size_err("1.0000000000000000000001KiB").find("too many decimals") != std::string::npos);
    CHECK(size_err("4 K i B").find("unknown unit") != std::string::npos);
    CHECK(size_err("1e3").find("unknown unit 'e3'") != std::string::npos);
}

TEST_CASE("config units: times in picoseconds", "[config][units]") {
    CHECK(ok(parse_time_ps, "42") == 42);
    CHECK(ok(parse_time_ps, "250ps") == 250);
    CHECK(ok(parse_time_ps, "100ns") == 100000);
    CHECK(ok(parse_time_ps, "1.5us") == 1500000);
    CHECK(ok(parse_time_ps, "2ms") == 2000000000ull);
    CHECK(ok(parse_time_ps, "1s") == 1000000000000ull);
    CHECK(ok(parse_time_ps, "0.001ns") == 1);
    CHECK(bad(parse_time_ps, "1.5ps").find("not a whole number of picoseconds") != std::string::npos);
    CHECK(bad(parse_time_ps, "5min").find("unknown unit 'min'") != std::string::npos);
    CHECK(bad(parse_time_ps, "-3ns").find("negative") != std::string::npos);
    CHECK(bad(parse_time_ps, "20000000s").find("does not fit") != std::string::npos);
}

TEST_CASE("config units: frequencies and bandwidths", "[config][units]") {
    CHECK(ok(parse_frequency, "1GHz") == 1000000000ull);
    CHECK(ok(parse_frequency, "800MHz") == 800000000ull);
    CHECK(ok(parse_frequency, "32kHz") == 32000);
    CHECK(ok(parse_frequency, "1.5GHz") == 1500000000ull);
    CHECK(ok(parse_frequency, "1000000") == 1000000);
    CHECK(ok(parse_frequency, "50Hz") == 50);
    CHECK(bad(parse_frequency, "2GBz").find("unknown unit") != std::string::npos);
    CHECK(bad(parse_frequency, "0.5Hz").find("whole number") != std::string::npos);

    CHECK(ok(parse_bandwidth, "12.8GB/s") == 12800000000ull);
    CHECK(ok(parse_bandwidth, "16GiB/s") == 16ull << 30);
    CHECK(ok(parse_bandwidth, "100MB/s") == 100000000ull);
    CHECK(ok(parse_bandwidth, "1000") == 1000);
    CHECK(ok(parse_bandwidth, "64B/s") == 64);
    CHECK(bad(parse_bandwidth, "5GB").find("unknown unit 'GB'") != std::string::npos);
}

TEST_CASE("config units: unsigned integer text, decimal and hex", "[config][units]") {
    CHECK(ok(parse_uint_text, "0xffff_8000_0000_0000") == 0xffff800000000000ull);
    CHECK(ok(parse_uint_text, "0XFF") == 255);
    CHECK(ok(parse_uint_text, "18446744073709551615") == UINT64_MAX);
    CHECK(ok(parse_uint_text, "1_000_000") == 1000000);
    CHECK(bad(parse_uint_text, "18446744073709551616").find("does not fit in 64 bits") != std::string::npos);
    CHECK(bad(parse_uint_text, "0x1_0000_0000_0000_0000").find("does not fit") != std::string::npos);
    CHECK(bad(parse_uint_text, "-1").find("negative") != std::string::npos);
    CHECK(bad(parse_uint_text, "12a").find("not an unsigned integer") != std::string::npos);
    CHECK(bad(parse_uint_text, "0x").find("not an unsigned integer") != std::string::npos);
    CHECK(bad(parse_uint_text, "1__0").find("not an unsigned integer") != std::string::npos);
}

TEST_CASE("config units: formatting is exact and parses back", "[config][units]") {
    CHECK(format_size(4096) == "4KiB");
    CHECK(format_size(2u << 20) == "2MiB");
    CHECK(format_size(1000) == "1000B");
    CHECK(format_size(1536) == "1536B");
    CHECK(format_size(0) == "0B");
    CHECK(format_size(3ull << 40) == "3TiB");
    CHECK(format_time_ps(100000) == "100ns");
    CHECK(format_time_ps(1500000) == "1.5us");
    CHECK(format_time_ps(250) == "250ps");
    CHECK(format_time_ps(0) == "0ps");
    CHECK(format_time_ps(1000000000000ull) == "1s");
    CHECK(format_time_ps(1234567) == "1234.567ns");
    CHECK(format_frequency(800000000) == "800MHz");
    CHECK(format_frequency(32768) == "32.768kHz");
    CHECK(format_frequency(7) == "7Hz");
    CHECK(format_bandwidth(12800000000ull) == "12.8GB/s");
    CHECK(format_bandwidth(16ull << 30) == "16GiB/s");
    CHECK(format_bandwidth(12345) == "12345B/s");
    CHECK(format_bandwidth(12800000) == "12.8MB/s");

    const uint64_t samples[] = {0, 1, 999, 1000, 1024, 1536, 4096, 1234567, 123456789012345ull,
                                1ull << 40, UINT64_MAX, UINT64_MAX - 1};
    for (uint64_t v : samples) {
        INFO(v);
        CHECK(ok(parse_size, format_size(v)) == v);
        CHECK(ok(parse_time_ps, format_time_ps(v)) == v);
        CHECK(ok(parse_frequency, format_frequency(v)) == v);
        CHECK(ok(parse_bandwidth, format_bandwidth(v)) == v);
    }
}
