// Register files of the display controller and the traffic generator: reset values, writable
// masks, read-only and W1C behaviour, error responses. Sockets called by hand, no sc_start.
#include <catch2/catch.hpp>

#include <systemc>
#include <tlm>

#include "models/devices/display.h"
#include "models/devices/traffic_gen.h"
#include "tests/support/test_util.h"

using namespace vcmsim::devices;

namespace {
// The forward interface behind a target socket (operator-> of a target socket is its bw port).
template <typename Socket> tlm::tlm_fw_transport_if<>* fw(Socket& s) {
    auto* f = dynamic_cast<tlm::tlm_fw_transport_if<>*>(s.get_base_export().get_interface());
    REQUIRE(f);
    return f;
}
template <typename Socket>
tlm::tlm_response_status access(Socket& s, tlm::tlm_command cmd, uint64_t addr, uint32_t& v) {
    tlm::tlm_generic_payload p;
    p.set_command(cmd);
    p.set_address(addr);
    p.set_data_ptr(reinterpret_cast<unsigned char*>(&v));
    p.set_data_length(4);
    p.set_streaming_width(4);
    p.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    sc_core::sc_time d = sc_core::SC_ZERO_TIME;
    fw(s)->b_transport(p, d);
    return p.get_response_status();
}
template <typename Socket> uint32_t rd(Socket& s, uint64_t addr) {
    uint32_t v = 0xdeadbeef;
    REQUIRE(access(s, tlm::TLM_READ_COMMAND, addr, v) == tlm::TLM_OK_RESPONSE);
    return v;
}
template <typename Socket> void wr(Socket& s, uint64_t addr, uint32_t v) {
    REQUIRE(access(s, tlm::TLM_WRITE_COMMAND, addr, v) == tlm::TLM_OK_RESPONSE);
}
template <typename Socket> uint32_t dbg(Socket& s, uint64_t addr) {
    uint32_t v = 0xdeadbeef;
    tlm::tlm_generic_payload p;
    p.set_command(tlm::TLM_READ_COMMAND);
    p.set_address(addr);
    p.set_data_ptr(reinterpret_cast<unsigned char*>(&v));
    p.set_data_length(4);
    p.set_streaming_width(4);
    REQUIRE(fw(s)->transport_dbg(p) == 4);
    return v;
}
}  // namespace

TEST_CASE("display registers reset to the config values", "[devices][display]") {
    display_config c;
    c.width = 640;
    c.height = 480;
    c.bytes_per_pixel = 2;
    c.fb_base = 0x123456000ULL;
    c.stride = 2048;
    display d("disp_reset", c);
    auto& s = d.mmio;
    CHECK(dbg(s, display::CTRL) == 0);
    CHECK(dbg(s, display::STATUS) == 0);
    CHECK(dbg(s, display::FB_BASE_LO) == 0x23456000u);
    CHECK(dbg(s, display::FB_BASE_HI) == 0x1u);
    CHECK(dbg(s, display::WIDTH) == 640);
    CHECK(dbg(s, display::HEIGHT) == 480);
    CHECK(dbg(s, display::STRIDE) == 2048);
    CHECK(dbg(s, display::BPP) == 2);
    CHECK(dbg(s, display::FRAME_COUNT) == 0);
    CHECK(dbg(s, display::UNDERRUN_COUNT) == 0);
    CHECK(dbg(s, display::IRQ_STATUS) == 0);
    CHECK(dbg(s, display::IRQ_ENABLE) == 0);
    CHECK(d.frame_period_ps() == 16666666667ULL);  // round(1e12 / 60) ps
}

TEST_CASE("display with enable_at_start resets CTRL.ENABLE and STATUS.running",
          "[devices][display]") {
    display_config c;
    c.enable_at_start = true;
    display d("disp_en", c);
    CHECK(dbg(d.mmio, display::CTRL) == display::CTRL_ENABLE);
    CHECK(dbg(d.mmio, display::STATUS) == display::STATUS_RUNNING);
}

TEST_CASE("display register masks: RW fields, read-only counters, W1C status",
          "[devices][display]") {
    display d("disp_mask", display_config{});
    auto& s = d.mmio;
    const uint32_t ones = 0xFFFFFFFFu;
    wr(s, display::FB_BASE_LO, ones);
    wr(s, display::FB_BASE_HI, ones);
    wr(s, display::WIDTH, ones);
    wr(s, display::HEIGHT, ones);
    wr(s, display::STRIDE, ones);
    wr(s, display::BPP, ones);
    wr(s, display::FRAME_COUNT, ones);
    wr(s, display::UNDERRUN_COUNT, ones);
    wr(s, display::STATUS, ones);
    wr(s, display::IRQ_STATUS, ones);
    wr(s, display::IRQ_ENABLE, ones);
    CHECK(rd(s, display::FB_BASE_LO) == ones);
    CHECK(rd(s, display::FB_BASE_HI) == ones);
    CHECK(rd(s, display::WIDTH) == 0xFFFFu);
    CHECK(rd(s, display::HEIGHT) == 0xFFFFu);
    CHECK(rd(s, display::STRIDE) == ones);
    CHECK(rd(s, display::BPP) == 0xFu);
    CHECK(rd(s, display::FRAME_COUNT) == 0);
    CHECK(rd(s, display::UNDERRUN_COUNT) == 0);
    CHECK(rd(s, display::STATUS) == 0);
    CHECK(rd(s, display::IRQ_STATUS) == 0);
    CHECK(rd(s, display::IRQ_ENABLE) == 0x7u);
    // ENABLE is the only CTRL bit; enabling sets STATUS.running at once, disabling clears it.
    wr(s, display::CTRL, ones);
    CHECK(rd(s, display::CTRL) == 1u);
    CHECK(rd(s, display::STATUS) == display::STATUS_RUNNING);
    wr(s, display::CTRL, 0);
    CHECK(rd(s, display::CTRL) == 0u);
    CHECK(rd(s, display::STATUS) == 0u);
}

