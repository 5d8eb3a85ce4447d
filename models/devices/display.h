// display: a display controller that scans out a physically contiguous framebuffer.
//
// Ports
//   mmio  simple_target_socket: the register file below (32-bit registers, any size/alignment)
//   out   simple_initiator_socket: framebuffer reads (timed b_transport, txn_ext stream_id)
//   irq   sc_out<bool>: level, high while (IRQ_STATUS & IRQ_ENABLE) != 0
//
// Registers (offset, reset, access)
//   0x00 CTRL            0 (ENABLE=enable_at_start)  RW  bit0 ENABLE (sync: 0->1 starts at
//                                                        frame 0, 1->0 stops before the next line)
//   0x04 STATUS          0                 RO  bit0 running, bit1 fetch error (sticky; cleared
//                                              when ENABLE rises)
//   0x08 FB_BASE_LO      fb_base[31:0]     RW
//   0x0C FB_BASE_HI      fb_base[63:32]    RW
//   0x10 WIDTH           width             RW  [15:0] pixels
//   0x14 HEIGHT          height            RW  [15:0] lines
//   0x18 STRIDE          stride            RW  bytes between line starts; 0 = WIDTH * BPP
//   0x1C BPP             bytes_per_pixel   RW  [3:0] bytes per pixel (1..8)
//   0x20 FRAME_COUNT     0                 RO  frames completed (cumulative)
//   0x24 UNDERRUN_COUNT  0                 RO  late lines (cumulative)
//   0x28 IRQ_STATUS      0                 W1C bit0 frame done, bit1 underrun, bit2 fetch error
//   0x2C IRQ_ENABLE      0                 RW  bits [2:0], as IRQ_STATUS
// Geometry (FB_BASE, WIDTH, HEIGHT, STRIDE, BPP) is latched at every frame start. Enabling
// with WIDTH, HEIGHT or BPP out of range sets STATUS.fetch_error and IRQ error, does not
// start, and logs a warning.
//
// Timing (all integer ps; see docs/models/devices.md): frame period P = round(1e12/refresh_hz),
// no blanking. Frame f starts at t0 + f P (t0 = time ENABLE rose); line i is due at
// start_f + floor((i+1) P / height). Line n (counted across frames) may start fetching when
// line n - fifo_lines is due and after the previous line's last burst was issued. Bursts of
// burst_bytes issue one per pixel-engine clock, at most max_outstanding in flight (a burst
// issues no earlier than the completion of the burst max_outstanding before it). A line whose
// last byte arrives after its due time is one underrun. A late line is shown when its data
// arrives; a frame is done when its last line has been shown (frame-done interrupt then).
// Deviation: no blanking, no pixel data path (bytes are read and discarded).
//
// Stats (prefix name()): frames, lines, bytes, underruns, underrun_frames, fetch_errors,
// worst_lateness_ps, line_fetch_time (histogram, ns: first burst issue to last byte).
#pragma once

#include <cstdint>
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
#include "models/core/tlm_ext.h"

namespace vcmsim::devices {

struct display_config {
    uint64_t clock_hz = 200000000;   // pixel-engine clock (one burst issued per cycle)
    uint32_t width = 1920;           // pixels (WIDTH reset value)
    uint32_t height = 1080;          // lines (HEIGHT reset value)
    uint32_t bytes_per_pixel = 4;    // BPP reset value
    double refresh_hz = 60.0;        // frames per second
    uint32_t burst_bytes = 256;      // largest read burst
    uint32_t max_outstanding = 8;    // bursts in flight
    uint32_t fifo_lines = 2;         // prefetch depth, in lines
    uint64_t fb_base = 0;            // FB_BASE reset value
    uint32_t stride = 0;             // STRIDE reset value; 0 = width * bytes_per_pixel
    uint32_t stream_id = 0;          // carried in core::txn_ext
    bool enable_at_start = false;    // CTRL.ENABLE reset value
    uint64_t frames = 0;             // stop after N frames per enable; 0 = until disabled
};

class display : public sc_core::sc_module {
public:
    enum reg_offset : uint64_t {
        CTRL = 0x00, STATUS = 0x04, FB_BASE_LO = 0x08, FB_BASE_HI = 0x0C, WIDTH = 0x10,
        HEIGHT = 0x14, STRIDE = 0x18, BPP = 0x1C, FRAME_COUNT = 0x20, UNDERRUN_COUNT = 0x24,
        IRQ_STATUS = 0x28, IRQ_ENABLE = 0x2C
    };
    static constexpr uint32_t CTRL_ENABLE = 1u << 0;
    static constexpr uint32_t STATUS_RUNNING = 1u << 0;
    static constexpr uint32_t STATUS_FETCH_ERROR = 1u << 1;
    static constexpr uint32_t IRQ_FRAME = 1u << 0;
    static constexpr uint32_t IRQ_UNDERRUN = 1u << 1;
    static constexpr uint32_t IRQ_ERROR = 1u << 2;

