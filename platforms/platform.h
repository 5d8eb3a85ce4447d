// The platform builder: instantiates and binds the models a validated config describes.
//
//   top            this module
//   top.cpu        CPU (runs the scenario)            -> top.bus
//   top.bus        router                             -> every DRAM and device register window
//   top.<dram>     [[dram]] entries, routed at their base
//   top.<dma>      [[dma]] engines: mmio routed at `mmio`, out -> top.bus, irq -> CPU line
//   top.<display>  [[display]] controllers, likewise
//   top.<traffic>  [[traffic]] generators, likewise
//
// Semantic errors (overlapping address ranges, duplicate names, dangling references) are
// config errors naming file:line. Interrupt lines are numbered in the order devices appear.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <systemc>
#include <tlm_utils/simple_initiator_socket.h>

#include "platforms/config/config.h"
#include "platforms/scenario.h"

namespace vcmsim::cpu { class cpu; }
namespace vcmsim::interconnect { class router; }
namespace vcmsim::memory { class dram; }
namespace vcmsim::dma { class dma_engine; }
namespace vcmsim::devices { class display; class traffic_gen; }

namespace vcmsim::platform {

// Sets the SystemC time resolution to 1 ps (once per process; the models count picoseconds).
void init_time_resolution();

class platform : public sc_core::sc_module, public scenario_env {
public:
    // Builds everything from the validated config; throws config_error.
    platform(const sc_core::sc_module_name& name, const config& cfg);
    ~platform() override;

    cpu::cpu& cpu();
    interconnect::router& bus();
    scenario& the_scenario() { return m_scenario; }
    const std::vector<device_ref>& devices() const { return m_devices; }

    const device_ref* find_device(const std::string& name) const override;
    bool debug_read(uint64_t addr, uint8_t* data, uint64_t len) override;
    bool debug_write(uint64_t addr, const uint8_t* data, uint64_t len);
    bool is_memory(uint64_t addr, uint64_t len) const override;
    void set_untimed(bool on) override;

    uint64_t master_seed() const { return m_seed; }
    bool cpu_finished() const;

private:
    struct parts;
    std::unique_ptr<parts> m;
    std::vector<device_ref> m_devices;
    scenario m_scenario;
    uint64_t m_seed = 1;
    tlm_utils::simple_initiator_socket<platform> m_debug;  // zero-time access for checks
};

}  // namespace vcmsim::platform
