// Driver for the display controller (models/devices/display): programs the framebuffer and
// starts, waits for and stops scan-out, through timed operations of a processor.
#pragma once

#include <cstdint>

#include "models/core/master_port.h"

namespace vcmsim::vcm {

class display_driver {
public:
    display_driver(core::master_port& cpu, uint64_t mmio_base);
    // Programs the framebuffer base (size and format keep their configured values) and enables.
    core::op_status start(uint64_t fb_base);
    // Waits until FRAME_COUNT reaches `frames`; fails on timeout.
    core::op_status wait_frames(uint64_t frames, core::ps_t timeout_ps);
    core::op_status stop();
    core::op_status read_counts(uint64_t& frames, uint64_t& underruns);

private:
    core::master_port& m_cpu;
    uint64_t m_base;
};

}  // namespace vcmsim::vcm
