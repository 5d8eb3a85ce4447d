// System tests of dma_engine: descriptor chains in DRAM, programmed by a CPU thread through
// the router; one sc_start per TEST_CASE.
#include <catch2/catch.hpp>

#include "models/core/stats.h"
#include "tests/support/test_util.h"
#include "tests/system/dma_platform.h"

using namespace vcmsim;
using namespace vcmsim::dma;
using vcmsim::test::dma_platform;
using vcmsim::test::test_cpu;
using vcmsim::test::dram_base;
using vcmsim::test::dram_size;
using vcmsim::test::unmapped_addr;

namespace {

constexpr uint64_t descs = dram_base + 0x1000;    // descriptor area
constexpr uint64_t src = dram_base + 0x100000;    // source buffers
constexpr uint64_t dst = dram_base + 0x800000;    // destination buffers

uint32_t state_of(uint32_t status) { return status & 0xF; }
uint32_t code_of(uint32_t status) { return (status >> 8) & 0xFF; }

dma_descriptor desc(uint64_t s, uint64_t d, uint32_t len, uint64_t next, uint32_t flags = 0) {
    dma_descriptor x;
    x.src = s;
    x.dst = d;
    x.len = len;
    x.flags = flags;
    x.next = next;
    return x;
}

double stat(const std::string& n) { return core::stats_registry::global().value(n); }

// Result of one channel as the CPU saw it.
struct chan_result {
    uint32_t status = 0xFFFFFFFF;
    uint64_t bytes = ~0ULL;
    uint32_t desc_done = ~0u;
    uint64_t cur = ~0ULL;
};
chan_result read_channel(test_cpu& c, unsigned ch) {
    chan_result r;
    r.status = c.reg(ch, dma_reg::status);
    r.bytes = c.reg64(ch, dma_reg::bytes_done_lo);
    r.desc_done = c.reg(ch, dma_reg::desc_done);
    r.cur = c.reg64(ch, dma_reg::cur_desc_lo);
    return r;
}

void run(dma_platform& p) {
    REQUIRE_FALSE(sc_core::sc_start_of_simulation_invoked());
    tlm::tlm_global_quantum::instance().set(sc_core::sc_time(100, sc_core::SC_NS));
    sc_core::sc_start();
    REQUIRE(p.cpu.finished);
}

// Source pattern as test_cpu::fill writes it.
uint8_t pattern(unsigned i, uint8_t seed) { return static_cast<uint8_t>(seed + i * 7 + (i >> 8)); }

bool copied(test_cpu& c, uint64_t to, unsigned len, uint8_t seed) {
    const auto v = c.read_mem(to, len);
    for (unsigned i = 0; i < len; ++i)
        if (v[i] != pattern(i, seed)) return false;
    return true;
}
bool zero(test_cpu& c, uint64_t at, unsigned len) {
    for (uint8_t b : c.read_mem(at, len))
        if (b) return false;
    return true;
}

}  // namespace

TEST_CASE("dma chain: three segments complete with exact bytes and IRQ", "[dma]") {
    dma_config cfg;
    dma_platform p(cfg);
    chan_result r;
    uint32_t irq_status = 0, irq_after_clear = 1;
    bool line_after_clear = true, data_ok = false, guards_ok = false;
    p.cpu.program = [&](test_cpu& c) {
        c.fill(src, 1000, 1);
        c.fill(src + 0x1000, 256, 2);
        c.fill(src + 0x2000, 5000, 3);
        c.put_desc(descs, desc(src, dst, 1000, descs + 0x40));
        c.put_desc(descs + 0x40, desc(src + 0x1000, dst + 0x1000, 256, descs + 0x200));
        c.put_desc(descs + 0x200, desc(src + 0x2000, dst + 0x2000, 5000, 0, dma_descriptor::flag_irq));
        c.wr(test::dma_base + dma_reg::irq_enable, 1u << 2);
        c.start(2, descs);
        c.wait_irq();
        r = read_channel(c, 2);
        irq_status = c.rd(test::dma_base + dma_reg::irq_status);
        data_ok = copied(c, dst, 1000, 1) && copied(c, dst + 0x1000, 256, 2) &&
                  copied(c, dst + 0x2000, 5000, 3);
        guards_ok = zero(c, dst + 1000, 8) && zero(c, dst + 0x1000 + 256, 8) &&
                    zero(c, dst + 0x2000 + 5000, 8) && zero(c, dst - 8, 8);
        c.wr(test::dma_base + dma_reg::irq_status, 1u << 2);  // W1C
        irq_after_clear = c.rd(test::dma_base + dma_reg::irq_status);
        wait(10, sc_core::SC_NS);
        line_after_clear = c.irq.read();
    };
    run(p);
    CHECK(state_of(r.status) == 2);
    CHECK(code_of(r.status) == 0);
    CHECK(r.bytes == 6256);
    CHECK(r.desc_done == 3);
    CHECK(r.cur == descs + 0x200);
    CHECK(irq_status == (1u << 2));
    CHECK(data_ok);
    CHECK(guards_ok);
    CHECK(irq_after_clear == 0);
    CHECK_FALSE(line_after_clear);
    CHECK(stat("dma.ch2.bytes") == 6256);
    CHECK(stat("dma.ch2.bursts") == 4 + 1 + 20);
    CHECK(stat("dma.ch2.descriptors") == 3);
    CHECK(stat("dma.ch2.errors") == 0);
    CHECK(stat("dma.bytes") == 6256);
    CHECK(stat("dma.transfer_time") == 1);  // one chain sampled
    CHECK(stat("mem.reads") == 3 + 25);     // descriptor fetches + burst reads
    CHECK(stat("mem.writes") == 25);
}

