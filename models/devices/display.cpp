#include "models/core/mmio.h"
#include "models/devices/display.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace vcmsim::devices {

using core::ps_t;
using sc_core::sc_time;

namespace {
constexpr uint64_t max_error_warnings = 10;  // then errors are only counted (stat fetch_errors)
constexpr uint32_t IRQ_MASK = display::IRQ_FRAME | display::IRQ_UNDERRUN | display::IRQ_ERROR;
}

display::display(const sc_core::sc_module_name& name, const display_config& cfg)
    : sc_module(name), mmio("mmio"), out("out"), irq("irq"), m_cfg(cfg), m_clock(cfg.clock_hz),
      m_frame_ps(0), m_log(this->name()), m_frame_eq("frame_eq"), m_underrun_eq("underrun_eq"),
      m_error_eq("error_eq"), m_stats(this->name()),
      m_frames(m_stats.add_counter("frames", "frames completed")),
      m_lines(m_stats.add_counter("lines", "lines fetched")),
      m_bytes(m_stats.add_counter("bytes", "framebuffer bytes read", "bytes")),
      m_underruns(m_stats.add_counter("underruns", "lines whose last byte arrived after their due time")),
      m_underrun_frames(m_stats.add_counter("underrun_frames", "frames with at least one underrun")),
      m_fetch_errors(m_stats.add_counter("fetch_errors", "burst reads answered with an error")),
      m_line_time(m_stats.add_histogram("line_fetch_time",
                                        "first burst issue to last byte of a line", "ns", 100, 100)) {
    if (cfg.clock_hz == 0) throw std::invalid_argument(std::string(this->name()) + ": clock_hz is 0");
    if (!(cfg.refresh_hz > 0) || !std::isfinite(cfg.refresh_hz))
        throw std::invalid_argument(std::string(this->name()) + ": refresh_hz must be > 0");
    if (cfg.burst_bytes == 0 || cfg.max_outstanding == 0 || cfg.fifo_lines == 0)
        throw std::invalid_argument(std::string(this->name()) +
                                    ": burst_bytes, max_outstanding and fifo_lines must be > 0");
    m_frame_ps = static_cast<ps_t>(std::llround(1e12 / cfg.refresh_hz));
    if (m_frame_ps == 0) throw std::invalid_argument(std::string(this->name()) + ": refresh_hz too high");

    m_stats.add_value("worst_lateness_ps", "largest (last byte - due time) of a late line", "ps",
                      [this] { return static_cast<double>(m_worst_late); });

    m_ctrl = &m_regs.add({"CTRL", CTRL, 4, cfg.enable_at_start ? CTRL_ENABLE : 0u, CTRL_ENABLE, 0, true});
    m_status = &m_regs.add({"STATUS", STATUS, 4, cfg.enable_at_start ? STATUS_RUNNING : 0u, 0, 0});
    m_regs.add({"FB_BASE_LO", FB_BASE_LO, 4, cfg.fb_base & 0xffffffffULL, 0xffffffffULL, 0});
    m_regs.add({"FB_BASE_HI", FB_BASE_HI, 4, cfg.fb_base >> 32, 0xffffffffULL, 0});
    m_regs.add({"WIDTH", WIDTH, 4, cfg.width & 0xffffu, 0xffff, 0});
    m_regs.add({"HEIGHT", HEIGHT, 4, cfg.height & 0xffffu, 0xffff, 0});
    m_regs.add({"STRIDE", STRIDE, 4, cfg.stride, 0xffffffffULL, 0});
    m_regs.add({"BPP", BPP, 4, cfg.bytes_per_pixel & 0xfu, 0xf, 0});
    m_frame_count = &m_regs.add({"FRAME_COUNT", FRAME_COUNT, 4, 0, 0, 0});
    m_underrun_count = &m_regs.add({"UNDERRUN_COUNT", UNDERRUN_COUNT, 4, 0, 0, 0});
    m_irq_status = &m_regs.add({"IRQ_STATUS", IRQ_STATUS, 4, 0, 0, IRQ_MASK});
    m_irq_enable = &m_regs.add({"IRQ_ENABLE", IRQ_ENABLE, 4, 0, IRQ_MASK, 0});
    m_ctrl->on_write = [this](uint64_t o, uint64_t n) { on_ctrl_write(o, n); };
    m_irq_status->on_write = [this](uint64_t, uint64_t) { update_irq(); };
    m_irq_enable->on_write = [this](uint64_t, uint64_t) { update_irq(); };

    m_enabled = cfg.enable_at_start;
    m_epoch = m_enabled ? 1 : 0;

    m_buf.assign(cfg.burst_bytes, 0);
    m_slots.assign(cfg.max_outstanding, 0);
    m_due_ring.assign(cfg.fifo_lines, 0);
    auto* ext = new core::txn_ext;  // owned by m_trans
    ext->stream_id = cfg.stream_id;
    m_trans.set_extension(ext);

    mmio.register_b_transport(this, &display::b_transport);
    mmio.register_transport_dbg(this, &display::transport_dbg);

    SC_THREAD(fetch_thread);
    SC_METHOD(irq_method);
    sensitive << m_irq_ev;
    dont_initialize();
    SC_METHOD(frame_done_method);
    sensitive << m_frame_eq;
    dont_initialize();
    SC_METHOD(underrun_method);
    sensitive << m_underrun_eq;
    dont_initialize();
    SC_METHOD(error_method);
    sensitive << m_error_eq;
    dont_initialize();
}

