// Timing of one descriptor copying N bytes, against the closed form in docs/models/dma.md.
//
// T = time from the START doorbell reaching the DMA to the IRQ rising:
//   F      = h + L + xfer(32)                       descriptor fetch
//   P      = DMA clock period                       descriptor decode
//   n      = ceil(N / B), Tb = xfer(B), Tl = xfer(last burst), D = 2 (h + L + Tb)
//   d      = max(issue_cycles * P, Tb)
//   T_lat  = F + P + floor((n-1)/K) D + ((n-1) mod K) d + 2 (h + L + Tl)
//   T_bw   = F + P + h + 2 ((n-1) Tb + Tl) + L
//   T_iss  = F + P + (n-1) issue_cycles P + 2 (h + L + Tl)
//   T      = max(T_lat, T_bw, T_iss)
// with h the router hop, L the DRAM latency and xfer(x) = ceil(x / W) the DRAM channel time.
// T_lat is exact when (K-1) d <= h + L (latency-bound: the DRAM channel never queues);
// T_bw holds when 2 K Tb >= D (bandwidth-bound: the channel is never idle).
//
// Quantum: a channel issues its own reads and writes in time order, so with one active
// channel the DRAM sees them first-come first-served whatever the quantum; the quantum only
// decides how often the thread yields. 100 ns (about one burst round trip) is used here, and
// one case is repeated with 10 us to show that the result does not depend on it.
#include <catch2/catch.hpp>

#include <algorithm>

#include "models/core/timing.h"
#include "tests/system/dma_platform.h"

using namespace vcmsim;
using namespace vcmsim::dma;
using vcmsim::test::dma_platform;
using vcmsim::test::test_cpu;
using vcmsim::test::dram_base;

namespace {

struct timing_case {
    uint64_t n_bytes;
    uint64_t burst;
    unsigned outstanding;
    uint64_t dram_latency_cycles;   // at 1.6 GHz
    uint64_t dram_bandwidth;        // bytes/s
    uint64_t issue_cycles = 1;      // at 1 GHz
    sc_core::sc_time quantum = sc_core::sc_time(100, sc_core::SC_NS);
};

struct prediction {
    core::ps_t lat, bw, iss, total;
};

prediction predict(const timing_case& tc, core::ps_t h, core::ps_t L, core::ps_t P) {
    auto xfer = [&](uint64_t b) { return core::transfer_ps(b, tc.dram_bandwidth); };
    const core::ps_t F = h + L + xfer(32);
    const uint64_t n = (tc.n_bytes + tc.burst - 1) / tc.burst;
    const core::ps_t Tb = xfer(tc.burst), Tl = xfer(tc.n_bytes - (n - 1) * tc.burst);
    const core::ps_t D = 2 * (h + L + Tb);
    const core::ps_t I = tc.issue_cycles * P;
    const core::ps_t d = std::max(I, Tb);
    const uint64_t K = tc.outstanding;
    prediction p;
    p.lat = F + P + ((n - 1) / K) * D + ((n - 1) % K) * d + 2 * (h + L + Tl);
    p.bw = F + P + h + 2 * ((n - 1) * Tb + Tl) + L;
    p.iss = F + P + (n - 1) * I + 2 * (h + L + Tl);
    p.total = std::max({p.lat, p.bw, p.iss});
    return p;
}

// Runs one copy and returns {measured, predicted} in ps.
std::pair<core::ps_t, prediction> run_copy(const timing_case& tc) {
    REQUIRE_FALSE(sc_core::sc_start_of_simulation_invoked());
    dma_config dc;
    dc.burst_bytes = tc.burst;
    dc.max_outstanding = tc.outstanding;
    dc.issue_cycles = tc.issue_cycles;
    memory::dram_config mc = dma_platform::dram_cfg();
    mc.latency_cycles = tc.dram_latency_cycles;
    mc.bandwidth = tc.dram_bandwidth;
    dma_platform p(dc, mc);
    tlm::tlm_global_quantum::instance().set(tc.quantum);

    const uint64_t descs = dram_base + 0x1000, src = dram_base + 0x100000;
    const uint64_t dst = dram_base + 0x800000;
    core::ps_t doorbell = 0, irq_at = 0;
    uint32_t status = 0;
    p.cpu.program = [&](test_cpu& c) {
        dma_descriptor d;
        d.src = src;
        d.dst = dst;
        d.len = static_cast<uint32_t>(tc.n_bytes);
        d.flags = dma_descriptor::flag_irq;
        c.put_desc(descs, d);
        c.wr(test::dma_base + dma_reg::irq_enable, 1);
        c.set_reg(0, dma_reg::desc_lo, static_cast<uint32_t>(descs));
        c.set_reg(0, dma_reg::desc_hi, static_cast<uint32_t>(descs >> 32));
        wait(1, sc_core::SC_US);  // let the DRAM channel go idle
        // The doorbell reaches the DMA one router hop after the CPU issues it.
        doorbell = core::now_ps() + p.bus.hop_ps();
        c.set_reg(0, dma_reg::ctrl, dma_reg::ctrl_start);
        c.wait_irq();
        irq_at = core::now_ps();
        status = c.reg(0, dma_reg::status);
    };
    sc_core::sc_start();
    REQUIRE(p.cpu.finished);
    REQUIRE(status == 2);
    const prediction pr = predict(tc, p.bus.hop_ps(), p.mem.latency_ps(), p.dma.clock().period_ps());
    const core::ps_t measured = irq_at - doorbell;
    INFO("measured " << measured << " ps; T_lat " << pr.lat << " T_bw " << pr.bw << " T_iss "
                     << pr.iss);
    CHECK(static_cast<double>(measured) == Approx(static_cast<double>(pr.total)).epsilon(0.02));
    return {measured, pr};
}

}  // namespace