TEST_CASE("dma chain: source beyond the end of memory stops with SRC_ERROR", "[dma]") {
    vcmsim::test::allow_sc_warnings();
    dma_config cfg;  // 256-byte bursts, 4 outstanding
    dma_platform p(cfg);
    chan_result r;
    bool data_ok = false;
    const uint64_t tail = dram_base + dram_size - 600;  // bursts 0, 1 inside, burst 2 crosses
    p.cpu.program = [&](test_cpu& c) {
        c.fill(src, 100, 9);
        c.fill(tail, 600, 4);
        c.put_desc(descs, desc(src, dst, 100, descs + 0x20));
        c.put_desc(descs + 0x20, desc(tail, dst + 0x1000, 1024, 0));
        c.wr(test::dma_base + dma_reg::irq_enable, 1);
        c.start(0, descs);
        c.wait_irq();  // errors raise the channel's IRQ status bit
        r = read_channel(c, 0);
        data_ok = copied(c, dst, 100, 9) && copied(c, dst + 0x1000, 512, 4) &&
                  zero(c, dst + 0x1000 + 512, 512);
    };
    run(p);
    CHECK(state_of(r.status) == 3);
    CHECK(code_of(r.status) == static_cast<uint32_t>(dma_error::src_error));
    CHECK(r.bytes == 100 + 512);
    CHECK(r.desc_done == 1);
    CHECK(r.cur == descs + 0x20);
    CHECK(data_ok);
    CHECK(stat("dma.ch0.errors") == 1);
    CHECK(p.dma.error(0) == dma_error::src_error);
}

TEST_CASE("dma chain: destination beyond the end of memory stops with DST_ERROR", "[dma]") {
    vcmsim::test::allow_sc_warnings();
    dma_config cfg;
    dma_platform p(cfg);
    chan_result r;
    bool data_ok = false;
    const uint64_t tail = dram_base + dram_size - 300;  // write 0 fits, write 1 crosses
    p.cpu.program = [&](test_cpu& c) {
        c.fill(src, 1024, 5);
        c.put_desc(descs, desc(src, tail, 1024, 0));
        c.start(1, descs);
        r.status = c.wait_not_busy(1);
        r = read_channel(c, 1);
        data_ok = copied(c, tail, 256, 5) && zero(c, tail + 256, 44);
    };
    run(p);
    CHECK(state_of(r.status) == 3);
    CHECK(code_of(r.status) == static_cast<uint32_t>(dma_error::dst_error));
    CHECK(r.bytes == 256);
    CHECK(r.desc_done == 0);
    CHECK(data_ok);
    CHECK(stat("dma.ch1.bursts") == 1);
}

TEST_CASE("dma chain: zero-length descriptor stops with ZERO_LEN", "[dma]") {
    vcmsim::test::allow_sc_warnings();
    dma_config cfg;
    dma_platform p(cfg);
    chan_result r;
    bool data_ok = false;
    p.cpu.program = [&](test_cpu& c) {
        c.fill(src, 64, 6);
        c.put_desc(descs, desc(src, dst, 64, descs + 0x60));
        c.put_desc(descs + 0x60, desc(src, dst + 0x100, 0, 0));
        c.start(3, descs);
        c.wait_not_busy(3);
        r = read_channel(c, 3);
        data_ok = copied(c, dst, 64, 6);
    };
    run(p);
    CHECK(state_of(r.status) == 3);
    CHECK(code_of(r.status) == static_cast<uint32_t>(dma_error::zero_len));
    CHECK(r.bytes == 64);
    CHECK(r.desc_done == 1);
    CHECK(r.cur == descs + 0x60);
    CHECK(data_ok);
}

