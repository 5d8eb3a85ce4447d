// The platform on which `vcmsim smmu replay` runs one oracle case (docs/smmu-replay.md):
//
//   driver ──┐                          ┌── dram   (platform.ram: base, size; sparse)
//            ├── router ────────────────┤
//   tap ─────┘   (smmu.out via the tap) └── smmu.mmio (platform.smmu_base)
//   edu0..N-1 ──► smmu.in[0..N-1]       (one test master per device, its own SMMU port)
//
// The driver thread applies the trace strictly in order: `mem` / `fill` as timed writes through
// the router to DRAM, `reg` as timed MMIO writes (after a CMDQ_PROD write it polls CMDQ_CONS
// until the queue is empty, after CR0 it polls CR0ACK), `dma` through the device's master. The
// tap between smmu.out and the router notes where the master's own payload left the SMMU: that
// is the PA of the DMA's first byte. After each DMA the driver reads the new event records
// between its last EVENTQ_PROD and the current one from the event-queue memory, reads back the
// ranges required_ranges() names, and hands a dma_result to the caller.
//
// The file's EVENTQ_CONS writes mean "every record read": the driver writes our own
// EVENTQ_PROD (index, wrap and OVFLG) there instead of QEMU's value, because our model writes
// one record per terminated transaction where QEMU writes one per 4-byte piece. Revision-1
// files get that write after every DMA.
//
// Each master behaves like QEMU's edu device: a DMA of `len` bytes at `iova & dma_addr_mask`,
// cut at 4 KiB boundaries (one timed b_transport per piece, as a PCIe requester would), with a
// core::txn_ext carrying the StreamID and the file's transaction attributes. A read piece that
// is terminated (error response, or RAZ without reaching memory) stores aborted_read_fill.
//
// run_case() runs the SystemC kernel: call it at most once per process.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "models/smmu/smmu_params.h"
#include "platforms/smmu_replay/oracle_compare.h"

namespace vcmsim::platform::replay {

// smmu_config reporting the file's ID registers as far as smmu_config can express them
// (SIDSIZE, SSIDSIZE, EVENTQS, CMDQS, OAS, granules, 2-level stream tables). One port per
// device, named edu<i>, default StreamID devices[i].sid. `unmapped` receives one line per ID
// register field of the file that our model reports differently.
smmu::smmu_config smmu_config_for(const oracle_case& c, std::vector<std::string>& unmapped);

struct replay_run_options {
    bool verbose = false;   // model logs at info level; notes about EVENTQ_CONS translation
};

struct replay_callbacks {
    std::function<void(const dma_result&)> result;   // after each DMA, in trace order
    std::function<void(const std::string&)> note;    // case-level messages (warnings, ID regs)
};

// Builds the platform for c, runs the whole trace (one sc_start) and reports every DMA's result.
// Returns false when the replay could not run to the end (the reason went to cb.note).
bool run_case(const oracle_case& c, const replay_run_options& opt, const replay_callbacks& cb);

}  // namespace vcmsim::platform::replay
