// The VCM API (docs/vcm.md; semantics from docs/vcm-reference.md, 2010 bugs fixed): address
// spaces (VCMs), reservations of device addresses, physical allocations (maximum munch), the
// backing that maps one onto the other, and associations of VCMs with devices. Plain C++.
//
// Graph: VCM 1:N reservation N:1 physical allocation; VCM M:N device through associations; a
// device has at most one active association per time. Every object is named by a typed handle
// (vcm_types.h); stale/foreign handles fail with errc::invalid_handle. Every call returns a
// vcm_status / vcm_result naming the rule broken. Not thread-safe (one driver thread).
//
// Teardown order is enforced, never assumed: unreserve a backed reservation -> busy; free a
// physical allocation that backs anything -> busy; deassociate an active association -> busy;
// free a VCM with reservations or associations -> busy. Physical memory is released only after
// the backend's unmap (including TLB invalidation + sync) has returned ok.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "vcm/backend.h"
#include "vcm/iova_allocator.h"
#include "vcm/phys_allocator.h"
#include "vcm/slot_table.h"
#include "vcm/vcm_status.h"
#include "vcm/vcm_types.h"

namespace vcmsim::vcm {

struct vcm_manager_config {
    phys_allocator_config phys;        // pools, memtypes, contiguous region; phys.tg = granule
    // The 2010 rule (§6 item 18/23): back/unback need >= 1 association (else no_device) and
    // every association active (else inactive). Off by default: a VCM's context is shared by
    // its devices, so mapping before/without an active device is well defined.
    bool strict_2010_backing = false;
};

struct vcm_footprint {   // host-side sizes, for leak and growth checks
    std::size_t live_vcms = 0, live_reservations = 0, live_phys = 0, live_devices = 0, live_assocs = 0;
    std::size_t host_units = 0;   // capacities + container sizes; flat when nothing leaks
};

class vcm_manager {
public:
    static vcm_result<std::unique_ptr<vcm_manager>> create(const vcm_manager_config& cfg);
    // Does not touch hardware: tear objects down through the API first.
    ~vcm_manager();
    vcm_manager(const vcm_manager&) = delete;
    vcm_manager& operator=(const vcm_manager&) = delete;

    uint64_t granule() const { return m_granule; }
    const phys_allocator& phys() const { return *m_phys; }

    // --- devices: backend == nullptr for a physically addressed device ---
    vcm_result<device_handle> register_device(const std::string& name, translation_backend* backend,
                                              device_id hw_id);
    vcm_status unregister_device(device_handle dev);   // busy while associated

    // --- VCMs ---
    // [start, start + len): granule aligned, len >= granule, not wrapping past 2^64.
    vcm_result<vcm_handle> create_vcm(translation_backend& backend, uint64_t start, uint64_t len);
    vcm_result<vcm_handle> create_cpu_vcm(translation_backend& cpu, uint64_t start, uint64_t len);
    // The physical range the device can reach; device address == physical address.
    vcm_result<vcm_handle> create_one_to_one_vcm(uint64_t start, uint64_t len);
    vcm_status free_vcm(vcm_handle vcm);
    vcm_result<vcm_kind> kind(vcm_handle vcm) const;
    vcm_result<uint64_t> start_addr(vcm_handle vcm) const;
    vcm_result<uint64_t> length(vcm_handle vcm) const;
    vcm_result<std::vector<res_handle>> reservations(vcm_handle vcm) const;   // by creation order
    vcm_result<uint64_t> iova_bytes_free(vcm_handle vcm) const;

    // --- reservations ---
    // align == 0: the largest chunk size <= round_up(len, granule) (so every chunk of a
    // max-munch allocation maps with its own block size); otherwise a power of two in
    // [granule, VCM length]. One-to-one VCMs: the address is fixed by back() (= PA).
    vcm_result<res_handle> reserve(vcm_handle vcm, uint64_t len, const res_attrs& attrs = {},
                                   uint64_t align = 0);
    // Exactly [dev_addr, dev_addr + len) (dev_addr granule aligned). One-to-one: back() then
    // requires the physical allocation to start at dev_addr.
    vcm_result<res_handle> reserve_at(vcm_handle vcm, uint64_t dev_addr, uint64_t len,
                                      const res_attrs& attrs = {});
    vcm_status unreserve(res_handle res);
    vcm_result<uint64_t> dev_addr(res_handle res) const;   // not_backed: one-to-one, unbacked
    vcm_result<uint64_t> res_len(res_handle res) const;    // the requested length
    vcm_result<uint64_t> res_alignment(res_handle res) const;
    vcm_result<res_attrs> attributes(res_handle res) const;
    vcm_status set_attributes(res_handle res, const res_attrs& attrs);   // busy while backed
    vcm_result<vcm_handle> vcm_of(res_handle res) const;
    vcm_result<phys_handle> backing(res_handle res) const;   // null handle when unbacked

