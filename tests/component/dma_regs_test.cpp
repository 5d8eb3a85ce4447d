// Component tests of dma_engine's register interface: the mmio socket is called by hand,
// the kernel is never started.
#include <catch2/catch.hpp>

#include <cstring>
#include <stdexcept>

#include "models/core/stats.h"
#include "models/dma/dma_engine.h"
#include "tests/support/test_util.h"

using namespace vcmsim;
using namespace vcmsim::dma;

namespace {

// The engine's forward interface, as an initiator bound to `mmio` would reach it.
tlm::tlm_fw_transport_if<>& fw(dma_engine& d) { return *d.mmio.get_base_export().operator->(); }

struct mmio_port {
    dma_engine& dev;
    tlm::tlm_response_status status = tlm::TLM_INCOMPLETE_RESPONSE;
    sc_core::sc_time delay = sc_core::SC_ZERO_TIME;

    tlm::tlm_response_status access(tlm::tlm_command cmd, uint64_t off, uint8_t* d, unsigned len) {
        tlm::tlm_generic_payload p;
        p.set_command(cmd);
        p.set_address(off);
        p.set_data_ptr(d);
        p.set_data_length(len);
        p.set_streaming_width(len);
        p.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
        delay = sc_core::SC_ZERO_TIME;
        fw(dev).b_transport(p, delay);
        status = p.get_response_status();
        return status;
    }
    uint32_t rd(uint64_t off) {
        uint8_t d[4] = {};
        access(tlm::TLM_READ_COMMAND, off, d, 4);
        uint32_t v;
        std::memcpy(&v, d, 4);
        return v;
    }
    tlm::tlm_response_status wr(uint64_t off, uint32_t v) {
        uint8_t d[4];
        std::memcpy(d, &v, 4);
        return access(tlm::TLM_WRITE_COMMAND, off, d, 4);
    }
};

uint32_t rd_state(mmio_port& m, unsigned ch) { return m.rd(dma_reg::ch(ch, dma_reg::status)) & 0xF; }

}  // namespace

TEST_CASE("dma regs: descriptor layout is 32 little-endian bytes", "[dma]") {
    dma_descriptor d;
    d.src = 0x1122334455667788ULL;
    d.dst = 0x0102030405060708ULL;
    d.len = 0xA1B2C3D4;
    d.flags = 1;
    d.next = 0x8000000000000020ULL;
    uint8_t b[32];
    d.encode(b);
    CHECK(b[0] == 0x88);
    CHECK(b[7] == 0x11);
    CHECK(b[8] == 0x08);
    CHECK(b[0x10] == 0xD4);
    CHECK(b[0x13] == 0xA1);
    CHECK(b[0x14] == 0x01);
    CHECK(b[0x18] == 0x20);
    CHECK(b[0x1F] == 0x80);
    const dma_descriptor e = dma_descriptor::decode(b);
    CHECK(e.src == d.src);
    CHECK(e.dst == d.dst);
    CHECK(e.len == d.len);
    CHECK(e.flags == d.flags);
    CHECK(e.next == d.next);
    CHECK(e.irq());
    CHECK_FALSE(e.reserved_flags_set());
    dma_descriptor f = e;
    f.flags = 0x80000000;
    CHECK(f.reserved_flags_set());
    CHECK(std::string(dma_error_name(dma_error::loop)) == "LOOP");
}

TEST_CASE("dma regs: reset values", "[dma]") {
    dma_config cfg;
    cfg.channels = 3;
    dma_engine dev("dma_reset", cfg);
    mmio_port m{dev};
    CHECK(m.rd(dma_reg::id) == 0x444D4131);
    CHECK(m.status == tlm::TLM_OK_RESPONSE);
    CHECK(m.delay == sc_core::sc_time(1, sc_core::SC_NS));  // one DMA cycle per access
    CHECK(m.rd(dma_reg::num_channels) == 3);
    CHECK(m.rd(dma_reg::irq_status) == 0);
    CHECK(m.rd(dma_reg::irq_enable) == 0);
    for (unsigned ch = 0; ch < 3; ++ch) {
        for (uint64_t off = 0; off <= dma_reg::desc_done; off += 4) {
            INFO("channel " << ch << " offset " << off);
            CHECK(m.rd(dma_reg::ch(ch, off)) == 0);
            CHECK(m.status == tlm::TLM_OK_RESPONSE);
        }
        CHECK(dev.state(ch) == dma_state::idle);
    }
}

