#include "models/core/mmio.h"

namespace vcmsim::core {

bool serve_mmio(register_bank& regs, tlm::tlm_generic_payload& t, const logger& log) {
    const auto cmd = t.get_command();
    const uint64_t addr = t.get_address();
    const unsigned len = t.get_data_length();
    if (t.get_byte_enable_ptr() || t.get_streaming_width() < len || len == 0 || len > 8) {
        VCMSIM_LOG_WARN(log, "mmio: unsupported access shape at 0x" << std::hex << addr << " len "
                                                                      << std::dec << len);
        t.set_response_status(tlm::TLM_BURST_ERROR_RESPONSE);
        return false;
    }
    if (cmd != tlm::TLM_READ_COMMAND && cmd != tlm::TLM_WRITE_COMMAND) {
        VCMSIM_LOG_WARN(log, "mmio: unsupported command at 0x" << std::hex << addr);
        t.set_response_status(tlm::TLM_COMMAND_ERROR_RESPONSE);
        return false;
    }
    const access_result r = cmd == tlm::TLM_READ_COMMAND ? regs.read(addr, t.get_data_ptr(), len)
                                                         : regs.write(addr, t.get_data_ptr(), len);
    if (r.unmapped) {
        VCMSIM_LOG_WARN(log, "mmio: access to unmapped offset 0x" << std::hex << addr);
        t.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
        return false;
    }
    t.set_response_status(tlm::TLM_OK_RESPONSE);
    return true;
}

unsigned peek_mmio(const register_bank& regs, tlm::tlm_generic_payload& t) {
    if (t.get_command() != tlm::TLM_READ_COMMAND) return 0;
    regs.peek(t.get_address(), t.get_data_ptr(), t.get_data_length());
    return t.get_data_length();
}

}  // namespace vcmsim::core
