// Host-side speed of the SMMU upstream path, in simulated 64-byte bursts per host second:
//   hit     SMMU enabled, a stream cycling over 16 mapped pages (micro-TLB hits)
//   bypass  the same stream with SMMUEN = 0 and GBPA bypass (no translation)
//   miss    random pages over 64 MiB (16384 pages; main TLB 2048 entries): TLB-miss heavy
// Each measurement runs in its own forked process (SystemC elaborates once per process).
// Usage: smmu_bench [bursts]   (default 2,000,000; the miss pattern runs bursts / 10)
#include <chrono>
#include <cstdio>
#include <cstdlib>

#include <tlm_utils/simple_initiator_socket.h>

#include "bench/bench_util.h"
#include "models/interconnect/router.h"
#include "models/memory/dram.h"
#include "models/smmu/smmu.h"
#include "vcm/pgtable/page_table_builder.h"
#include "vcm/pgtable/table_pool.h"

using namespace vcmsim;
namespace sr = smmu::regs;

namespace {
constexpr uint64_t dram_base = 0x80000000ULL, smmu_base = 0x2B400000ULL;
constexpr uint64_t strtab = dram_base + 0x100000, cdp = dram_base + 0x200000;
constexpr uint64_t pool = dram_base + 0x400000, data = dram_base + 0x1000000;
constexpr uint64_t iova = 0x10000000;

struct store_mem : vcm::pt_memory {
    memory::sparse_memory& s;
    explicit store_mem(memory::sparse_memory& m) : s(m) {}
    uint64_t read64(uint64_t pa) override {
        uint8_t b[8];
        s.read(pa - dram_base, b, 8);
        return smmu::load_le64(b);
    }
    void write64(uint64_t pa, uint64_t v) override {
        uint8_t b[8];
        smmu::store_le64(b, v);
        s.write(pa - dram_base, b, 8);
    }
};

enum class mode { hit, bypass, miss };

struct master : sc_core::sc_module {
    tlm_utils::simple_initiator_socket<master> cpu, dev;
    mode m;
    uint64_t n;
    double wall = 0;
    uint64_t errors = 0;
    SC_HAS_PROCESS(master);
    master(const sc_core::sc_module_name& nm, mode md, uint64_t bursts)
        : sc_module(nm), cpu("cpu"), dev("dev"), m(md), n(bursts) {
        SC_THREAD(run);
    }
    void w32(uint64_t off, uint32_t v) {
        tlm::tlm_generic_payload p;
        p.set_command(tlm::TLM_WRITE_COMMAND);
        p.set_address(smmu_base + off);
        p.set_data_ptr(reinterpret_cast<uint8_t*>(&v));
        p.set_data_length(4);
        p.set_streaming_width(4);
        sc_core::sc_time d;
        cpu->b_transport(p, d);
    }
    void run() {
        if (m == mode::bypass) {
            w32(sr::GBPA, sr::GBPA_UPDATE);
        } else {
            w32(sr::STRTAB_BASE, static_cast<uint32_t>(strtab));
            w32(sr::STRTAB_BASE + 4, static_cast<uint32_t>(strtab >> 32));
            w32(sr::STRTAB_BASE_CFG, 4);
            w32(sr::CR0, sr::CR0_SMMUEN);
        }
        uint8_t buf[64] = {};
        tlm::tlm_generic_payload p;
        core::txn_ext ext;
        p.set_extension(&ext);
        p.set_data_ptr(buf);
        p.set_data_length(64);
        p.set_streaming_width(64);
        sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
        uint64_t x = 88172645463325252ULL;
        const uint64_t base = m == mode::bypass ? data : iova;
        const auto t0 = std::chrono::steady_clock::now();
        for (uint64_t i = 0; i < n; ++i) {
            uint64_t a;
            if (m == mode::miss) {
                x ^= x << 13; x ^= x >> 7; x ^= x << 17;
                a = base + (x % 16384) * 4096 + (i & 63) * 64 % 4096;
            } else {
                a = base + ((i >> 6) & 15) * 4096 + (i & 63) * 64;
            }
            p.set_address(a);
            p.set_command((i & 1) ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
            p.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
            dev->b_transport(p, delay);
            errors += !p.is_response_ok();
            if ((i & 1023) == 1023) {
                wait(delay);
                delay = sc_core::SC_ZERO_TIME;
            }
        }
        wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        p.clear_extension(&ext);
    }
};

bench::figures measure(mode md, uint64_t bursts) {
    core::install_report_handler(core::log_level::warn);
    memory::dram_config mc;
    mc.size = 128ULL << 20;
    interconnect::router bus("bus", {});
    memory::dram mem("mem", mc);
    smmu::smmu_config sc;
    sc.ports = {{"dev", 0, 0, false}};
    smmu::smmu s("smmu", sc);
    master mst("master", md, bursts);
    sc_core::sc_signal<bool> a("a"), b("b"), c("c");
    mst.cpu.bind(bus.in);
    mst.dev.bind(s.in);
    s.out.bind(bus.in);
    bus.out.bind(mem.in);
    bus.out.bind(s.mmio);
    bus.add_route("dram", {dram_base, mc.size}, 0);
    bus.add_route("smmu", {smmu_base, sr::window}, 1);
    s.irq_evtq(a);
    s.irq_gerror(b);
    s.irq_cmdq_sync(c);
    // Tables written by the host before the run.
    store_mem sm(mem.store());
    vcm::table_pool tp(pool, 8 << 20);
    vcm::page_table_builder pt(sm, tp, vcm::pt_format{});
    pt.init();
    vcm::map_attrs at;
    at.user = true;
    // The miss pattern's PA is offset by one page so that 4 KiB pages (not 2 MiB blocks) are used.
    pt.map(iova, md == mode::miss ? data + 0x1000 : data, md == mode::miss ? (64ULL << 20) : (16 * 4096), at);
    smmu::cd::params cp;
    cp.ttb0 = pt.root_pa();
    cp.asid = 1;
    const smmu::cd cdv = smmu::cd::make(cp);
    for (int i = 0; i < 8; ++i) sm.write64(cdp + 8 * i, cdv.dw[i]);
    const smmu::ste st = smmu::ste::make_s1(cdp);
    for (int i = 0; i < 8; ++i) sm.write64(strtab + 8 * i, st.dw[i]);
    sc_core::sc_start();
    bench::figures f;
    f.v[0] = static_cast<double>(bursts) / mst.wall;
    f.v[1] = static_cast<double>(mst.errors);
    auto val = [](const char* nm) {
        return core::stats_registry::global().find(nm) ? core::stats_registry::global().value(nm) : 0.0;
    };
    f.v[2] = val("smmu.sid0.utlb_hits");
    f.v[3] = val("smmu.sid0.tlb_misses");
    f.v[4] = sc_core::sc_time_stamp().to_seconds() * 1e9 / static_cast<double>(bursts);
    return f;
}
}  // namespace

int sc_main(int argc, char** argv) {
    const uint64_t n = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 2000000;
    bench::figures hit, byp, miss;
    if (!bench::in_child([&] { return measure(mode::hit, n); }, hit) ||
        !bench::in_child([&] { return measure(mode::bypass, n); }, byp) ||
        !bench::in_child([&] { return measure(mode::miss, n / 10); }, miss)) {
        std::fprintf(stderr, "smmu_bench: a measurement failed\n");
        return 1;
    }
    std::printf("%-8s %14s %8s %12s %12s %12s\n", "pattern", "bursts/s", "errors", "utlb_hits", "tlb_misses", "sim ns/burst");
    auto row = [](const char* n, const bench::figures& f) {
        std::printf("%-8s %14.0f %8.0f %12.0f %12.0f %12.2f\n", n, f.v[0], f.v[1], f.v[2], f.v[3], f.v[4]);
    };
    row("hit", hit);
    row("bypass", byp);
    row("miss", miss);
    std::printf("hit / bypass = %.1f %% (target >= 60 %%)\n", 100.0 * hit.v[0] / byp.v[0]);
    return hit.v[1] == 0 && byp.v[1] == 0 && miss.v[1] == 0 ? 0 : 1;
}

int main(int argc, char** argv) {
    setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 1);
    return sc_core::sc_elab_and_sim(argc, argv);
}
