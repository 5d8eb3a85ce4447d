// dram: sockets called by hand, never sc_start.
#include <catch2/catch.hpp>

#include <cstring>
#include <vector>

#include "models/core/stats.h"
#include "models/memory/dram.h"
#include "tests/support/test_util.h"

using namespace vcmsim;
using memory::dram;
using memory::dram_config;

namespace {

double stat(const std::string& name) { return core::stats_registry::global().value(name); }

// The target's forward interface, called without an initiator (no elaboration needed).
tlm::tlm_fw_transport_if<>& fw(dram& m) {
    sc_core::sc_export<tlm::tlm_fw_transport_if<>>& ex = m.in;
    return *ex.operator->();
}

struct txn {
    tlm::tlm_generic_payload gp;
    std::vector<uint8_t> buf;
    txn(tlm::tlm_command cmd, uint64_t addr, size_t len, uint8_t fill = 0) : buf(len, fill) {
        gp.set_command(cmd);
        gp.set_address(addr);
        gp.set_data_ptr(buf.data());
        gp.set_data_length(static_cast<unsigned>(len));
        gp.set_streaming_width(static_cast<unsigned>(len));
        gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    }
};

// Default config: 1.6 GHz (625 ps), 40 cycles = 25 000 ps, 12.8 GB/s: 64 B = 5 000 ps.
constexpr core::ps_t lat_ps = 25000;
constexpr core::ps_t xfer64_ps = 5000;

}  // namespace

TEST_CASE("dram: one access costs latency plus len / bandwidth, data round-trips", "[memory]") {
    dram_config cfg;
    dram mem("mem_one", cfg);
    CHECK(dram::access_ps(cfg, 64) == lat_ps + xfer64_ps);
    CHECK(mem.latency_ps() == lat_ps);

    txn w(tlm::TLM_WRITE_COMMAND, 0x1000, 64);
    for (size_t i = 0; i < 64; ++i) w.buf[i] = static_cast<uint8_t>(i + 1);
    sc_core::sc_time delay = core::ps_to_time(1234);   // an existing offset is kept
    fw(mem).b_transport(w.gp, delay);
    REQUIRE(w.gp.get_response_status() == tlm::TLM_OK_RESPONSE);
    CHECK(core::time_to_ps(delay) == 1234 + lat_ps + xfer64_ps);
    CHECK(w.gp.is_dmi_allowed());

    // A later read (channel idle again) is uncontended: 100 bytes = 7 813 ps (rounded up).
    txn r(tlm::TLM_READ_COMMAND, 0x1000 - 36, 100, 0xEE);
    delay = core::ps_to_time(1000000);
    fw(mem).b_transport(r.gp, delay);
    REQUIRE(r.gp.get_response_status() == tlm::TLM_OK_RESPONSE);
    CHECK(core::time_to_ps(delay) == 1000000 + lat_ps + 7813);
    for (size_t i = 0; i < 36; ++i) REQUIRE(r.buf[i] == 0);
    for (size_t i = 0; i < 64; ++i) REQUIRE(r.buf[36 + i] == i + 1);

    CHECK(stat("mem_one.reads") == 1);
    CHECK(stat("mem_one.writes") == 1);
    CHECK(stat("mem_one.bytes_read") == 100);
    CHECK(stat("mem_one.bytes_written") == 64);
    CHECK(stat("mem_one.busy_ps") == xfer64_ps + 7813);
    CHECK(stat("mem_one.queue_wait_ps") == 0);
    CHECK(stat("mem_one.host_pages") == 1);
    CHECK(stat("mem_one.errors") == 0);
}

