// The interface through which software (the scenario runner, the VCM driver layer, device
// drivers) issues timed operations from a processor's thread. The CPU model implements it.
// Every call must be made from the implementing processor's own SystemC thread.
#pragma once

#include <cstdint>
#include <string>

#include "models/core/timing.h"

namespace vcmsim::core {

// Result of one operation. `error` is empty on success.
struct op_status {
    bool ok = true;
    uint64_t fault_addr = 0;
    std::string error;
    static op_status failure(uint64_t addr, std::string what) {
        return {false, addr, std::move(what)};
    }
};

class master_port {
public:
    virtual ~master_port() = default;
    // Memory accesses (through the processor's MMU when it has one on).
    virtual op_status read(uint64_t addr, uint8_t* data, uint64_t len) = 0;
    virtual op_status write(uint64_t addr, const uint8_t* data, uint64_t len) = 0;
    // Memory accesses by physical address, bypassing the MMU (a kernel's linear map): page
    // tables, descriptors the driver layer writes.
    virtual op_status read_phys(uint64_t addr, uint8_t* data, uint64_t len) = 0;
    virtual op_status write_phys(uint64_t addr, const uint8_t* data, uint64_t len) = 0;
    // Device register accesses: synchronised, never DMI, size 1..8 bytes.
    virtual op_status mmio_write(uint64_t addr, uint64_t value, unsigned size = 4) = 0;
    virtual op_status mmio_read(uint64_t addr, uint64_t& value, unsigned size = 4) = 0;
    // Waits for interrupt line `line` (platform numbering); false on timeout (0 = none).
    virtual bool wait_irq(unsigned line, ps_t timeout_ps) = 0;
    // Polls until (value & mask) == expect; false on timeout or bus error.
    virtual bool poll(uint64_t addr, uint64_t mask, uint64_t expect, ps_t timeout_ps,
                      ps_t interval_ps, unsigned size = 4) = 0;
    virtual void delay(ps_t ps) = 0;
    virtual ps_t now_ps() const = 0;
};

}  // namespace vcmsim::core
