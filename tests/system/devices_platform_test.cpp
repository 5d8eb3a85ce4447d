// Display controller and traffic generator on a small platform: router + DRAM + device.
// One sc_start per TEST_CASE (each runs in its own process under CTest).
//
// Expected values follow the formulas in docs/models/devices.md. With the router's hop h,
// the DRAM latency A_d and the channel time x of one burst, an uncontended burst issued at t
// completes at t + h + A_d + x; bursts queue on the DRAM channel behind each other's x.
#include <catch2/catch.hpp>

#include <functional>

#include <memory>
#include <vector>

#include <systemc>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/tlm_quantumkeeper.h>

#include "models/devices/display.h"
#include "models/devices/traffic_gen.h"
#include "models/interconnect/router.h"
#include "models/memory/dram.h"
#include "tests/support/test_util.h"

using namespace vcmsim;
using devices::display;
using devices::traffic_gen;
using sc_core::sc_time_stamp;

namespace {
constexpr uint64_t dram_base = 0x80000000ULL;
constexpr uint64_t dram_size = 1ULL << 20;
constexpr uint64_t mmio_base = 0x10000000ULL;
constexpr uint64_t ns = 1000;  // ps

void require_fresh_kernel() {
    REQUIRE(sc_core::sc_get_status() == sc_core::SC_ELABORATION);
}

// router (hop 2 ns) with DRAM at dram_base and the device's registers at mmio_base; the
// device's `out` binds to router.in.
struct platform {
    interconnect::router bus;
    memory::dram mem;
    sc_core::sc_signal<bool> irq{"irq"};
    explicit platform(const memory::dram_config& mc)
        : bus("bus", interconnect::router_config{}), mem("dram", mc) {
        bus.out.bind(mem.in);
        bus.add_route("dram", core::addr_range{dram_base, dram_size}, 0);
        bus.add_route("dev", core::addr_range{mmio_base, 0x1000}, 1);
    }
    template <typename Device> void attach(Device& d) {
        d.out.bind(bus.in);
        bus.out.bind(d.mmio);
        d.irq.bind(irq);
    }
};

memory::dram_config dram_cfg(uint64_t bandwidth, uint64_t latency_cycles = 40) {
    memory::dram_config c;
    c.size = dram_size;
    c.bandwidth = bandwidth;
    c.latency_cycles = latency_cycles;
    c.dmi = false;
    return c;
}

// 64x16 pixels at 4 bytes: 256-byte lines read as four 64-byte bursts; 625 kHz refresh gives
// a 1.6 us frame and a 100 ns line period. Three frames, running from time 0.
devices::display_config small_display() {
    devices::display_config c;
    c.width = 64;
    c.height = 16;
    c.bytes_per_pixel = 4;
    c.refresh_hz = 625000.0;
    c.burst_bytes = 64;
    c.max_outstanding = 8;
    c.fifo_lines = 2;
    c.fb_base = dram_base + 0x10000;
    c.enable_at_start = true;
    c.frames = 3;
    return c;
}

// A minimal software master: runs `program` on its thread, with 32-bit register accesses.
struct test_master : sc_core::sc_module {
    tlm_utils::simple_initiator_socket<test_master> out{"out"};
    std::function<void(test_master&)> program;
    SC_HAS_PROCESS(test_master);
    explicit test_master(const sc_core::sc_module_name& n) : sc_module(n) { SC_THREAD(run); }
    void run() { program(*this); }
    uint32_t access(tlm::tlm_command cmd, uint64_t addr, uint32_t v) {
        tlm::tlm_generic_payload p;
        p.set_command(cmd);
        p.set_address(addr);
        p.set_data_ptr(reinterpret_cast<unsigned char*>(&v));
        p.set_data_length(4);
        p.set_streaming_width(4);
        p.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
        sc_core::sc_time d = sc_core::SC_ZERO_TIME;
        out->b_transport(p, d);
        REQUIRE(p.get_response_status() == tlm::TLM_OK_RESPONSE);
        sc_core::wait(d);
        return v;
    }
    void write(uint64_t a, uint32_t v) { access(tlm::TLM_WRITE_COMMAND, a, v); }
    uint32_t read(uint64_t a) { return access(tlm::TLM_READ_COMMAND, a, 0); }
};

uint32_t dbg_read(display& d, uint64_t off) {
    uint32_t v = 0;
    tlm::tlm_generic_payload p;
    p.set_command(tlm::TLM_READ_COMMAND);
    p.set_address(off);
    p.set_data_ptr(reinterpret_cast<unsigned char*>(&v));
    p.set_data_length(4);
    p.set_streaming_width(4);
    dynamic_cast<tlm::tlm_fw_transport_if<>*>(d.mmio.get_base_export().get_interface())
        ->transport_dbg(p);
    return v;
}
}  // namespace

