// dram: a DRAM channel with a sparse backing store, a fixed access latency and a bandwidth
// limit shared by every initiator, plus DMI.
//
// Ports
//   in    simple_target_socket; addresses are offsets 0 .. size-1 (the router rebases).
//
// Parameters (dram_config)
//   size            bytes of memory                                  default 1 GiB
//   clock_hz        controller clock                                 default 1.6 GHz (625 ps)
//   latency_cycles  access latency in controller cycles              default 40 (25 ns)
//   bandwidth       channel bytes per second; 0 = unlimited          default 12.8 GB/s
//   dmi             grant DMI                                        default true
//   host_memory_limit  bytes of host memory the backing store may use; default 16 GiB
//                   0 = unlimited (a guest writing all over a huge DRAM gets errors, not OOM)
//
// Timing (b_transport), all in integer picoseconds:
//   t        = sc_time_stamp() + delay                 (arrival time of the request)
//   xfer     = transfer_ps(len, bandwidth)             (= ceil(len * 1e12 / bandwidth))
//   start    = channel.book(t, xfer)                   (= max(t, channel next-free time))
//   done     = start + latency_cycles * period + xfer
//   delay   += done - t
// The channel is held for xfer only (the latency is pipelined), so concurrent masters queue
// behind each other's data transfers. Uncontended: delay += access_ps(cfg, len).
// Error responses book nothing and add no delay.
//
// Responses
//   any byte outside [0, size)            TLM_ADDRESS_ERROR_RESPONSE, no data moved
//   streaming width < length              TLM_BURST_ERROR_RESPONSE (streaming is not
//                                         supported; a streaming width of 0 is invalid too)
//   command other than read / write       TLM_COMMAND_ERROR_RESPONSE
//   byte enables                          supported (a byte is skipped when its enable is 0x00)
//   a write needing a host page past      TLM_GENERIC_ERROR_RESPONSE (the bytes before the
//     host_memory_limit                   first missing page are written)
//   Every error is counted in `errors` and logged as a warning.
//
// transport_dbg: no timing, no stats, clipped to size; returns the bytes moved (byte enables
// honoured). TLM_IGNORE_COMMAND returns 0.
//
// DMI: get_direct_mem_ptr grants read/write access to the one 64 KiB host page holding the
// address (allocating it), range inclusive at the end and clipped to size, read and write
// latency = latency_cycles * period. DMI accesses skip the bandwidth booking (the initiator
// only adds the latency). Denied when dmi is false, the address is out of range, or the page is
// absent and host_memory_limit is reached (for that page only).
// clear() empties the store and invalidates all DMI first.
//
// Stats (prefix name()): reads, writes, bytes_read, bytes_written, errors, dmi_grants,
// busy_ps, queue_wait_ps, utilisation (busy_ps / now), host_pages.
#pragma once

#include <cstdint>
#include <string>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>

#include "models/core/log.h"
#include "models/core/stats.h"
#include "models/core/timing.h"
#include "models/memory/sparse_memory.h"

namespace vcmsim::memory {

struct dram_config {
    uint64_t size = 1ULL << 30;            // bytes
    uint64_t clock_hz = 1600000000;        // controller clock
    uint64_t latency_cycles = 40;          // access latency, in controller cycles
    uint64_t bandwidth = 12800000000ULL;   // bytes per second (channel occupancy); 0 = unlimited
    bool dmi = true;                       // grant DMI
    uint64_t host_memory_limit = 16ULL << 30;   // host bytes for the backing store; 0 = unlimited
};

class dram : public sc_core::sc_module {
public:
    tlm_utils::simple_target_socket<dram> in;

    dram(const sc_core::sc_module_name& name, const dram_config& cfg);

    // Uncontended access time of len bytes: latency_cycles * period + transfer_ps(len, bw).
    static core::ps_t access_ps(const dram_config& cfg, uint64_t len);

    sparse_memory& store() { return m_store; }
    const sparse_memory& store() const { return m_store; }
    const dram_config& config() const { return m_cfg; }
    const core::booked_resource& channel() const { return m_channel; }
    core::ps_t latency_ps() const { return m_latency_ps; }

    // Empty the store (every byte reads zero again); DMI is invalidated first.
    void clear();

private:
    void b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
    unsigned transport_dbg(tlm::tlm_generic_payload& trans);
    bool get_direct_mem_ptr(tlm::tlm_generic_payload& trans, tlm::tlm_dmi& dmi);

    // Moves len bytes at off for a checked payload (range and command already validated);
    // honours byte enables.
    std::string m_limit_msg;   // the error of a write past host_memory_limit
    bool move_data(tlm::tlm_generic_payload& trans, uint64_t off, uint64_t len);   // false: host limit
    void error(tlm::tlm_generic_payload& trans, tlm::tlm_response_status status,
               const char* what);

    dram_config m_cfg;
    core::clock_domain m_clock;
    core::ps_t m_latency_ps;
    sparse_memory m_store;
    core::booked_resource m_channel;

    core::logger m_log;
    core::stat_group m_stats;
    core::counter& m_reads;
    core::counter& m_writes;
    core::counter& m_bytes_read;
    core::counter& m_bytes_written;
    core::counter& m_errors;
    core::counter& m_dmi_grants;
};

}  // namespace vcmsim::memory