TEST_CASE("dram: requests at the same time queue on the channel", "[memory]") {
    dram mem("mem_queue", dram_config{});
    txn a(tlm::TLM_READ_COMMAND, 0, 64), b(tlm::TLM_WRITE_COMMAND, 0x4000, 64),
        c(tlm::TLM_READ_COMMAND, 0x8000, 64);
    sc_core::sc_time da = sc_core::SC_ZERO_TIME, db = sc_core::SC_ZERO_TIME;
    fw(mem).b_transport(a.gp, da);
    fw(mem).b_transport(b.gp, db);
    CHECK(core::time_to_ps(da) == lat_ps + xfer64_ps);
    CHECK(core::time_to_ps(db) == xfer64_ps + lat_ps + xfer64_ps);   // waits for a's transfer
    // Arriving 2 000 ps later: the channel frees at 10 000, so it waits 8 000.
    sc_core::sc_time dc = core::ps_to_time(2000);
    fw(mem).b_transport(c.gp, dc);
    CHECK(core::time_to_ps(dc) == 2000 + 8000 + lat_ps + xfer64_ps);
    CHECK(stat("mem_queue.queue_wait_ps") == 5000 + 8000);
    CHECK(stat("mem_queue.busy_ps") == 3 * xfer64_ps);
    CHECK(mem.channel().next_free() == 15000);
}

TEST_CASE("dram: unlimited bandwidth never queues", "[memory]") {
    dram_config cfg;
    cfg.bandwidth = 0;
    cfg.clock_hz = 1000000000;
    cfg.latency_cycles = 10;
    dram mem("mem_unlim", cfg);
    for (int i = 0; i < 3; ++i) {
        txn r(tlm::TLM_READ_COMMAND, 0, 4096);
        sc_core::sc_time d = sc_core::SC_ZERO_TIME;
        fw(mem).b_transport(r.gp, d);
        CHECK(core::time_to_ps(d) == 10000);
    }
}

TEST_CASE("dram: out-of-range and malformed requests get error responses", "[memory]") {
    test::allow_sc_warnings();
    dram_config cfg;
    cfg.size = 1 << 20;
    dram mem("mem_err", cfg);

    // Last 4 bytes plus 4 beyond: nothing written.
    txn w(tlm::TLM_WRITE_COMMAND, cfg.size - 4, 8, 0x77);
    sc_core::sc_time d = core::ps_to_time(500);
    fw(mem).b_transport(w.gp, d);
    CHECK(w.gp.get_response_status() == tlm::TLM_ADDRESS_ERROR_RESPONSE);
    CHECK(core::time_to_ps(d) == 500);
    CHECK(mem.store().pages_allocated() == 0);

    // A read crossing the end leaves the buffer alone.
    txn r(tlm::TLM_READ_COMMAND, cfg.size - 1, 2, 0xAB);
    mem.store().fill(cfg.size - 1, 0x11, 1);
    fw(mem).b_transport(r.gp, d);
    CHECK(r.gp.get_response_status() == tlm::TLM_ADDRESS_ERROR_RESPONSE);
    CHECK(r.buf == std::vector<uint8_t>{0xAB, 0xAB});

    txn far(tlm::TLM_READ_COMMAND, ~0ULL - 3, 8);   // offset + len wraps
    fw(mem).b_transport(far.gp, d);
    CHECK(far.gp.get_response_status() == tlm::TLM_ADDRESS_ERROR_RESPONSE);

    txn burst(tlm::TLM_WRITE_COMMAND, 0x100, 8, 0x55);
    burst.gp.set_streaming_width(4);
    fw(mem).b_transport(burst.gp, d);
    CHECK(burst.gp.get_response_status() == tlm::TLM_BURST_ERROR_RESPONSE);

    txn ign(tlm::TLM_IGNORE_COMMAND, 0x100, 8);
    fw(mem).b_transport(ign.gp, d);
    CHECK(ign.gp.get_response_status() == tlm::TLM_COMMAND_ERROR_RESPONSE);

    CHECK(core::time_to_ps(d) == 500);
    CHECK(stat("mem_err.errors") == 5);
    CHECK(stat("mem_err.reads") == 0);
    CHECK(stat("mem_err.writes") == 0);
    CHECK(mem.store().pages_allocated() == 1);   // only the fill above
    CHECK(mem.channel().busy_ps() == 0);
}