TEST_CASE("display with ample bandwidth shows three frames without underrun",
          "[devices][display][system]") {
    require_fresh_kernel();
    platform p(dram_cfg(12800000000ULL));  // x = 5 ns per 64 B, A_d = 25 ns
    display d("disp", small_display());
    p.attach(d);
    sc_core::sc_start();

    const uint64_t h = 2 * ns;
    CHECK(d.frame_period_ps() == 1600 * ns);
    CHECK(d.frames() == 3);
    CHECK(d.lines() == 48);
    CHECK(d.bytes() == 48 * 256);
    CHECK(d.underruns() == 0);
    CHECK(d.underrun_frames() == 0);
    CHECK(d.fetch_errors() == 0);
    CHECK(d.worst_lateness_ps() == 0);
    // Bursts issue 5 ns apart and never queue: the last of a line completes 15 + h + 25 + 5 ns
    // after the first issue.
    CHECK(d.line_fetch_time().count() == 48);
    CHECK(d.line_fetch_time().min() == (15 * ns + h + 30 * ns) / ns);
    CHECK(d.line_fetch_time().max() == (15 * ns + h + 30 * ns) / ns);
    // The third frame is done exactly at 3 frame periods; the display then stops.
    CHECK(core::time_to_ps(sc_time_stamp()) == 3 * 1600 * ns);
    CHECK(dbg_read(d, display::FRAME_COUNT) == 3);
    CHECK(dbg_read(d, display::UNDERRUN_COUNT) == 0);
    CHECK(dbg_read(d, display::IRQ_STATUS) == display::IRQ_FRAME);
    CHECK(dbg_read(d, display::CTRL) == 0);
    CHECK(dbg_read(d, display::STATUS) == 0);
    CHECK(p.mem.channel().busy_ps() == 48 * 4 * 5 * ns);
}

TEST_CASE("display starved of bandwidth underruns on every line",
          "[devices][display][system]") {
    require_fresh_kernel();
    // Temporal decoupling must not change any figure: run with a 1 us global quantum.
    tlm::tlm_global_quantum::instance().set(sc_core::sc_time(1, sc_core::SC_US));
    // 2 GB/s: x = 32 ns per burst, 128 ns per line > 100 ns line period, so every line is late
    // (docs: line_bytes / bandwidth > line period). The channel stays saturated: line n
    // completes at h + 128 (n + 1) + 25 ns and is due at 100 (n + 1) ns.
    platform p(dram_cfg(2000000000ULL));
    display d("disp", small_display());
    p.attach(d);
    sc_core::sc_start();

    const uint64_t h = 2 * ns;
    CHECK(d.lines() == 48);
    CHECK(d.underruns() == 48);
    CHECK(d.underrun_frames() == 3);
    CHECK(d.frames() == 3);
    CHECK(d.worst_lateness_ps() == h + 28 * ns * 48 + 25 * ns);
    CHECK(dbg_read(d, display::UNDERRUN_COUNT) == 48);
    CHECK(dbg_read(d, display::FRAME_COUNT) == 3);
    CHECK(dbg_read(d, display::IRQ_STATUS) == (display::IRQ_FRAME | display::IRQ_UNDERRUN));
    // The last frame is done when its last line arrives.
    CHECK(core::time_to_ps(sc_time_stamp()) == h + 128 * ns * 48 + 25 * ns);
}

