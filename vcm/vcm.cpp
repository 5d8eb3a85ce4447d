// The VCM API: creation, devices, VCMs, reservations, physical allocations and queries.
// Backing and associations are in vcm_backing.cpp.
#include "vcm/vcm.h"

#include <algorithm>
#include <atomic>

namespace vcmsim::vcm {

namespace {
std::atomic<uint32_t> g_next_manager{1};
bool pow2(uint64_t v) { return v && !(v & (v - 1)); }
}  // namespace

const char* cache_policy_name(cache_policy c) {
    switch (c) {
    case cache_policy::inherit: return "inherit";
    case cache_policy::write_back: return "write_back";
    case cache_policy::write_back_nwa: return "write_back_nwa";
    case cache_policy::write_through: return "write_through";
    case cache_policy::non_cacheable: return "non_cacheable";
    case cache_policy::device: return "device";
    }
    return "invalid";
}

bool cache_policy_valid(cache_policy c) { return static_cast<uint8_t>(c) <= static_cast<uint8_t>(cache_policy::device); }

std::string vcm_manager::name_of(const char* kind, uint32_t slot) { return std::string(kind) + "#" + std::to_string(slot); }

vcm_manager::vcm_manager(uint32_t id)
    : m_id(id), m_vcms(id), m_res(id), m_physmem(id), m_devices(id), m_assocs(id) {}

vcm_manager::~vcm_manager() = default;

vcm_result<std::unique_ptr<vcm_manager>> vcm_manager::create(const vcm_manager_config& cfg) {
    auto pa = phys_allocator::create(cfg.phys);
    if (!pa.ok()) return pa.status();
    std::unique_ptr<vcm_manager> m(new vcm_manager(g_next_manager++));
    m->m_phys = pa.take();
    m->m_granule = m->m_phys->granule();
    m->m_strict = cfg.strict_2010_backing;
    return m;
}

// ---------------------------------------------------------------- devices

vcm_result<device_handle> vcm_manager::register_device(const std::string& name, translation_backend* backend,
                                                       device_id hw_id) {
    if (name.empty()) return fail(errc::invalid_argument, "a device needs a name");
    device_obj d;
    d.name = name;
    d.backend = backend;
    d.hw = hw_id;
    return m_devices.insert(std::move(d));
}

vcm_status vcm_manager::unregister_device(device_handle dh) {
    device_obj* d = m_devices.get(dh);
    if (!d) return fail(errc::invalid_handle, "unregister_device: stale or foreign device handle");
    if (d->assocs)
        return fail(errc::busy, "device '" + d->name + "' still has " + std::to_string(d->assocs) + " association(s)");
    m_devices.erase(dh);
    return {};
}

// ---------------------------------------------------------------- VCMs

vcm_result<vcm_handle> vcm_manager::create_any(vcm_kind kind, translation_backend* backend, uint64_t start,
                                               uint64_t len) {
    if (len < m_granule)
        return fail(errc::invalid_argument, "VCM length " + hex(len) + " is below the granule " + hex(m_granule));
    if ((start | len) & (m_granule - 1))
        return fail(errc::invalid_argument, "VCM window [" + hex(start) + ", +" + hex(len) +
                                                ") is not aligned to the granule " + hex(m_granule));
    if (len - 1 > ~0ULL - start)
        return fail(errc::invalid_argument, "VCM window [" + hex(start) + ", +" + hex(len) + ") wraps past 2^64");
    vcm_obj v;
    v.kind = kind;
    v.backend = backend;
    v.start = start;
    v.len = len;
    if (backend) {
        const uint64_t bg = backend->granule();
        if (!bg || m_granule % bg)
            return fail(errc::invalid_argument, std::string("backend '") + backend->name() + "' maps in units of " +
                                                    hex(bg) + ", which does not divide the layer granule " +
                                                    hex(m_granule));
        v.iova = iova_allocator(start, len);
        context_params cp;
        cp.window_base = start;
        cp.window_size = len;
        cp.label = "vcm";
        vcm_status st = backend->create_context(cp, v.ctx);
        if (!st.ok()) return st;
    }
    return m_vcms.insert(std::move(v));
}

vcm_result<vcm_handle> vcm_manager::create_vcm(translation_backend& backend, uint64_t start, uint64_t len) {
    return create_any(vcm_kind::iommu, &backend, start, len);
}

vcm_result<vcm_handle> vcm_manager::create_cpu_vcm(translation_backend& cpu, uint64_t start, uint64_t len) {
    return create_any(vcm_kind::cpu, &cpu, start, len);
}

vcm_result<vcm_handle> vcm_manager::create_one_to_one_vcm(uint64_t start, uint64_t len) {
    return create_any(vcm_kind::one_to_one, nullptr, start, len);
}

vcm_status vcm_manager::free_vcm(vcm_handle vh) {
    vcm_obj* v = m_vcms.get(vh);
    if (!v) return fail(errc::invalid_handle, "free_vcm: stale or foreign VCM handle");
    if (!v->res.empty() || !v->assocs.empty())
        return fail(errc::busy, name_of("vcm", vh.slot) + " still has " + std::to_string(v->res.size()) +
                                    " reservation(s) and " + std::to_string(v->assocs.size()) + " association(s)");
    if (v->backend) {
        vcm_status st = v->backend->destroy_context(v->ctx);
        if (!st.ok()) return st;
    }
    m_vcms.erase(vh);
    return {};
}

#define VCM_GET(table, h, what)                                                     \
    auto* obj = table.get(h);                                                       \
    if (!obj) return fail(errc::invalid_handle, std::string(what) + ": stale or foreign handle")

vcm_result<vcm_kind> vcm_manager::kind(vcm_handle vh) const {
    VCM_GET(m_vcms, vh, "kind");
    return obj->kind;
}
vcm_result<uint64_t> vcm_manager::start_addr(vcm_handle vh) const {
    VCM_GET(m_vcms, vh, "start_addr");
    return obj->start;
}
vcm_result<uint64_t> vcm_manager::length(vcm_handle vh) const {
    VCM_GET(m_vcms, vh, "length");
    return obj->len;
}
vcm_result<std::vector<res_handle>> vcm_manager::reservations(vcm_handle vh) const {
    VCM_GET(m_vcms, vh, "reservations");
    return obj->res;
}
vcm_result<uint64_t> vcm_manager::iova_bytes_free(vcm_handle vh) const {
    VCM_GET(m_vcms, vh, "iova_bytes_free");
    return obj->kind == vcm_kind::one_to_one ? obj->len : obj->iova.bytes_free();
}

// ---------------------------------------------------------------- reservations

vcm_result<res_handle> vcm_manager::make_res(vcm_handle vh, bool at, uint64_t addr, uint64_t len,
                                             const res_attrs& attrs, uint64_t align) {
    vcm_obj* v = m_vcms.get(vh);
    if (!v) return fail(errc::invalid_handle, "reserve: stale or foreign VCM handle");
    if (len == 0) return fail(errc::invalid_argument, "reserve: length 0");
    if (!cache_policy_valid(attrs.cache))
        return fail(errc::invalid_argument, "reserve: unknown cache policy value " +
                                                std::to_string(static_cast<unsigned>(attrs.cache)));
    if (len > v->len)
        return fail(errc::no_iova_space, "reserve: " + hex(len) + " bytes exceed the window of " +
                                             name_of("vcm", vh.slot) + " (" + hex(v->len) + " bytes)");
    const uint64_t span = (len + m_granule - 1) & ~(m_granule - 1);
    res_obj r;
    r.vcm = vh;
    r.len = len;
    r.span = span;
    r.attrs = attrs;
    if (at) {
        if (addr & (m_granule - 1))
            return fail(errc::invalid_argument, "reserve_at: address " + hex(addr) + " is not granule aligned");
        if (addr < v->start || addr - v->start > v->len - span)
            return fail(errc::out_of_range, "reserve_at: [" + hex(addr) + ", +" + hex(span) + ") is outside " +
                                                name_of("vcm", vh.slot) + " [" + hex(v->start) + ", +" + hex(v->len) + ")");
        r.align = m_granule;
        r.dev_addr = addr;
        r.fixed_addr = true;
    } else if (align) {
        if (!pow2(align) || align < m_granule || align > v->len)
            return fail(errc::invalid_argument, "reserve: alignment " + hex(align) +
                                                    " must be a power of two between the granule " + hex(m_granule) +
                                                    " and the VCM length " + hex(v->len));
        r.align = align;
    } else {
        r.align = m_granule;
        for (uint64_t s : m_phys->chunk_sizes())
            if (s <= span) {
                r.align = s;
                break;
            }
    }
    if (v->kind != vcm_kind::one_to_one) {
        vcm_status st = at ? v->iova.alloc_at(addr, span) : v->iova.alloc(span, r.align, r.dev_addr);
        if (!st.ok()) return fail(st.code(), name_of("vcm", vh.slot) + ": " + st.message());
        r.has_addr = true;
    }
    const bool translated = v->kind != vcm_kind::one_to_one;
    const uint64_t dev = r.dev_addr;
    const res_handle rh = m_res.insert(std::move(r));
    v = m_vcms.get(vh);
    v->res.push_back(rh);
    if (translated) v->by_addr.emplace(dev, rh);
    return rh;
}

vcm_result<res_handle> vcm_manager::reserve(vcm_handle vh, uint64_t len, const res_attrs& attrs, uint64_t align) {
    return make_res(vh, false, 0, len, attrs, align);
}

vcm_result<res_handle> vcm_manager::reserve_at(vcm_handle vh, uint64_t addr, uint64_t len, const res_attrs& attrs) {
    return make_res(vh, true, addr, len, attrs, 0);
}

vcm_status vcm_manager::unreserve(res_handle rh) {
    res_obj* r = m_res.get(rh);
    if (!r) return fail(errc::invalid_handle, "unreserve: stale or foreign reservation handle");
    if (r->phys)
        return fail(errc::busy, name_of("res", rh.slot) + " is backed by " + name_of("phys", r->phys.slot) +
                                    "; unback it first");
    vcm_obj* v = m_vcms.get(r->vcm);
    if (v->kind != vcm_kind::one_to_one) {
        vcm_status st = v->iova.release(r->dev_addr, r->span);
        if (!st.ok()) return st;
        v->by_addr.erase(r->dev_addr);
    }
    v->res.erase(std::find(v->res.begin(), v->res.end(), rh));
    m_res.erase(rh);
    return {};
}

vcm_result<uint64_t> vcm_manager::dev_addr(res_handle rh) const {
    VCM_GET(m_res, rh, "dev_addr");
    if (!obj->has_addr)
        return fail(errc::not_backed, name_of("res", rh.slot) +
                                          " is on a one-to-one VCM and not backed: its address is the PA of its backing");
    return obj->dev_addr;
}
vcm_result<uint64_t> vcm_manager::res_len(res_handle rh) const {
    VCM_GET(m_res, rh, "res_len");
    return obj->len;
}
vcm_result<uint64_t> vcm_manager::res_alignment(res_handle rh) const {
    VCM_GET(m_res, rh, "res_alignment");
    return obj->align;
}
vcm_result<res_attrs> vcm_manager::attributes(res_handle rh) const {
    VCM_GET(m_res, rh, "attributes");
    return obj->attrs;
}
vcm_status vcm_manager::set_attributes(res_handle rh, const res_attrs& attrs) {
    VCM_GET(m_res, rh, "set_attributes");
    if (!cache_policy_valid(attrs.cache))
        return fail(errc::invalid_argument, "set_attributes: unknown cache policy value " +
                                                std::to_string(static_cast<unsigned>(attrs.cache)));
    if (obj->phys) return fail(errc::busy, name_of("res", rh.slot) + " is backed; unback before changing attributes");
    obj->attrs = attrs;
    return {};
}
vcm_result<vcm_handle> vcm_manager::vcm_of(res_handle rh) const {
    VCM_GET(m_res, rh, "vcm_of");
    return obj->vcm;
}
vcm_result<phys_handle> vcm_manager::backing(res_handle rh) const {
    VCM_GET(m_res, rh, "backing");
    return obj->phys;
}

// ---------------------------------------------------------------- physical allocations

vcm_result<phys_handle> vcm_manager::phys_alloc(uint64_t len, const phys_options& opts) {
    if (!cache_policy_valid(opts.cache) || opts.cache == cache_policy::inherit)
        return fail(errc::invalid_argument, "phys_alloc: a physical allocation needs a concrete cache policy");
    phys_obj p;
    p.len = len;
    p.opts = opts;
    vcm_status st = opts.contiguous ? m_phys->alloc_contiguous(len, p.chunks) : m_phys->alloc(len, opts.memtype, p.chunks);
    if (!st.ok()) return st;
    for (const phys_chunk& c : p.chunks) p.allocated += c.size;
    return m_physmem.insert(std::move(p));
}

vcm_status vcm_manager::phys_free(phys_handle ph) {
    phys_obj* p = m_physmem.get(ph);
    if (!p) return fail(errc::invalid_handle, "phys_free: stale or foreign physical-allocation handle");
    if (p->backings)
        return fail(errc::busy, name_of("phys", ph.slot) + " still backs " + std::to_string(p->backings) +
                                    " reservation(s)");
    vcm_status st = m_phys->free(p->chunks);
    if (!st.ok()) return st;
    m_physmem.erase(ph);
    return {};
}

vcm_result<uint64_t> vcm_manager::phys_len(phys_handle ph) const {
    VCM_GET(m_physmem, ph, "phys_len");
    return obj->len;
}
vcm_result<uint64_t> vcm_manager::phys_allocated(phys_handle ph) const {
    VCM_GET(m_physmem, ph, "phys_allocated");
    return obj->allocated;
}
vcm_result<std::vector<phys_chunk>> vcm_manager::chunks(phys_handle ph) const {
    VCM_GET(m_physmem, ph, "chunks");
    return obj->chunks;
}
vcm_result<unsigned> vcm_manager::backing_count(phys_handle ph) const {
    VCM_GET(m_physmem, ph, "backing_count");
    return obj->backings;
}

// ---------------------------------------------------------------- queries

vcm_result<uint64_t> vcm_manager::translate(vcm_handle vh, uint64_t addr) const {
    VCM_GET(m_vcms, vh, "translate");
    const vcm_obj* v = obj;
    if (v->kind == vcm_kind::one_to_one) {
        for (res_handle rh : v->res) {
            const res_obj* r = m_res.get(rh);
            if (r->phys && r->has_addr && addr >= r->dev_addr && addr - r->dev_addr < r->span) return addr;
        }
        return fail(errc::not_backed, hex(addr) + " is in no backed reservation of " + name_of("vcm", vh.slot));
    }
    auto it = v->by_addr.upper_bound(addr);
    const res_obj* r = nullptr;
    if (it != v->by_addr.begin()) {
        r = m_res.get(std::prev(it)->second);
        if (addr - r->dev_addr >= r->span) r = nullptr;
    }
    if (!r) return fail(errc::out_of_range, hex(addr) + " is in no reservation of " + name_of("vcm", vh.slot));
    if (!r->phys) return fail(errc::not_backed, hex(addr) + " is reserved but not backed");
    uint64_t off = addr - r->dev_addr;
    for (const phys_chunk& c : m_physmem.get(r->phys)->chunks) {
        if (off < c.size) return c.pa + off;
        off -= c.size;
    }
    return fail(errc::out_of_range, hex(addr) + " lies past the backing's chunks");
}

vcm_result<uint64_t> vcm_manager::hw_translate(vcm_handle vh, uint64_t addr) {
    VCM_GET(m_vcms, vh, "hw_translate");
    if (!obj->backend) return translate(vh, addr);
    uint64_t pa = 0;
    vcm_status st = obj->backend->iova_to_phys(obj->ctx, addr, pa);
    if (!st.ok()) return st;
    return pa;
}

vcm_result<std::vector<segment>> vcm_manager::segments(res_handle rh, bool merge) const {
    VCM_GET(m_res, rh, "segments");
    if (!obj->phys) return fail(errc::not_backed, name_of("res", rh.slot) + " is not backed");
    std::vector<segment> out;
    uint64_t off = 0;
    for (const phys_chunk& c : m_physmem.get(obj->phys)->chunks) {
        if (off >= obj->span) break;
        const uint64_t n = std::min(c.size, obj->span - off);
        if (merge && !out.empty() && out.back().pa + out.back().size == c.pa) out.back().size += n;
        else out.push_back({obj->dev_addr + off, c.pa, n});
        off += n;
    }
    return out;
}

vcm_footprint vcm_manager::footprint() const {
    vcm_footprint f;
    f.live_vcms = m_vcms.live();
    f.live_reservations = m_res.live();
    f.live_phys = m_physmem.live();
    f.live_devices = m_devices.live();
    f.live_assocs = m_assocs.live();
    f.host_units = m_vcms.capacity() + m_res.capacity() + m_physmem.capacity() + m_devices.capacity() +
                   m_assocs.capacity() + m_phys->host_footprint();
    m_vcms.for_each([&f](const vcm_obj& v) {
        f.host_units += v.res.capacity() + v.by_addr.size() + v.assocs.capacity() + v.iova.free_ranges() +
                        v.iova.allocated_ranges();
    });
    return f;
}

#undef VCM_GET

}  // namespace vcmsim::vcm
