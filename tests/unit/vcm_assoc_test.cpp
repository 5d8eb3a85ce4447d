// The VCM API: associations and activation (§6 items 26-31), one-to-one VCMs, sharing one
// buffer across VCM kinds (§32), attributes (§33) and teardown order (§34).
#include <catch2/catch.hpp>

#include "tests/unit/vcm_test_support.h"
#include "vcm/cpu_backend.h"
#include "vcm/fake_backend.h"

using namespace vcmsim;
using namespace vcmsim::vcm;
using namespace vcmsim::test;

namespace {
struct fx {
    std::unique_ptr<vcm_manager> m = make_manager();
    fake_backend be{fake_backend_config{4096, {1, 2, 3}, 64, {}}};
    vcm_handle v;
    device_handle d1, d2;
    fx() {
        v = *m->create_vcm(be, 0x10000000, 64 * MiB);
        d1 = *m->register_device("dma0", &be, 1);
        d2 = *m->register_device("dma1", &be, 2);
    }
};
}  // namespace

TEST_CASE("vcm assoc §26: activate twice busy, deactivate inactive not_active, unknown device no_device", "[vcm][assoc]") {
    fx f;
    auto a = f.m->associate(f.v, f.d1);
    REQUIRE(a.ok());
    CHECK_FALSE(*f.m->is_active(*a));
    CHECK(f.m->deactivate(*a).code() == errc::not_active);
    REQUIRE(f.m->activate(*a).ok());
    CHECK(*f.m->is_active(*a));
    CHECK(f.m->activate(*a).code() == errc::busy);
    CHECK(f.be.attached(1) == std::set<device_id>{1});
    REQUIRE(f.m->deactivate(*a).ok());
    CHECK(f.be.attached(1).empty());
    auto ghost = f.m->register_device("ghost", &f.be, 99);   // the backend has no such StreamID
    auto ag = f.m->associate(f.v, *ghost);
    auto st = f.m->activate(*ag);
    CHECK(st.code() == errc::no_device);
    CHECK(st.message().find("ghost") != std::string::npos);
    CHECK_FALSE(*f.m->is_active(*ag));
}

TEST_CASE("vcm assoc §27: one device, two VCMs: only one active at a time", "[vcm][assoc]") {
    fx f;
    auto v2 = f.m->create_vcm(f.be, 0x10000000, 64 * MiB);
    auto a1 = f.m->associate(f.v, f.d1), a2 = f.m->associate(*v2, f.d1);
    REQUIRE(f.m->activate(*a1).ok());
    auto st = f.m->activate(*a2);
    CHECK(st.code() == errc::busy);
    CHECK(st.message().find("deactivate that first") != std::string::npos);
    REQUIRE(f.m->deactivate(*a1).ok());
    REQUIRE(f.m->activate(*a2).ok());
    CHECK(f.be.attached(2) == std::set<device_id>{1});
    CHECK(f.be.attached(1).empty());
}

TEST_CASE("vcm assoc §28: deassociate while active is busy and the association remains", "[vcm][assoc]") {
    fx f;
    auto a = f.m->associate(f.v, f.d1);
    REQUIRE(f.m->activate(*a).ok());
    CHECK(f.m->deassociate(*a).code() == errc::busy);
    CHECK(*f.m->is_active(*a));
    CHECK(f.m->unregister_device(f.d1).code() == errc::busy);
    REQUIRE(f.m->deactivate(*a).ok());
    REQUIRE(f.m->deassociate(*a).ok());
    CHECK(f.m->is_active(*a).code() == errc::invalid_handle);
    REQUIRE(f.m->unregister_device(f.d1).ok());
}

TEST_CASE("vcm assoc §29: deassociate with backed reservations is allowed, the mappings stay", "[vcm][assoc]") {
    fx f;
    auto a = f.m->associate(f.v, f.d1);
    auto r = f.m->reserve(f.v, 64 * KiB);
    auto p = f.m->phys_alloc(64 * KiB);
    REQUIRE(f.m->back(*r, *p).ok());
    REQUIRE(f.m->activate(*a).ok());
    REQUIRE(f.m->deactivate(*a).ok());
    REQUIRE(f.m->deassociate(*a).ok());
    CHECK(f.be.mapped_bytes(1) == 64 * KiB);
    CHECK(*f.m->translate(f.v, *f.m->dev_addr(*r)) == k_pool64k);
    CHECK(f.m->free_vcm(f.v).code() == errc::busy);   // reservations keep the VCM alive
}

TEST_CASE("vcm assoc §30: a late association sees existing mappings without a replay", "[vcm][assoc]") {
    fx f;
    auto a1 = f.m->associate(f.v, f.d1);
    REQUIRE(f.m->activate(*a1).ok());
    auto r = f.m->reserve(f.v, 2 * MiB);
    auto p = f.m->phys_alloc(2 * MiB);
    REQUIRE(f.m->back(*r, *p).ok());
    const uint64_t maps = f.be.map_calls;
    auto a2 = f.m->associate(f.v, f.d2);
    REQUIRE(f.m->activate(*a2).ok());
    CHECK(f.be.map_calls == maps);                       // nothing replayed
    CHECK(f.be.attached(1) == std::set<device_id>{1, 2});  // same context, same tables
    CHECK(*f.m->hw_translate(f.v, *f.m->dev_addr(*r) + 0x1234) == k_pool2m + 0x1234);
}