TEST_CASE("dma regs: write masks and read-only registers", "[dma]") {
    dma_config cfg;
    cfg.channels = 5;
    dma_engine dev("dma_masks", cfg);
    mmio_port m{dev};
    m.wr(dma_reg::id, 0);
    m.wr(dma_reg::num_channels, 77);
    CHECK(m.rd(dma_reg::id) == 0x444D4131);
    CHECK(m.rd(dma_reg::num_channels) == 5);
    m.wr(dma_reg::irq_enable, 0xFFFFFFFF);
    CHECK(m.rd(dma_reg::irq_enable) == 0x1F);  // one bit per channel
    m.wr(dma_reg::irq_status, 0xFFFFFFFF);     // W1C: writing ones to clear bits sets nothing
    CHECK(m.rd(dma_reg::irq_status) == 0);
    const unsigned ch = 4;
    m.wr(dma_reg::ch(ch, dma_reg::desc_lo), 0xDEADBEE0);
    m.wr(dma_reg::ch(ch, dma_reg::desc_hi), 0x12345678);
    CHECK(m.rd(dma_reg::ch(ch, dma_reg::desc_lo)) == 0xDEADBEE0);
    CHECK(m.rd(dma_reg::ch(ch, dma_reg::desc_hi)) == 0x12345678);
    for (uint64_t off : {dma_reg::status, dma_reg::cur_desc_lo, dma_reg::cur_desc_hi,
                         dma_reg::bytes_done_lo, dma_reg::bytes_done_hi, dma_reg::desc_done}) {
        m.wr(dma_reg::ch(ch, off), 0xFFFFFFFF);
        INFO("offset " << off);
        CHECK(m.status == tlm::TLM_OK_RESPONSE);
        CHECK(m.rd(dma_reg::ch(ch, off)) == 0);
    }
    // 64-bit access covering DESC_LO and DESC_HI
    uint8_t d[8];
    const uint64_t v = 0x0000000180000040ULL;
    std::memcpy(d, &v, 8);
    CHECK(m.access(tlm::TLM_WRITE_COMMAND, dma_reg::ch(1, dma_reg::desc_lo), d, 8) ==
          tlm::TLM_OK_RESPONSE);
    CHECK(m.rd(dma_reg::ch(1, dma_reg::desc_lo)) == 0x80000040);
    CHECK(m.rd(dma_reg::ch(1, dma_reg::desc_hi)) == 0x1);
    // ABORT on an idle channel changes nothing; CTRL reads 0
    m.wr(dma_reg::ch(1, dma_reg::ctrl), dma_reg::ctrl_abort);
    CHECK(m.rd(dma_reg::ch(1, dma_reg::ctrl)) == 0);
    CHECK(rd_state(m, 1) == 0);
}