TEST_CASE("display start-up underruns match the closed form", "[devices][display][system]") {
    require_fresh_kernel();
    // Temporal decoupling must not change any figure: run with a 1 us global quantum.
    tlm::tlm_global_quantum::instance().set(sc_core::sc_time(1, sc_core::SC_US));
    // 3.2 GB/s: x = 20 ns per burst, tau = 80 ns per line < L = 100 ns. DRAM latency 160
    // cycles = 100 ns, so A = h + 100 ns = 102 ns. While the channel is saturated, line n is
    // late iff A > (n + 1)(L - tau): ceil(A / (L - tau)) - 1 = ceil(5.1) - 1 = 5 late lines,
    // all in frame 0. Afterwards the FIFO bounds the fetch: A + tau = 182 ns <= 2 L, on time.
    platform p(dram_cfg(3200000000ULL, 160));
    display d("disp", small_display());
    p.attach(d);
    sc_core::sc_start();

    const uint64_t h = 2 * ns;
    CHECK(d.lines() == 48);
    CHECK(d.underruns() == 5);
    CHECK(d.underrun_frames() == 1);
    CHECK(d.frames() == 3);
    CHECK(d.worst_lateness_ps() == h + 80 * ns + 100 * ns - 100 * ns);  // line 0
    CHECK(dbg_read(d, display::UNDERRUN_COUNT) == 5);
    CHECK(core::time_to_ps(sc_time_stamp()) == 3 * 1600 * ns);
}

TEST_CASE("display fetch errors are counted and the frames go on", "[devices][display][system]") {
    require_fresh_kernel();
    vcmsim::test::allow_sc_warnings();  // unmapped bursts: router and display warn
    platform p(dram_cfg(12800000000ULL));
    auto c = small_display();
    c.fb_base = dram_base + dram_size - 8 * 256;  // lines 8..15 fall outside the DRAM route
    c.frames = 2;
    display d("disp", c);
    p.attach(d);
    sc_core::sc_start();
    CHECK(d.frames() == 2);
    CHECK(d.lines() == 32);
    CHECK(d.fetch_errors() == 2 * 8 * 4);
    CHECK(d.bytes() == 2 * 8 * 256);
    CHECK(dbg_read(d, display::STATUS) == display::STATUS_FETCH_ERROR);
    CHECK(dbg_read(d, display::IRQ_STATUS) == (display::IRQ_FRAME | display::IRQ_ERROR));
}

TEST_CASE("traffic generator sequential writes give exact stats data and finish time",
          "[devices][traffic_gen][system]") {
    require_fresh_kernel();
    // Temporal decoupling must not change any figure: run with a 1 us global quantum.
    tlm::tlm_global_quantum::instance().set(sc_core::sc_time(1, sc_core::SC_US));
    platform p(dram_cfg(12800000000ULL));  // x = 5 ns, A_d = 25 ns
    devices::traffic_gen_config c;
    c.pattern = devices::pattern_kind::sequential;
    c.base = dram_base + 0x1000;
    c.size = 4096;
    c.txn_bytes = 64;
    c.count = 80;            // 64 slots: wraps, rewriting the first 16
    c.read_percent = 0;
    c.seed = 7;
    c.max_outstanding = 4;
    traffic_gen g("tg", c);
    p.attach(g);
    sc_core::sc_start();

    const uint64_t h = 2 * ns;
    CHECK(g.writes() == 80);
    CHECK(g.reads() == 0);
    CHECK(g.bytes() == 80 * 64);
    CHECK(g.errors() == 0);
    CHECK(g.done());
    // Four in flight, each round trip h + 30 ns: transaction 4g + i completes at
    // (g + 1)(h + 30) + 5 i ns.
    CHECK(g.finish_time_ps() == 20 * (h + 30 * ns) + 15 * ns);
    CHECK(g.latency().count() == 80);
    CHECK(g.latency().min() == (h + 30 * ns) / ns);
    CHECK(g.latency().max() == (h + 30 * ns + 12 * ns) / ns);  // issued at 3 ns, done at 47 ns
    CHECK(core::time_to_ps(sc_time_stamp()) == g.finish_time_ps());

    std::vector<uint8_t> buf(4096 + 2);
    p.mem.store().read(0x1000 - 1, buf.data(), buf.size());
    CHECK(buf.front() == 0);
    CHECK(buf.back() == 0);
    uint64_t bad = 0;
    for (uint64_t i = 0; i < 4096; ++i)
        bad += buf[1 + i] != traffic_gen::data_byte(7, dram_base + 0x1000 + i);
    CHECK(bad == 0);
    CHECK(p.mem.store().pages_allocated() == 1);
}

