// cpu_mmu_bench: speed of the translation core on the host, and of the CPU's streaming loop
// with translation off and on, in one run.
//
//   build/bench/cpu_mmu_bench
//
// 1. TLB hits: lookups per second in a 64-entry 4-way TLB holding 32 pages, cycling over them.
// 2. Walks with a warm walk cache (one descriptor read each) per second.
// 3. The CPU filling a 256 KiB buffer 200 times (bench/configs/cpu_stream.toml): simulated
//    CPU accesses per host second with the MMU off and on (TLB-hit dominated), each in its own
//    forked process. Target: on >= 50 % of off.
#include <cstdlib>
#include <unordered_map>

#include "bench/bench_util.h"
#include "models/mmu/tlb.h"
#include "models/mmu/walker.h"
#include "vcm/pgtable/page_table_builder.h"
#include "vcm/pgtable/table_pool.h"

using namespace vcmsim;

namespace {

struct host_memory : mmu::table_memory, vcm::pt_memory {
    std::unordered_map<uint64_t, uint64_t> words;
    bool read64(uint64_t pa, uint64_t& v, uint64_t& lat) override {
        auto it = words.find(pa);
        v = it == words.end() ? 0 : it->second;
        lat = 0;
        return true;
    }
    uint64_t read64(uint64_t pa) override {
        auto it = words.find(pa);
        return it == words.end() ? 0 : it->second;
    }
    void write64(uint64_t pa, uint64_t v) override { words[pa] = v; }
};

double seconds_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

double tlb_hits_per_second() {
    mmu::tlb t(mmu::tlb_config{64, 4, mmu::replacement::lru, 1});
    for (uint64_t p = 0; p < 32; ++p) {
        mmu::mapping m;
        m.va_base = 0x40000000 + p * 4096;
        m.pa_base = 0x80000000 + p * 4096;
        m.attrs.ng = true;
        m.asid = 1;
        t.fill(m);
    }
    const uint64_t n = 50000000;
    uint64_t sink = 0;
    const auto t0 = std::chrono::steady_clock::now();
    for (uint64_t i = 0; i < n; ++i) {
        const mmu::mapping* m = t.lookup(0x40000000 + ((i * 7) & 31) * 4096 + (i & 0xff8), 1);
        sink += m ? m->pa_base : 1;
    }
    const double s = seconds_since(t0);
    if (sink == 42) std::printf(" ");
    return static_cast<double>(n) / s;
}

double warm_walks_per_second() {
    host_memory mem;
    vcm::table_pool pool(0x100000, 0x1000000);
    vcm::page_table_builder pt(mem, pool, vcm::pt_format{mmu::granule::g4k, 16, 48, false});
    pt.init();
    pt.map(0x40000000, 0x80000000, 2 << 20 >> 1, vcm::map_attrs{});  // 1 MiB of 4 KiB pages
    mmu::walk_cache wc(mmu::walk_cache_config{64, 4, 0b0111});
    mmu::walker w(mem, &wc);
    mmu::regime r;
    r.ttb = pt.root_pa();
    const uint64_t n = 5000000;
    uint64_t sink = 0;
    w.walk(r, mmu::access{0x40000000, mmu::access_type::read, true});
    const auto t0 = std::chrono::steady_clock::now();
    for (uint64_t i = 0; i < n; ++i)
        sink += w.walk(r, mmu::access{0x40000000 + (i & 255) * 4096, mmu::access_type::read, true}).reads;
    const double s = seconds_since(t0);
    if (sink != n) std::printf("(warm walks made %llu reads, expected %llu)\n",
                               static_cast<unsigned long long>(sink), static_cast<unsigned long long>(n));
    return static_cast<double>(n) / s;
}

bench::figures stream(bool translate) {
    std::vector<double> s;
    std::vector<std::string> ov;
    if (!translate) ov.push_back("scenario.step[1].op=mmu_disable");
    bench::figures f;
    const std::string cfg = std::string(VCMSIM_SOURCE_DIR) + "/bench/configs/cpu_stream.toml";
    f.v[0] = bench::run_platform(cfg, ov, {"top.cpu.stores", "top.cpu.loads", "top.cpu.mmu.walks",
                                           "top.cpu.mmu.tlb_hits", "top.cpu.mmu.utlb_hits"}, s);
    f.v[1] = s[0] + s[1];
    f.v[2] = s[2];
    f.v[3] = s[3];
    f.v[4] = s[4];
    return f;
}

}  // namespace

int sc_main(int, char**) {
    std::printf("cpu_mmu_bench\n");
    std::printf("  TLB hit lookups:              %7.1f M/s\n", tlb_hits_per_second() / 1e6);
    std::printf("  walks with a warm walk cache: %7.1f M/s (1 descriptor read each)\n",
                warm_walks_per_second() / 1e6);
    bench::figures off, on;
    if (!bench::in_child([] { return stream(false); }, off) || !bench::in_child([] { return stream(true); }, on)) {
        std::fprintf(stderr, "cpu_mmu_bench: a platform run failed\n");
        return 1;
    }
    const double r_off = off.v[1] / off.v[0], r_on = on.v[1] / on.v[0];
    std::printf("  CPU stream, translation off:  %7.1f M simulated accesses per host second\n", r_off / 1e6);
    std::printf("  CPU stream, translation on:   %7.1f M simulated accesses per host second "
                "(%.0f walks, %.0f micro-TLB hits, %.0f TLB hits)\n",
                r_on / 1e6, on.v[2], on.v[4], on.v[3]);
    std::printf("  on / off: %.2f (target >= 0.50)\n", r_on / r_off);
    return 0;
}

int main(int argc, char** argv) {
    setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 1);
    return sc_core::sc_elab_and_sim(argc, argv);
}
