// The hardware side of the VCM layer: one translation_backend per kind of translating hardware
// (the SMMU driver, the CPU MMU driver). The layer owns address-space policy (IOVA allocation,
// physical allocation, backing, association state); a backend owns the hardware structures.
// Plain C++; backends written for SystemC platforms make timed accesses from the CPU thread.
//
// Model: a VCM of kind iommu/cpu owns exactly ONE backend context, created with the VCM and
// destroyed with it. A context is one translation regime with one set of tables (SMMU: a
// CD/ASID + its stage-1 table; CPU: TTBR0 + ASID). Every device associated with the VCM is
// attached to that same context on activation, so a device attached late sees every mapping
// already made (shared domain: nothing is replayed), and mappings made while no device is
// attached are valid tables waiting for one.
//
// Contract every backend must honour (the layer relies on it):
//  - map(): [iova, iova + size) -> [pa, pa + size); all three multiples of granule(). All or
//    nothing: on failure nothing of the call stays mapped. Mapping over a live entry fails
//    (errc::busy). The backend chooses entry sizes (blocks where iova and pa are aligned);
//    table writes go through vcm/pgtable/page_table_builder. New entries need no TLBI.
//  - unmap(): removes every leaf in the range (holes skipped), then invalidates every TLB and
//    walk cache that may hold them (SMMU: CMD_TLBI_NH_VA/ASID per context + CMD_SYNC; CPU:
//    TLBI VAE1 + DSB) and returns only after that invalidation has COMPLETED. The layer frees
//    or reuses the physical memory only after unmap() returned ok; when unmap() fails the
//    layer keeps the memory allocated (leaked rather than reused while reachable).
//  - attach(ctx, dev): from now on the device's accesses translate through ctx (SMMU: STE ->
//    CD -> TTB0, CFGI + SYNC). detach(): the device no longer translates through ctx, and no
//    cached configuration or TLB entry of ctx serves it afterwards. The layer never attaches a
//    device to two contexts of one backend at once.
//  - destroy_context(): the layer calls it only with nothing mapped and no device attached;
//    the backend frees the context's tables and identifiers.
//  - iova_to_phys(): a software walk of the context's tables (debug/test path).
// Errors: a vcm_status with the errc that fits (no_device for an unknown device, unsupported
// for attributes the hardware cannot express, busy, backend_failure for bus errors...).
#pragma once

#include <cstdint>
#include <string>

#include "vcm/vcm_status.h"
#include "vcm/vcm_types.h"

namespace vcmsim::vcm {

using context_id = uint32_t;
using device_id = uint32_t;   // SMMU: StreamID; CPU: ignored (0)

struct context_params {
    uint64_t window_base = 0;   // the VCM's device-address window; every map() falls inside it
    uint64_t window_size = 0;
    std::string label;          // for messages/logs ("vcm#2")
};

class translation_backend {
public:
    virtual ~translation_backend() = default;

    virtual const char* name() const = 0;
    // Smallest mapping unit (bytes). The layer's granule must be a multiple of it.
    virtual uint64_t granule() const = 0;

    virtual vcm_status create_context(const context_params& params, context_id& out) = 0;
    virtual vcm_status destroy_context(context_id ctx) = 0;

    virtual vcm_status map(context_id ctx, uint64_t iova, uint64_t pa, uint64_t size,
                           const access_attrs& attrs) = 0;
    virtual vcm_status unmap(context_id ctx, uint64_t iova, uint64_t size) = 0;

    virtual vcm_status attach(context_id ctx, device_id dev) = 0;
    virtual vcm_status detach(context_id ctx, device_id dev) = 0;

    virtual vcm_status iova_to_phys(context_id ctx, uint64_t iova, uint64_t& pa) = 0;
};

}  // namespace vcmsim::vcm