TEST_CASE("display answers unmapped and oversized register accesses with errors",
          "[devices][display]") {
    vcmsim::test::allow_sc_warnings();
    display d("disp_err", display_config{});
    uint32_t v = 0;
    CHECK(access(d.mmio, tlm::TLM_READ_COMMAND, 0x30, v) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
    CHECK(access(d.mmio, tlm::TLM_WRITE_COMMAND, 0x100, v) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
    uint8_t big[16] = {};
    tlm::tlm_generic_payload p;
    p.set_command(tlm::TLM_READ_COMMAND);
    p.set_address(0);
    p.set_data_ptr(big);
    p.set_data_length(16);
    p.set_streaming_width(16);
    sc_core::sc_time t = sc_core::SC_ZERO_TIME;
    fw(d.mmio)->b_transport(p, t);
    CHECK(p.get_response_status() == tlm::TLM_BURST_ERROR_RESPONSE);
}

TEST_CASE("display rejects an impossible config", "[devices][display]") {
    display_config c;
    c.fifo_lines = 0;
    CHECK_THROWS_AS(display("disp_bad1", c), std::invalid_argument);
    display_config c2;
    c2.refresh_hz = 0;
    CHECK_THROWS_AS(display("disp_bad2", c2), std::invalid_argument);
}

TEST_CASE("traffic_gen registers: reset values and masks", "[devices][traffic_gen]") {
    traffic_gen_config c;
    c.autostart = false;
    traffic_gen g("tg_regs", c);
    auto& s = g.mmio;
    CHECK(dbg(s, traffic_gen::CTRL) == 0);
    CHECK(dbg(s, traffic_gen::STATUS) == 0);
    CHECK(dbg(s, traffic_gen::COUNT) == 0);
    CHECK(dbg(s, traffic_gen::ERROR_COUNT) == 0);
    // IRQ_ENABLE is RW; writing 0 to START does nothing; counters are read-only; STATUS bits
    // are W1C or read-only, so writing ones leaves an idle generator at 0.
    wr(s, traffic_gen::CTRL, traffic_gen::CTRL_IRQ_ENABLE);
    CHECK(rd(s, traffic_gen::CTRL) == traffic_gen::CTRL_IRQ_ENABLE);
    wr(s, traffic_gen::COUNT, 0xFFFFFFFFu);
    wr(s, traffic_gen::ERROR_COUNT, 0xFFFFFFFFu);
    wr(s, traffic_gen::STATUS, 0xFFFFFFFFu);
    CHECK(rd(s, traffic_gen::COUNT) == 0);
    CHECK(rd(s, traffic_gen::ERROR_COUNT) == 0);
    CHECK(rd(s, traffic_gen::STATUS) == 0);
    // START reads as 0 and makes the generator busy; BUSY is not writable.
    wr(s, traffic_gen::CTRL, 0xFFFFFFFFu);
    CHECK(rd(s, traffic_gen::CTRL) == traffic_gen::CTRL_IRQ_ENABLE);
    CHECK(rd(s, traffic_gen::STATUS) == traffic_gen::STATUS_BUSY);
    wr(s, traffic_gen::STATUS, 0xFFFFFFFFu);
    CHECK(rd(s, traffic_gen::STATUS) == traffic_gen::STATUS_BUSY);
}

TEST_CASE("traffic_gen with autostart is busy from reset", "[devices][traffic_gen]") {
    traffic_gen g("tg_auto", traffic_gen_config{});
    CHECK(dbg(g.mmio, traffic_gen::STATUS) == traffic_gen::STATUS_BUSY);
}

TEST_CASE("traffic_gen rejects an impossible config", "[devices][traffic_gen]") {
    traffic_gen_config c;
    c.read_percent = 101;
    CHECK_THROWS_AS(traffic_gen("tg_bad1", c), std::invalid_argument);
    traffic_gen_config c2;
    c2.txn_bytes = 0;
    CHECK_THROWS_AS(traffic_gen("tg_bad2", c2), std::invalid_argument);
    traffic_gen_config c3;
    c3.trace.push_back({0, true, 0x100, 0, 0});
    CHECK_THROWS_AS(traffic_gen("tg_bad3", c3), std::invalid_argument);
}
