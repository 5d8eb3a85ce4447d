// vcm_bench: the cost of mapping and unmapping one buffer through the VCM API, in simulated time
// and in host time, for the SMMU backend and the CPU MMU backend.
//
//   build/bench/vcm_bench [pairs]      (default 20000 map+unmap pairs per measurement)
//
// Platform (built in C++ like tests/system/vcm_smmu_test.cpp): CPU -> router -> {DRAM 64 MiB,
// SMMU registers}; the SMMU's table walks go to the router too; an idle master sits on the SMMU's
// upstream port. The CPU program brings the SMMU up the Linux way (smmu_driver::enable), creates
// a vcm_manager whose only pool holds chunks of the measured size, and an IOMMU VCM over
// smmu_backend (or a CPU VCM over cpu_backend). One pair is
//   map:   reserve(chunk) + phys_alloc(chunk) + back()     (page-table writes)
//   unmap: unback() + unreserve() + phys_free()            (leaf clear, TLBI, CMD_SYNC + wait)
// "cold": the VCM holds nothing else, so every map allocates (and zeroes) the intermediate
// tables and every unmap frees them again (the builder frees empty tables; the SMMU driver then
// adds TLBI_NH_ASID for the walk caches). "warm": an anchor mapping of one chunk stays next to
// the measured one (same last-level table), so the tables stay. One pair is made before the
// measurement (DMI pointers, first allocations). Each measurement runs in its own forked process.
// Figures per case: pairs, simulated ns per pair (and its map / unmap parts), pairs per simulated
// second, pairs per host second, and per pair: CPU store and load transactions (table
// descriptors, zeroed table lines, command-queue entries), MMIO reads / writes, and SMMU
// commands (TLBI_NH_VA, TLBI_NH_ASID, CMD_SYNC) or CPU TLBIs.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>

#include <tlm_utils/simple_initiator_socket.h>

#include "bench/bench_util.h"
#include "models/cpu/cpu.h"
#include "models/interconnect/router.h"
#include "models/memory/dram.h"
#include "models/smmu/smmu.h"
#include "vcm/cpu_backend.h"
#include "vcm/cpu_mmu_driver.h"
#include "vcm/drivers/smmu_driver.h"
#include "vcm/smmu_backend.h"
#include "vcm/vcm.h"

using namespace vcmsim;

namespace {

constexpr uint64_t KiB = 1024, MiB = 1024 * KiB;
constexpr uint64_t dram_base = 0x80000000ULL, dram_size = 64 * MiB;
constexpr uint64_t smmu_base = 0x2B400000ULL;
constexpr uint64_t drv_pool = dram_base, drv_pool_size = 4 * MiB;             // SMMU or CPU tables
constexpr uint64_t pool_2m = dram_base + 4 * MiB, pool_4k = dram_base + 12 * MiB;
constexpr uint64_t win_base = 0x40000000ULL, win_size = 0x10000000ULL;       // IOVA / CPU VA window

enum class backend_kind { smmu, cpu };

struct bench_case {
    const char* label;
    backend_kind be;
    uint64_t chunk;
    bool warm;
};

constexpr bench_case k_cases[] = {
    {"smmu 4 KiB cold", backend_kind::smmu, 4 * KiB, false},
    {"smmu 4 KiB warm", backend_kind::smmu, 4 * KiB, true},
    {"smmu 2 MiB cold", backend_kind::smmu, 2 * MiB, false},
    {"smmu 2 MiB warm", backend_kind::smmu, 2 * MiB, true},
    {"cpu  4 KiB cold", backend_kind::cpu, 4 * KiB, false},
    {"cpu  4 KiB warm", backend_kind::cpu, 4 * KiB, true},
    {"cpu  2 MiB cold", backend_kind::cpu, 2 * MiB, false},
    {"cpu  2 MiB warm", backend_kind::cpu, 2 * MiB, true},
};

// Figure slots sent back from the child.
enum slot {
    f_pairs, f_sim_ps, f_host_s, f_map_ps, f_unmap_ps, f_stores, f_loads, f_mmio_rd, f_mmio_wr,
    f_bus, f_dmi, f_tlbi_va, f_tlbi_asid, f_sync, f_cpu_tlbi, f_failed
};

// An upstream master that never issues anything (the SMMU's TBU port must be bound).
struct idle_master : sc_core::sc_module {
    tlm_utils::simple_initiator_socket<idle_master> out{"out"};
    explicit idle_master(const sc_core::sc_module_name& n) : sc_module(n) {}
};

struct bench_platform {
    interconnect::router bus;
    memory::dram mem;
    smmu::smmu mmu;
    idle_master dev;
    cpu::cpu cpu;
    using irq_signal = sc_core::sc_signal<bool, sc_core::SC_MANY_WRITERS>;
    irq_signal irq_evtq{"irq_evtq"}, irq_gerror{"irq_gerror"}, irq_sync{"irq_sync"};

