#include "vcm/drivers/traffic_driver.h"

#include "models/devices/traffic_gen.h"

namespace vcmsim::vcm {

using core::op_status;
using tg = devices::traffic_gen;

traffic_driver::traffic_driver(core::master_port& cpu, uint64_t mmio_base)
    : m_cpu(cpu), m_base(mmio_base) {}

op_status traffic_driver::start() {
    return m_cpu.mmio_write(m_base + tg::CTRL, tg::CTRL_START);
}

op_status traffic_driver::wait(core::ps_t timeout_ps) {
    if (!m_cpu.poll(m_base + tg::STATUS, tg::STATUS_BUSY | tg::STATUS_DONE, tg::STATUS_DONE,
                    timeout_ps, 1000000))
        return op_status::failure(m_base, "traffic generator did not finish before the timeout");
    return {};
}

}  // namespace vcmsim::vcm