TEST_CASE("dma chain: a loop A to B to A is detected before A runs again", "[dma]") {
    vcmsim::test::allow_sc_warnings();
    dma_config cfg;
    dma_platform p(cfg);
    chan_result r;
    bool data_ok = false;
    const uint64_t a = descs + 0x100, b = descs + 0x400;
    p.cpu.program = [&](test_cpu& c) {
        c.fill(src, 300, 7);
        c.fill(src + 0x1000, 200, 8);
        c.put_desc(a, desc(src, dst, 300, b));
        c.put_desc(b, desc(src + 0x1000, dst + 0x1000, 200, a));
        c.start(0, a);
        c.wait_not_busy(0);
        r = read_channel(c, 0);
        data_ok = copied(c, dst, 300, 7) && copied(c, dst + 0x1000, 200, 8);
    };
    run(p);
    CHECK(state_of(r.status) == 3);
    CHECK(code_of(r.status) == static_cast<uint32_t>(dma_error::loop));
    CHECK(r.desc_done == 2);
    CHECK(r.bytes == 500);
    CHECK(r.cur == a);
    CHECK(data_ok);
    CHECK(stat("mem.reads") == 2 + 2 + 1);  // A, B fetched once each; A never refetched
}

TEST_CASE("dma chain: misaligned pointers and reserved flags", "[dma]") {
    vcmsim::test::allow_sc_warnings();
    dma_config cfg;
    dma_platform p(cfg);
    chan_result r0, r1, r2;
    p.cpu.program = [&](test_cpu& c) {
        c.fill(src, 64, 1);
        c.put_desc(descs + 0x40, desc(src, dst, 64, descs + 0x88));     // next misaligned
        c.put_desc(descs + 0x100, desc(src, dst + 0x100, 64, 0, 0x4));  // reserved flag
        c.start(0, descs + 0x10);                                        // misaligned first
        c.start(1, descs + 0x40);
        c.start(2, descs + 0x100);
        c.wait_not_busy(0);
        c.wait_not_busy(1);
        c.wait_not_busy(2);
        r0 = read_channel(c, 0);
        r1 = read_channel(c, 1);
        r2 = read_channel(c, 2);
    };
    run(p);
    CHECK(r0.status == (3u | (static_cast<uint32_t>(dma_error::desc_align) << 8)));
    CHECK(r0.desc_done == 0);
    CHECK(r0.bytes == 0);
    CHECK(r0.cur == descs + 0x10);
    CHECK(r1.status == (3u | (static_cast<uint32_t>(dma_error::desc_align) << 8)));
    CHECK(r1.desc_done == 1);
    CHECK(r1.bytes == 64);
    CHECK(r1.cur == descs + 0x88);
    CHECK(r2.status == (3u | (static_cast<uint32_t>(dma_error::bad_flags) << 8)));
    CHECK(r2.desc_done == 0);
    CHECK(r2.bytes == 0);
    CHECK(stat("dma.ch2.bursts") == 0);
    CHECK(p.dma.irq_status() == 0x7);
}

TEST_CASE("dma chain: descriptor fetch outside memory stops with DESC_FETCH", "[dma]") {
    vcmsim::test::allow_sc_warnings();
    dma_config cfg;
    dma_platform p(cfg);
    chan_result r0, r1;
    p.cpu.program = [&](test_cpu& c) {
        c.fill(src, 32, 2);
        c.put_desc(descs, desc(src, dst, 32, unmapped_addr + 0x40));
        c.start(0, unmapped_addr);
        c.start(1, descs);
        c.wait_not_busy(0);
        c.wait_not_busy(1);
        r0 = read_channel(c, 0);
        r1 = read_channel(c, 1);
    };
    run(p);
    CHECK(state_of(r0.status) == 3);
    CHECK(code_of(r0.status) == static_cast<uint32_t>(dma_error::desc_fetch));
    CHECK(r0.cur == unmapped_addr);
    CHECK(r0.desc_done == 0);
    CHECK(code_of(r1.status) == static_cast<uint32_t>(dma_error::desc_fetch));
    CHECK(r1.cur == unmapped_addr + 0x40);
    CHECK(r1.desc_done == 1);
    CHECK(r1.bytes == 32);
}

TEST_CASE("dma chain: more than max_chain descriptors stops with CHAIN_LIMIT", "[dma]") {
    vcmsim::test::allow_sc_warnings();
    dma_config cfg;
    cfg.max_chain = 2;
    dma_platform p(cfg);
    chan_result r;
    p.cpu.program = [&](test_cpu& c) {
        c.fill(src, 16, 3);
        c.put_desc(descs, desc(src, dst, 16, descs + 0x20));
        c.put_desc(descs + 0x20, desc(src, dst + 0x20, 16, descs + 0x40));
        c.put_desc(descs + 0x40, desc(src, dst + 0x40, 16, 0));
        c.start(0, descs);
        c.wait_not_busy(0);
        r = read_channel(c, 0);
    };
    run(p);
    CHECK(state_of(r.status) == 3);
    CHECK(code_of(r.status) == static_cast<uint32_t>(dma_error::chain_limit));
    CHECK(r.desc_done == 2);
    CHECK(r.bytes == 32);
    CHECK(r.cur == descs + 0x40);
}

