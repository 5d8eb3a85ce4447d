// System tests of the VCM layer over the SMMU backend: a CPU model runs the VCM API with
// smmu_backend (driver -> SMMU through timed MMIO and memory accesses); a DMA engine behind the
// SMMU copies through the IOVAs. Checks data at the physical chunks, the unmap ordering
// (TLBI + CMD_SYNC before the memory is reused), events and exact walk counts.
#include <catch2/catch.hpp>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include <systemc>

#include "models/core/stats.h"
#include "models/cpu/cpu.h"
#include "models/cpu/data_pattern.h"
#include "models/dma/dma_engine.h"
#include "models/interconnect/router.h"
#include "models/memory/dram.h"
#include "models/smmu/smmu.h"
#include "tests/support/test_util.h"
#include "vcm/drivers/dma_driver.h"
#include "vcm/drivers/smmu_driver.h"
#include "vcm/smmu_backend.h"
#include "vcm/vcm.h"

using namespace vcmsim;

namespace {

constexpr uint64_t dram_base = 0x80000000ULL, dram_size = 64ULL << 20;
constexpr uint64_t smmu_base = 0x2B400000ULL, dma_base = 0x10000000ULL;
constexpr uint64_t drv_pool = dram_base, drv_pool_size = 4ULL << 20;   // SMMU tables, queues, CDs
constexpr uint64_t pool_2m = dram_base + 0x00400000, pool_64k = dram_base + 0x00C00000,
                   pool_4k = dram_base + 0x00E00000;
constexpr uint64_t win_base = 0x40000000ULL, win_size = 0x10000000ULL;
constexpr uint64_t dma1_base = 0x10010000ULL;
constexpr uint32_t k_sid = 5, k_sid1 = 6;     // the DMA engines' StreamIDs
constexpr vcm::device_id k_dev = 7, k_dev1 = 8;   // their VCM device ids (backend: 7 -> 5, 8 -> 6)
constexpr uint64_t KiB = 1024, MiB = 1024 * KiB;

struct platform {
    interconnect::router bus;
    memory::dram mem;
    smmu::smmu mmu;
    dma::dma_engine dma, dma1;
    cpu::cpu cpu;
    // The SMMU drives its interrupt lines from whichever thread made the access (the CPU's MMIO,
    // the DMA's faulting bursts): several writers, as in the platform builder.
    using irq_signal = sc_core::sc_signal<bool, sc_core::SC_MANY_WRITERS>;
    sc_core::sc_signal<bool> irq_dma{"irq_dma"}, irq_dma1{"irq_dma1"};
    irq_signal irq_evtq{"irq_evtq"}, irq_gerror{"irq_gerror"}, irq_sync{"irq_sync"};

