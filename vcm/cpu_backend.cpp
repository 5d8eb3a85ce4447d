#include "vcm/cpu_backend.h"

namespace vcmsim::vcm {

cpu_backend::cpu_backend(cpu_mmu_driver& driver, const cpu_backend_config& cfg) : m_drv(driver), m_cfg(cfg) {}

uint64_t cpu_backend::granule() const { return 1ULL << mmu::granule_shift(m_drv.tables().format().tg); }

vcm_status cpu_backend::check(context_id ctx) const {
    if (!m_have_ctx || ctx != k_ctx)
        return fail(errc::invalid_argument, "cpu backend: no context " + std::to_string(ctx));
    return {};
}

vcm_status cpu_backend::create_context(const context_params& params, context_id& out) {
    if (m_have_ctx)
        return fail(errc::busy, "cpu backend: the CPU has one translation context and it is in use (" +
                                    params.label + ")");
    const core::op_status st = m_drv.init();
    if (!st.ok) return fail(errc::backend_failure, "cpu backend: " + st.error);
    m_have_ctx = true;
    out = k_ctx;
    return {};
}

vcm_status cpu_backend::destroy_context(context_id ctx) {
    vcm_status st = check(ctx);
    if (!st.ok()) return st;
    if (m_attached) return fail(errc::busy, "cpu backend: context still attached");
    m_have_ctx = false;   // the root table stays with the driver (it owns the CPU's tables)
    return {};
}

vcm_status cpu_backend::map(context_id ctx, uint64_t iova, uint64_t pa, uint64_t size, const access_attrs& attrs) {
    vcm_status st = check(ctx);
    if (!st.ok()) return st;
    const auto policy = static_cast<std::size_t>(attrs.cache);
    if (policy >= m_cfg.attr_index.size() || m_cfg.attr_index[policy] < 0)
        return fail(errc::unsupported, std::string("cpu backend: MAIR has no attribute for cache policy ") +
                                           cache_policy_name(attrs.cache));
    if (!attrs.read) return fail(errc::unsupported, "cpu backend: stage 1 cannot express a no-read mapping");
    map_attrs m;
    m.read = attrs.read;
    m.write = attrs.write;
    m.exec = attrs.exec;
    m.user = attrs.user;
    m.attr_index = static_cast<uint8_t>(m_cfg.attr_index[policy]);
    m.sh = attrs.cache == cache_policy::device ? 0 : 3;
    const core::op_status os = m_drv.map(iova, pa, size, m);
    if (!os.ok) return fail(errc::backend_failure, "cpu backend: " + os.error);
    return {};
}

vcm_status cpu_backend::unmap(context_id ctx, uint64_t iova, uint64_t size) {
    vcm_status st = check(ctx);
    if (!st.ok()) return st;
    const core::op_status os = m_drv.unmap(iova, size);
    if (!os.ok) return fail(errc::backend_failure, "cpu backend: " + os.error);
    return {};
}

vcm_status cpu_backend::attach(context_id ctx, device_id) {
    vcm_status st = check(ctx);
    if (!st.ok()) return st;
    if (m_attached) return fail(errc::busy, "cpu backend: already attached");
    if (m_cfg.enable_on_attach) {
        const core::op_status os = m_drv.enable();
        if (!os.ok) return fail(errc::backend_failure, "cpu backend: " + os.error);
    }
    m_attached = true;
    return {};
}

vcm_status cpu_backend::detach(context_id ctx, device_id) {
    vcm_status st = check(ctx);
    if (!st.ok()) return st;
    if (!m_attached) return fail(errc::invalid_argument, "cpu backend: not attached");
    if (m_cfg.enable_on_attach) {
        const core::op_status os = m_drv.disable();
        if (!os.ok) return fail(errc::backend_failure, "cpu backend: " + os.error);
    }
    m_attached = false;
    return {};
}

vcm_status cpu_backend::iova_to_phys(context_id ctx, uint64_t iova, uint64_t& pa) {
    vcm_status st = check(ctx);
    if (!st.ok()) return st;
    unsigned shift = 0;
    if (!m_drv.tables().lookup(iova, pa, shift))
        return fail(errc::not_backed, "cpu backend: " + hex(iova) + " is not mapped");
    return {};
}

}  // namespace vcmsim::vcm