TEST_CASE("traffic generator replays a list of timed records", "[devices][traffic_gen][system]") {
    require_fresh_kernel();
    platform p(dram_cfg(12800000000ULL));
    devices::traffic_gen_config c;
    c.start_at_ps = 100 * ns;
    c.max_outstanding = 2;
    c.trace = {{0, true, dram_base + 0x200, 32, 3},
               {50 * ns, false, dram_base + 0x200, 32, 3},
               {60 * ns, true, dram_base + 0x300, 128, 4},
               {60 * ns, false, dram_base + dram_size, 8, 4}};  // unmapped: error, not fatal
    vcmsim::test::allow_sc_warnings();
    traffic_gen g("tg", c);
    p.attach(g);
    sc_core::sc_start();

    CHECK(g.writes() == 2);
    CHECK(g.reads() == 1);
    CHECK(g.errors() == 1);
    CHECK(g.bytes() == 32 + 32 + 128);
    // t0 = 100 ns. Record 0 completes at 100 + 2 + 25 + 2.5 ns, record 1 (issued at 150 ns) at
    // 179.5 ns; record 2 (128 B, x = 10 ns) takes slot 0 at 160 ns and completes at
    // 160 + 2 + 25 + 10 = 197 ns; the unmapped read waits for slot 1 (179.5 ns) and fails
    // after the hop.
    CHECK(g.finish_time_ps() == 197 * ns);
    uint8_t b = 0;
    p.mem.store().read(0x300 + 127, &b, 1);
    CHECK(b == traffic_gen::data_byte(c.seed, dram_base + 0x300 + 127));
}

TEST_CASE("display enabled by a register write raises the frame interrupt one period later",
          "[devices][display][system]") {
    require_fresh_kernel();
    platform p(dram_cfg(12800000000ULL));
    auto c = small_display();
    c.enable_at_start = false;
    c.frames = 1;
    display d("disp", c);
    test_master m("cpu");
    m.out.bind(p.bus.in);
    p.attach(d);
    uint64_t irq_at = 0, irq_after_clear = 1, frames_read = 0, status_read = 9;
    m.program = [&](test_master& cpu) {
        sc_core::wait(1000, sc_core::SC_NS);
        cpu.write(mmio_base + display::IRQ_ENABLE, display::IRQ_FRAME);
        // This write reaches the display after the 2 ns hop, at 1000 + 2 + 5 (the IRQ_ENABLE
        // write's register cycle) + 2 ns = 1009 ns: scan-out starts then.
        cpu.write(mmio_base + display::CTRL, display::CTRL_ENABLE);
        sc_core::wait(p.irq.posedge_event());
        irq_at = core::time_to_ps(sc_time_stamp());
        frames_read = cpu.read(mmio_base + display::FRAME_COUNT);
        status_read = cpu.read(mmio_base + display::STATUS);
        cpu.write(mmio_base + display::IRQ_STATUS, display::IRQ_FRAME);
        irq_after_clear = p.irq.read();
    };
    sc_core::sc_start();
    CHECK(irq_at == 1009 * ns + 1600 * ns);
    CHECK(frames_read == 1);
    CHECK(status_read == 0);  // frame limit reached: stopped
    CHECK(irq_after_clear == 0);
    CHECK(d.lines() == 16);
    CHECK(d.underruns() == 0);
}

TEST_CASE("traffic generator started by a register write signals done by interrupt",
          "[devices][traffic_gen][system]") {
    require_fresh_kernel();
    platform p(dram_cfg(12800000000ULL));
    devices::traffic_gen_config c;
    c.autostart = false;
    c.base = dram_base;
    c.size = 1024;
    c.count = 10;             // 64-byte reads, one in flight: 32 ns each
    traffic_gen g("tg", c);
    test_master m("cpu");
    m.out.bind(p.bus.in);
    p.attach(g);
    uint64_t irq_at = 0;
    uint32_t count = 0, status = 0;
    m.program = [&](test_master& cpu) {
        sc_core::wait(500, sc_core::SC_NS);
        cpu.write(mmio_base + traffic_gen::CTRL, traffic_gen::CTRL_START | traffic_gen::CTRL_IRQ_ENABLE);
        sc_core::wait(p.irq.posedge_event());
        irq_at = core::time_to_ps(sc_time_stamp());
        count = cpu.read(mmio_base + traffic_gen::COUNT);
        status = cpu.read(mmio_base + traffic_gen::STATUS);
    };
    sc_core::sc_start();
    // START reaches the generator at 502 ns; transaction j issues when j - 1 completes.
    CHECK(irq_at == 502 * ns + 10 * 32 * ns);
    CHECK(count == 10);
    CHECK(status == traffic_gen::STATUS_DONE);
    CHECK(g.reads() == 10);
    CHECK(g.bytes() == 640);
}