// ---------------------------------------------------------------- registers

void display::b_transport(tlm::tlm_generic_payload& trans, sc_time& delay) {
    m_access_delay = delay;  // side effects of register callbacks happen at the access time
    const bool served = core::serve_mmio(m_regs, trans, m_log);
    m_access_delay = sc_core::SC_ZERO_TIME;
    if (served) delay += m_clock.cycles_time(1);
}

unsigned display::transport_dbg(tlm::tlm_generic_payload& trans) {
    return core::peek_mmio(m_regs, trans);
}

void display::on_ctrl_write(uint64_t old_v, uint64_t new_v) {
    const bool was = old_v & CTRL_ENABLE, now = new_v & CTRL_ENABLE;
    if (was == now) return;
    m_frame_eq.cancel_all();
    m_underrun_eq.cancel_all();
    m_error_eq.cancel_all();
    ++m_epoch;
    m_enabled = now;
    if (now) {
        m_frames_this_run = 0;
        m_status->set(STATUS_RUNNING);  // also clears the sticky fetch error
    } else {
        m_status->set(m_status->value & ~uint64_t(STATUS_RUNNING));
    }
    m_enable_ev.notify(m_access_delay);
}

void display::raise(uint32_t bits) {
    m_irq_status->set(m_irq_status->value | bits);
    update_irq();
}

void display::update_irq() {
    const bool level = (m_irq_status->value & m_irq_enable->value) != 0;
    if (level == m_irq_level) return;
    m_irq_level = level;
    m_irq_ev.notify(sc_core::SC_ZERO_TIME);  // the port is driven by irq_method only
}

void display::irq_method() {
    if (irq.get_interface()) irq.write(m_irq_level);
}

void display::frame_done_method() {
    m_frame_count->set(m_frame_count->value + 1);
    ++m_frames;
    raise(IRQ_FRAME);
    if (m_cfg.frames && ++m_frames_this_run >= m_cfg.frames) {
        // Frame limit reached: stop as if software had cleared ENABLE.
        m_enabled = false;
        ++m_epoch;
        m_ctrl->set(m_ctrl->value & ~uint64_t(CTRL_ENABLE));
        m_status->set(m_status->value & ~uint64_t(STATUS_RUNNING));
        m_enable_ev.notify(sc_core::SC_ZERO_TIME);
    }
}

void display::underrun_method() {
    m_underrun_count->set(m_underrun_count->value + 1);
    raise(IRQ_UNDERRUN);
}

void display::error_method() {
    m_status->set(m_status->value | STATUS_FETCH_ERROR);
    raise(IRQ_ERROR);
}

// ---------------------------------------------------------------- scan-out engine

void display::fetch_thread() {
    for (;;) {
        while (!m_enabled) sc_core::wait(m_enable_ev);
        m_qk.reset();
        const uint64_t epoch = m_epoch;
        run(epoch);
        m_qk.sync();
        while (m_epoch == epoch) sc_core::wait(m_enable_ev);
    }
}

bool display::latch_geometry(geometry& g) {
    const uint64_t width = m_regs.at(WIDTH)->value, height = m_regs.at(HEIGHT)->value;
    const uint64_t bpp = m_regs.at(BPP)->value, stride = m_regs.at(STRIDE)->value;
    if (width == 0 || height == 0 || bpp == 0 || bpp > 8) {
        VCMSIM_LOG_WARN(m_log, "invalid geometry " << width << "x" << height << " bpp " << bpp
                                                   << ": display not started");
        return false;
    }
    g.base = m_regs.at(FB_BASE_LO)->value | (m_regs.at(FB_BASE_HI)->value << 32);
    g.line_bytes = width * bpp;
    g.stride = stride ? stride : g.line_bytes;
    g.height = static_cast<uint32_t>(height);
    return true;
}