TEST_CASE("dma timing: latency-bound - one burst in flight", "[dma][timing]") {
    // B 256, K 1, L 25 ns, W 12.8 GB/s: every burst pays its full read + write round trip.
    const auto [t, pr] = run_copy({16384, 256, 1, 40, 12800000000ULL});
    CHECK(pr.total == pr.lat);
    CHECK(t == pr.lat);  // exact in this regime
}

TEST_CASE("dma timing: latency-bound - two bursts in flight - long latency", "[dma][timing]") {
    // B 128, K 2, L 62.5 ns, W 25.6 GB/s: (K-1) max(I, Tb) = 5 ns <= h + L.
    const auto [t, pr] = run_copy({65536, 128, 2, 100, 25600000000ULL});
    CHECK(pr.total == pr.lat);
    CHECK(t == pr.lat);
}

TEST_CASE("dma timing: bandwidth-bound - 8 x 256-byte bursts", "[dma][timing]") {
    // B 256, K 8, L 25 ns, W 12.8 GB/s: 2 K Tb = 320 ns >= D = 94 ns.
    const auto [t, pr] = run_copy({262144, 256, 8, 40, 12800000000ULL});
    CHECK(pr.total == pr.bw);
    CHECK(t == 41017500);  // the same with a 10 us quantum (next test)
}

TEST_CASE("dma timing: bandwidth-bound result does not depend on the quantum", "[dma][timing]") {
    timing_case tc{262144, 256, 8, 40, 12800000000ULL};
    tc.quantum = sc_core::sc_time(10, sc_core::SC_US);
    const auto [t, pr] = run_copy(tc);
    CHECK(pr.total == pr.bw);
    CHECK(t == 41017500);  // identical to the 100 ns quantum run
}

TEST_CASE("dma timing: bandwidth-bound - 16 x 1 KiB bursts - slow DRAM", "[dma][timing]") {
    // B 1024, K 16, L 50 ns, W 6.4 GB/s.
    const auto [t, pr] = run_copy({1 << 20, 1024, 16, 80, 6400000000ULL});
    CHECK(pr.total == pr.bw);
    (void)t;
}

TEST_CASE("dma timing: issue-bound - 64-byte bursts every 20 cycles", "[dma][timing]") {
    // B 64, K 16, issue every 20 ns, W 51.2 GB/s: the DMA's issue rate is the limit.
    const auto [t, pr] = run_copy({65536, 64, 16, 40, 51200000000ULL, 20});
    CHECK(pr.total == pr.iss);
    (void)t;
}
