// router with a dram and a probe target behind it, two test initiators in front. Sockets are
// called by hand; never sc_start.
//
// Multi-passthrough sockets only wire their callbacks during elaboration, so the platform is
// built once per process and elaborated with sc_simcontext::elaborate() (no simulation, time
// stays 0). CTest runs each TEST_CASE in its own process; run directly, the cases share the
// platform, so they only check deltas of shared stats and touch disjoint addresses.
#include <catch2/catch.hpp>

#include <stdexcept>
#include <utility>
#include <vector>

#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>

#include "models/core/stats.h"
#include "models/interconnect/router.h"
#include "models/memory/dram.h"
#include "tests/support/test_util.h"

using namespace vcmsim;

namespace {

double stat(const std::string& name) { return core::stats_registry::global().value(name); }

struct test_initiator : sc_core::sc_module {
    tlm_utils::simple_initiator_socket<test_initiator> socket;
    std::vector<std::pair<uint64_t, uint64_t>> invalidations;

    explicit test_initiator(const sc_core::sc_module_name& n) : sc_module(n), socket("socket") {
        socket.register_invalidate_direct_mem_ptr(this, &test_initiator::invalidate);
    }
    void invalidate(sc_dt::uint64 start, sc_dt::uint64 end) { invalidations.emplace_back(start, end); }
};

// Records what it sees, answers OK after 7 ns, grants DMI over its whole offset space.
struct probe_target : sc_core::sc_module {
    tlm_utils::simple_target_socket<probe_target> socket;
    unsigned calls = 0;
    uint64_t last_addr = ~0ULL;
    uint8_t backing[16] = {};

    explicit probe_target(const sc_core::sc_module_name& n) : sc_module(n), socket("socket") {
        socket.register_b_transport(this, &probe_target::b_transport);
        socket.register_transport_dbg(this, &probe_target::transport_dbg);
        socket.register_get_direct_mem_ptr(this, &probe_target::get_dmi);
    }
    void b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& d) {
        ++calls;
        last_addr = gp.get_address();
        d += sc_core::sc_time(7, sc_core::SC_NS);
        gp.set_response_status(tlm::TLM_OK_RESPONSE);
    }
    unsigned transport_dbg(tlm::tlm_generic_payload& gp) {
        last_addr = gp.get_address();
        gp.set_response_status(tlm::TLM_OK_RESPONSE);
        return gp.get_data_length();
    }
    bool get_dmi(tlm::tlm_generic_payload&, tlm::tlm_dmi& dmi) {
        dmi.set_dmi_ptr(backing);
        dmi.set_start_address(0);
        dmi.set_end_address(~0ULL);
        dmi.allow_read_write();
        dmi.set_read_latency(sc_core::sc_time(3, sc_core::SC_NS));
        dmi.set_write_latency(sc_core::sc_time(4, sc_core::SC_NS));
        return true;
    }
};

constexpr uint64_t dram_base = 0x80000000, dram_size = 0x100000;
constexpr uint64_t probe_base = 0x10000000, probe_size = 0x1000;
constexpr uint64_t hi_base = 0x20000000, hi_size = 0x100;
constexpr core::ps_t hop_ps = 2000;       // 2 cycles at 1 GHz
constexpr core::ps_t dram_lat_ps = 25000; // 40 cycles at 1.6 GHz, unlimited bandwidth

struct platform {
    interconnect::router bus{"bus", interconnect::router_config{}};
    memory::dram mem{"mem", [] {
                         memory::dram_config c;
                         c.size = dram_size;
                         c.bandwidth = 0;
                         return c;
                     }()};
    probe_target probe{"probe"};
    test_initiator cpu{"cpu"};
    test_initiator dma{"dma"};

    platform() {
        cpu.socket.bind(bus.in);
        dma.socket.bind(bus.in);
        bus.out.bind(mem.in);      // port 0
        bus.out.bind(probe.socket);  // port 1
        bus.add_route("probe", {probe_base, probe_size}, 1);
        bus.add_route("dram", {dram_base, dram_size}, 0);
        bus.add_route("probe_hi", {hi_base, hi_size}, 1);
        sc_core::sc_get_curr_simcontext()->elaborate();
    }
};