TEST_CASE("vcm assoc §31 §10: duplicate pairs, CPU VCMs with one association, wrong device kinds", "[vcm][assoc]") {
    fx f;
    REQUIRE(f.m->associate(f.v, f.d1).ok());
    CHECK(f.m->associate(f.v, f.d1).code() == errc::already_exists);
    fake_backend cpu_like;
    auto cv = f.m->create_cpu_vcm(cpu_like, 0x400000000, 1ULL << 30);
    auto c0 = f.m->register_device("cpu0", &cpu_like, 0), c1 = f.m->register_device("cpu1", &cpu_like, 1);
    REQUIRE(f.m->associate(*cv, *c0).ok());
    CHECK(f.m->associate(*cv, *c1).code() == errc::busy);
    auto phys_dev = f.m->register_device("display", nullptr, 0);
    auto st = f.m->associate(f.v, *phys_dev);
    CHECK(st.code() == errc::invalid_argument);
    CHECK(st.status().message().find("physically addressed") != std::string::npos);
    CHECK(f.m->associate(*cv, f.d1).code() == errc::invalid_argument);   // another backend's device
    auto o = f.m->create_one_to_one_vcm(0, 4ULL << 30);
    CHECK(f.m->associate(*o, f.d1).code() == errc::invalid_argument);
    CHECK(f.m->associate(*o, *phys_dev).ok());
}

TEST_CASE("vcm one-to-one: device address is the PA, discontiguous memory is a clear error", "[vcm][one_to_one]") {
    fx f;
    auto o = f.m->create_one_to_one_vcm(0x80000000, 0x80000000);   // the device reaches 2G..4G
    auto disp = f.m->register_device("display", nullptr, 0);
    auto a = f.m->associate(*o, *disp);
    REQUIRE(f.m->activate(*a).ok());   // bookkeeping only
    auto r = f.m->reserve(*o, 2 * MiB + 68 * KiB);
    CHECK(f.m->dev_addr(*r).code() == errc::not_backed);
    auto scattered = f.m->phys_alloc(2 * MiB + 68 * KiB);
    auto st = f.m->back(*r, *scattered);
    CHECK(st.code() == errc::not_contiguous);
    CHECK(st.message().find("3 discontiguous chunk(s)") != std::string::npos);
    phys_options c;
    c.contiguous = true;
    auto cont = f.m->phys_alloc(2 * MiB + 68 * KiB, c);
    REQUIRE(f.m->back(*r, *cont).ok());
    CHECK(*f.m->dev_addr(*r) == k_contig);
    CHECK(*f.m->translate(*o, k_contig + 0x201000) == k_contig + 0x201000);
    CHECK(*f.m->segments(*r, true) == std::vector<segment>{{k_contig, k_contig, 2 * MiB + 68 * KiB}});
    // Memory outside the device's reach.
    auto low = f.m->create_one_to_one_vcm(0, 0x80000000);
    auto r2 = f.m->reserve(*low, 4096);
    auto p2 = f.m->phys_alloc(4096, c);
    CHECK(f.m->back(*r2, *p2).code() == errc::out_of_range);
    // reserve_at fixes the address: the memory must start there.
    auto r3 = f.m->reserve_at(*o, 0x81700000, 4096);
    CHECK(f.m->back(*r3, *p2).code() == errc::invalid_argument);
    // Unback, free: the contiguous region is whole again.
    REQUIRE(f.m->unback(*r).ok());
    CHECK(f.m->dev_addr(*r).code() == errc::not_backed);
    REQUIRE(f.m->phys_free(*cont).ok());
}