    platform()
        : bus("bus", {}), mem("mem", dram_cfg()), mmu("smmu", smmu_cfg()), dma("dma", dma_cfg(k_sid)),
          dma1("dma1", dma_cfg(k_sid1)),
          cpu("cpu", cpu::cpu_config{}) {
        cpu.out.bind(bus.in);
        mmu.out.bind(bus.in);
        dma.out.bind(mmu.in);    // TBU 0
        dma1.out.bind(mmu.in);   // TBU 1
        bus.out.bind(mem.in);
        bus.out.bind(mmu.mmio);
        bus.out.bind(dma.mmio);
        bus.out.bind(dma1.mmio);
        bus.add_route("dram", {dram_base, dram_size}, 0);
        bus.add_route("smmu", {smmu_base, smmu::regs::window}, 1);
        bus.add_route("dma", {dma_base, dma::dma_reg::window}, 2);
        bus.add_route("dma1", {dma1_base, dma::dma_reg::window}, 3);
        dma.irq(irq_dma);
        dma1.irq(irq_dma1);
        cpu.irq(irq_dma);    // line 0
        cpu.irq(irq_dma1);   // line 1
        mmu.irq_evtq(irq_evtq);
        mmu.irq_gerror(irq_gerror);
        mmu.irq_cmdq_sync(irq_sync);
    }
    static memory::dram_config dram_cfg() {
        memory::dram_config c;
        c.size = dram_size;
        return c;
    }
    static smmu::smmu_config smmu_cfg() {
        smmu::smmu_config c;
        c.ports = {{"dma", k_sid, 0, false}, {"dma1", k_sid1, 0, false}};
        return c;
    }
    static dma::dma_config dma_cfg(uint32_t sid) {
        dma::dma_config c;
        c.stream_id = sid;
        return c;
    }
};

// Pools: 4 x 2 MiB, 32 x 64 KiB, 256 x 4 KiB; memtype 0 = all (max munch), memtype 1 = 4 KiB only.
vcm::vcm_manager_config layer_cfg() {
    vcm::vcm_manager_config c;
    c.phys.tg = mmu::granule::g4k;
    c.phys.pools = {{2 * MiB, pool_2m, 0, 4, "2M"}, {64 * KiB, pool_64k, 0, 32, "64K"}, {4 * KiB, pool_4k, 0, 256, "4K"}};
    c.phys.memtypes = {{0, 1, 2}, {2}};
    return c;
}

double stat(const std::string& name) {
    return core::stats_registry::global().find(name) ? core::stats_registry::global().value(name) : 0.0;
}
double walks() { return stat("smmu.sid5.walks"); }

// Everything the CPU program observed; checked after sc_start.
struct log_t {
    std::vector<std::string> errors;
    void check(bool ok, const std::string& what) {
        if (!ok) errors.push_back(what);
    }
    void ok(const vcm::vcm_status& s, const std::string& what) { check(s.ok(), what + ": " + s.to_string()); }
    void ok(const core::op_status& s, const std::string& what) { check(s.ok, what + ": " + s.error); }
};

template <class T>
T take(vcm::vcm_result<T> r, log_t& log, const std::string& what) {
    if (!r.ok()) log.errors.push_back(what + ": " + r.status().to_string());
    return r.take();
}

// The software stack the CPU program uses.
struct stack {
    cpu::cpu& cpu;
    log_t& log;
    vcm::smmu_driver drv;
    vcm::smmu_backend be;
    vcm::dma_driver dma, dma1;
    std::unique_ptr<vcm::vcm_manager> mgr;

    static vcm::smmu_driver_setup drv_setup() {
        vcm::smmu_driver_setup s;
        s.mmio_base = smmu_base;
        s.pool_base = drv_pool;
        s.pool_size = drv_pool_size;
        return s;
    }
    static vcm::smmu_backend_config be_cfg() {
        vcm::smmu_backend_config c;
        c.streams = {{k_dev, k_sid}, {k_dev1, k_sid1}};
        return c;
    }
    stack(cpu::cpu& c, log_t& l) : cpu(c), log(l), drv(c, drv_setup()), be(drv, be_cfg()), dma(c, dma_base, 0), dma1(c, dma1_base, 1) {
        auto m = vcm::vcm_manager::create(layer_cfg());
        log.check(m.ok(), "create the manager");
        mgr = m.take();
    }

    // Writes pattern (kind, seed) at buffer offsets into the reservation's physical chunks.
    void fill(vcm::res_handle r, cpu::pattern_kind k, uint64_t seed) {
        const uint64_t base = *mgr->dev_addr(r);
        for (const auto& s : take(mgr->segments(r), log, "segments")) {
            std::vector<uint8_t> b(s.size);
            cpu::generate_pattern(k, seed, s.dev_addr - base, b.data(), s.size);
            log.ok(cpu.write_phys(s.pa, b.data(), s.size), "fill");
        }
    }
    // Bytes of physical memory differing from the pattern.
    uint64_t mismatches(const std::vector<vcm::phys_chunk>& chunks, uint64_t len, cpu::pattern_kind k, uint64_t seed,
                        uint64_t pattern_offset = 0) {
        uint64_t bad = 0, off = 0;
        for (const auto& c : chunks) {
            const uint64_t n = std::min(c.size, len - off);
            std::vector<uint8_t> got(n), want(n);
            log.ok(cpu.read_phys(c.pa, got.data(), n), "read back");
            cpu::generate_pattern(k, seed, pattern_offset + off, want.data(), n);
            for (uint64_t i = 0; i < n; ++i) bad += got[i] != want[i];
            off += n;
            if (off == len) break;
        }
        return bad;
    }
    // One copy through the DMA engine (channel 0); the chain lives in reservation `desc`.
    vcm::dma_channel_status copy(vcm::res_handle desc, uint64_t src, uint64_t dst, uint64_t len, unsigned segs = 1,
                                 vcm::dma_driver* engine = nullptr) {
        vcm::dma_driver& d = engine ? *engine : dma;
        const uint64_t desc_iova = *mgr->dev_addr(desc);
        const uint64_t desc_pa = take(mgr->segments(desc), log, "desc segments").at(0).pa;
        vcm::dma_channel_status st;
        log.ok(d.write_chain(desc_pa, desc_iova, vcm::split_copy(src, dst, len, segs)), "write chain");
        log.ok(d.start(0, desc_iova), "start");
        log.ok(d.wait(0, 10000000000ULL, st), "wait");
        return st;
    }
};

}  // namespace