platform& top() {
    static platform* p = new platform();   // never destroyed: outlives the tests
    return *p;
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

tlm::tlm_response_status send(test_initiator& ini, uint64_t addr, size_t len,
                              sc_core::sc_time* delay_out = nullptr) {
    txn t(tlm::TLM_READ_COMMAND, addr, len);
    sc_core::sc_time d = sc_core::SC_ZERO_TIME;
    ini.socket->b_transport(t.gp, d);
    CHECK(t.gp.get_address() == addr);   // restored
    if (delay_out) *delay_out = d;
    return t.gp.get_response_status();
}

}  // namespace

TEST_CASE("router: first and last byte of each route decode, gaps do not", "[interconnect]") {
    test::allow_sc_warnings();
    platform& p = top();
    const double routed0 = stat("bus.transactions"), unmapped0 = stat("bus.unmapped");
    const double probe0 = stat("bus.probe.transactions"), hi0 = stat("bus.probe_hi.transactions");
    const double dram0 = stat("bus.dram.transactions");

    CHECK(send(p.cpu, probe_base, 1) == tlm::TLM_OK_RESPONSE);
    CHECK(p.probe.last_addr == 0);
    CHECK(send(p.cpu, probe_base + probe_size - 1, 1) == tlm::TLM_OK_RESPONSE);
    CHECK(p.probe.last_addr == probe_size - 1);
    CHECK(send(p.dma, hi_base, 4) == tlm::TLM_OK_RESPONSE);
    CHECK(p.probe.last_addr == 0);
    CHECK(send(p.dma, hi_base + hi_size - 1, 1) == tlm::TLM_OK_RESPONSE);
    CHECK(p.probe.last_addr == hi_size - 1);
    CHECK(send(p.cpu, dram_base, 1) == tlm::TLM_OK_RESPONSE);
    CHECK(send(p.cpu, dram_base + dram_size - 1, 1) == tlm::TLM_OK_RESPONSE);

    const unsigned calls = p.probe.calls;
    for (uint64_t a : std::initializer_list<uint64_t>{0, probe_base - 1, probe_base + probe_size, hi_base - 1,
                       hi_base + hi_size, dram_base - 1, dram_base + dram_size, ~0ULL})
        CHECK(send(p.cpu, a, 1) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
    CHECK(p.probe.calls == calls);

    CHECK(stat("bus.transactions") - routed0 == 6);
    CHECK(stat("bus.unmapped") - unmapped0 == 8);
    CHECK(stat("bus.probe.transactions") - probe0 == 2);
    CHECK(stat("bus.probe_hi.transactions") - hi0 == 2);
    CHECK(stat("bus.dram.transactions") - dram0 == 2);
    CHECK(p.bus.find_route(hi_base + 5)->name == "probe_hi");
    CHECK(p.bus.find_route(hi_base + hi_size) == nullptr);
}

TEST_CASE("router: a transaction crossing the end of its route is an address error",
          "[interconnect]") {
    test::allow_sc_warnings();
    platform& p = top();
    const unsigned calls = p.probe.calls;
    const double unmapped0 = stat("bus.unmapped");
    CHECK(send(p.cpu, probe_base + probe_size - 4, 8) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
    CHECK(send(p.cpu, dram_base + dram_size - 1, 2) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
    CHECK(send(p.cpu, probe_base + probe_size - 8, 8) == tlm::TLM_OK_RESPONSE);   // exactly fits
    CHECK(p.probe.calls == calls + 1);
    CHECK(stat("bus.unmapped") - unmapped0 == 2);
}

TEST_CASE("router: hop latency is added exactly and the address is restored", "[interconnect]") {
    platform& p = top();
    txn t(tlm::TLM_WRITE_COMMAND, probe_base + 0x40, 4);
    sc_core::sc_time d = core::ps_to_time(1000);
    p.cpu.socket->b_transport(t.gp, d);
    CHECK(t.gp.get_response_status() == tlm::TLM_OK_RESPONSE);
    CHECK(core::time_to_ps(d) == 1000 + hop_ps + 7000);
    CHECK(t.gp.get_address() == probe_base + 0x40);
    CHECK(p.probe.last_addr == 0x40);
    CHECK(p.bus.hop_ps() == hop_ps);

    // Through to the dram: the written bytes land at the local offset.
    txn w(tlm::TLM_WRITE_COMMAND, dram_base + 0x2345, 4);
    w.buf = {1, 2, 3, 4};
    w.gp.set_data_ptr(w.buf.data());
    d = sc_core::SC_ZERO_TIME;
    p.dma.socket->b_transport(w.gp, d);
    CHECK(w.gp.get_response_status() == tlm::TLM_OK_RESPONSE);
    CHECK(core::time_to_ps(d) == hop_ps + dram_lat_ps);
    CHECK(w.gp.get_address() == dram_base + 0x2345);
    uint8_t got[4];
    p.mem.store().read(0x2345, got, 4);
    CHECK(std::vector<uint8_t>(got, got + 4) == std::vector<uint8_t>{1, 2, 3, 4});
}

TEST_CASE("router: debug transport is decoded and rebased", "[interconnect]") {
    test::allow_sc_warnings();
    platform& p = top();
    const double routed0 = stat("bus.transactions"), unmapped0 = stat("bus.unmapped");
    txn w(tlm::TLM_WRITE_COMMAND, dram_base + 0x8000, 3, 0x6B);
    CHECK(p.cpu.socket->transport_dbg(w.gp) == 3);
    CHECK(w.gp.get_address() == dram_base + 0x8000);
    uint8_t got[3];
    p.mem.store().read(0x8000, got, 3);
    CHECK(std::vector<uint8_t>(got, got + 3) == std::vector<uint8_t>{0x6B, 0x6B, 0x6B});
    txn q(tlm::TLM_READ_COMMAND, hi_base + 0x10, 2);
    CHECK(p.cpu.socket->transport_dbg(q.gp) == 2);
    CHECK(p.probe.last_addr == 0x10);
    txn u(tlm::TLM_READ_COMMAND, 0x40000000, 4);
    CHECK(p.cpu.socket->transport_dbg(u.gp) == 0);
    CHECK(u.gp.get_response_status() == tlm::TLM_ADDRESS_ERROR_RESPONSE);
    CHECK(stat("bus.transactions") == routed0);   // debug traffic is not counted
    CHECK(stat("bus.unmapped") == unmapped0);
}

TEST_CASE("router: DMI ranges are rebased to global addresses and clipped", "[interconnect]") {
    platform& p = top();
    tlm::tlm_generic_payload gp;
    gp.set_command(tlm::TLM_READ_COMMAND);

    gp.set_address(dram_base + 0x12345);
    tlm::tlm_dmi d;
    REQUIRE(p.cpu.socket->get_direct_mem_ptr(gp, d));
    CHECK(gp.get_address() == dram_base + 0x12345);
    CHECK(d.get_start_address() == dram_base + 0x10000);
    CHECK(d.get_end_address() == dram_base + 0x1FFFF);
    CHECK(d.get_dmi_ptr() == p.mem.store().host_page(0x10000, false));
    CHECK(d.get_read_latency() == core::ps_to_time(dram_lat_ps + hop_ps));
    CHECK(d.get_write_latency() == core::ps_to_time(dram_lat_ps + hop_ps));

    // The probe grants its whole offset space: clipped to each window.
    gp.set_address(probe_base + 0x10);
    tlm::tlm_dmi pd;
    REQUIRE(p.dma.socket->get_direct_mem_ptr(gp, pd));
    CHECK(pd.get_start_address() == probe_base);
    CHECK(pd.get_end_address() == probe_base + probe_size - 1);
    CHECK(pd.get_dmi_ptr() == p.probe.backing);
    CHECK(pd.get_read_latency() == sc_core::sc_time(5, sc_core::SC_NS));
    CHECK(pd.get_write_latency() == sc_core::sc_time(6, sc_core::SC_NS));
    gp.set_address(hi_base + 0xFF);
    tlm::tlm_dmi hd;
    REQUIRE(p.dma.socket->get_direct_mem_ptr(gp, hd));
    CHECK(hd.get_start_address() == hi_base);
    CHECK(hd.get_end_address() == hi_base + hi_size - 1);

    // Unmapped: denied, with the gap that holds the address.
    struct gap { uint64_t addr, lo, hi; };
    for (const gap& g : {gap{0x5, 0, probe_base - 1},
                         gap{0x18000000, probe_base + probe_size, hi_base - 1},
                         gap{0x30000000, hi_base + hi_size, dram_base - 1},
                         gap{~0ULL, dram_base + dram_size, ~0ULL}}) {
        gp.set_address(g.addr);
        tlm::tlm_dmi nd;
        CHECK_FALSE(p.cpu.socket->get_direct_mem_ptr(gp, nd));
        CHECK(nd.get_start_address() == g.lo);
        CHECK(nd.get_end_address() == g.hi);
        CHECK(nd.get_dmi_ptr() == nullptr);
    }
}

TEST_CASE("router: target invalidations fan out to every initiator, rebased", "[interconnect]") {
    platform& p = top();
    p.cpu.invalidations.clear();
    p.dma.invalidations.clear();
    const double inv0 = stat("bus.invalidations");
    using range = std::pair<uint64_t, uint64_t>;

    // The probe sits behind two windows: both are invalidated.
    p.probe.socket->invalidate_direct_mem_ptr(0x10, 0x20);
    const std::vector<range> both{{probe_base + 0x10, probe_base + 0x20},
                                  {hi_base + 0x10, hi_base + 0x20}};
    CHECK(p.cpu.invalidations == both);
    CHECK(p.dma.invalidations == both);

    // Only the big window covers offsets 0x200..0x300.
    p.cpu.invalidations.clear();
    p.probe.socket->invalidate_direct_mem_ptr(0x200, 0x300);
    CHECK(p.cpu.invalidations == std::vector<range>{{probe_base + 0x200, probe_base + 0x300}});

    // A whole-space invalidation from the dram is clipped to its route.
    p.cpu.invalidations.clear();
    p.dma.invalidations.clear();
    p.mem.clear();
    const std::vector<range> whole{{dram_base, dram_base + dram_size - 1}};
    CHECK(p.cpu.invalidations == whole);
    CHECK(p.dma.invalidations == whole);
    CHECK(p.mem.store().pages_allocated() == 0);
    CHECK(stat("bus.invalidations") - inv0 == 3);
}

TEST_CASE("router: bad routes are rejected", "[interconnect]") {
    platform& p = top();
    const size_t n = p.bus.routes().size();
    CHECK_THROWS_AS(p.bus.add_route("overlap", {probe_base + probe_size - 1, 0x10}, 0),
                    std::invalid_argument);
    CHECK_THROWS_AS(p.bus.add_route("overlap2", {0, probe_base + 1}, 0), std::invalid_argument);
    CHECK_THROWS_AS(p.bus.add_route("dram", {0x50000000, 0x10}, 0), std::invalid_argument);
    CHECK_THROWS_AS(p.bus.add_route("empty", {0x50000000, 0}, 0), std::invalid_argument);
    CHECK_THROWS_AS(p.bus.add_route("wrap", {~0ULL - 0xF, 0x20}, 0), std::invalid_argument);
    CHECK(p.bus.routes().size() == n);
    // Sorted by base.
    CHECK(p.bus.routes()[0].name == "probe");
    CHECK(p.bus.routes()[1].name == "probe_hi");
    CHECK(p.bus.routes()[2].name == "dram");
}