    bench_platform()
        : bus("bus", {}), mem("mem", dram_cfg()), mmu("smmu", smmu_cfg()), dev("dev"), cpu("cpu", cpu::cpu_config{}) {
        cpu.out.bind(bus.in);
        mmu.out.bind(bus.in);
        dev.out.bind(mmu.in);
        bus.out.bind(mem.in);
        bus.out.bind(mmu.mmio);
        bus.add_route("dram", {dram_base, dram_size}, 0);
        bus.add_route("smmu", {smmu_base, smmu::regs::window}, 1);
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
        c.ports = {{"dev", 1, 0, false}};
        return c;
    }
};

double stat(const char* name) {
    auto& reg = core::stats_registry::global();
    return reg.find(name) ? reg.value(name) : 0.0;
}

// Counter values whose per-pair differences are reported.
struct counters {
    double v[16] = {};
    void take() {
        v[f_stores] = stat("cpu.stores");
        v[f_loads] = stat("cpu.loads");
        v[f_mmio_rd] = stat("cpu.mmio_reads");
        v[f_mmio_wr] = stat("cpu.mmio_writes");
        v[f_bus] = stat("mem.reads") + stat("mem.writes");
        v[f_dmi] = stat("cpu.dmi_accesses");
        v[f_tlbi_va] = stat("smmu.commands.TLBI_NH_VA");
        v[f_tlbi_asid] = stat("smmu.commands.TLBI_NH_ASID");
        v[f_sync] = stat("smmu.commands.SYNC");
        v[f_cpu_tlbi] = stat("cpu.mmu.tlbi");
    }
};

vcm::vcm_manager_config layer_cfg(uint64_t chunk) {
    vcm::vcm_manager_config c;
    c.phys.tg = mmu::granule::g4k;
    if (chunk == 2 * MiB) c.phys.pools = {{2 * MiB, pool_2m, 0, 4, "2M"}};
    else c.phys.pools = {{4 * KiB, pool_4k, 0, 64, "4K"}};
    return c;
}

// The measured loop on the CPU thread; fills f (f_failed = 1 on any error, printed to stderr).
void run_program(cpu::cpu& c, const bench_case& k, uint64_t pairs, bench::figures& f) {
    f.v[f_failed] = 1;
    auto fail = [&](const char* what, const std::string& why) {
        std::fprintf(stderr, "vcm_bench (%s): %s: %s\n", k.label, what, why.c_str());
    };
    std::unique_ptr<vcm::smmu_driver> sdrv;
    std::unique_ptr<vcm::cpu_mmu_driver> cdrv;
    std::unique_ptr<vcm::translation_backend> be;
    if (k.be == backend_kind::smmu) {
        vcm::smmu_driver_setup s;
        s.mmio_base = smmu_base;
        s.pool_base = drv_pool;
        s.pool_size = drv_pool_size;
        sdrv = std::make_unique<vcm::smmu_driver>(c, s);
        const core::op_status st = sdrv->enable();
        if (!st.ok) return fail("smmu enable", st.error);
        be = std::make_unique<vcm::smmu_backend>(*sdrv);
    } else {
        vcm::cpu_mmu_setup s;
        s.pool_base = drv_pool;
        s.pool_size = drv_pool_size;
        cdrv = std::make_unique<vcm::cpu_mmu_driver>(c, c, s);
        be = std::make_unique<vcm::cpu_backend>(*cdrv);
    }
    auto mr = vcm::vcm_manager::create(layer_cfg(k.chunk));
    if (!mr.ok()) return fail("create manager", mr.status().to_string());
    auto mgr = mr.take();
    auto& m = *mgr;
    auto vr = k.be == backend_kind::smmu ? m.create_vcm(*be, win_base, win_size)
                                         : m.create_cpu_vcm(*be, win_base, win_size);
    if (!vr.ok()) return fail("create vcm", vr.status().to_string());
    const vcm::vcm_handle vcm = *vr;

    // One map: reserve + allocate + back. Returns false (after reporting) on an error.
    auto map_one = [&](vcm::res_handle& res, vcm::phys_handle& ph) {
        auto r = m.reserve(vcm, k.chunk);
        if (!r.ok()) return fail("reserve", r.status().to_string()), false;
        auto p = m.phys_alloc(k.chunk);
        if (!p.ok()) return fail("phys_alloc", p.status().to_string()), false;
        res = *r;
        ph = *p;
        const vcm::vcm_status st = m.back(res, ph);
        if (!st.ok()) return fail("back", st.to_string()), false;
        return true;
    };
    auto unmap_one = [&](vcm::res_handle res, vcm::phys_handle ph) {
        vcm::vcm_status st = m.unback(res);
        if (st.ok()) st = m.unreserve(res);
        if (st.ok()) st = m.phys_free(ph);
        if (!st.ok()) return fail("unback/unreserve/phys_free", st.to_string()), false;
        return true;
    };

    vcm::res_handle anchor_r, res;
    vcm::phys_handle anchor_p, ph;
    if (k.warm && !map_one(anchor_r, anchor_p)) return;
    if (!map_one(res, ph) || !unmap_one(res, ph)) return;   // warm-up pair

    counters before, after;
    before.take();
    const core::ps_t t0 = c.now_ps();
    const auto h0 = std::chrono::steady_clock::now();
    core::ps_t map_ps = 0, unmap_ps = 0;
    uint64_t done = 0;
    for (; done < pairs; ++done) {
        const core::ps_t a = c.now_ps();
        if (!map_one(res, ph)) return;
        const core::ps_t b = c.now_ps();
        if (!unmap_one(res, ph)) return;
        map_ps += b - a;
        unmap_ps += c.now_ps() - b;
    }
    const double host = std::chrono::duration<double>(std::chrono::steady_clock::now() - h0).count();
    const core::ps_t sim = c.now_ps() - t0;
    after.take();
    for (int i = f_stores; i <= f_cpu_tlbi; ++i) f.v[i] = (after.v[i] - before.v[i]) / static_cast<double>(done);
    f.v[f_pairs] = static_cast<double>(done);
    f.v[f_sim_ps] = static_cast<double>(sim);
    f.v[f_host_s] = host;
    f.v[f_map_ps] = static_cast<double>(map_ps);
    f.v[f_unmap_ps] = static_cast<double>(unmap_ps);
    if (k.warm) {
        if (!unmap_one(anchor_r, anchor_p)) return;
    }
    f.v[f_failed] = 0;
}

bench::figures measure(const bench_case& k, uint64_t pairs) {
    core::install_report_handler(core::log_level::warn);
    platform::init_time_resolution();
    tlm::tlm_global_quantum::instance().set(sc_core::sc_time(1, sc_core::SC_US));
    bench_platform p;
    bench::figures f;
    f.v[f_failed] = 1;
    p.cpu.set_program([&](cpu::cpu& c) { run_program(c, k, pairs, f); });
    sc_core::sc_start();
    if (!p.cpu.finished()) f.v[f_failed] = 1;
    return f;
}

void print(const bench_case& k, const bench::figures& f) {
    const double n = f.v[f_pairs];
    const double ns = f.v[f_sim_ps] / n / 1e3;
    std::printf("%-16s %7.0f %9.1f %7.1f %8.1f %11.0f %10.0f %7.1f %6.1f %5.1f %5.1f %5.2f %5.2f %5.2f %5.2f %5.1f %5.1f\n",
                k.label, n, ns, f.v[f_map_ps] / n / 1e3, f.v[f_unmap_ps] / n / 1e3, 1e12 * n / f.v[f_sim_ps],
                n / f.v[f_host_s], f.v[f_stores], f.v[f_loads], f.v[f_mmio_rd], f.v[f_mmio_wr],
                f.v[f_tlbi_va], f.v[f_tlbi_asid], f.v[f_sync], f.v[f_cpu_tlbi], f.v[f_dmi], f.v[f_bus]);
}

}  // namespace

