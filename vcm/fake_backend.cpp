#include "vcm/fake_backend.h"

#include <iterator>

namespace vcmsim::vcm {

namespace {
map_attrs to_pt_attrs(const access_attrs& a) {
    map_attrs m;
    m.read = a.read;
    m.write = a.write;
    m.exec = a.exec;
    m.user = a.user;
    m.attr_index = static_cast<uint8_t>(a.cache) & 7;
    return m;
}
}  // namespace

fake_backend::fake_backend(const fake_backend_config& cfg, pt_memory* mem, pt_allocator* alloc)
    : m_cfg(cfg), m_mem(mem), m_alloc(alloc) {}

fake_backend::~fake_backend() {
    for (auto& [id, c] : m_ctx)
        if (c.pt) c.pt->release();
}

void fake_backend::log(op kind, context_id ctx, uint64_t iova, uint64_t pa, uint64_t size, device_id dev,
                       bool ok) {
    const call c{kind, ctx, iova, pa, size, dev, ok, m_seq++};
    if (record) calls.push_back(c);
    if (observer) observer(c);
}

fake_backend::context* fake_backend::find(context_id ctx) {
    auto it = m_ctx.find(ctx);
    return it == m_ctx.end() ? nullptr : &it->second;
}

vcm_status fake_backend::create_context(const context_params& params, context_id& out) {
    if (m_ctx.size() >= m_cfg.max_contexts) {
        log(op::create_context, 0, params.window_base, 0, params.window_size, 0, false);
        return fail(errc::busy, "fake backend: all " + std::to_string(m_cfg.max_contexts) + " contexts in use");
    }
    context c;
    if (m_mem && m_alloc) {
        c.pt = std::make_unique<page_table_builder>(*m_mem, *m_alloc, m_cfg.tables);
        if (!c.pt->init()) {
            log(op::create_context, 0, params.window_base, 0, params.window_size, 0, false);
            return fail(errc::backend_failure, "fake backend: cannot allocate a root table");
        }
    }
    out = m_next++;
    m_ctx.emplace(out, std::move(c));
    log(op::create_context, out, params.window_base, 0, params.window_size, 0, true);
    return {};
}

vcm_status fake_backend::destroy_context(context_id ctx) {
    context* c = find(ctx);
    vcm_status st;
    if (!c)
        st = fail(errc::invalid_argument, "fake backend: no context " + std::to_string(ctx));
    else if (c->bytes || !c->devices.empty())
        st = fail(errc::busy, "fake backend: context " + std::to_string(ctx) + " still has mappings or devices");
    log(op::destroy_context, ctx, 0, 0, 0, 0, st.ok());
    if (!st.ok()) return st;
    if (c->pt) c->pt->release();
    m_ctx.erase(ctx);
    return st;
}

vcm_status fake_backend::map(context_id ctx, uint64_t iova, uint64_t pa, uint64_t size, const access_attrs& attrs) {
    ++map_calls;
    context* c = find(ctx);
    vcm_status st;
    const uint64_t g = m_cfg.granule;
    if (!c) {
        st = fail(errc::invalid_argument, "fake backend: map into unknown context " + std::to_string(ctx));
    } else if (size == 0 || (iova | pa | size) & (g - 1)) {
        st = fail(errc::invalid_argument, "fake backend: map " + hex(iova) + "+" + hex(size) + " not granule aligned");
    } else if (fail_map_at && ++m_map_count == fail_map_at) {
        fail_map_at = 0;
        m_map_count = 0;
        st = fail(errc::backend_failure, "fake backend: injected map failure at " + hex(iova));
    } else if (!attrs.read) {
        st = fail(errc::unsupported, "fake backend: stage 1 cannot express a no-read mapping");
    } else if (c->pt) {
        const map_status ms = c->pt->map(iova, pa, size, to_pt_attrs(attrs));
        if (!ms.ok())
            st = fail(ms.error == map_error::overlap ? errc::busy : errc::backend_failure,
                      std::string("fake backend: page-table map failed: ") + map_error_name(ms.error) + " at " +
                          hex(ms.va));
    } else {
        auto next = c->maps.lower_bound(iova);
        bool overlap = next != c->maps.end() && next->first < iova + size;
        if (next != c->maps.begin()) {
            auto prev = std::prev(next);
            overlap |= prev->first + prev->second.size > iova;
        }
        if (overlap) st = fail(errc::busy, "fake backend: map over a live entry at " + hex(iova));
        else c->maps.emplace(iova, mapping{pa, size, attrs});
    }
    if (st.ok()) c->bytes += size;
    log(op::map, ctx, iova, pa, size, 0, st.ok());
    return st;
}

vcm_status fake_backend::unmap(context_id ctx, uint64_t iova, uint64_t size) {
    ++unmap_calls;
    context* c = find(ctx);
    vcm_status st;
    if (!c) {
        st = fail(errc::invalid_argument, "fake backend: unmap in unknown context " + std::to_string(ctx));
    } else if (fail_unmap_at && ++m_unmap_count == fail_unmap_at) {
        fail_unmap_at = 0;
        m_unmap_count = 0;
        st = fail(errc::backend_failure, "fake backend: injected unmap failure at " + hex(iova));
    } else if (c->pt) {
        std::vector<std::pair<uint64_t, uint64_t>> removed;
        const map_status ms = c->pt->unmap(iova, size, &removed);
        if (!ms.ok()) st = fail(errc::backend_failure, std::string("fake backend: unmap failed: ") + map_error_name(ms.error));
        for (const auto& r : removed) c->bytes -= r.second;
    } else {
        const uint64_t end = iova + size;
        auto it = c->maps.lower_bound(iova);
        if (it != c->maps.begin() && std::prev(it)->first + std::prev(it)->second.size > iova) --it;
        while (it != c->maps.end() && it->first < end) {
            const uint64_t s = it->first, e = s + it->second.size;
            const mapping m = it->second;
            it = c->maps.erase(it);
            c->bytes -= m.size;
            if (s < iova) {   // keep the head
                c->maps.emplace(s, mapping{m.pa, iova - s, m.attrs});
                c->bytes += iova - s;
            }
            if (e > end) {    // keep the tail
                c->maps.emplace(end, mapping{m.pa + (end - s), e - end, m.attrs});
                c->bytes += e - end;
            }
        }
    }
    if (st.ok()) ++syncs;   // the model of "TLBI for the range + SYNC completed"
    log(op::unmap, ctx, iova, 0, size, 0, st.ok());
    return st;
}

vcm_status fake_backend::attach(context_id ctx, device_id dev) {
    context* c = find(ctx);
    vcm_status st;
    if (!c) st = fail(errc::invalid_argument, "fake backend: attach to unknown context " + std::to_string(ctx));
    else if (!m_cfg.devices.empty() && !m_cfg.devices.count(dev))
        st = fail(errc::no_device, "fake backend: no device with id " + std::to_string(dev));
    else if (fail_attach) st = fail(errc::backend_failure, "fake backend: injected attach failure");
    else if (!c->devices.insert(dev).second)
        st = fail(errc::busy, "fake backend: device " + std::to_string(dev) + " already attached");
    log(op::attach, ctx, 0, 0, 0, dev, st.ok());
    return st;
}

vcm_status fake_backend::detach(context_id ctx, device_id dev) {
    context* c = find(ctx);
    vcm_status st;
    if (!c) st = fail(errc::invalid_argument, "fake backend: detach from unknown context " + std::to_string(ctx));
    else if (fail_detach) st = fail(errc::backend_failure, "fake backend: injected detach failure");
    else if (!c->devices.erase(dev))
        st = fail(errc::invalid_argument, "fake backend: device " + std::to_string(dev) + " is not attached");
    log(op::detach, ctx, 0, 0, 0, dev, st.ok());
    return st;
}

vcm_status fake_backend::iova_to_phys(context_id ctx, uint64_t iova, uint64_t& pa) {
    context* c = find(ctx);
    if (!c) return fail(errc::invalid_argument, "fake backend: no context " + std::to_string(ctx));
    if (c->pt) {
        unsigned shift = 0;
        if (c->pt->lookup(iova, pa, shift)) return {};
        return fail(errc::not_backed, "fake backend: " + hex(iova) + " is not mapped");
    }
    auto it = c->maps.upper_bound(iova);
    if (it != c->maps.begin()) {
        --it;
        if (iova - it->first < it->second.size) {
            pa = it->second.pa + (iova - it->first);
            return {};
        }
    }
    return fail(errc::not_backed, "fake backend: " + hex(iova) + " is not mapped");
}

uint64_t fake_backend::mapped_bytes(context_id ctx) const {
    auto it = m_ctx.find(ctx);
    return it == m_ctx.end() ? 0 : it->second.bytes;
}

std::set<device_id> fake_backend::attached(context_id ctx) const {
    auto it = m_ctx.find(ctx);
    return it == m_ctx.end() ? std::set<device_id>{} : it->second.devices;
}

const page_table_builder* fake_backend::tables(context_id ctx) const {
    auto it = m_ctx.find(ctx);
    return it == m_ctx.end() ? nullptr : it->second.pt.get();
}

access_attrs fake_backend::attrs_at(context_id ctx, uint64_t iova) const {
    auto it = m_ctx.find(ctx);
    if (it == m_ctx.end()) return {};
    auto m = it->second.maps.upper_bound(iova);
    if (m == it->second.maps.begin()) return {};
    return std::prev(m)->second.attrs;
}

}  // namespace vcmsim::vcm
