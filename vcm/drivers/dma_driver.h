// Driver for the DMA engine (models/dma): builds descriptor chains in memory and runs channels,
// entirely through timed operations of a processor (core::master_port).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "models/core/master_port.h"

namespace vcmsim::vcm {

struct dma_segment {
    uint64_t src = 0;
    uint64_t dst = 0;
    uint64_t len = 0;
};

// Outcome of a channel, as its STATUS register reports it.
struct dma_channel_status {
    unsigned state = 0;         // 0 idle, 1 busy, 2 done, 3 error
    unsigned error = 0;         // error code when state == 3
    uint64_t bytes_done = 0;
    uint64_t desc_done = 0;
    std::string outcome() const;  // "done", "busy", "idle" or the error code name ("src_error", ...)
};

// Splits [src, src+len) → [dst, dst+len) into `segments` descriptors of equal size (the last
// one takes the remainder).
std::vector<dma_segment> split_copy(uint64_t src, uint64_t dst, uint64_t len, unsigned segments);

class dma_driver {
public:
    // irq_line: the engine's interrupt line at the processor, or -1 to poll.
    dma_driver(core::master_port& cpu, uint64_t mmio_base, int irq_line);

    // Writes the chain at cpu_addr (32 bytes per descriptor, linked in order); the `next`
    // pointers use dev_addr, the address at which the DMA engine sees the chain (they differ
    // when the engine sits behind an SMMU). The last descriptor requests an interrupt when
    // irq_on_last.
    core::op_status write_chain(uint64_t cpu_addr, uint64_t dev_addr, const std::vector<dma_segment>& segs,
                                bool irq_on_last = true);
    core::op_status start(unsigned channel, uint64_t desc_addr);
    // Waits until the channel leaves BUSY (interrupt or polling), acknowledges its interrupt
    // and reads its status. Fails on timeout.
    core::op_status wait(unsigned channel, core::ps_t timeout_ps, dma_channel_status& st);
    core::op_status read_status(unsigned channel, dma_channel_status& st);

private:
    core::master_port& m_cpu;
    uint64_t m_base;
    int m_irq;
};

// The error-code names the DMA engine's STATUS register uses ("src_error", ...).
std::string dma_error_name(unsigned code);

}  // namespace vcmsim::vcm