TEST_CASE("vcm over smmu: max munch buffers, DMA copy through IOVAs, unmap ordering, teardown", "[vcmsmmu]") {
    vcmsim::test::allow_sc_warnings();   // the stale-IOVA DMA faults (logged by the SMMU)
    platform p;
    log_t log;
    const uint64_t len = 2 * MiB + 64 * KiB + 3 * 4 * KiB;
    struct {
        std::vector<uint64_t> chunk_sizes;
        uint64_t iova_a = 0, iova_b = 0, iova_c = 0;
        std::string copy_outcome;
        uint64_t copy_bytes = 0, copy_bad = 0, a_bad = 0;
        uint64_t hw_b = 0, sw_b = 0, pa_b_4k = 0;
        uint16_t asid = 0;
        std::set<uint32_t> streams;
        std::string warm_outcome;
        uint64_t unmaps_before = 0, unmaps_after = 0;
        std::set<uint64_t> c_pas, e_pas;
        std::string stale_outcome, stale_read_outcome;
        std::vector<vcm::smmu_event> events;
        uint64_t e_bad = 0;
        vcm::errc hw_stale = vcm::errc::ok;
        uint64_t pool_before = 0, pool_after = 0;
        std::size_t ctx_after = 1;
        vcm::errc destroy_busy = vcm::errc::ok;
    } r;

    p.cpu.set_program([&](cpu::cpu& c) {
        stack s(c, log);
        auto& m = *s.mgr;
        log.ok(s.drv.enable(), "enable");
        r.pool_before = s.drv.pool_bytes_free();
        const auto dev = take(m.register_device("dma0", &s.be, k_dev), log, "register");
        const auto vcm = take(m.create_vcm(s.be, win_base, win_size), log, "create_vcm");
        const auto ra = take(m.reserve(vcm, len), log, "reserve A");
        const auto rb = take(m.reserve(vcm, len), log, "reserve B");
        const auto rd = take(m.reserve(vcm, 4 * KiB), log, "reserve desc");
        const auto pa = take(m.phys_alloc(len), log, "alloc A");
        const auto pb = take(m.phys_alloc(len), log, "alloc B");
        const auto pd = take(m.phys_alloc(4 * KiB), log, "alloc desc");
        for (const auto& ch : take(m.chunks(pa), log, "chunks")) r.chunk_sizes.push_back(ch.size);
        log.ok(m.back(ra, pa), "back A");   // before the device is attached: tables wait for it
        const auto as = take(m.associate(vcm, dev), log, "associate");
        log.ok(m.activate(as), "activate");
        log.ok(m.back(rb, pb), "back B");   // while attached
        log.ok(m.back(rd, pd), "back desc");
        r.iova_a = *m.dev_addr(ra);
        r.iova_b = *m.dev_addr(rb);
        r.asid = s.be.asid_of(1);
        r.streams = s.be.streams_of(1);

        s.fill(ra, cpu::pattern_kind::random, 11);
        s.fill(rb, cpu::pattern_kind::zero, 0);
        const auto st = s.copy(rd, r.iova_a, r.iova_b, len, 4);
        r.copy_outcome = st.outcome();
        r.copy_bytes = st.bytes_done;
        r.copy_bad = s.mismatches(*m.chunks(pb), len, cpu::pattern_kind::random, 11);
        r.a_bad = s.mismatches(*m.chunks(pa), len, cpu::pattern_kind::random, 11);
        const uint64_t probe = r.iova_b + 2 * MiB + 64 * KiB + 4 * KiB + 0x123;
        r.hw_b = m.hw_translate(vcm, probe).value();
        r.sw_b = m.translate(vcm, probe).value();
        r.pa_b_4k = (*m.chunks(pb)).at(3).pa + 0x123;

        // ---- unmap ordering: C is used by the DMA (TLB warm), unbacked, its memory freed and
        // reused by E with a new pattern; the DMA writes to C's old IOVA must fault.
        const auto rc = take(m.reserve(vcm, 12 * KiB), log, "reserve C");
        const auto pc = take(m.phys_alloc(12 * KiB), log, "alloc C");
        log.ok(m.back(rc, pc), "back C");
        r.iova_c = *m.dev_addr(rc);
        for (const auto& ch : take(m.chunks(pc), log, "chunks C")) r.c_pas.insert(ch.pa);
        r.warm_outcome = s.copy(rd, r.iova_a, r.iova_c, 12 * KiB).outcome();
        r.unmaps_before = s.be.unmaps_synced();
        log.ok(m.unback(rc), "unback C");
        r.unmaps_after = s.be.unmaps_synced();
        log.ok(m.phys_free(pc), "free C");
        const auto re = take(m.reserve(vcm, 12 * KiB), log, "reserve E");
        const auto pe = take(m.phys_alloc(12 * KiB), log, "alloc E");
        for (const auto& ch : take(m.chunks(pe), log, "chunks E")) r.e_pas.insert(ch.pa);
        log.ok(m.back(re, pe), "back E");
        s.fill(re, cpu::pattern_kind::random, 99);
        r.stale_outcome = s.copy(rd, r.iova_a, r.iova_c, 12 * KiB).outcome();
        r.stale_read_outcome = s.copy(rd, r.iova_c, r.iova_b, 12 * KiB).outcome();
        log.ok(s.drv.drain_events(r.events), "drain");
        r.e_bad = s.mismatches(*m.chunks(pe), 12 * KiB, cpu::pattern_kind::random, 99);
        r.hw_stale = m.hw_translate(vcm, r.iova_c).code();

        // ---- teardown: everything back to the driver's pool
        r.destroy_busy = s.be.destroy_context(1).code();   // a stream is attached
        log.ok(m.deactivate(as), "deactivate");
        log.ok(m.deassociate(as), "deassociate");
        for (auto res : {ra, rb, rd, re, rc}) {
            if (m.backing(res).value().valid()) log.ok(m.unback(res), "unback");
            log.ok(m.unreserve(res), "unreserve");
        }
        for (auto ph : {pa, pb, pd, pe}) log.ok(m.phys_free(ph), "phys_free");
        log.ok(m.free_vcm(vcm), "free_vcm");
        log.ok(m.unregister_device(dev), "unregister");
        r.ctx_after = s.drv.contexts();
        r.pool_after = s.drv.pool_bytes_free();
    });
    sc_core::sc_start();

    REQUIRE(p.cpu.finished());
    for (const auto& e : log.errors) FAIL_CHECK(e);
    CHECK(log.errors.empty());
    // max munch: one 2 MiB, one 64 KiB, three 4 KiB chunks
    CHECK(r.chunk_sizes == std::vector<uint64_t>{2 * MiB, 64 * KiB, 4 * KiB, 4 * KiB, 4 * KiB});
    CHECK(r.iova_a == win_base);
    CHECK(r.iova_b == win_base + 4 * MiB);   // A's span rounded to the 2 MiB alignment
    CHECK(r.asid == 1);
    CHECK(r.streams == std::set<uint32_t>{k_sid});
    CHECK(r.copy_outcome == "done");
    CHECK(r.copy_bytes == len);
    CHECK(r.copy_bad == 0);
    CHECK(r.a_bad == 0);
    CHECK(r.hw_b == r.pa_b_4k);
    CHECK(r.sw_b == r.pa_b_4k);
    // unmap ordering
    CHECK(r.warm_outcome == "done");
    CHECK(r.unmaps_after == r.unmaps_before + 1);
    CHECK(r.e_pas == r.c_pas);   // the freed chunks were reused
    CHECK(r.stale_outcome == "dst_error");
    CHECK(r.stale_read_outcome == "src_error");
    REQUIRE(r.events.size() == 2);   // the first faulting write, then the first faulting read
    for (const auto& e : r.events) {
        CHECK(e.name() == "F_TRANSLATION");
        CHECK(e.sid == k_sid);
        CHECK(e.input_addr >= r.iova_c);
        CHECK(e.input_addr < r.iova_c + 12 * KiB);
    }
    CHECK(r.events.front().input_addr == r.iova_c);
    CHECK_FALSE(r.events.front().rnw);   // the write faulted first
    CHECK(r.events.back().rnw);
    CHECK(r.events.back().input_addr == r.iova_c);
    CHECK(r.e_bad == 0);                 // never written through the stale mapping
    CHECK(r.hw_stale == vcm::errc::not_backed);
    // teardown
    CHECK(r.destroy_busy == vcm::errc::busy);
    CHECK(r.ctx_after == 0);
    CHECK(r.pool_after == r.pool_before);
}

