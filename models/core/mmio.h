// Serving MMIO accesses on a register bank: the checks and error responses every register
// target shares, so each model only adds its own timing and side effects.
#pragma once

#include <tlm>

#include "models/core/log.h"
#include "models/core/register_bank.h"

namespace vcmsim::core {

// One timed MMIO access (reads and writes of 1..8 bytes). Byte enables, a streaming width
// below the length, or a length of 0 or above 8 → TLM_BURST_ERROR_RESPONSE; another command →
// TLM_COMMAND_ERROR_RESPONSE; bytes that hit no register → TLM_ADDRESS_ERROR_RESPONSE. Each
// error is logged as a warning. Sets the response status; true when the access was served.
bool serve_mmio(register_bank& regs, tlm::tlm_generic_payload& t, const logger& log);

// Debug transport: reads peek (no side effects); writes are refused (returns 0).
unsigned peek_mmio(const register_bank& regs, tlm::tlm_generic_payload& t);

}  // namespace vcmsim::core
