// The VCM API: backing (physical memory onto reservations) and associations/activation.
#include <algorithm>

#include "vcm/vcm.h"

namespace vcmsim::vcm {

vcm_status vcm_manager::check_strict(const vcm_obj& v, const char* what) const {
    if (!m_strict) return {};
    if (v.assocs.empty())
        return fail(errc::no_device, std::string(what) + ": the VCM has no association (strict 2010 rule)");
    for (assoc_handle ah : v.assocs)
        if (!m_assocs.get(ah)->active)
            return fail(errc::inactive, std::string(what) + ": association " + name_of("assoc", ah.slot) +
                                            " is inactive (strict 2010 rule)");
    return {};
}

// Maps the reservation's span chunk by chunk; on failure unmaps what this call mapped.
vcm_status vcm_manager::map_chunks(vcm_obj& v, res_obj& r, const phys_obj& p, const access_attrs& a,
                                   bool& pinned) {
    pinned = false;
    uint64_t off = 0;
    for (const phys_chunk& c : p.chunks) {
        if (off >= r.span) break;
        const uint64_t n = std::min(c.size, r.span - off);   // never past the reserved window
        vcm_status st = v.backend->map(v.ctx, r.dev_addr + off, c.pa, n, a);
        if (!st.ok()) {
            if (off) {
                vcm_status rb = v.backend->unmap(v.ctx, r.dev_addr, off);
                if (!rb.ok()) {
                    pinned = true;
                    return fail(errc::backend_failure,
                                "back: map failed (" + st.to_string() + ") and the rollback unmap of [" +
                                    hex(r.dev_addr) + ", +" + hex(off) + ") failed too (" + rb.to_string() +
                                    "); the reservation is left backed so the memory is not reused");
                }
            }
            return fail(st.code(), "back: mapping chunk " + hex(c.pa) + " at " + hex(r.dev_addr + off) +
                                       " failed, " + hex(off) + " bytes rolled back: " + st.message());
        }
        off += n;
    }
    return {};
}

vcm_status vcm_manager::back(res_handle rh, phys_handle ph) {
    res_obj* r = m_res.get(rh);
    if (!r) return fail(errc::invalid_handle, "back: stale or foreign reservation handle");
    phys_obj* p = m_physmem.get(ph);
    if (!p) return fail(errc::invalid_handle, "back: stale or foreign physical-allocation handle");
    const std::string rn = name_of("res", rh.slot);
    if (r->phys)
        return fail(errc::busy, rn + " is already backed by " + name_of("phys", r->phys.slot));
    if (r->len != p->len)
        return fail(errc::length_mismatch, rn + " is " + hex(r->len) + " bytes but " + name_of("phys", ph.slot) +
                                               " is " + hex(p->len) + " bytes; lengths must be equal");
    if (r->attrs.cache != cache_policy::inherit && r->attrs.cache != p->opts.cache)
        return fail(errc::attr_conflict, rn + " asks for " + cache_policy_name(r->attrs.cache) + " but " +
                                             name_of("phys", ph.slot) + " was allocated " +
                                             cache_policy_name(p->opts.cache) +
                                             "; all mappings of the same pages must agree");
    vcm_obj* v = m_vcms.get(r->vcm);
    vcm_status st = check_strict(*v, "back");
    if (!st.ok()) return st;

    if (v->kind == vcm_kind::one_to_one) {
        if (!p->opts.contiguous)
            return fail(errc::not_contiguous, rn + " is on a one-to-one VCM (a device without an IOMMU) but " +
                                                  name_of("phys", ph.slot) + " is " +
                                                  std::to_string(p->chunks.size()) +
                                                  " discontiguous chunk(s); allocate it with contiguous = true");
        const uint64_t pa = p->chunks.front().pa;
        if (r->fixed_addr && pa != r->dev_addr)
            return fail(errc::invalid_argument, rn + " was reserved at " + hex(r->dev_addr) + " but " +
                                                    name_of("phys", ph.slot) + " starts at " + hex(pa));
        if (pa < v->start || pa - v->start > v->len - r->span)
            return fail(errc::out_of_range, name_of("phys", ph.slot) + " [" + hex(pa) + ", +" + hex(r->span) +
                                                ") is outside the device's reach [" + hex(v->start) + ", +" +
                                                hex(v->len) + ")");
        r->dev_addr = pa;
        r->has_addr = true;
    } else {
        access_attrs a;
        a.read = r->attrs.read;
        a.write = r->attrs.write;
        a.exec = r->attrs.exec;
        a.user = r->attrs.user;
        a.cache = p->opts.cache;
        bool pinned = false;
        st = map_chunks(*v, *r, *p, a, pinned);
        if (!st.ok()) {
            if (pinned) {
                r->phys = ph;   // rollback failed: keep the memory pinned
                ++p->backings;
            }
            return st;
        }
    }
    r->phys = ph;
    ++p->backings;
    return {};
}

vcm_status vcm_manager::unback(res_handle rh) {
    res_obj* r = m_res.get(rh);
    if (!r) return fail(errc::invalid_handle, "unback: stale or foreign reservation handle");
    if (!r->phys) return fail(errc::not_backed, name_of("res", rh.slot) + " is not backed");
    vcm_obj* v = m_vcms.get(r->vcm);
    vcm_status st = check_strict(*v, "unback");
    if (!st.ok()) return st;
    if (v->kind == vcm_kind::one_to_one) {
        if (!r->fixed_addr) r->has_addr = false;
    } else {
        // One call for the whole span: the backend invalidates and syncs before returning.
        st = v->backend->unmap(v->ctx, r->dev_addr, r->span);
        if (!st.ok())
            return fail(st.code(), "unback of " + name_of("res", rh.slot) + " failed; it stays backed and its "
                                   "memory stays allocated: " + st.message());
    }
    --m_physmem.get(r->phys)->backings;
    r->phys = {};
    return {};
}

// ---------------------------------------------------------------- associations

vcm_result<assoc_handle> vcm_manager::associate(vcm_handle vh, device_handle dh) {
    vcm_obj* v = m_vcms.get(vh);
    if (!v) return fail(errc::invalid_handle, "associate: stale or foreign VCM handle");
    device_obj* d = m_devices.get(dh);
    if (!d) return fail(errc::invalid_handle, "associate: stale or foreign device handle");
    const std::string vn = name_of("vcm", vh.slot);
    if (v->kind == vcm_kind::one_to_one && d->backend)
        return fail(errc::invalid_argument, "device '" + d->name + "' is translated by '" + d->backend->name() +
                                                "'; " + vn + " is one-to-one (for physically addressed devices)");
    if (v->kind != vcm_kind::one_to_one && d->backend != v->backend)
        return fail(errc::invalid_argument, "device '" + d->name + "' is " +
                                                (d->backend ? std::string("translated by '") + d->backend->name() + "'"
                                                            : std::string("physically addressed")) +
                                                "; " + vn + " belongs to backend '" + v->backend->name() + "'");
    for (assoc_handle ah : v->assocs)
        if (m_assocs.get(ah)->dev == dh)
            return fail(errc::already_exists, "device '" + d->name + "' is already associated with " + vn);
    if (v->kind == vcm_kind::cpu && !v->assocs.empty())
        return fail(errc::busy, vn + " is the CPU's VCM and already has its one association");
    const assoc_handle ah = m_assocs.insert(assoc_obj{vh, dh, false});
    m_vcms.get(vh)->assocs.push_back(ah);
    ++m_devices.get(dh)->assocs;
    return ah;
}

vcm_status vcm_manager::deassociate(assoc_handle ah) {
    assoc_obj* a = m_assocs.get(ah);
    if (!a) return fail(errc::invalid_handle, "deassociate: stale or foreign association handle");
    if (a->active) return fail(errc::busy, name_of("assoc", ah.slot) + " is active; deactivate it first");
    vcm_obj* v = m_vcms.get(a->vcm);
    v->assocs.erase(std::find(v->assocs.begin(), v->assocs.end(), ah));
    --m_devices.get(a->dev)->assocs;
    m_assocs.erase(ah);
    return {};
}

vcm_status vcm_manager::activate(assoc_handle ah) {
    assoc_obj* a = m_assocs.get(ah);
    if (!a) return fail(errc::invalid_handle, "activate: stale or foreign association handle");
    device_obj* d = m_devices.get(a->dev);
    if (a->active) return fail(errc::busy, name_of("assoc", ah.slot) + " is already active");
    if (d->active)
        return fail(errc::busy, "device '" + d->name + "' is already translating through " +
                                    name_of("vcm", m_assocs.get(d->active)->vcm.slot) + "; deactivate that first");
    vcm_obj* v = m_vcms.get(a->vcm);
    if (v->backend) {
        vcm_status st = v->backend->attach(v->ctx, d->hw);
        if (!st.ok()) return fail(st.code(), "activate '" + d->name + "': " + st.message());
    }
    a->active = true;
    d->active = ah;
    return {};
}

vcm_status vcm_manager::deactivate(assoc_handle ah) {
    assoc_obj* a = m_assocs.get(ah);
    if (!a) return fail(errc::invalid_handle, "deactivate: stale or foreign association handle");
    if (!a->active) return fail(errc::not_active, name_of("assoc", ah.slot) + " is not active");
    device_obj* d = m_devices.get(a->dev);
    vcm_obj* v = m_vcms.get(a->vcm);
    if (v->backend) {
        vcm_status st = v->backend->detach(v->ctx, d->hw);
        if (!st.ok()) return fail(st.code(), "deactivate '" + d->name + "' (still active): " + st.message());
    }
    a->active = false;
    d->active = {};
    return {};
}

vcm_result<bool> vcm_manager::is_active(assoc_handle ah) const {
    const assoc_obj* a = m_assocs.get(ah);
    if (!a) return fail(errc::invalid_handle, "is_active: stale or foreign association handle");
    return a->active;
}

}  // namespace vcmsim::vcm
