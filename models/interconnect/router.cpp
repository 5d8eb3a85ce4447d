#include "models/interconnect/router.h"

#include <algorithm>
#include <sstream>
#include <stdexcept>

namespace vcmsim::interconnect {

namespace {
constexpr uint64_t max_warnings = 10;   // unmapped-access warnings logged before going quiet
constexpr sc_dt::uint64 addr_max = ~static_cast<sc_dt::uint64>(0);
}  // namespace

router::router(const sc_core::sc_module_name& name, const router_config& cfg)
    : sc_core::sc_module(name),
      in("in"),
      out("out"),
      m_cfg(cfg),
      m_clock(cfg.clock_hz),
      m_hop_ps(m_clock.cycles(cfg.hop_latency_cycles)),
      m_hop_time(core::ps_to_time(m_hop_ps)),
      m_log(this->name()),
      m_stats(this->name()),
      m_transactions(m_stats.add_counter("transactions", "transactions routed")),
      m_unmapped(m_stats.add_counter("unmapped", "transactions no route covers wholly")),
      m_dmi_grants(m_stats.add_counter("dmi_grants", "DMI requests granted by a target")),
      m_invalidations(m_stats.add_counter("invalidations", "DMI invalidations fanned out")) {
    in.register_b_transport(this, &router::b_transport);
    in.register_transport_dbg(this, &router::transport_dbg);
    in.register_get_direct_mem_ptr(this, &router::get_direct_mem_ptr);
    out.register_invalidate_direct_mem_ptr(this, &router::invalidate_direct_mem_ptr);
}

void router::add_route(const std::string& name, core::addr_range range, unsigned port) {
    const std::string who = std::string(this->name()) + ": route '" + name + "'";
    if (name.empty()) throw std::invalid_argument(std::string(this->name()) + ": empty route name");
    if (range.size == 0) throw std::invalid_argument(who + " has size 0");
    if (range.size - 1 > addr_max - range.base)
        throw std::invalid_argument(who + " wraps past the end of the address space");
    for (const route& r : m_routes) {
        if (r.name == name) throw std::invalid_argument(who + " is defined twice");
        if (r.range.overlaps(range)) {
            std::ostringstream os;
            os << who << " [0x" << std::hex << range.base << ", 0x" << range.last()
               << "] overlaps route '" << r.name << "' [0x" << r.range.base << ", 0x"
               << r.range.last() << "]";
            throw std::invalid_argument(os.str());
        }
    }
    core::counter& c = m_stats.add_counter(name + ".transactions", "transactions routed to " + name);
    route r{name, range, port, &c};
    auto pos = std::upper_bound(m_routes.begin(), m_routes.end(), range.base,
                                [](uint64_t a, const route& x) { return a < x.range.base; });
    m_routes.insert(pos, std::move(r));
}

const router::route* router::find_route(uint64_t addr) const {
    // First route whose base is > addr; the one before it is the only candidate.
    auto it = std::upper_bound(m_routes.begin(), m_routes.end(), addr,
                               [](uint64_t a, const route& x) { return a < x.range.base; });
    if (it == m_routes.begin()) return nullptr;
    --it;
    return it->range.contains(addr) ? &*it : nullptr;
}

const router::route* router::decode(const tlm::tlm_generic_payload& trans,
                                    const char*& why) const {
    const uint64_t addr = trans.get_address();
    const route* r = find_route(addr);
    if (!r) {
        why = "unmapped access at";
        return nullptr;
    }
    const uint64_t len = trans.get_data_length();
    const uint64_t sw = trans.get_streaming_width();
    const uint64_t span = (sw != 0 && sw < len) ? sw : len;
    if (!r->range.contains(addr, span)) {
        why = "access crossing the end of its route at";
        return nullptr;
    }
    if (r->port >= m_out_bound) {
        why = "access to a route whose target is not bound at";
        return nullptr;
    }
    return r;
}

void router::unmapped(const tlm::tlm_generic_payload& trans, const char* what) {
    ++m_unmapped;
    if (m_unmapped.value() <= max_warnings) {
        VCMSIM_LOG_WARN(m_log, what << " 0x" << std::hex << trans.get_address() << std::dec
                                    << " len=" << trans.get_data_length()
                                    << (m_unmapped.value() == max_warnings
                                            ? " (further unmapped accesses only counted)"
                                            : ""));
    }
}

void router::b_transport(int, tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
    delay += m_hop_time;
    const char* why = nullptr;
    const route* r = decode(trans, why);
    if (!r) {
        unmapped(trans, why);
        trans.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
        return;
    }
    ++m_transactions;
    ++*r->transactions;
    const uint64_t addr = trans.get_address();
    trans.set_address(addr - r->range.base);
    out[static_cast<int>(r->port)]->b_transport(trans, delay);
    trans.set_address(addr);
}

unsigned router::transport_dbg(int, tlm::tlm_generic_payload& trans) {
    const char* why = nullptr;
    const route* r = decode(trans, why);
    if (!r) {
        trans.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
        return 0;
    }
    const uint64_t addr = trans.get_address();
    trans.set_address(addr - r->range.base);
    const unsigned n = out[static_cast<int>(r->port)]->transport_dbg(trans);
    trans.set_address(addr);
    return n;
}

bool router::get_direct_mem_ptr(int, tlm::tlm_generic_payload& trans, tlm::tlm_dmi& dmi) {
    const uint64_t addr = trans.get_address();
    const route* r = find_route(addr);
    if (!r || r->port >= m_out_bound) {
        // Deny, naming the whole gap (or the unbound route) so the initiator stops asking.
        uint64_t lo = 0, hi = addr_max;
        if (r) {
            lo = r->range.base;
            hi = r->range.last();
        } else {
            for (const route& x : m_routes) {
                if (x.range.last() < addr) lo = x.range.last() + 1;
                else if (x.range.base > addr) { hi = x.range.base - 1; break; }
            }
        }
        dmi.set_dmi_ptr(nullptr);
        dmi.set_granted_access(tlm::tlm_dmi::DMI_ACCESS_NONE);
        dmi.set_start_address(lo);
        dmi.set_end_address(hi);
        return false;
    }

    trans.set_address(addr - r->range.base);
    const bool ok = out[static_cast<int>(r->port)]->get_direct_mem_ptr(trans, dmi);
    trans.set_address(addr);

    // Rebase [start, end] from the target's offsets to global addresses, clipped to the route.
    const uint64_t size_m1 = r->range.size - 1;
    const uint64_t local_start = dmi.get_start_address();
    const uint64_t local_end = std::min<uint64_t>(dmi.get_end_address(), size_m1);
    if (local_start > size_m1 || local_start > local_end) {
        // Nothing of the answer lies inside the route: report the route as unknown territory.
        dmi.set_dmi_ptr(nullptr);
        dmi.set_granted_access(tlm::tlm_dmi::DMI_ACCESS_NONE);
        dmi.set_start_address(addr);
        dmi.set_end_address(addr);
        return false;
    }
    dmi.set_start_address(r->range.base + local_start);
    dmi.set_end_address(r->range.base + local_end);
    if (ok) {
        dmi.set_read_latency(dmi.get_read_latency() + m_hop_time);
        dmi.set_write_latency(dmi.get_write_latency() + m_hop_time);
        ++m_dmi_grants;
    }
    return ok;
}

void router::invalidate_direct_mem_ptr(int port, sc_dt::uint64 start, sc_dt::uint64 end) {
    ++m_invalidations;
    for (const route& r : m_routes) {
        if (r.port != static_cast<unsigned>(port)) continue;
        const uint64_t size_m1 = r.range.size - 1;
        if (start > size_m1 || start > end) continue;
        const uint64_t g_start = r.range.base + start;
        const uint64_t g_end = r.range.base + std::min<uint64_t>(end, size_m1);
        for (unsigned i = 0; i < m_in_bound; ++i)
            in[static_cast<int>(i)]->invalidate_direct_mem_ptr(g_start, g_end);
    }
}

void router::end_of_elaboration() {
    m_out_bound = out.size();
    // in.size() counts one binder even when nothing is bound; the backward port knows better.
    m_in_bound = std::min<unsigned>(in.size(), static_cast<unsigned>(in.get_base_port().size()));
    for (const route& r : m_routes)
        if (r.port >= m_out_bound)
            VCMSIM_LOG_WARN(m_log, "route '" << r.name << "' goes to out[" << r.port << "] but only "
                                             << m_out_bound << " target(s) are bound: its "
                                             << "accesses will fail with an address error");
}

void router::end_of_simulation() {
    if (m_unmapped.value() > max_warnings)
        VCMSIM_LOG_WARN(m_log, m_unmapped.value() << " unmapped accesses in total ("
                                                  << (m_unmapped.value() - max_warnings)
                                                  << " not logged)");
}

}  // namespace vcmsim::interconnect
