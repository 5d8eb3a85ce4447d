// The VCM API over a fake backend: creation, reservations, backing, errors. Test names carry
// the docs/vcm-reference.md §6 item they check (associations: vcm_assoc_test.cpp).
#include <catch2/catch.hpp>

#include "tests/unit/vcm_test_support.h"
#include "vcm/fake_backend.h"

using namespace vcmsim;
using namespace vcmsim::vcm;
using namespace vcmsim::test;

namespace {
struct fx {
    std::unique_ptr<vcm_manager> m = make_manager();
    fake_backend be{fake_backend_config{4096, {1, 2, 3}, 64, {}}};
    vcm_handle v;
    device_handle dev;
    fx() {
        REQUIRE(m);
        auto r = m->create_vcm(be, 0x10000000, 256 * MiB);
        REQUIRE(r.ok());
        v = *r;
        dev = *m->register_device("dma0", &be, 1);
    }
    res_handle reserve(uint64_t len, uint64_t align = 0) {
        auto r = m->reserve(v, len, {}, align);
        REQUIRE(r.ok());
        return *r;
    }
    phys_handle alloc(uint64_t len, bool contiguous = false) {
        phys_options o;
        o.contiguous = contiguous;
        auto r = m->phys_alloc(len, o);
        REQUIRE(r.ok());
        return *r;
    }
};
}  // namespace

TEST_CASE("vcm api §1: zero, sub-granule, misaligned and wrapping windows are refused", "[vcm][api]") {
    fx f;
    CHECK(f.m->create_vcm(f.be, 0, 0).code() == errc::invalid_argument);
    CHECK(f.m->create_vcm(f.be, 0, 2048).code() == errc::invalid_argument);
    CHECK(f.m->create_vcm(f.be, 0x800, 1 * MiB).code() == errc::invalid_argument);
    CHECK(f.m->create_vcm(f.be, ~0ULL - 0xFFF, 2 * 4096).code() == errc::invalid_argument);
    CHECK(f.be.contexts() == 1);   // no context leaked by the refusals
}

TEST_CASE("vcm api §2: a window starting at 0 hands out device address 0", "[vcm][api]") {
    fx f;
    auto v0 = f.m->create_vcm(f.be, 0, 16 * MiB);
    REQUIRE(v0.ok());
    auto r = f.m->reserve(*v0, 4096);
    REQUIRE(r.ok());
    CHECK(*f.m->dev_addr(*r) == 0);
    const phys_handle p = f.alloc(4096);
    REQUIRE(f.m->back(*r, p).ok());
    CHECK(*f.m->translate(*v0, 0x10) == k_pool4k + 0x10);
}

TEST_CASE("vcm api §3: null, stale and foreign handles are invalid_handle, never a sentinel", "[vcm][api]") {
    fx f;
    CHECK(f.m->start_addr(vcm_handle{}).code() == errc::invalid_handle);
    CHECK(f.m->length(vcm_handle{}).code() == errc::invalid_handle);
    CHECK(f.m->res_len(res_handle{}).code() == errc::invalid_handle);
    const res_handle r = f.reserve(4096);
    REQUIRE(f.m->unreserve(r).ok());
    CHECK(f.m->dev_addr(r).code() == errc::invalid_handle);
    CHECK(f.m->unreserve(r).code() == errc::invalid_handle);   // double unreserve
    const res_handle r2 = f.reserve(4096);                     // reuses the slot
    CHECK(r2.slot == r.slot);
    CHECK(f.m->dev_addr(r).code() == errc::invalid_handle);    // the old handle stays dead
    auto other = make_manager();
    CHECK(other->length(f.v).code() == errc::invalid_handle);
    CHECK(*f.m->start_addr(f.v) == 0x10000000);
    CHECK(*f.m->length(f.v) == 256 * MiB);
}

TEST_CASE("vcm api §4: one-to-one VCMs are created explicitly, never by address matching", "[vcm][api]") {
    fx f;
    auto o = f.m->create_one_to_one_vcm(k_contig, 8 * MiB);
    auto i = f.m->create_vcm(f.be, k_contig, 8 * MiB);   // the contiguous region's exact (pa, len)
    CHECK(*f.m->kind(*o) == vcm_kind::one_to_one);
    CHECK(*f.m->kind(*i) == vcm_kind::iommu);
}