void display::advance_to(ps_t t) {
    const ps_t now = core::now_ps();
    m_qk.set(core::ps_to_time(t > now ? t - now : 0));
    if (m_qk.need_sync()) m_qk.sync();
}

void display::run(uint64_t epoch) {
    const ps_t t0 = core::now_ps();
    const uint32_t fifo = m_cfg.fifo_lines, outstanding = m_cfg.max_outstanding;
    std::fill(m_slots.begin(), m_slots.end(), t0);
    std::fill(m_due_ring.begin(), m_due_ring.end(), t0);  // the FIFO starts empty
    ps_t next_issue = t0;
    uint64_t n = 0;   // line number across frames
    uint32_t k = 0;   // burst slot in the outstanding ring

    for (uint64_t f = 0; m_cfg.frames == 0 || f < m_cfg.frames; ++f) {
        if (!m_enabled || m_epoch != epoch) return;
        geometry g;
        if (!latch_geometry(g)) {
            ++m_fetch_errors;
            m_status->set((m_status->value | STATUS_FETCH_ERROR) & ~uint64_t(STATUS_RUNNING));
            m_ctrl->set(m_ctrl->value & ~uint64_t(CTRL_ENABLE));
            m_enabled = false;
            ++m_epoch;
            raise(IRQ_ERROR);
            return;
        }
        const ps_t frame_start = t0 + f * m_frame_ps;
        ps_t frame_shown = frame_start;
        bool frame_late = false;
        for (uint32_t i = 0; i < g.height; ++i, ++n) {
            if (!m_enabled || m_epoch != epoch) return;
            const ps_t due = frame_start + static_cast<ps_t>(
                (static_cast<unsigned __int128>(i + 1) * m_frame_ps) / g.height);
            ps_t ready = std::max(next_issue, m_due_ring[n % fifo]);  // FIFO room
            m_due_ring[n % fifo] = due;
            const uint64_t line_addr = g.base + i * g.stride;
            ps_t first_issue = 0, last_byte = 0;
            for (uint64_t off = 0; off < g.line_bytes; off += m_cfg.burst_bytes) {
                const unsigned len = static_cast<unsigned>(
                    std::min<uint64_t>(m_cfg.burst_bytes, g.line_bytes - off));
                const ps_t issue = std::max(ready, m_slots[k]);
                if (off == 0) first_issue = issue;
                advance_to(issue);
                if (m_epoch != epoch) return;  // disabled while waiting for the slot
                m_trans.set_command(tlm::TLM_READ_COMMAND);
                m_trans.set_address(line_addr + off);
                m_trans.set_data_ptr(m_buf.data());
                m_trans.set_data_length(len);
                m_trans.set_streaming_width(len);
                m_trans.set_byte_enable_ptr(nullptr);
                m_trans.set_dmi_allowed(false);
                m_trans.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
                sc_time delay = m_qk.get_local_time();
                out->b_transport(m_trans, delay);
                const ps_t done = core::now_ps(delay);
                m_slots[k] = done;
                k = (k + 1) % outstanding;
                last_byte = std::max(last_byte, done);
                ready = issue + m_clock.period_ps();
                if (m_trans.is_response_error()) {
                    ++m_fetch_errors;
                    if (m_fetch_errors.value() <= max_error_warnings)
                        VCMSIM_LOG_WARN(m_log, "fetch error at 0x" << std::hex << (line_addr + off)
                                               << ": " << m_trans.get_response_string()
                                               << (m_fetch_errors.value() == max_error_warnings
                                                       ? " (further fetch errors only counted)" : ""));
                    m_error_eq.notify(core::ps_to_time(done - std::min(done, core::now_ps())));
                } else {
                    m_bytes += len;
                }
            }
            next_issue = ready;
            ++m_lines;
            m_line_time.sample((last_byte - first_issue) / 1000);
            ps_t shown = due;
            if (last_byte > due) {
                ++m_underruns;
                frame_late = true;
                m_worst_late = std::max(m_worst_late, last_byte - due);
                shown = last_byte;
                m_underrun_eq.notify(core::ps_to_time(due - std::min(due, core::now_ps())));
            }
            frame_shown = std::max(frame_shown, shown);
        }
        if (frame_late) ++m_underrun_frames;
        m_frame_eq.notify(core::ps_to_time(frame_shown - std::min(frame_shown, core::now_ps())));
    }
}

}  // namespace vcmsim::devices