TEST_CASE("dma regs: unmapped offsets and unsupported accesses are error responses", "[dma]") {
    vcmsim::test::allow_sc_warnings();
    dma_config cfg;
    cfg.channels = 2;
    dma_engine dev("dma_unmapped", cfg);
    mmio_port m{dev};
    for (uint64_t off : {uint64_t{0x010}, uint64_t{0x0FC}, dma_reg::ch(0, 0x24), dma_reg::ch(1, 0x3C),
                         dma_reg::ch(2, dma_reg::ctrl) /* channel 2 does not exist */,
                         uint64_t{0xFFC}, uint64_t{0x1000}, uint64_t{0xFFFFFFFFFFFFFFF0ULL}}) {
        INFO("offset " << std::hex << off);
        CHECK(m.wr(off, 1) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
        uint8_t d[4];
        CHECK(m.access(tlm::TLM_READ_COMMAND, off, d, 4) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
    }
    uint8_t big[16] = {};
    CHECK(m.access(tlm::TLM_READ_COMMAND, 0, big, 16) == tlm::TLM_BURST_ERROR_RESPONSE);
    tlm::tlm_generic_payload p;
    uint8_t be[4] = {0xFF, 0, 0xFF, 0};
    p.set_command(tlm::TLM_WRITE_COMMAND);
    p.set_address(dma_reg::irq_enable);
    p.set_data_ptr(big);
    p.set_data_length(4);
    p.set_streaming_width(4);
    p.set_byte_enable_ptr(be);
    p.set_byte_enable_length(4);
    sc_core::sc_time t = sc_core::SC_ZERO_TIME;
    fw(dev).b_transport(p, t);
    CHECK(p.get_response_status() == tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE);
    // debug transport reads without side effects, refuses writes and unmapped windows
    tlm::tlm_generic_payload q;
    uint8_t id[4] = {};
    q.set_command(tlm::TLM_READ_COMMAND);
    q.set_address(dma_reg::id);
    q.set_data_ptr(id);
    q.set_data_length(4);
    q.set_streaming_width(4);
    CHECK(fw(dev).transport_dbg(q) == 4);
    CHECK(id[0] == 0x31);
    q.set_command(tlm::TLM_WRITE_COMMAND);
    CHECK(fw(dev).transport_dbg(q) == 0);
}

TEST_CASE("dma regs: START makes the channel BUSY and a second START is ignored", "[dma]") {
    vcmsim::test::allow_sc_warnings();
    dma_config cfg;
    cfg.channels = 2;
    dma_engine dev("dma_start", cfg);
    mmio_port m{dev};
    m.wr(dma_reg::ch(1, dma_reg::desc_lo), 0x80001000);
    m.wr(dma_reg::ch(1, dma_reg::desc_hi), 0x2);
    m.wr(dma_reg::ch(1, dma_reg::ctrl), dma_reg::ctrl_start);
    CHECK(m.status == tlm::TLM_OK_RESPONSE);
    CHECK(rd_state(m, 1) == 1);  // BUSY as soon as the doorbell is written
    CHECK(m.rd(dma_reg::ch(1, dma_reg::cur_desc_lo)) == 0x80001000);
    CHECK(m.rd(dma_reg::ch(1, dma_reg::cur_desc_hi)) == 0x2);
    CHECK(m.rd(dma_reg::ch(1, dma_reg::ctrl)) == 0);  // self-clearing
    CHECK(rd_state(m, 0) == 0);                       // other channel untouched
    const uint64_t warnings = core::warning_count();
    m.wr(dma_reg::ch(1, dma_reg::desc_lo), 0x80002000);
    m.wr(dma_reg::ch(1, dma_reg::ctrl), dma_reg::ctrl_start);  // ignored with a warning
    CHECK(core::warning_count() == warnings + 1);
    CHECK(m.rd(dma_reg::ch(1, dma_reg::cur_desc_lo)) == 0x80001000);  // not re-latched
    CHECK(dev.state(1) == dma_state::busy);
}

TEST_CASE("dma regs: stats are registered per channel and per engine", "[dma]") {
    dma_config cfg;
    cfg.channels = 2;
    dma_engine dev("dma_stats", cfg);
    auto& reg = core::stats_registry::global();
    for (const char* s : {"dma_stats.bytes", "dma_stats.transfer_time", "dma_stats.ch0.bytes",
                          "dma_stats.ch1.bursts", "dma_stats.ch1.descriptors",
                          "dma_stats.ch0.errors", "dma_stats.ch1.busy_ps"}) {
        INFO(s);
        CHECK(reg.find(s) != nullptr);
    }
    CHECK(reg.find("dma_stats.ch2.bytes") == nullptr);
}

TEST_CASE("dma regs: invalid configurations are rejected", "[dma]") {
    auto bad = [](auto mutate) {
        dma_config c;
        mutate(c);
        return c;
    };
    CHECK_THROWS_AS(validate(bad([](dma_config& c) { c.channels = 0; })), std::invalid_argument);
    CHECK_THROWS_AS(validate(bad([](dma_config& c) { c.channels = 17; })), std::invalid_argument);
    CHECK_THROWS_AS(validate(bad([](dma_config& c) { c.burst_bytes = 96; })), std::invalid_argument);
    CHECK_THROWS_AS(validate(bad([](dma_config& c) { c.burst_bytes = 8192; })), std::invalid_argument);
    CHECK_THROWS_AS(validate(bad([](dma_config& c) { c.max_outstanding = 65; })), std::invalid_argument);
    CHECK_THROWS_AS(validate(bad([](dma_config& c) { c.clock_hz = 0; })), std::invalid_argument);
    CHECK_THROWS_AS(validate(bad([](dma_config& c) { c.max_chain = 0; })), std::invalid_argument);
    CHECK_NOTHROW(validate(dma_config{}));
}
