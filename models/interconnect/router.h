// router: an address-decoding interconnect hop between any number of initiators and targets.
//
// Ports
//   in    multi_passthrough_target_socket: any number of initiators (index = bind order)
//   out   multi_passthrough_initiator_socket: any number of targets (port = bind order)
//
// Parameters (router_config)
//   clock_hz            router clock                                 default 1 GHz
//   hop_latency_cycles  latency of one hop, in router cycles          default 2 (2 ns)
//
// Address map: add_route(name, range, port) maps [range.base, range.last()] to out[port];
// the target sees the offset (address - range.base). Routes may not overlap
// (std::invalid_argument), names must be unique, the size must be > 0 and the range may not
// wrap past 2^64. Routes are kept sorted by base; decode is a binary search.
//
// b_transport: delay += hop_latency_cycles * period (before forwarding, so the target sees
// the arrival time after the hop), the address is rewritten to the target offset for the
// call and restored afterwards. Unmapped address, or bytes crossing the end of the route
// (for a streaming burst the bytes are [address, address + streaming width)), or a route
// whose port is not bound (or a call before elaboration ended): TLM_ADDRESS_ERROR_RESPONSE, stat `unmapped`, a warning (the first
// 10, then only the count, reported again at the end of simulation). Unmapped transactions
// also pay the hop latency (the decoder answers them).
//
// transport_dbg: decoded and forwarded the same way (no latency, no stats); unmapped or
// crossing → TLM_ADDRESS_ERROR_RESPONSE and 0 bytes.
//
// DMI: get_direct_mem_ptr is forwarded with the target offset; the answer (granted or denied)
// is rebased to global addresses and clipped to the route (the pointer follows the clipped
// start) and the hop latency is added to the read and write latencies. Unmapped addresses
// are denied with the range of the gap that holds them.
// invalidate_direct_mem_ptr(start, end) from out[port]: for every route to that port, the
// part of [start, end] inside [0, size-1] is translated to global addresses and sent to
// every initiator bound to `in`.
//
// Stats (prefix name()): transactions (routed b_transport calls), unmapped, dmi_grants,
// invalidations (fan-out calls received from targets), <route>.transactions per route.
//
// Deviations: no link bandwidth or arbitration is modelled; the hop is pure latency.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/multi_passthrough_initiator_socket.h>
#include <tlm_utils/multi_passthrough_target_socket.h>

#include "models/core/addr_range.h"
#include "models/core/log.h"
#include "models/core/stats.h"
#include "models/core/timing.h"

namespace vcmsim::interconnect {

struct router_config {
    uint64_t clock_hz = 1000000000;
    uint64_t hop_latency_cycles = 2;
};

class router : public sc_core::sc_module {
public:
    tlm_utils::multi_passthrough_target_socket<router> in;
    tlm_utils::multi_passthrough_initiator_socket<router> out;

    struct route {
        std::string name;
        core::addr_range range;
        unsigned port;
        core::counter* transactions;
    };

    router(const sc_core::sc_module_name& name, const router_config& cfg);

    // Route [range.base, range.last()] to out[port] (port = order of out.bind calls).
    // Throws std::invalid_argument on overlap, an empty or wrapping range or a duplicate name.
    void add_route(const std::string& name, core::addr_range range, unsigned port);

    // The route holding addr, or nullptr.
    const route* find_route(uint64_t addr) const;
    const std::vector<route>& routes() const { return m_routes; }
    core::ps_t hop_ps() const { return m_hop_ps; }

private:
    void b_transport(int id, tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
    unsigned transport_dbg(int id, tlm::tlm_generic_payload& trans);
    bool get_direct_mem_ptr(int id, tlm::tlm_generic_payload& trans, tlm::tlm_dmi& dmi);
    void invalidate_direct_mem_ptr(int port, sc_dt::uint64 start, sc_dt::uint64 end);

    // Route for the payload's bytes, or nullptr with the reason (unmapped, crossing the end,
    // port unbound).
    const route* decode(const tlm::tlm_generic_payload& trans, const char*& why) const;
    void unmapped(const tlm::tlm_generic_payload& trans, const char* what);
    void end_of_elaboration() override;
    void end_of_simulation() override;

    router_config m_cfg;
    core::clock_domain m_clock;
    core::ps_t m_hop_ps;
    sc_core::sc_time m_hop_time;
    std::vector<route> m_routes;   // sorted by range.base, disjoint
    unsigned m_out_bound = 0;      // targets bound to out, known from end_of_elaboration
    unsigned m_in_bound = 0;       // initiators bound to in, likewise

    core::logger m_log;
    core::stat_group m_stats;
    core::counter& m_transactions;
    core::counter& m_unmapped;
    core::counter& m_dmi_grants;
    core::counter& m_invalidations;
};

}  // namespace vcmsim::interconnect