TEST_CASE("vcm api §5 §34: free with reservations or associations is busy and the VCM stays usable", "[vcm][api]") {
    fx f;
    const res_handle r = f.reserve(4096);
    auto st = f.m->free_vcm(f.v);
    CHECK(st.code() == errc::busy);
    CHECK(st.message().find("1 reservation(s)") != std::string::npos);
    CHECK(f.m->reserve(f.v, 4096).ok());   // still usable
    auto a = f.m->associate(f.v, f.dev);
    const std::vector<res_handle> all = f.m->reservations(f.v).take();
    CHECK(all.size() == 2);
    for (res_handle x : all) REQUIRE(f.m->unreserve(x).ok());
    CHECK(f.m->free_vcm(f.v).code() == errc::busy);   // the association remains
    REQUIRE(f.m->deassociate(*a).ok());
    REQUIRE(f.m->free_vcm(f.v).ok());
    CHECK(f.be.contexts() == 0);
    CHECK(f.m->length(f.v).code() == errc::invalid_handle);
    (void)r;
}

TEST_CASE("vcm api §6: default alignment is the largest chunk size <= len, overrides are checked", "[vcm][api]") {
    fx f;
    const res_handle small = f.reserve(4096);             // occupies 0x1000_0000
    const res_handle r64 = f.reserve(100 * KiB);          // 64K aligned
    const res_handle r2m = f.reserve(2 * MiB + 68 * KiB); // 2M aligned
    CHECK(*f.m->dev_addr(small) == 0x10000000);
    CHECK(*f.m->dev_addr(r64) == 0x10010000);
    CHECK(*f.m->dev_addr(r2m) == 0x10200000);
    CHECK(*f.m->res_alignment(r2m) == 2 * MiB);
    const res_handle forced = f.reserve(1 * MiB, 4096);
    CHECK(*f.m->dev_addr(forced) == 0x10029000);   // right after r64 (100K -> 0x19000 bytes)
    CHECK(f.m->reserve(f.v, 4096, {}, 3 * 4096).code() == errc::invalid_argument);
    CHECK(f.m->reserve(f.v, 4096, {}, 2048).code() == errc::invalid_argument);
    CHECK(f.m->reserve(f.v, 4096, {}, 512 * MiB).code() == errc::invalid_argument);
    CHECK(f.m->reserve(f.v, 0).code() == errc::invalid_argument);
    CHECK(f.m->reserve(f.v, 257 * MiB).code() == errc::no_iova_space);
    // reserve_at: exact, inside the window, not overlapping.
    auto at = f.m->reserve_at(f.v, 0x18000000, 8192);
    REQUIRE(at.ok());
    CHECK(*f.m->dev_addr(*at) == 0x18000000);
    CHECK(f.m->reserve_at(f.v, 0x18001000, 4096).code() == errc::busy);
    CHECK(f.m->reserve_at(f.v, 0x0FFFF000, 4096).code() == errc::out_of_range);
    CHECK(f.m->reserve_at(f.v, 0x18010800, 4096).code() == errc::invalid_argument);
}

TEST_CASE("vcm api §7: random reservations never overlap, unreserving all restores the window", "[vcm][api]") {
    fx f;
    auto v = f.m->create_vcm(f.be, 0x40000000, 32 * MiB);
    splitmix64 rng(3);
    std::vector<std::pair<uint64_t, uint64_t>> got;
    std::vector<res_handle> hs;
    for (;;) {
        const uint64_t len = 1 + rng.below(3 * MiB);
        auto r = f.m->reserve(*v, len);
        if (!r.ok()) {
            CHECK(r.code() == errc::no_iova_space);
            break;
        }
        const uint64_t a = *f.m->dev_addr(*r);
        CHECK(a % *f.m->res_alignment(*r) == 0);
        CHECK(a >= 0x40000000);
        CHECK(a + len <= 0x40000000 + 32 * MiB);
        got.emplace_back(a, (len + 4095) & ~4095ULL);
        hs.push_back(*r);
    }
    std::sort(got.begin(), got.end());
    for (std::size_t i = 1; i < got.size(); ++i) CHECK(got[i - 1].first + got[i - 1].second <= got[i].first);
    for (res_handle h : hs) REQUIRE(f.m->unreserve(h).ok());
    CHECK(*f.m->iova_bytes_free(*v) == 32 * MiB);
}