TEST_CASE("dma chain: one channel fails while another completes", "[dma]") {
    vcmsim::test::allow_sc_warnings();
    dma_config cfg;
    dma_platform p(cfg);
    chan_result r0, r1;
    uint32_t irq_both = 0, irq_one = 0;
    bool line_one = false, line_none = true, data_ok = false;
    p.cpu.program = [&](test_cpu& c) {
        c.fill(src, 65536, 11);
        c.fill(src + 0x20000, 128, 12);
        c.put_desc(descs, desc(src, dst, 65536, 0, dma_descriptor::flag_irq));
        c.put_desc(descs + 0x20, desc(src + 0x20000, dst + 0x20000, 128, descs + 0x40));
        c.put_desc(descs + 0x40, desc(unmapped_addr, dst + 0x30000, 4096, 0));
        c.wr(test::dma_base + dma_reg::irq_enable, 0x3);
        c.start(0, descs);
        c.start(1, descs + 0x20);
        c.wait_not_busy(0);
        c.wait_not_busy(1);
        r0 = read_channel(c, 0);
        r1 = read_channel(c, 1);
        irq_both = c.rd(test::dma_base + dma_reg::irq_status);
        c.wr(test::dma_base + dma_reg::irq_status, 0x2);  // clear channel 1 only
        irq_one = c.rd(test::dma_base + dma_reg::irq_status);
        wait(10, sc_core::SC_NS);
        line_one = c.irq.read();
        c.wr(test::dma_base + dma_reg::irq_status, 0x1);
        wait(10, sc_core::SC_NS);
        line_none = c.irq.read();
        data_ok = copied(c, dst, 65536, 11) && copied(c, dst + 0x20000, 128, 12);
    };
    run(p);
    CHECK(r0.status == 2);
    CHECK(r0.bytes == 65536);
    CHECK(r0.desc_done == 1);
    CHECK(state_of(r1.status) == 3);
    CHECK(code_of(r1.status) == static_cast<uint32_t>(dma_error::src_error));
    CHECK(r1.bytes == 128);
    CHECK(r1.desc_done == 1);
    CHECK(irq_both == 0x3);
    CHECK(irq_one == 0x1);
    CHECK(line_one);
    CHECK_FALSE(line_none);
    CHECK(data_ok);
    CHECK(stat("dma.ch0.errors") == 0);
    CHECK(stat("dma.ch1.errors") == 1);
    CHECK(stat("dma.bytes") == 65536 + 128);
}

TEST_CASE("dma chain: ABORT stops a running chain after whole bursts", "[dma]") {
    vcmsim::test::allow_sc_warnings();
    dma_config cfg;
    dma_platform p(cfg);
    chan_result r;
    bool data_ok = false;
    p.cpu.program = [&](test_cpu& c) {
        c.fill(src, 262144, 13);
        c.put_desc(descs, desc(src, dst, 262144, 0));
        c.start(0, descs);
        wait(2, sc_core::SC_US);
        c.set_reg(0, dma_reg::ctrl, dma_reg::ctrl_abort);
        c.wait_not_busy(0);
        r = read_channel(c, 0);
        data_ok = r.bytes < 262144 && copied(c, dst, static_cast<unsigned>(r.bytes), 13) &&
                  zero(c, dst + r.bytes, 256);
    };
    run(p);
    CHECK(state_of(r.status) == 3);
    CHECK(code_of(r.status) == static_cast<uint32_t>(dma_error::aborted));
    CHECK(r.bytes > 0);
    CHECK(r.bytes % 256 == 0);
    CHECK(r.desc_done == 0);
    CHECK(data_ok);
}

TEST_CASE("dma chain: START while BUSY is ignored", "[dma]") {
    vcmsim::test::allow_sc_warnings();
    dma_config cfg;
    dma_platform p(cfg);
    chan_result r;
    uint32_t busy_status = 0;
    p.cpu.program = [&](test_cpu& c) {
        c.fill(src, 8192, 14);
        c.put_desc(descs, desc(src, dst, 8192, 0));
        c.put_desc(descs + 0x20, desc(src, dst + 0x10000, 8192, 0));
        c.start(0, descs);
        busy_status = c.reg(0, dma_reg::status);
        c.start(0, descs + 0x20);  // ignored: the first chain keeps running
        c.wait_not_busy(0);
        r = read_channel(c, 0);
    };
    run(p);
    CHECK(busy_status == 1);
    CHECK(r.status == 2);
    CHECK(r.desc_done == 1);
    CHECK(r.cur == descs);
    CHECK(stat("dma.ch0.descriptors") == 1);
    CHECK(stat("dma.bytes") == 8192);
}
