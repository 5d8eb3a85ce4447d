#include "vcm/drivers/display_driver.h"

#include "models/devices/display.h"

namespace vcmsim::vcm {

using core::op_status;
using reg = devices::display;

display_driver::display_driver(core::master_port& cpu, uint64_t mmio_base)
    : m_cpu(cpu), m_base(mmio_base) {}

op_status display_driver::start(uint64_t fb_base) {
    op_status st = m_cpu.mmio_write(m_base + reg::FB_BASE_LO, fb_base & 0xffffffffULL);
    if (st.ok) st = m_cpu.mmio_write(m_base + reg::FB_BASE_HI, fb_base >> 32);
    if (st.ok) st = m_cpu.mmio_write(m_base + reg::CTRL, 1);
    return st;
}

op_status display_driver::wait_frames(uint64_t frames, core::ps_t timeout_ps) {
    // Frame counts only grow: wait for >= by reading every 10 us.
    const core::ps_t start = m_cpu.now_ps();
    for (;;) {
        uint64_t n = 0;
        op_status st = m_cpu.mmio_read(m_base + reg::FRAME_COUNT, n);
        if (!st.ok) return st;
        if (n >= frames) return {};
        if (timeout_ps && m_cpu.now_ps() - start >= timeout_ps)
            return op_status::failure(m_base, "display scanned " + std::to_string(n) + " of " +
                                                  std::to_string(frames) + " frames before the timeout");
        m_cpu.delay(10000000);  // 10 us between reads
    }
}

op_status display_driver::stop() { return m_cpu.mmio_write(m_base + reg::CTRL, 0); }

op_status display_driver::read_counts(uint64_t& frames, uint64_t& underruns) {
    op_status st = m_cpu.mmio_read(m_base + reg::FRAME_COUNT, frames);
    if (st.ok) st = m_cpu.mmio_read(m_base + reg::UNDERRUN_COUNT, underruns);
    return st;
}

}  // namespace vcmsim::vcm
