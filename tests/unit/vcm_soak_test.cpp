// Soak: 100 000 map/unmap operations with random sizes (fixed seed, splitmix64) over three VCMs:
// the CPU's (cpu_backend -> cpu_mmu_driver -> page_table_builder over a host memory), an IOMMU
// VCM on a fake backend with real page tables, and a one-to-one VCM. Map failures are injected
// now and then. After each half: every pool, IOVA window, table page and host word is back where
// it started, and the host-side footprint of the second half equals the first's (flat); the
// process heap (glibc mallinfo2) does not grow over the second half either.
#include <catch2/catch.hpp>

#include <malloc.h>

#include "tests/unit/vcm_test_support.h"
#include "vcm/cpu_backend.h"
#include "vcm/fake_backend.h"
#include "vcm/pgtable/table_pool.h"

using namespace vcmsim;
using namespace vcmsim::vcm;
using namespace vcmsim::test;

namespace {
struct live_buf {
    vcm_handle v;
    res_handle r;
    phys_handle p;
    uint64_t len;
};

struct soak {
    host_master cpu_mem, io_mem;
    recording_mmu mmu;
    master_pt_memory io_pt{io_mem};
    table_pool io_pool{0x60000000, 8 * MiB};
    std::unique_ptr<cpu_mmu_driver> drv;
    std::unique_ptr<cpu_backend> cb;
    std::unique_ptr<fake_backend> fb;
    std::unique_ptr<vcm_manager> m;
    vcm_handle vcpu, vio, vone;
    splitmix64 rng{0x5EED};
    std::vector<live_buf> live;
    uint64_t maps = 0, unmaps = 0, phys_short = 0, injected = 0, checks = 0;

    soak() {
        cpu_mmu_setup s;
        s.pool_base = 0x70000000;
        s.pool_size = 8 * MiB;
        drv = std::make_unique<cpu_mmu_driver>(cpu_mem, mmu, s);
        cb = std::make_unique<cpu_backend>(*drv);
        fb = std::make_unique<fake_backend>(fake_backend_config{}, &io_pt, &io_pool);
        fb->record = false;
        vcm_manager_config cfg;
        cfg.phys = default_phys_config(mmu::granule::g4k, 0x80000000, 256 * MiB, 16 * MiB);
        m = vcm_manager::create(cfg).take();
        REQUIRE(m);
        vcpu = *m->create_cpu_vcm(*cb, 0x100000000ULL, 8ULL << 30);
        vio = *m->create_vcm(*fb, 0x10000000, 1ULL << 30);
        vone = *m->create_one_to_one_vcm(0, 1ULL << 40);
    }

    uint64_t random_len() {
        const uint64_t k = rng.below(100);
        if (k < 70) return 1 + rng.below(64 * KiB);
        if (k < 95) return 1 + rng.below(1 * MiB);
        return 1 + rng.below(4 * MiB);
    }

    void map_one() {
        const uint64_t which = rng.below(10);
        const vcm_handle v = which < 4 ? vcpu : which < 9 ? vio : vone;
        const uint64_t len = random_len();
        phys_options o;
        o.contiguous = v == vone || rng.below(8) == 0;
        auto p = m->phys_alloc(len, o);
        if (!p.ok()) {
            REQUIRE(p.code() == errc::no_phys_memory);
            ++phys_short;
            return;
        }
        auto r = m->reserve(v, len);
        REQUIRE(r.ok());
        if (v == vio && rng.below(500) == 0) fb->fail_map_at = 1 + static_cast<unsigned>(rng.below(3));
        const vcm_status st = m->back(*r, *p);
        if (!st.ok()) {
            REQUIRE(st.code() == errc::backend_failure);
            fb->fail_map_at = 0;
            ++injected;
            REQUIRE(m->phys_free(*p).ok());
            REQUIRE(m->unreserve(*r).ok());
            return;
        }
        fb->fail_map_at = 0;
        live.push_back({v, *r, *p, len});
        ++maps;
    }

    void unmap_one() {
        const std::size_t i = rng.below(live.size());
        const live_buf b = live[i];
        live[i] = live.back();
        live.pop_back();
        REQUIRE(m->unback(b.r).ok());
        REQUIRE(m->phys_free(b.p).ok());
        REQUIRE(m->unreserve(b.r).ok());
        ++unmaps;
    }

    void check_one() {
        const live_buf& b = live[rng.below(live.size())];
        const uint64_t off = rng.below(b.len) & ~7ULL;
        const uint64_t d = *m->dev_addr(b.r) + off;
        const auto sw = m->translate(b.v, d);
        const auto hw = m->hw_translate(b.v, d);
        REQUIRE(sw.ok());
        REQUIRE(hw.ok());
        REQUIRE(*sw == *hw);
        ++checks;
    }

    void run(unsigned ops) {
        for (unsigned n = 0; n < ops; ++n) {
            const bool grow = live.size() < 8 || (live.size() < 48 && rng.below(2) == 0);
            if (grow) map_one();
            else unmap_one();
            if (n % 64 == 0 && !live.empty()) check_one();
        }
        while (!live.empty()) unmap_one();
    }
};
}  // namespace

TEST_CASE("vcm soak: 100000 random map/unmap operations leave every allocator and table as it was", "[vcm][soak]") {
    soak s;
    const std::vector<uint64_t> phys0 = free_counts(s.m->phys());
    const uint64_t cpu_pool0 = s.drv->pool().bytes_free();
    const uint64_t io_pool0 = s.io_pool.bytes_free();
    s.run(50000);
    const vcm_footprint fa = s.m->footprint();
    const size_t heap_a = mallinfo2().uordblks;
    CHECK(free_counts(s.m->phys()) == phys0);
    CHECK(s.drv->pool().bytes_free() == cpu_pool0);
    CHECK(s.io_pool.bytes_free() == io_pool0);
    s.run(50000);
    const vcm_footprint fb = s.m->footprint();
    const size_t heap_b = mallinfo2().uordblks;
    INFO("heap in use after 50 000 operations " << heap_a << " B, after 100 000 " << heap_b << " B");
    CHECK(heap_b <= heap_a + 64 * 1024);   // flat: no per-operation leak (64 KiB of slack)
    CHECK(fb.host_units == fa.host_units);   // host memory flat after warm-up
    CHECK(free_counts(s.m->phys()) == phys0);
    CHECK(s.m->phys().all_free());
    CHECK(s.drv->pool().bytes_free() == cpu_pool0);
    CHECK(s.drv->tables().tables_in_use() == 1);
    CHECK(s.io_pool.bytes_free() == io_pool0);
    CHECK(s.fb->tables(1)->tables_in_use() == 1);
    CHECK(s.cpu_mem.words.empty());   // every descriptor written was cleared again
    CHECK(s.io_mem.words.empty());
    CHECK(*s.m->iova_bytes_free(s.vcpu) == 8ULL << 30);
    CHECK(*s.m->iova_bytes_free(s.vio) == 1ULL << 30);
    CHECK(fb.live_reservations == 0);
    CHECK(fb.live_phys == 0);
    CHECK(s.maps == s.unmaps);
    CHECK(s.maps + s.phys_short + s.injected > 50000);
    CHECK(s.injected > 0);
    CHECK(s.checks > 1000);
    INFO("maps " << s.maps << " short " << s.phys_short << " injected " << s.injected);
    CHECK(s.mmu.tlbi_va_count > 0);
}
