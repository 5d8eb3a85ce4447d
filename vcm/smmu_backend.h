// translation_backend over the SMMU driver (vcm/drivers/smmu_driver): each VCM of kind iommu
// gets one SMMU translation context (stage-1 tables + one CD with its own ASID); every device
// associated with the VCM has its StreamID's STE pointed at that CD on activation, so all the
// VCM's devices share one set of tables.
//
//   create_context  ASID = the lowest free one in [asid_first, asid_first + asid_count)
//                   (none free: busy); tables in the configured granule / T0SZ / OAS; the
//                   VCM window must lie inside the input range [0, 2^(64 - tsz)).
//   map             page-table writes (blocks where iova and pa allow); attributes: read must
//                   be set (stage 1 has no "no read"), the cache policy picks a CD.MAIR index
//                   (attr_index, -1 = unsupported); mappings are always EL0-accessible.
//   unmap           clears the leaves, TLBI_NH_VA per leaf (or TLBI_NH_ASID), CMD_SYNC, and
//                   returns only after the SYNC completed (the VCM layer may then reuse the
//                   physical memory).
//   attach/detach   device id -> StreamID (the `streams` map; empty = identity); STE -> CD or
//                   STE -> abort, CFGI_STE + CMD_SYNC (+ TLBI_NH_ASID on the last detach).
//   destroy_context refused (busy) while a device is attached; frees tables, CD and ASID.
//   iova_to_phys    software walk of the context's tables (timed reads of the descriptors).
// Error codes: unknown device -> no_device; map over a live entry -> busy; out-of-window ->
// out_of_range; attributes the CD cannot express -> unsupported; bus errors, command-queue
// errors, timeouts, table-pool exhaustion -> backend_failure.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <set>

#include "vcm/backend.h"
#include "vcm/drivers/smmu_driver.h"

namespace vcmsim::vcm {

struct smmu_backend_config {
    mmu::granule tg = mmu::granule::g4k;   // translation granule of every context
    unsigned tsz = 16;                     // CD.T0SZ: input range [0, 2^(64 - tsz))
    unsigned oas_bits = 48;                // CD.IPS
    bool blocks = true;                    // block mappings where chunk size and alignment allow
    uint16_t asid_first = 1;               // ASIDs handed out: [asid_first, +asid_count)
    uint16_t asid_count = 255;
    std::map<device_id, uint32_t> streams; // VCM device id -> StreamID; empty = identity
    // CD.MAIR index per cache_policy (inherit, write_back, write_back_nwa, write_through,
    // non_cacheable, device) for the driver's MAIR 0x04FF44 (0 NC, 1 WB, 2 Device-nGnRE).
    std::array<int8_t, 6> attr_index{{-1, 1, 1, -1, 0, 2}};
};

class smmu_backend : public translation_backend {
public:
    smmu_backend(smmu_driver& driver, const smmu_backend_config& cfg = {});

    const char* name() const override { return "smmu"; }
    uint64_t granule() const override;
    vcm_status create_context(const context_params& params, context_id& out) override;
    vcm_status destroy_context(context_id ctx) override;
    vcm_status map(context_id ctx, uint64_t iova, uint64_t pa, uint64_t size,
                   const access_attrs& attrs) override;
    vcm_status unmap(context_id ctx, uint64_t iova, uint64_t size) override;
    vcm_status attach(context_id ctx, device_id dev) override;
    vcm_status detach(context_id ctx, device_id dev) override;
    vcm_status iova_to_phys(context_id ctx, uint64_t iova, uint64_t& pa) override;

    // --- inspection ---
    const smmu_driver& driver() const { return m_drv; }
    std::size_t contexts() const { return m_ctx.size(); }
    uint16_t asid_of(context_id ctx) const;            // 0: no such context
    std::set<uint32_t> streams_of(context_id ctx) const;
    uint64_t unmaps_synced() const { return m_unmaps; } // unmap() calls that completed their SYNC

private:
    struct context {
        uint16_t asid = 0;
        smmu_driver::ctx_id hw = 0;
        std::set<uint32_t> sids;
        std::string label;
    };
    context* find(context_id ctx, vcm_status& st);
    bool stream_of(device_id dev, uint32_t& sid) const;
    static vcm_status hw_fail(const std::string& what, const core::op_status& os);

    smmu_driver& m_drv;
    smmu_backend_config m_cfg;
    std::map<context_id, context> m_ctx;
    std::set<uint16_t> m_asids;                  // in use
    std::map<uint32_t, context_id> m_sid_ctx;    // StreamID -> context it is attached to
    context_id m_next = 1;
    uint64_t m_unmaps = 0;
};

}  // namespace vcmsim::vcm
