// The CPU backend (cpu_backend over cpu_mmu_driver, with a host memory standing in for the
// CPU's physical accesses) and the fake backend's page-table mode.
#include <catch2/catch.hpp>

#include "tests/unit/vcm_test_support.h"
#include "vcm/cpu_backend.h"
#include "vcm/fake_backend.h"
#include "vcm/pgtable/table_pool.h"

using namespace vcmsim;
using namespace vcmsim::vcm;
using namespace vcmsim::test;

namespace {
struct cpu_fx {
    host_master cpu;
    recording_mmu mmu;
    std::unique_ptr<cpu_mmu_driver> drv;
    std::unique_ptr<cpu_backend> be;
    std::unique_ptr<vcm_manager> m = make_manager();
    vcm_handle v;
    device_handle core0;
    explicit cpu_fx(const cpu_backend_config& cfg = {}) {
        cpu_mmu_setup s;
        s.pool_base = 0x70000000;
        s.pool_size = 1 * MiB;
        s.asid = 5;
        drv = std::make_unique<cpu_mmu_driver>(cpu, mmu, s);
        be = std::make_unique<cpu_backend>(*drv, cfg);
        v = *m->create_cpu_vcm(*be, 0x40000000, 1ULL << 30);
        core0 = *m->register_device("cpu0", be.get(), 0);
    }
};
}  // namespace

TEST_CASE("vcm cpu backend: activation enables the MMU with the driver's tables", "[vcm][cpu_backend]") {
    cpu_fx f;
    auto a = f.m->associate(f.v, f.core0);
    REQUIRE(f.m->activate(*a).ok());
    CHECK((f.mmu.regs[static_cast<int>(core::sysreg::sctlr_el1)] & 1) == 1);
    CHECK(f.mmu.regs[static_cast<int>(core::sysreg::ttbr0_el1)] == (f.drv->tables().root_pa() | 5ULL << 48));
    REQUIRE(f.m->deactivate(*a).ok());
    CHECK((f.mmu.regs[static_cast<int>(core::sysreg::sctlr_el1)] & 1) == 0);
    // The CPU has one context: a second CPU VCM is refused by the backend.
    auto second = f.m->create_cpu_vcm(*f.be, 0x80000000, 1ULL << 30);
    CHECK(second.code() == errc::busy);
}

TEST_CASE("vcm cpu backend: back writes the CPU's tables, unback invalidates every leaf before the memory is free", "[vcm][cpu_backend]") {
    cpu_fx f;
    const uint64_t pool_free = f.drv->pool().bytes_free();
    auto r = f.m->reserve(f.v, 2 * MiB + 68 * KiB);
    auto p = f.m->phys_alloc(2 * MiB + 68 * KiB);
    REQUIRE(f.m->back(*r, *p).ok());
    const uint64_t d = *f.m->dev_addr(*r);
    uint64_t pa = 0;
    unsigned shift = 0;
    REQUIRE(f.drv->tables().lookup(d + 0x1238, pa, shift));
    CHECK(pa == k_pool2m + 0x1238);
    CHECK(shift == 21);
    REQUIRE(f.drv->tables().lookup(d + 2 * MiB + 64 * KiB, pa, shift));
    CHECK(pa == k_pool4k);
    CHECK(shift == 12);
    CHECK(f.drv->tables().tables_in_use() == 4);   // root (L0), L1, L2 and the L3 of the 4K pages
    unsigned during = 0;
    f.mmu.on_tlbi_va = [&](uint64_t) {
        if (f.m->phys().pool_chunks_free(0) == 3) ++during;   // the 2M chunk is still allocated
    };
    REQUIRE(f.m->unback(*r).ok());
    // 1 block + 16 pages of the 64K chunk + 1 page: one TLBI VAE1 per removed leaf.
    CHECK(f.mmu.tlbi_va_count == 18);
    CHECK(during == 18);
    CHECK(f.mmu.tlbi_asid_count == 1);   // tables were freed: walk caches too
    CHECK(f.drv->tables().tables_in_use() == 1);
    CHECK(f.drv->pool().bytes_free() == pool_free);
    REQUIRE(f.m->phys_free(*p).ok());
    REQUIRE(f.m->unreserve(*r).ok());
    CHECK(f.m->phys().all_free());
}

TEST_CASE("vcm cpu backend: a cache policy the CPU's MAIR lacks is unsupported and maps nothing", "[vcm][cpu_backend]") {
    cpu_fx f;
    auto r = f.m->reserve(f.v, 8192);
    phys_options o;
    o.cache = cache_policy::write_through;
    auto p = f.m->phys_alloc(8192, o);
    auto st = f.m->back(*r, *p);
    CHECK(st.code() == errc::unsupported);
    CHECK(st.message().find("write_through") != std::string::npos);
    CHECK(f.drv->tables().tables_in_use() == 1);
    // Configure a MAIR slot for it and it works.
    cpu_backend_config cfg;
    cfg.attr_index[static_cast<int>(cache_policy::write_through)] = 2;
    cpu_fx g(cfg);
    auto r2 = g.m->reserve(g.v, 8192);
    auto p2 = g.m->phys_alloc(8192, o);
    REQUIRE(g.m->back(*r2, *p2).ok());
    uint64_t pa = 0;
    unsigned shift = 0;
    REQUIRE(g.drv->tables().lookup(*g.m->dev_addr(*r2), pa, shift));
    CHECK(pa == k_pool4k);
}

TEST_CASE("vcm fake backend: page-table mode builds real tables and frees them all", "[vcm][fake_backend]") {
    host_master mem_master;
    master_pt_memory mem(mem_master);
    table_pool pool(0x60000000, 4 * MiB);
    fake_backend_config cfg;
    fake_backend be(cfg, &mem, &pool);
    auto m = make_manager();
    auto v = m->create_vcm(be, 0x100000000ULL, 1ULL << 32);
    const uint64_t after_root = pool.bytes_free();
    auto r = m->reserve(*v, 3 * MiB);
    auto p = m->phys_alloc(3 * MiB);
    REQUIRE(m->back(*r, *p).ok());
    CHECK(be.tables(1)->tables_in_use() > 1);
    for (uint64_t off = 0; off < 3 * MiB; off += 64 * KiB)
        CHECK(*m->hw_translate(*v, *m->dev_addr(*r) + off) == *m->translate(*v, *m->dev_addr(*r) + off));
    REQUIRE(m->unback(*r).ok());
    CHECK(be.tables(1)->tables_in_use() == 1);
    CHECK(pool.bytes_free() == after_root);
    REQUIRE(m->unreserve(*r).ok());
    REQUIRE(m->free_vcm(*v).ok());
    CHECK(pool.bytes_free() == 4 * MiB);
}