TEST_CASE("vcm sharing §32: one physmem backs IOMMU, one-to-one and CPU reservations at the same PAs", "[vcm][sharing]") {
    fx f;
    host_master cpu;
    recording_mmu mmu;
    cpu_mmu_setup s;
    s.pool_base = 0x70000000;
    s.pool_size = 1 * MiB;
    cpu_mmu_driver drv(cpu, mmu, s);
    cpu_backend cb(drv);
    auto cv = f.m->create_cpu_vcm(cb, 0xFFFF00000000ULL, 1ULL << 30);
    auto o = f.m->create_one_to_one_vcm(0, 1ULL << 40);
    phys_options c;
    c.contiguous = true;
    auto p = f.m->phys_alloc(2 * MiB + 4096, c);
    auto ri = f.m->reserve(f.v, 2 * MiB + 4096), ro = f.m->reserve(*o, 2 * MiB + 4096);
    auto rc = f.m->reserve(*cv, 2 * MiB + 4096);
    REQUIRE(f.m->back(*ri, *p).ok());
    REQUIRE(f.m->back(*ro, *p).ok());
    REQUIRE(f.m->back(*rc, *p).ok());
    CHECK(*f.m->backing_count(*p) == 3);
    for (uint64_t off : {uint64_t{0}, uint64_t{0x1000}, uint64_t{0x1FFFF8}, uint64_t{0x200000}, uint64_t{0x200FF8}}) {
        const uint64_t pa = k_contig + off;
        CHECK(*f.m->hw_translate(f.v, *f.m->dev_addr(*ri) + off) == pa);
        CHECK(*f.m->hw_translate(*o, *f.m->dev_addr(*ro) + off) == pa);
        CHECK(*f.m->hw_translate(*cv, *f.m->dev_addr(*rc) + off) == pa);
    }
    unsigned shift = 0;
    uint64_t pa = 0;
    REQUIRE(drv.tables().lookup(*f.m->dev_addr(*rc), pa, shift));
    CHECK(shift == 21);   // the 2M chunk became one 2M block in the CPU's tables
}

TEST_CASE("vcm attrs §33: conflicting or unknown cache policies are refused", "[vcm][attrs]") {
    fx f;
    res_attrs nc;
    nc.cache = cache_policy::non_cacheable;
    auto r = f.m->reserve(f.v, 4096, nc);
    auto p = f.m->phys_alloc(4096);   // write-back
    auto st = f.m->back(*r, *p);
    CHECK(st.code() == errc::attr_conflict);
    CHECK(st.message().find("non_cacheable") != std::string::npos);
    phys_options o;
    o.cache = cache_policy::non_cacheable;
    auto pn = f.m->phys_alloc(4096, o);
    REQUIRE(f.m->back(*r, *pn).ok());
    CHECK(f.be.attrs_at(1, *f.m->dev_addr(*r)).cache == cache_policy::non_cacheable);
    CHECK(f.m->set_attributes(*r, {}).code() == errc::busy);
    res_attrs bad;
    bad.cache = static_cast<cache_policy>(9);
    CHECK(f.m->reserve(f.v, 4096, bad).code() == errc::invalid_argument);
    o.cache = static_cast<cache_policy>(9);
    CHECK(f.m->phys_alloc(4096, o).code() == errc::invalid_argument);
    o.cache = cache_policy::inherit;
    CHECK(f.m->phys_alloc(4096, o).code() == errc::invalid_argument);
    // Inherit takes the allocation's policy; R/W/X reach the backend.
    res_attrs ro;
    ro.write = false;
    ro.exec = true;
    auto r2 = f.m->reserve(f.v, 4096, ro);
    REQUIRE(f.m->back(*r2, *p).ok());
    const access_attrs got = f.be.attrs_at(1, *f.m->dev_addr(*r2));
    CHECK(got.cache == cache_policy::write_back);
    CHECK_FALSE(got.write);
    CHECK(got.exec);
}

TEST_CASE("vcm teardown §34: wrong order refused, right order returns every pool and range", "[vcm][teardown]") {
    fx f;
    const std::vector<uint64_t> start = free_counts(f.m->phys());
    auto a = f.m->associate(f.v, f.d1);
    REQUIRE(f.m->activate(*a).ok());
    std::vector<res_handle> rs;
    std::vector<phys_handle> ps;
    for (uint64_t len : {uint64_t{4096}, uint64_t{5000}, 70 * KiB, 2 * MiB + 68 * KiB, 3 * MiB}) {
        rs.push_back(*f.m->reserve(f.v, len));
        ps.push_back(*f.m->phys_alloc(len));
        REQUIRE(f.m->back(rs.back(), ps.back()).ok());
    }
    CHECK(f.m->free_vcm(f.v).code() == errc::busy);
    CHECK(f.m->phys_free(ps[0]).code() == errc::busy);
    CHECK(f.m->deassociate(*a).code() == errc::busy);
    CHECK(f.m->unreserve(rs[0]).code() == errc::busy);
    for (std::size_t i = 0; i < rs.size(); ++i) {
        REQUIRE(f.m->unback(rs[i]).ok());
        REQUIRE(f.m->unreserve(rs[i]).ok());
        REQUIRE(f.m->phys_free(ps[i]).ok());
    }
    REQUIRE(f.m->deactivate(*a).ok());
    REQUIRE(f.m->deassociate(*a).ok());
    CHECK(*f.m->iova_bytes_free(f.v) == 64 * MiB);
    REQUIRE(f.m->free_vcm(f.v).ok());
    CHECK(free_counts(f.m->phys()) == start);
    CHECK(f.m->phys().all_free());
    CHECK(f.be.contexts() == 0);
    CHECK(f.be.mapped_bytes(1) == 0);
    const vcm_footprint fp = f.m->footprint();
    CHECK(fp.live_vcms == 0);
    CHECK(fp.live_reservations == 0);
    CHECK(fp.live_phys == 0);
    CHECK(fp.live_assocs == 0);
}
