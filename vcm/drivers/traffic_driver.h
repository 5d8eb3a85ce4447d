// Driver for the traffic generator (models/devices/traffic_gen): start and wait for a run.
#pragma once

#include <cstdint>

#include "models/core/master_port.h"

namespace vcmsim::vcm {

class traffic_driver {
public:
    traffic_driver(core::master_port& cpu, uint64_t mmio_base);
    core::op_status start();
    core::op_status wait(core::ps_t timeout_ps);

private:
    core::master_port& m_cpu;
    uint64_t m_base;
};

}  // namespace vcmsim::vcm