TEST_CASE("vcm over smmu: exact walks for a copy within one 2 MiB block vs over 4 KiB chunks", "[vcmsmmu]") {
    platform p;
    log_t log;
    struct {
        std::vector<uint64_t> block_chunks, small_chunks;
        std::string o1, o2, o3;
        double w_desc = 0, w_block = 0, w_small = 0, w_again = 0;
        uint64_t bad2 = 0;
    } r;
    p.cpu.set_program([&](cpu::cpu& c) {
        stack s(c, log);
        auto& m = *s.mgr;
        const auto dev = take(m.register_device("dma0", &s.be, k_dev), log, "register");
        const auto vcm = take(m.create_vcm(s.be, win_base, win_size), log, "create_vcm");
        const auto as = take(m.associate(vcm, dev), log, "associate");
        log.ok(m.activate(as), "activate");
        const auto rd = take(m.reserve(vcm, 4 * KiB), log, "reserve desc");
        const auto rx = take(m.reserve(vcm, 2 * MiB), log, "reserve X");
        const auto ru = take(m.reserve(vcm, 64 * KiB), log, "reserve U");
        const auto rv = take(m.reserve(vcm, 64 * KiB), log, "reserve V");
        vcm::phys_options small;
        small.memtype = 1;   // 4 KiB pool only: 16 chunks, 16 page entries
        const auto pd = take(m.phys_alloc(4 * KiB), log, "alloc desc");
        const auto px = take(m.phys_alloc(2 * MiB), log, "alloc X");
        const auto pu = take(m.phys_alloc(64 * KiB, small), log, "alloc U");
        const auto pv = take(m.phys_alloc(64 * KiB, small), log, "alloc V");
        for (const auto& ch : take(m.chunks(px), log, "chunks X")) r.block_chunks.push_back(ch.size);
        for (const auto& ch : take(m.chunks(pu), log, "chunks U")) r.small_chunks.push_back(ch.size);
        log.ok(m.back(rd, pd), "back desc");
        log.ok(m.back(rx, px), "back X");
        log.ok(m.back(ru, pu), "back U");
        log.ok(m.back(rv, pv), "back V");
        const uint64_t x = *m.dev_addr(rx), u = *m.dev_addr(ru), v = *m.dev_addr(rv);
        s.fill(rx, cpu::pattern_kind::random, 5);
        s.fill(ru, cpu::pattern_kind::random, 6);
        // 1: a first tiny copy inside X warms the descriptor page and X's block (2 walks).
        double w0 = walks();
        r.o1 = s.copy(rd, x, x + 4 * KiB, 256).outcome();
        r.w_desc = walks() - w0;
        // 2: 64 KiB within the same 2 MiB block (16 pages of source, 16 of destination): no walk.
        w0 = walks();
        r.o2 = s.copy(rd, x + 1 * MiB, x + 1 * MiB + 512 * KiB, 64 * KiB).outcome();
        r.w_block = walks() - w0;
        // 3: 64 KiB from U to V, each 16 separate 4 KiB chunks: one walk per page.
        w0 = walks();
        r.o3 = s.copy(rd, u, v, 64 * KiB).outcome();
        r.w_small = walks() - w0;
        // 4: the same copy again: every translation is in the TLB.
        w0 = walks();
        s.copy(rd, u, v, 64 * KiB);
        r.w_again = walks() - w0;
        r.bad2 = s.mismatches(*m.chunks(pv), 64 * KiB, cpu::pattern_kind::random, 6);
    });
    sc_core::sc_start();
    REQUIRE(p.cpu.finished());
    for (const auto& e : log.errors) FAIL_CHECK(e);
    CHECK(log.errors.empty());
    CHECK(r.block_chunks == std::vector<uint64_t>{2 * MiB});
    CHECK(r.small_chunks == std::vector<uint64_t>(16, 4 * KiB));
    CHECK(r.o1 == "done");
    CHECK(r.o2 == "done");
    CHECK(r.o3 == "done");
    CHECK(r.w_desc == 2);
    CHECK(r.w_block == 0);
    CHECK(r.w_small == 32);
    CHECK(r.w_again == 0);
    CHECK(r.bad2 == 0);
}