    tlm_utils::simple_target_socket<display> mmio;
    tlm_utils::simple_initiator_socket<display> out;
    sc_core::sc_out<bool> irq;

    SC_HAS_PROCESS(display);
    // Throws std::invalid_argument on a config no hardware could have (zero clock, refresh,
    // burst, outstanding or fifo_lines).
    display(const sc_core::sc_module_name& name, const display_config& cfg);

    const display_config& config() const { return m_cfg; }
    core::register_bank& regs() { return m_regs; }
    core::ps_t frame_period_ps() const { return m_frame_ps; }

    uint64_t frames() const { return m_frames.value(); }
    uint64_t lines() const { return m_lines.value(); }
    uint64_t bytes() const { return m_bytes.value(); }
    uint64_t underruns() const { return m_underruns.value(); }
    uint64_t underrun_frames() const { return m_underrun_frames.value(); }
    uint64_t fetch_errors() const { return m_fetch_errors.value(); }
    core::ps_t worst_lateness_ps() const { return m_worst_late; }
    const core::histogram& line_fetch_time() const { return m_line_time; }

private:
    struct geometry {
        uint64_t base = 0, stride = 0, line_bytes = 0;
        uint32_t height = 0;
    };

    void b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
    unsigned transport_dbg(tlm::tlm_generic_payload& trans);

    void fetch_thread();
    bool latch_geometry(geometry& g);
    // Runs one enable period; returns when disabled or the frame limit is reached.
    void run(uint64_t epoch);
    core::ps_t local_ps() const { return core::now_ps(m_qk.get_local_time()); }
    void advance_to(core::ps_t t);

    void frame_done_method();
    void underrun_method();
    void error_method();
    void on_ctrl_write(uint64_t old_v, uint64_t new_v);
    void raise(uint32_t bits);
    void update_irq();
    void irq_method();

    display_config m_cfg;
    core::clock_domain m_clock;
    core::ps_t m_frame_ps;
    core::logger m_log;
    core::register_bank m_regs;
    core::reg* m_ctrl;
    core::reg* m_status;
    core::reg* m_frame_count;
    core::reg* m_underrun_count;
    core::reg* m_irq_status;
    core::reg* m_irq_enable;
    bool m_irq_level = false;
    sc_core::sc_event m_irq_ev;

    bool m_enabled = false;
    uint64_t m_epoch = 0;              // incremented at each enable and disable
    uint64_t m_frames_this_run = 0;    // frame-done events seen since the last enable
    sc_core::sc_time m_access_delay;   // b_transport delay of the MMIO access being applied
    sc_core::sc_event m_enable_ev;
    sc_core::sc_event_queue m_frame_eq, m_underrun_eq, m_error_eq;

    tlm_utils::tlm_quantumkeeper m_qk;
    tlm::tlm_generic_payload m_trans;
    core::txn_ext m_ext;
    std::vector<uint8_t> m_buf;                 // burst data (read and discarded)
    std::vector<core::ps_t> m_slots;            // completion times, ring of max_outstanding
    std::vector<core::ps_t> m_due_ring;         // due times of the last fifo_lines lines

    core::stat_group m_stats;
    core::counter& m_frames;
    core::counter& m_lines;
    core::counter& m_bytes;
    core::counter& m_underruns;
    core::counter& m_underrun_frames;
    core::counter& m_fetch_errors;
    core::histogram& m_line_time;
    core::ps_t m_worst_late = 0;
};

}  // namespace vcmsim::devices