int sc_main(int argc, char** argv) {
    const uint64_t pairs = argc > 1 ? std::strtoull(argv[1], nullptr, 0) : 20000;
    if (pairs == 0) {
        std::fprintf(stderr, "usage: vcm_bench [pairs > 0]\n");
        return 2;
    }
    std::printf("vcm_bench: %llu map+unmap pairs per case (map = reserve + phys_alloc + back, unmap = unback +"
                " unreserve + phys_free); CPU 2 GHz, DRAM 25 ns, quantum 1 us\n",
                static_cast<unsigned long long>(pairs));
    std::printf("%-16s %7s %9s %7s %8s %11s %10s %7s %6s %5s %5s %5s %5s %5s %5s %5s %5s\n", "case", "pairs", "ns/pair",
                "map ns", "unmap ns", "pairs/sim s", "pairs/host s", "stores", "loads", "mmioR", "mmioW",
                "VA", "ASID", "SYNC", "TLBI", "dmi", "dram");
    int rc = 0;
    for (const auto& k : k_cases) {
        bench::figures f;
        if (!bench::in_child([&] { return measure(k, pairs); }, f) || f.v[f_failed] != 0) {
            std::fprintf(stderr, "vcm_bench: the measurement '%s' failed\n", k.label);
            rc = 1;
            continue;
        }
        print(k, f);
    }
    std::printf("per pair: stores/loads = CPU memory transactions (descriptors, zeroed table lines of 64 B,"
                " command-queue entries); mmioR/W = SMMU register accesses; VA/ASID/SYNC = SMMU commands"
                " TLBI_NH_VA/TLBI_NH_ASID/CMD_SYNC; TLBI = CPU TLBI instructions; dmi = CPU accesses served by DMI;"
                " dram = b_transports reaching the DRAM (the SMMU's command-queue reads)\n");
    return rc;
}

int main(int argc, char** argv) {
    setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 1);
    return sc_core::sc_elab_and_sim(argc, argv);
}
