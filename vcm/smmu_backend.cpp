#include "vcm/smmu_backend.h"

namespace vcmsim::vcm {

smmu_backend::smmu_backend(smmu_driver& driver, const smmu_backend_config& cfg) : m_drv(driver), m_cfg(cfg) {}

uint64_t smmu_backend::granule() const { return 1ULL << mmu::granule_shift(m_cfg.tg); }

vcm_status smmu_backend::hw_fail(const std::string& what, const core::op_status& os) {
    return fail(errc::backend_failure, "smmu backend: " + what + ": " + os.error);
}

smmu_backend::context* smmu_backend::find(context_id ctx, vcm_status& st) {
    auto it = m_ctx.find(ctx);
    if (it == m_ctx.end()) {
        st = fail(errc::invalid_argument, "smmu backend: no context " + std::to_string(ctx));
        return nullptr;
    }
    return &it->second;
}

bool smmu_backend::stream_of(device_id dev, uint32_t& sid) const {
    if (m_cfg.streams.empty()) {
        sid = dev;
        return true;
    }
    auto it = m_cfg.streams.find(dev);
    if (it == m_cfg.streams.end()) return false;
    sid = it->second;
    return true;
}

uint16_t smmu_backend::asid_of(context_id ctx) const {
    auto it = m_ctx.find(ctx);
    return it == m_ctx.end() ? 0 : it->second.asid;
}

std::set<uint32_t> smmu_backend::streams_of(context_id ctx) const {
    auto it = m_ctx.find(ctx);
    return it == m_ctx.end() ? std::set<uint32_t>{} : it->second.sids;
}

vcm_status smmu_backend::create_context(const context_params& params, context_id& out) {
    const unsigned ia_bits = 64 - m_cfg.tsz;
    const uint64_t ia_end = ia_bits >= 64 ? 0 : 1ULL << ia_bits;   // 0 = 2^64
    const uint64_t last = params.window_base + (params.window_size ? params.window_size - 1 : 0);
    if (ia_end && (last >= ia_end || last < params.window_base))
        return fail(errc::out_of_range, "smmu backend: window " + hex(params.window_base) + "+" +
                                            hex(params.window_size) + " of " + params.label +
                                            " exceeds the " + std::to_string(ia_bits) + "-bit input range");
    uint16_t asid = 0;
    bool found = false;
    for (uint32_t a = m_cfg.asid_first; !found && a < uint32_t(m_cfg.asid_first) + m_cfg.asid_count && a <= 0xFFFF; ++a)
        if (!m_asids.count(static_cast<uint16_t>(a))) {
            asid = static_cast<uint16_t>(a);
            found = true;
        }
    if (!found)
        return fail(errc::busy, "smmu backend: no free ASID for " + params.label + " (" +
                                    std::to_string(m_asids.size()) + " in use)");
    smmu_context_setup setup;
    setup.tg = m_cfg.tg;
    setup.tsz = m_cfg.tsz;
    setup.oas_bits = m_cfg.oas_bits;
    setup.blocks = m_cfg.blocks;
    setup.asid = asid;
    context c;
    const core::op_status os = m_drv.create_context(setup, c.hw);
    if (!os.ok) return hw_fail("create context for " + params.label, os);
    c.asid = asid;
    c.label = params.label;
    m_asids.insert(asid);
    out = m_next++;
    m_ctx.emplace(out, std::move(c));
    return {};
}

vcm_status smmu_backend::destroy_context(context_id ctx) {
    vcm_status st;
    context* c = find(ctx, st);
    if (!c) return st;
    if (!c->sids.empty())
        return fail(errc::busy, "smmu backend: context " + std::to_string(ctx) + " (" + c->label + ") still has " +
                                    std::to_string(c->sids.size()) + " StreamID(s) attached");
    const core::op_status os = m_drv.destroy_context(c->hw);
    if (!os.ok) return hw_fail("destroy context " + std::to_string(ctx), os);
    m_asids.erase(c->asid);
    m_ctx.erase(ctx);
    return {};
}

vcm_status smmu_backend::map(context_id ctx, uint64_t iova, uint64_t pa, uint64_t size, const access_attrs& attrs) {
    vcm_status st;
    context* c = find(ctx, st);
    if (!c) return st;
    const auto policy = static_cast<std::size_t>(attrs.cache);
    if (policy >= m_cfg.attr_index.size() || m_cfg.attr_index[policy] < 0)
        return fail(errc::unsupported, std::string("smmu backend: CD.MAIR has no attribute for cache policy ") +
                                           cache_policy_name(attrs.cache));
    if (!attrs.read) return fail(errc::unsupported, "smmu backend: stage 1 cannot express a no-read mapping");
    map_attrs m;
    m.read = true;
    m.write = attrs.write;
    m.exec = attrs.exec;
    m.user = true;   // DMA is unprivileged
    m.attr_index = static_cast<uint8_t>(m_cfg.attr_index[policy]);
    m.sh = attrs.cache == cache_policy::device ? 0 : 3;
    const core::op_status os = m_drv.map_ctx(c->hw, iova, pa, size, m);
    if (os.ok) return {};
    const std::string what = "map " + hex(iova) + "+" + hex(size) + " -> " + hex(pa) + " in " + c->label + ": " + os.error;
    switch (m_drv.last_map_error()) {
    case map_error::overlap: return fail(errc::busy, "smmu backend: " + what);
    case map_error::misaligned: return fail(errc::invalid_argument, "smmu backend: " + what);
    case map_error::out_of_range: return fail(errc::out_of_range, "smmu backend: " + what);
    case map_error::bad_attrs: return fail(errc::unsupported, "smmu backend: " + what);
    default: return fail(errc::backend_failure, "smmu backend: " + what);
    }
}

vcm_status smmu_backend::unmap(context_id ctx, uint64_t iova, uint64_t size) {
    vcm_status st;
    context* c = find(ctx, st);
    if (!c) return st;
    const core::op_status os = m_drv.unmap_ctx(c->hw, iova, size);   // returns after CMD_SYNC
    if (!os.ok) return hw_fail("unmap " + hex(iova) + "+" + hex(size) + " in " + c->label, os);
    ++m_unmaps;
    return {};
}

vcm_status smmu_backend::attach(context_id ctx, device_id dev) {
    vcm_status st;
    context* c = find(ctx, st);
    if (!c) return st;
    uint32_t sid = 0;
    if (!stream_of(dev, sid))
        return fail(errc::no_device, "smmu backend: device " + std::to_string(dev) + " has no StreamID");
    auto it = m_sid_ctx.find(sid);
    if (it != m_sid_ctx.end())
        return fail(errc::busy, "smmu backend: StreamID " + std::to_string(sid) + " is already attached to context " +
                                    std::to_string(it->second));
    const core::op_status os = m_drv.attach_stream(sid, c->hw);
    if (!os.ok) return hw_fail("attach StreamID " + std::to_string(sid) + " to " + c->label, os);
    c->sids.insert(sid);
    m_sid_ctx[sid] = ctx;
    return {};
}

vcm_status smmu_backend::detach(context_id ctx, device_id dev) {
    vcm_status st;
    context* c = find(ctx, st);
    if (!c) return st;
    uint32_t sid = 0;
    if (!stream_of(dev, sid))
        return fail(errc::no_device, "smmu backend: device " + std::to_string(dev) + " has no StreamID");
    if (!c->sids.count(sid))
        return fail(errc::invalid_argument, "smmu backend: StreamID " + std::to_string(sid) +
                                                " is not attached to " + c->label);
    const core::op_status os = m_drv.detach_stream(sid);
    if (!os.ok) return hw_fail("detach StreamID " + std::to_string(sid) + " from " + c->label, os);
    c->sids.erase(sid);
    m_sid_ctx.erase(sid);
    return {};
}

vcm_status smmu_backend::iova_to_phys(context_id ctx, uint64_t iova, uint64_t& pa) {
    vcm_status st;
    context* c = find(ctx, st);
    if (!c) return st;
    const page_table_builder* t = m_drv.tables(c->hw);
    unsigned shift = 0;
    if (!t || !t->lookup(iova, pa, shift))
        return fail(errc::not_backed, "smmu backend: " + hex(iova) + " is not mapped in " + c->label);
    return {};
}

}  // namespace vcmsim::vcm