TEST_CASE("vcm over smmu: two devices share one context, detach, ASID reuse", "[vcmsmmu]") {
    vcmsim::test::allow_sc_warnings();   // the detached engine's chain stops with an error
    platform p;
    log_t log;
    struct {
        uint16_t asid1 = 0, asid2 = 0, asid3 = 0;
        std::set<uint32_t> streams_both, streams_after;
        std::size_t hw_streams_both = 0, hw_streams_after = 0, contexts_mid = 0;
        std::string o0, o1, o1_detached, o0_after;
        uint64_t bad0 = 0, bad1 = 0, bad0_after = 0;
        uint64_t cmds_detach = 0, cmds_last_detach = 0;
        bool drv_destroy_refused = false;
        vcm::errc second_active = vcm::errc::ok;
        std::vector<vcm::smmu_event> events;
        vcm::errc map_over = vcm::errc::ok, bad_policy = vcm::errc::ok, no_read = vcm::errc::ok,
                  unknown_dev = vcm::errc::ok, big_window = vcm::errc::ok, hole = vcm::errc::ok;
    } r;
    p.cpu.set_program([&](cpu::cpu& c) {
        stack s(c, log);
        auto& m = *s.mgr;
        vcm::context_id dummy = 0;
        r.big_window = s.be.create_context({0xFFFF000000000000ULL, 1ULL << 30, "too-high"}, dummy).code();
        const auto d0 = take(m.register_device("dma0", &s.be, k_dev), log, "register 0");
        const auto d1 = take(m.register_device("dma1", &s.be, k_dev1), log, "register 1");
        const auto v1 = take(m.create_vcm(s.be, win_base, win_size), log, "create vcm 1");
        const auto v2 = take(m.create_vcm(s.be, win_base, win_size), log, "create vcm 2");
        r.asid1 = s.be.asid_of(1);
        r.asid2 = s.be.asid_of(2);
        const auto a0 = take(m.associate(v1, d0), log, "associate 0");
        const auto a1 = take(m.associate(v1, d1), log, "associate 1");
        const auto a2 = take(m.associate(v2, d1), log, "associate 1 with vcm 2");
        log.ok(m.activate(a0), "activate 0");
        log.ok(m.activate(a1), "activate 1");
        r.second_active = m.activate(a2).code();   // d1 is active in v1 already
        r.streams_both = s.be.streams_of(1);
        r.hw_streams_both = s.drv.streams_of(1);
        r.drv_destroy_refused = !s.drv.destroy_context(1).ok;
        const auto ra = take(m.reserve(v1, 64 * KiB), log, "reserve A");
        const auto rb = take(m.reserve(v1, 64 * KiB), log, "reserve B");
        const auto rd0 = take(m.reserve(v1, 4 * KiB), log, "reserve desc 0");
        const auto rd1 = take(m.reserve(v1, 4 * KiB), log, "reserve desc 1");
        const auto pa = take(m.phys_alloc(64 * KiB), log, "alloc A");
        const auto pb = take(m.phys_alloc(64 * KiB), log, "alloc B");
        const auto pd0 = take(m.phys_alloc(4 * KiB), log, "alloc desc 0");
        const auto pd1 = take(m.phys_alloc(4 * KiB), log, "alloc desc 1");
        log.ok(m.back(ra, pa), "back A");
        log.ok(m.back(rb, pb), "back B");
        log.ok(m.back(rd0, pd0), "back desc 0");
        log.ok(m.back(rd1, pd1), "back desc 1");
        const uint64_t a = *m.dev_addr(ra), b = *m.dev_addr(rb);
        // Backend contract, called directly.
        vcm::access_attrs wt;
        wt.cache = vcm::cache_policy::write_through;
        vcm::access_attrs nr;
        nr.read = false;
        r.map_over = s.be.map(1, a + 4 * KiB, pool_4k, 4 * KiB, {}).code();
        r.bad_policy = s.be.map(1, win_base + win_size - 4 * KiB, pool_4k, 4 * KiB, wt).code();
        r.no_read = s.be.map(1, win_base + win_size - 4 * KiB, pool_4k, 4 * KiB, nr).code();
        r.unknown_dev = s.be.attach(1, 99).code();
        uint64_t pa_hole = 0;
        r.hole = s.be.iova_to_phys(1, win_base + win_size - 4 * KiB, pa_hole).code();
        s.fill(ra, cpu::pattern_kind::random, 21);
        s.fill(rb, cpu::pattern_kind::zero, 0);
        r.o0 = s.copy(rd0, a, b, 64 * KiB).outcome();   // engine 0, StreamID 5
        r.bad0 = s.mismatches(*m.chunks(pb), 64 * KiB, cpu::pattern_kind::random, 21);
        s.fill(rb, cpu::pattern_kind::zero, 0);
        r.o1 = s.copy(rd1, a, b, 64 * KiB, 1, &s.dma1).outcome();   // engine 1, StreamID 6, same tables
        r.bad1 = s.mismatches(*m.chunks(pb), 64 * KiB, cpu::pattern_kind::random, 21);
        // Detach engine 1: CFGI_STE + CMD_SYNC only (StreamID 5 still uses the context).
        uint64_t n0 = s.drv.commands_issued();
        log.ok(m.deactivate(a1), "deactivate 1");
        r.cmds_detach = s.drv.commands_issued() - n0;
        r.streams_after = s.be.streams_of(1);
        r.hw_streams_after = s.drv.streams_of(1);
        r.o1_detached = s.copy(rd1, a, b, 64 * KiB, 1, &s.dma1).outcome();
        s.fill(rb, cpu::pattern_kind::zero, 0);
        r.o0_after = s.copy(rd0, a, b, 64 * KiB).outcome();
        r.bad0_after = s.mismatches(*m.chunks(pb), 64 * KiB, cpu::pattern_kind::random, 21);
        log.ok(s.drv.drain_events(r.events), "drain");
        // The last stream leaves: CFGI_STE + TLBI_NH_ASID + CMD_SYNC.
        n0 = s.drv.commands_issued();
        log.ok(m.deactivate(a0), "deactivate 0");
        r.cmds_last_detach = s.drv.commands_issued() - n0;
        // VCM 2 goes away, a new VCM takes its ASID.
        log.ok(m.deassociate(a2), "deassociate 2");
        log.ok(m.free_vcm(v2), "free vcm 2");
        const auto v3 = take(m.create_vcm(s.be, win_base, win_size), log, "create vcm 3");
        r.asid3 = s.be.asid_of(3);
        r.contexts_mid = s.drv.contexts();
        log.ok(m.free_vcm(v3), "free vcm 3");
    });
    sc_core::sc_start();
    REQUIRE(p.cpu.finished());
    for (const auto& e : log.errors) FAIL_CHECK(e);
    CHECK(log.errors.empty());
    CHECK(r.asid1 == 1);
    CHECK(r.asid2 == 2);
    CHECK(r.second_active == vcm::errc::busy);
    CHECK(r.streams_both == std::set<uint32_t>{k_sid, k_sid1});
    CHECK(r.hw_streams_both == 2);
    CHECK(r.drv_destroy_refused);
    CHECK(r.o0 == "done");
    CHECK(r.o1 == "done");
    CHECK(r.bad0 == 0);
    CHECK(r.bad1 == 0);
    CHECK(r.cmds_detach == 2);
    CHECK(r.streams_after == std::set<uint32_t>{k_sid});
    CHECK(r.hw_streams_after == 1);
    CHECK(r.o1_detached == "desc_fetch");   // STE abort: the first access (the descriptor) fails
    CHECK(r.events.empty());                // STE.Config = abort terminates without an event
    CHECK(r.o0_after == "done");
    CHECK(r.bad0_after == 0);
    CHECK(r.cmds_last_detach == 3);
    CHECK(r.asid3 == 2);
    CHECK(r.contexts_mid == 2);
    CHECK(r.big_window == vcm::errc::out_of_range);
    CHECK(r.map_over == vcm::errc::busy);
    CHECK(r.bad_policy == vcm::errc::unsupported);
    CHECK(r.no_read == vcm::errc::unsupported);
    CHECK(r.unknown_dev == vcm::errc::no_device);
    CHECK(r.hole == vcm::errc::not_backed);
}