TEST_CASE("vcm api §9: reservations on different VCMs may share device addresses", "[vcm][api]") {
    fx f;
    auto v2 = f.m->create_vcm(f.be, 0x10000000, 16 * MiB);
    const res_handle a = f.reserve(4096);
    auto b = f.m->reserve(*v2, 4096);
    CHECK(*f.m->dev_addr(a) == *f.m->dev_addr(*b));
    const phys_handle pa = f.alloc(4096), pb = f.alloc(4096);
    REQUIRE(f.m->back(a, pa).ok());
    REQUIRE(f.m->back(*b, pb).ok());
    CHECK(*f.m->translate(f.v, 0x10000000) == k_pool4k);
    CHECK(*f.m->translate(*v2, 0x10000000) == k_pool4k + 4096);
}

TEST_CASE("vcm api §12: a 5000-byte reservation maps exactly 8K, never past its window", "[vcm][api]") {
    fx f;
    const res_handle r = f.reserve(5000);
    const phys_handle p = f.alloc(5000);
    CHECK(*f.m->phys_allocated(p) == 8192);
    f.be.calls.clear();
    REQUIRE(f.m->back(r, p).ok());
    REQUIRE(f.be.calls.size() == 2);
    CHECK(f.be.calls[0].iova == 0x10000000);
    CHECK(f.be.calls[0].size == 4096);
    CHECK(f.be.calls[1].iova == 0x10001000);
    CHECK(f.be.mapped_bytes(1) == 8192);
    // A 64K-chunk-only memtype over-allocates 60K: only the 8K window is mapped.
    phys_allocator_config pc = small_pools();
    pc.memtypes = {{0, 1, 2}, {1}};
    auto m2 = make_manager(pc);
    fake_backend be2;
    auto v = m2->create_vcm(be2, 0, 16 * MiB);
    auto r2 = m2->reserve(*v, 5000);
    phys_options o;
    o.memtype = 1;
    auto p2 = m2->phys_alloc(5000, o);
    CHECK(*m2->phys_allocated(*p2) == 64 * KiB);
    REQUIRE(m2->back(*r2, *p2).ok());
    CHECK(be2.mapped_bytes(1) == 8192);
    CHECK(*m2->segments(*r2) == std::vector<segment>{{0, k_pool64k, 8192}});
}

TEST_CASE("vcm api §16 §21: one map call per chunk, each at a VA aligned to its size, every page translates", "[vcm][api]") {
    fx f;
    const res_handle r = f.reserve(2 * MiB + 68 * KiB);
    const phys_handle p = f.alloc(2 * MiB + 68 * KiB);
    f.be.calls.clear();
    REQUIRE(f.m->back(r, p).ok());
    REQUIRE(f.be.calls.size() == 3);
    const uint64_t d = *f.m->dev_addr(r);
    CHECK(f.be.calls[0].iova == d);
    CHECK(f.be.calls[0].pa == k_pool2m);
    CHECK(f.be.calls[0].size == 2 * MiB);
    CHECK(f.be.calls[1].iova == d + 2 * MiB);
    CHECK(f.be.calls[1].pa == k_pool64k);
    CHECK(f.be.calls[2].iova == d + 2 * MiB + 64 * KiB);
    CHECK(f.be.calls[2].pa == k_pool4k);
    for (const auto& c : f.be.calls) CHECK(c.iova % c.size == 0);
    for (uint64_t off = 0; off < 2 * MiB + 68 * KiB; off += 4096) {
        const uint64_t want = off < 2 * MiB ? k_pool2m + off : off < 2 * MiB + 64 * KiB ? k_pool64k + off - 2 * MiB : k_pool4k;
        CHECK(*f.m->translate(f.v, d + off + 8) == want + 8);
        CHECK(*f.m->hw_translate(f.v, d + off + 8) == want + 8);
    }
    CHECK(f.m->translate(f.v, d + 2 * MiB + 68 * KiB).code() == errc::out_of_range);
    const std::vector<segment> want{{d, k_pool2m, 2 * MiB}, {d + 2 * MiB, k_pool64k, 64 * KiB},
                                    {d + 2 * MiB + 64 * KiB, k_pool4k, 4096}};
    CHECK(*f.m->segments(r) == want);
}

