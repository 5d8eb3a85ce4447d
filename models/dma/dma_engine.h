// dma_engine: a multi-channel descriptor-chain DMA engine.
//
// Ports
//   mmio  target, register window of dma_reg::window bytes (map in dma_descriptor.h)
//   out   initiator toward memory: descriptor fetches (32-byte reads) and burst reads/writes,
//         each carrying a core::txn_ext with stream_id = config.stream_id
//   irq   level: OR over channels of (IRQ_STATUS & IRQ_ENABLE)
// Registers (32 bit)
//   0x000 ID RO 0x444D4131 | 0x004 NUM_CHANNELS RO | 0x008 IRQ_STATUS W1C | 0x00C IRQ_ENABLE RW
//   channel c at 0x100 + c*0x40: +00 CTRL (bit0 START doorbell, bit1 ABORT; reads 0)
//   +04 STATUS RO ([3:0] IDLE/BUSY/DONE/ERROR, [15:8] error code) | +08/+0C DESC_LO/HI RW
//   +10/+14 CUR_DESC_LO/HI RO | +18/+1C BYTES_DONE_LO/HI RO | +20 DESC_DONE RO
// Parameters: dma_config below.
// Timing (docs/models/dma.md has the closed form): a channel runs as an SC_THREAD with a
//   quantum keeper. A descriptor fetch is issued at the START time; the first burst one DMA
//   cycle after the fetch returns. Burst i issues at max(issue(i-1) + issue_cycles,
//   completion(i - max_outstanding)); its read starts at the issue time, its write when the
//   read completes; it completes when the write completes. A channel issues its reads and
//   writes to the bus in time order, so a DRAM booking a channel next-free sees them FCFS.
//   The next descriptor is fetched when the previous one completes.
// Deviations: no address alignment of bursts (chunks of min(burst, remaining) from src);
//   register values driven by the thread (BYTES_DONE) may run ahead of the reader by up to
//   one quantum; end states (DONE/ERROR, IRQ) are set after synchronising to their time.
//   On a bus error no new burst is issued; bursts before the failing one complete, bursts
//   after it are dropped, so BYTES_DONE is always the byte count of a prefix of the chain.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <unordered_set>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>
#include <tlm_utils/tlm_quantumkeeper.h>

#include "models/core/log.h"
#include "models/core/register_bank.h"
#include "models/core/stats.h"
#include "models/core/timing.h"
#include "models/dma/dma_descriptor.h"

namespace vcmsim::dma {

struct dma_config {
    unsigned channels = 4;            // 1..16
    uint64_t clock_hz = 1000000000;   // DMA clock (Hz)
    uint64_t burst_bytes = 256;       // power of two, 8..4096
    unsigned max_outstanding = 4;     // bursts in flight per channel, 1..64
    uint32_t stream_id = 0;           // put in a core::txn_ext on every transaction
    uint64_t issue_cycles = 1;        // DMA cycles between two burst issues of one channel
    unsigned max_chain = 1u << 20;    // safety limit on descriptors per chain (>= 1)
};

// Throws std::invalid_argument naming the bad field.
void validate(const dma_config& cfg);

class dma_engine : public sc_core::sc_module {
public:
    tlm_utils::simple_target_socket<dma_engine> mmio;
    tlm_utils::simple_initiator_socket<dma_engine> out;
    sc_core::sc_out<bool> irq;

    dma_engine(const sc_core::sc_module_name& name, const dma_config& cfg);
    ~dma_engine() override;
    const dma_config& config() const { return m_cfg; }
    const core::clock_domain& clock() const { return m_clk; }

    // Introspection for tests and the platform (same values as the registers).
    dma_state state(unsigned ch) const;
    dma_error error(unsigned ch) const;
    uint64_t bytes_done(unsigned ch) const;
    uint32_t irq_status() const;

private:
    // Uses the global quantum, or 1 us when the platform left it at zero.
    class quantumkeeper : public tlm_utils::tlm_quantumkeeper {
    protected:
        sc_core::sc_time compute_local_quantum() override;
    };

    struct channel;
    struct burst_result {
        core::ps_t end = 0;           // completion of the last burst, or of the failure
        dma_error err = dma_error::none;
    };

    void b_transport(tlm::tlm_generic_payload& p, sc_core::sc_time& delay);
    unsigned transport_dbg(tlm::tlm_generic_payload& p);
    void build_registers();
    void on_ctrl_write(channel& c, uint64_t value);

    void channel_thread(unsigned ch);
    void run_chain(channel& c);
    burst_result run_bursts(channel& c, const dma_descriptor& d, core::ps_t start);
    // Issues p at absolute time `at` (>= current time); returns its completion time.
    core::ps_t issue(channel& c, tlm::tlm_generic_payload& p, core::ps_t at);
    void finish(channel& c, core::ps_t at, dma_error err);
    void sync_to(channel& c, core::ps_t at);
    void set_state(channel& c, dma_state s, dma_error e);
    void raise_irq(channel& c);
    void irq_method();

    dma_config m_cfg;
    core::clock_domain m_clk;
    core::logger m_log;
    core::register_bank m_regs;
    core::reg* m_irq_status = nullptr;
    core::reg* m_irq_enable = nullptr;
    std::vector<std::unique_ptr<channel>> m_ch;
    sc_core::sc_event m_irq_ev;
    sc_core::sc_time m_access_delay;  // delay offset of the mmio access being handled

    core::stat_group m_stats;
    core::counter& m_bytes;
    core::histogram& m_transfer_time;
};

}  // namespace vcmsim::dma
