// translation_backend over the CPU MMU driver (vcm/cpu_mmu_driver): a CPU VCM's reservations
// are mapped into the CPU's own stage-1 tables with timed physical writes; unmap removes the
// leaves and invalidates the CPU TLB (TLBI VAE1 per removed leaf, TLBI ASIDE1 when tables were
// freed; each TLBI is followed by DSB in mmu_control, so it has completed on return).
//
// One context only (the CPU has one TTBR0 regime here): a second create_context -> busy.
// attach() enables the MMU (MAIR, TCR, TTBR0, SCTLR.M) when enable_on_attach is set, detach()
// disables it; otherwise both are bookkeeping. Cache policies map to MAIR indices through
// attr_index (default MAIR 0x04FF: Attr0 normal write-back, Attr1 device-nGnRE); a policy with
// no index (-1) is refused with errc::unsupported.
#pragma once

#include <array>
#include <cstdint>

#include "vcm/backend.h"
#include "vcm/cpu_mmu_driver.h"

namespace vcmsim::vcm {

struct cpu_backend_config {
    bool enable_on_attach = true;
    // MAIR index per cache_policy value (inherit, write_back, write_back_nwa, write_through,
    // non_cacheable, device); -1 = the CPU's MAIR has no such attribute.
    std::array<int8_t, 6> attr_index{{-1, 0, -1, -1, -1, 1}};
};

class cpu_backend : public translation_backend {
public:
    explicit cpu_backend(cpu_mmu_driver& driver, const cpu_backend_config& cfg = {});

    const char* name() const override { return "cpu"; }
    uint64_t granule() const override;
    vcm_status create_context(const context_params& params, context_id& out) override;
    vcm_status destroy_context(context_id ctx) override;
    vcm_status map(context_id ctx, uint64_t iova, uint64_t pa, uint64_t size,
                   const access_attrs& attrs) override;
    vcm_status unmap(context_id ctx, uint64_t iova, uint64_t size) override;
    vcm_status attach(context_id ctx, device_id dev) override;
    vcm_status detach(context_id ctx, device_id dev) override;
    vcm_status iova_to_phys(context_id ctx, uint64_t iova, uint64_t& pa) override;

    const cpu_mmu_driver& driver() const { return m_drv; }

private:
    vcm_status check(context_id ctx) const;

    cpu_mmu_driver& m_drv;
    cpu_backend_config m_cfg;
    bool m_have_ctx = false;
    bool m_attached = false;
    static constexpr context_id k_ctx = 1;
};

}  // namespace vcmsim::vcm