TEST_CASE("dram: byte enables select the bytes moved", "[memory]") {
    dram mem("mem_be", dram_config{});
    mem.store().fill(0x200, 0x11, 8);
    txn w(tlm::TLM_WRITE_COMMAND, 0x200, 8);
    for (size_t i = 0; i < 8; ++i) w.buf[i] = static_cast<uint8_t>(0xA0 + i);
    uint8_t be[4] = {0xFF, 0x00, 0x00, 0xFF};   // repeats every 4 bytes
    w.gp.set_byte_enable_ptr(be);
    w.gp.set_byte_enable_length(4);
    sc_core::sc_time d = sc_core::SC_ZERO_TIME;
    fw(mem).b_transport(w.gp, d);
    REQUIRE(w.gp.get_response_status() == tlm::TLM_OK_RESPONSE);
    uint8_t got[8];
    mem.store().read(0x200, got, 8);
    CHECK(std::vector<uint8_t>(got, got + 8) ==
          std::vector<uint8_t>{0xA0, 0x11, 0x11, 0xA3, 0xA4, 0x11, 0x11, 0xA7});

    txn r(tlm::TLM_READ_COMMAND, 0x200, 8, 0xEE);
    uint8_t be2[2] = {0x00, 0xFF};
    r.gp.set_byte_enable_ptr(be2);
    r.gp.set_byte_enable_length(2);
    fw(mem).b_transport(r.gp, d);
    CHECK(r.buf == std::vector<uint8_t>{0xEE, 0x11, 0xEE, 0xA3, 0xEE, 0x11, 0xEE, 0xA7});
}

TEST_CASE("dram: debug transport moves data without timing or stats", "[memory]") {
    dram_config cfg;
    cfg.size = 0x10000 + 8;
    dram mem("mem_dbg", cfg);
    txn w(tlm::TLM_WRITE_COMMAND, 0x10000, 16, 0x3C);   // 8 bytes beyond the end: clipped
    CHECK(fw(mem).transport_dbg(w.gp) == 8);
    CHECK(w.gp.get_response_status() == tlm::TLM_OK_RESPONSE);
    txn r(tlm::TLM_READ_COMMAND, 0xFFFC, 16, 0xEE);
    CHECK(fw(mem).transport_dbg(r.gp) == 12);
    CHECK(r.buf == std::vector<uint8_t>{0, 0, 0, 0, 0x3C, 0x3C, 0x3C, 0x3C, 0x3C, 0x3C, 0x3C, 0x3C,
                                        0xEE, 0xEE, 0xEE, 0xEE});
    txn out(tlm::TLM_READ_COMMAND, cfg.size, 4);
    CHECK(fw(mem).transport_dbg(out.gp) == 0);
    CHECK(out.gp.get_response_status() == tlm::TLM_ADDRESS_ERROR_RESPONSE);
    CHECK(stat("mem_dbg.reads") == 0);
    CHECK(stat("mem_dbg.writes") == 0);
    CHECK(stat("mem_dbg.errors") == 0);
    CHECK(mem.channel().busy_ps() == 0);
    CHECK(mem.channel().next_free() == 0);
}