TEST_CASE("vcm api §17: a length mismatch either way maps nothing", "[vcm][api]") {
    fx f;
    const res_handle r = f.reserve(64 * KiB);
    const phys_handle big = f.alloc(128 * KiB), small = f.alloc(32 * KiB);
    f.be.calls.clear();
    auto st = f.m->back(r, big);
    CHECK(st.code() == errc::length_mismatch);
    CHECK(st.message().find("0x10000 bytes") != std::string::npos);
    CHECK(f.m->back(r, small).code() == errc::length_mismatch);   // no prefix backing
    CHECK(f.be.calls.empty());
    CHECK(f.m->backing(r)->valid() == false);
}

TEST_CASE("vcm api §18: strict 2010 mode needs an association, all active, default mode does not", "[vcm][api]") {
    auto m = make_manager(small_pools(), true);
    fake_backend be;
    auto v = m->create_vcm(be, 0, 16 * MiB);
    auto d1 = m->register_device("a", &be, 1), d2 = m->register_device("b", &be, 2);
    auto r = m->reserve(*v, 4096);
    auto p = m->phys_alloc(4096);
    CHECK(m->back(*r, *p).code() == errc::no_device);
    auto a1 = m->associate(*v, *d1), a2 = m->associate(*v, *d2);
    REQUIRE(m->activate(*a1).ok());
    CHECK(m->back(*r, *p).code() == errc::inactive);
    REQUIRE(m->activate(*a2).ok());
    REQUIRE(m->back(*r, *p).ok());
    REQUIRE(m->deactivate(*a2).ok());
    CHECK(m->unback(*r).code() == errc::inactive);
    fx f;   // default: backing with no association at all is fine
    CHECK(f.m->back(f.reserve(4096), f.alloc(4096)).ok());
}

TEST_CASE("vcm api §19: double back is busy and leaves the first mapping intact", "[vcm][api]") {
    fx f;
    const res_handle r = f.reserve(4096);
    const phys_handle p = f.alloc(4096), q = f.alloc(4096);
    REQUIRE(f.m->back(r, p).ok());
    CHECK(f.m->back(r, q).code() == errc::busy);
    CHECK(f.m->back(r, p).code() == errc::busy);
    CHECK(*f.m->translate(f.v, 0x10000000) == k_pool4k);
    CHECK(*f.m->backing_count(p) == 1);
    CHECK(*f.m->backing_count(q) == 0);
    CHECK(f.be.mapped_bytes(1) == 4096);
}

TEST_CASE("vcm api §20: a map failure at chunk k unmaps chunks 0..k-1, the reservation stays unbacked", "[vcm][api]") {
    fx f;
    const res_handle r = f.reserve(2 * MiB + 68 * KiB);
    const phys_handle p = f.alloc(2 * MiB + 68 * KiB);
    f.be.calls.clear();
    f.be.fail_map_at = 3;
    auto st = f.m->back(r, p);
    CHECK(st.code() == errc::backend_failure);
    CHECK(st.message().find("0x210000 bytes rolled back") != std::string::npos);
    REQUIRE(f.be.calls.size() == 4);
    CHECK(f.be.calls[3].kind == fake_backend::op::unmap);
    CHECK(f.be.calls[3].iova == *f.m->dev_addr(r));
    CHECK(f.be.calls[3].size == 2 * MiB + 64 * KiB);
    CHECK(f.be.mapped_bytes(1) == 0);
    CHECK_FALSE(f.m->backing(r)->valid());
    CHECK(*f.m->backing_count(p) == 0);
    REQUIRE(f.m->back(r, p).ok());   // the retry succeeds
    // A failing first chunk needs no rollback.
    const res_handle r2 = f.reserve(4096);
    const phys_handle p2 = f.alloc(4096);
    f.be.fail_map_at = 1;
    f.be.calls.clear();
    CHECK(f.m->back(r2, p2).code() == errc::backend_failure);
    CHECK(f.be.calls.size() == 1);
    // A rollback that fails too pins the memory: it stays backed, phys_free is busy.
    const res_handle r3 = f.reserve(8192);
    const phys_handle p3 = f.alloc(8192);
    f.be.fail_map_at = 2;
    f.be.fail_unmap_at = 1;
    CHECK(f.m->back(r3, p3).code() == errc::backend_failure);
    CHECK(f.m->backing(r3)->valid());
    CHECK(f.m->phys_free(p3).code() == errc::busy);
}