    // --- physical allocations ---
    vcm_result<phys_handle> phys_alloc(uint64_t len, const phys_options& opts = {});
    vcm_status phys_free(phys_handle phys);   // busy while it backs any reservation
    vcm_result<uint64_t> phys_len(phys_handle phys) const;         // requested bytes
    vcm_result<uint64_t> phys_allocated(phys_handle phys) const;   // sum of its chunks
    vcm_result<std::vector<phys_chunk>> chunks(phys_handle phys) const;   // largest first / PA order
    vcm_result<unsigned> backing_count(phys_handle phys) const;

    // --- backing ---
    // Maps round_up(len, granule) bytes at dev_addr, chunk by chunk. Lengths (requested) must
    // be equal; on a backend failure every chunk already mapped is unmapped again.
    vcm_status back(res_handle res, phys_handle phys);
    vcm_status unback(res_handle res);

    // --- associations ---
    vcm_result<assoc_handle> associate(vcm_handle vcm, device_handle dev);
    vcm_status deassociate(assoc_handle assoc);
    vcm_status activate(assoc_handle assoc);
    vcm_status deactivate(assoc_handle assoc);
    vcm_result<bool> is_active(assoc_handle assoc) const;

    // --- queries ---
    // Device address -> physical address from the layer's own records (not_backed / out_of_range).
    vcm_result<uint64_t> translate(vcm_handle vcm, uint64_t dev_addr) const;
    // The same through the backend's tables (software walk; identity for one-to-one VCMs).
    vcm_result<uint64_t> hw_translate(vcm_handle vcm, uint64_t dev_addr);
    // The mapped pieces of a backed reservation, one per chunk, in device-address order;
    // with merge, physically adjacent pieces are joined (what a DMA engine is programmed with).
    vcm_result<std::vector<segment>> segments(res_handle res, bool merge = false) const;

    vcm_footprint footprint() const;

private:
    struct vcm_obj {
        vcm_kind kind = vcm_kind::iommu;
        translation_backend* backend = nullptr;
        context_id ctx = 0;
        uint64_t start = 0, len = 0;
        iova_allocator iova;
        std::vector<res_handle> res;           // live reservations
        std::map<uint64_t, res_handle> by_addr;   // translated kinds: dev_addr -> reservation
        std::vector<assoc_handle> assocs;
    };
    struct res_obj {
        vcm_handle vcm;
        uint64_t len = 0, span = 0, align = 0, dev_addr = 0;
        bool has_addr = false, fixed_addr = false;
        res_attrs attrs;
        phys_handle phys;
    };
    struct phys_obj {
        uint64_t len = 0, allocated = 0;
        std::vector<phys_chunk> chunks;
        phys_options opts;
        unsigned backings = 0;
    };
    struct device_obj {
        std::string name;
        translation_backend* backend = nullptr;
        device_id hw = 0;
        assoc_handle active;
        unsigned assocs = 0;
    };
    struct assoc_obj {
        vcm_handle vcm;
        device_handle dev;
        bool active = false;
    };

    explicit vcm_manager(uint32_t id);
    vcm_result<vcm_handle> create_any(vcm_kind kind, translation_backend* backend, uint64_t start, uint64_t len);
    vcm_result<res_handle> make_res(vcm_handle vh, bool at, uint64_t addr, uint64_t len, const res_attrs& attrs,
                                    uint64_t align);
    vcm_status check_strict(const vcm_obj& v, const char* what) const;
    vcm_status map_chunks(vcm_obj& v, res_obj& r, const phys_obj& p, const access_attrs& a, bool& pinned);
    static std::string name_of(const char* kind, uint32_t slot);

    uint32_t m_id;
    uint64_t m_granule = 4096;
    bool m_strict = false;
    std::unique_ptr<phys_allocator> m_phys;
    slot_table<vcm_obj, vcm_tag> m_vcms;
    slot_table<res_obj, res_tag> m_res;
    slot_table<phys_obj, phys_tag> m_physmem;
    slot_table<device_obj, device_tag> m_devices;
    slot_table<assoc_obj, assoc_tag> m_assocs;
};

}  // namespace vcmsim::vcm