TEST_CASE("dram: DMI grants the one host page holding the address", "[memory]") {
    dram_config cfg;
    cfg.size = 0x38000;   // last page is half a host page
    dram mem("mem_dmi", cfg);
    tlm::tlm_generic_payload gp;
    gp.set_command(tlm::TLM_READ_COMMAND);
    gp.set_address(0x12345);
    tlm::tlm_dmi dmi;
    REQUIRE(fw(mem).get_direct_mem_ptr(gp, dmi));
    CHECK(dmi.get_start_address() == 0x10000);
    CHECK(dmi.get_end_address() == 0x1FFFF);
    CHECK(dmi.is_read_write_allowed());
    CHECK(dmi.get_dmi_ptr() == mem.store().host_page(0x10000, false));
    CHECK(dmi.get_read_latency() == core::ps_to_time(lat_ps));
    CHECK(dmi.get_write_latency() == core::ps_to_time(lat_ps));
    CHECK(mem.store().pages_allocated() == 1);
    // A store through the pointer is seen by b_transport.
    dmi.get_dmi_ptr()[0x12345 - 0x10000] = 0x5D;
    txn r(tlm::TLM_READ_COMMAND, 0x12345, 1);
    sc_core::sc_time d = sc_core::SC_ZERO_TIME;
    fw(mem).b_transport(r.gp, d);
    CHECK(r.buf[0] == 0x5D);

    // The last, partial page ends at size - 1.
    gp.set_address(cfg.size - 1);
    tlm::tlm_dmi tail;
    REQUIRE(fw(mem).get_direct_mem_ptr(gp, tail));
    CHECK(tail.get_start_address() == 0x30000);
    CHECK(tail.get_end_address() == 0x37FFF);

    gp.set_address(cfg.size);
    tlm::tlm_dmi none;
    CHECK_FALSE(fw(mem).get_direct_mem_ptr(gp, none));
    CHECK(none.get_dmi_ptr() == nullptr);
    CHECK(stat("mem_dmi.dmi_grants") == 2);

    dram_config nodmi;
    nodmi.dmi = false;
    dram mem2("mem_nodmi", nodmi);
    gp.set_address(0);
    tlm::tlm_dmi d2;
    CHECK_FALSE(fw(mem2).get_direct_mem_ptr(gp, d2));
    CHECK(mem2.store().pages_allocated() == 0);
    txn w(tlm::TLM_WRITE_COMMAND, 0, 4);
    fw(mem2).b_transport(w.gp, d);
    CHECK_FALSE(w.gp.is_dmi_allowed());
}

TEST_CASE("dram: past host_memory_limit a write to a new page is an error, never an allocation", "[memory]") {
    test::allow_sc_warnings();
    dram_config cfg;
    cfg.size = 1ULL << 36;                      // 64 GiB of simulated memory
    cfg.host_memory_limit = 2 * memory::sparse_memory::host_page_size;   // two host pages
    dram mem("mem_cap", cfg);
    txn w0(tlm::TLM_WRITE_COMMAND, 0x0, 64, 0x11);
    txn w1(tlm::TLM_WRITE_COMMAND, 0x100000, 64, 0x22);
    txn w2(tlm::TLM_WRITE_COMMAND, 0x200000, 64, 0x33);
    sc_core::sc_time d = sc_core::SC_ZERO_TIME;
    fw(mem).b_transport(w0.gp, d);
    fw(mem).b_transport(w1.gp, d);
    CHECK(w1.gp.get_response_status() == tlm::TLM_OK_RESPONSE);
    const double errors0 = stat("mem_cap.errors");
    fw(mem).b_transport(w2.gp, d);
    CHECK(w2.gp.get_response_status() == tlm::TLM_GENERIC_ERROR_RESPONSE);
    CHECK(stat("mem_cap.errors") == errors0 + 1);
    CHECK(mem.store().pages_allocated() == 2);
    // Reads of untouched memory still work (zeros), and so do writes to the existing pages.
    txn r(tlm::TLM_READ_COMMAND, 0x300000, 8, 0xEE);
    fw(mem).b_transport(r.gp, d);
    CHECK(r.gp.get_response_status() == tlm::TLM_OK_RESPONSE);
    CHECK(r.buf == std::vector<uint8_t>(8, 0));
    txn w3(tlm::TLM_WRITE_COMMAND, 0x40, 8, 0x44);
    fw(mem).b_transport(w3.gp, d);
    CHECK(w3.gp.get_response_status() == tlm::TLM_OK_RESPONSE);
    // No DMI pointer for a page that cannot be allocated; debug writes fail too.
    tlm::tlm_dmi dmi;
    txn q(tlm::TLM_READ_COMMAND, 0x400000, 4);
    CHECK_FALSE(fw(mem).get_direct_mem_ptr(q.gp, dmi));
    CHECK(dmi.get_dmi_ptr() == nullptr);
    txn dbg(tlm::TLM_WRITE_COMMAND, 0x500000, 8, 0x55);
    CHECK(fw(mem).transport_dbg(dbg.gp) == 0);
    CHECK(dbg.gp.get_response_status() == tlm::TLM_GENERIC_ERROR_RESPONSE);
}