TEST_CASE("vcm api §22 §23: unback of an unbacked reservation, after unback nothing translates", "[vcm][api]") {
    fx f;
    const res_handle r = f.reserve(64 * KiB);
    CHECK(f.m->unback(r).code() == errc::not_backed);
    const phys_handle p = f.alloc(64 * KiB);
    auto a = f.m->associate(f.v, f.dev);
    REQUIRE(f.m->activate(*a).ok());
    REQUIRE(f.m->back(r, p).ok());
    const uint64_t syncs = f.be.syncs;
    REQUIRE(f.m->unback(r).ok());   // while the device is active: the normal path
    CHECK(f.be.syncs == syncs + 1); // one unmap of the whole span, invalidated + synced
    CHECK(f.m->translate(f.v, 0x10000000).code() == errc::not_backed);
    CHECK(f.m->hw_translate(f.v, 0x10000000).code() == errc::not_backed);
    CHECK(f.m->unback(r).code() == errc::not_backed);
}

TEST_CASE("vcm api §23: physical memory is released only after the backend's unmap completed", "[vcm][api]") {
    fx f;
    const res_handle r = f.reserve(2 * MiB);
    const phys_handle p = f.alloc(2 * MiB);
    REQUIRE(f.m->back(r, p).ok());
    CHECK(f.m->phys_free(p).code() == errc::busy);
    bool checked = false;
    f.be.observer = [&](const fake_backend::call& c) {
        if (c.kind != fake_backend::op::unmap) return;
        CHECK(f.m->phys().pool_chunks_free(0) == 3);   // the 2M chunk is still allocated
        checked = true;
    };
    f.be.fail_unmap_at = 1;
    CHECK(f.m->unback(r).code() == errc::backend_failure);
    CHECK(f.m->phys_free(p).code() == errc::busy);   // a failed unmap keeps the memory
    REQUIRE(f.m->unback(r).ok());
    CHECK(checked);
    REQUIRE(f.m->phys_free(p).ok());
    CHECK(f.m->phys().pool_chunks_free(0) == 4);
}

TEST_CASE("vcm api §24 §25: unreserve of a backed reservation and free of a backing physmem are busy", "[vcm][api]") {
    fx f;
    auto v2 = f.m->create_vcm(f.be, 0, 16 * MiB);
    const res_handle r = f.reserve(4096);
    auto r2 = f.m->reserve(*v2, 4096);
    const phys_handle p = f.alloc(4096);
    REQUIRE(f.m->back(r, p).ok());
    REQUIRE(f.m->back(*r2, p).ok());
    CHECK(f.m->unreserve(r).code() == errc::busy);
    CHECK(*f.m->backing_count(p) == 2);
    REQUIRE(f.m->unback(r).ok());
    REQUIRE(f.m->unreserve(r).ok());
    auto st = f.m->phys_free(p);
    CHECK(st.code() == errc::busy);   // still backs the reservation in the other VCM
    CHECK(st.message().find("1 reservation(s)") != std::string::npos);
    REQUIRE(f.m->unback(*r2).ok());
    REQUIRE(f.m->phys_free(p).ok());
    CHECK(f.m->phys_free(p).code() == errc::invalid_handle);
}
