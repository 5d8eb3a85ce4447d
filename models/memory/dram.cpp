#include "models/memory/dram.h"

#include <algorithm>

#include "models/core/format.h"

namespace vcmsim::memory {

namespace {
constexpr uint64_t max_warnings = 10;   // error warnings logged before going quiet

const char* command_name(tlm::tlm_command c) {
    switch (c) {
    case tlm::TLM_READ_COMMAND: return "read";
    case tlm::TLM_WRITE_COMMAND: return "write";
    default: return "ignore";
    }
}
}

dram::dram(const sc_core::sc_module_name& name, const dram_config& cfg)
    : sc_core::sc_module(name),
      in("in"),
      m_cfg(cfg),
      m_clock(cfg.clock_hz),
      m_latency_ps(m_clock.cycles(cfg.latency_cycles)),
      m_store(cfg.size),
      m_log(this->name()),
      m_stats(this->name()),
      m_reads(m_stats.add_counter("reads", "read transactions (not DMI accesses)")),
      m_writes(m_stats.add_counter("writes", "write transactions (not DMI accesses)")),
      m_bytes_read(m_stats.add_counter("bytes_read", "bytes read by transactions (not DMI accesses)", "bytes")),
      m_bytes_written(m_stats.add_counter("bytes_written", "bytes written by transactions (not DMI accesses)", "bytes")),
      m_errors(m_stats.add_counter("errors", "transactions answered with an error response")),
      m_dmi_grants(m_stats.add_counter("dmi_grants", "DMI requests granted")) {
    if (cfg.host_memory_limit) {   // whole pages, at least one
        m_store.set_page_limit(std::max<uint64_t>(1, cfg.host_memory_limit / sparse_memory::host_page_size));
        m_limit_msg = "host memory limit reached: the backing store holds host_memory_limit = " +
                      core::size_name(m_store.page_limit() * sparse_memory::host_page_size) +
                      " of touched pages (raise host_memory_limit of this [[dram]])";
    }
    m_stats.add_value("busy_ps", "channel occupancy booked", "ps",
                      [this] { return static_cast<double>(m_channel.busy_ps()); });
    m_stats.add_value("queue_wait_ps", "queueing delay imposed by the busy channel", "ps",
                      [this] { return static_cast<double>(m_channel.wait_ps()); });
    m_stats.add_value("utilisation", "channel occupancy / simulated time", "ratio", [this] {
        const core::ps_t now = core::now_ps();
        return now ? static_cast<double>(m_channel.busy_ps()) / static_cast<double>(now) : 0.0;
    });
    m_stats.add_value("host_pages", "64 KiB host pages allocated for the backing store", "count",
                      [this] { return static_cast<double>(m_store.pages_allocated()); });

    in.register_b_transport(this, &dram::b_transport);
    in.register_transport_dbg(this, &dram::transport_dbg);
    in.register_get_direct_mem_ptr(this, &dram::get_direct_mem_ptr);
}

core::ps_t dram::access_ps(const dram_config& cfg, uint64_t len) {
    return core::clock_domain(cfg.clock_hz).cycles(cfg.latency_cycles) +
           core::transfer_ps(len, cfg.bandwidth);
}

void dram::clear() {
    in->invalidate_direct_mem_ptr(0, ~static_cast<sc_dt::uint64>(0));
    m_store.clear();
}

void dram::error(tlm::tlm_generic_payload& trans, tlm::tlm_response_status status,
                 const char* what) {
    trans.set_response_status(status);
    ++m_errors;
    if (m_errors.value() <= max_warnings) {
        VCMSIM_LOG_WARN(m_log, what << ": " << command_name(trans.get_command()) << " at offset 0x" << std::hex
                                    << trans.get_address() << std::dec
                                    << " len=" << trans.get_data_length() << " size=0x"
                                    << std::hex << m_cfg.size
                                    << (m_errors.value() == max_warnings
                                            ? " (further errors counted in stat errors only)"
                                            : ""));
    }
}

bool dram::move_data(tlm::tlm_generic_payload& trans, uint64_t off, uint64_t len) {
    uint8_t* data = trans.get_data_ptr();
    const uint8_t* be = trans.get_byte_enable_ptr();
    const unsigned be_len = trans.get_byte_enable_length();
    const bool is_read = trans.is_read();
    if (!be || be_len == 0) {
        if (!is_read) return m_store.write(off, data, len);
        m_store.read(off, data, len);
        return true;
    }
    // Byte enables: move each run of enabled bytes in one call.
    uint64_t i = 0;
    while (i < len) {
        if (be[i % be_len] == TLM_BYTE_DISABLED) {
            ++i;
            continue;
        }
        uint64_t j = i + 1;
        while (j < len && be[j % be_len] != TLM_BYTE_DISABLED) ++j;
        if (is_read)
            m_store.read(off + i, data + i, j - i);
        else if (!m_store.write(off + i, data + i, j - i))
            return false;
        i = j;
    }
    return true;
}

void dram::b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
    const tlm::tlm_command cmd = trans.get_command();
    const uint64_t off = trans.get_address();
    const uint64_t len = trans.get_data_length();

    if (cmd != tlm::TLM_READ_COMMAND && cmd != tlm::TLM_WRITE_COMMAND) {
        error(trans, tlm::TLM_COMMAND_ERROR_RESPONSE, "unsupported command");
        return;
    }
    if (off >= m_cfg.size || len > m_cfg.size - off) {
        error(trans, tlm::TLM_ADDRESS_ERROR_RESPONSE, "access outside memory");
        return;
    }
    if (trans.get_streaming_width() < len) {
        error(trans, tlm::TLM_BURST_ERROR_RESPONSE, "streaming burst not supported");
        return;
    }

    if (!move_data(trans, off, len)) {
        error(trans, tlm::TLM_GENERIC_ERROR_RESPONSE, m_limit_msg.c_str());
        return;
    }
    if (cmd == tlm::TLM_READ_COMMAND) {
        ++m_reads;
        m_bytes_read += len;
    } else {
        ++m_writes;
        m_bytes_written += len;
    }

    const core::ps_t t = core::now_ps(delay);
    const core::ps_t xfer = core::transfer_ps(len, m_cfg.bandwidth);
    const core::ps_t start = m_channel.book(t, xfer);
    const core::ps_t done = start + m_latency_ps + xfer;
    delay += core::ps_to_time(done - t);

    trans.set_dmi_allowed(m_cfg.dmi);
    trans.set_response_status(tlm::TLM_OK_RESPONSE);
}

unsigned dram::transport_dbg(tlm::tlm_generic_payload& trans) {
    const tlm::tlm_command cmd = trans.get_command();
    const uint64_t off = trans.get_address();
    if (cmd != tlm::TLM_READ_COMMAND && cmd != tlm::TLM_WRITE_COMMAND) {
        trans.set_response_status(cmd == tlm::TLM_IGNORE_COMMAND ? tlm::TLM_OK_RESPONSE
                                                                 : tlm::TLM_COMMAND_ERROR_RESPONSE);
        return 0;
    }
    if (off >= m_cfg.size) {
        trans.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
        return 0;
    }
    const uint64_t len = std::min<uint64_t>(trans.get_data_length(), m_cfg.size - off);
    if (!move_data(trans, off, len)) {   // the host memory limit: nothing reliable was moved
        trans.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
        return 0;
    }
    trans.set_response_status(tlm::TLM_OK_RESPONSE);
    return static_cast<unsigned>(len);
}

bool dram::get_direct_mem_ptr(tlm::tlm_generic_payload& trans, tlm::tlm_dmi& dmi) {
    const uint64_t off = trans.get_address();
    const uint64_t page_base = off & ~(sparse_memory::host_page_size - 1);
    if (!m_cfg.dmi || off >= m_cfg.size) {
        // Denied: tell the initiator which range not to ask about again.
        dmi.set_dmi_ptr(nullptr);
        dmi.set_granted_access(tlm::tlm_dmi::DMI_ACCESS_NONE);
        if (!m_cfg.dmi || m_cfg.size == 0) {
            dmi.set_start_address(0);
            dmi.set_end_address(~static_cast<sc_dt::uint64>(0));
        } else {
            dmi.set_start_address(m_cfg.size);
            dmi.set_end_address(~static_cast<sc_dt::uint64>(0));
        }
        return false;
    }
    const uint64_t page_last = std::min(page_base + (sparse_memory::host_page_size - 1),
                                        m_cfg.size - 1);
    uint8_t* page = m_store.host_page(off, true);
    if (!page) {   // host memory limit: no pointer for this page (b_transport reports the error)
        dmi.set_dmi_ptr(nullptr);
        dmi.set_granted_access(tlm::tlm_dmi::DMI_ACCESS_NONE);
        dmi.set_start_address(page_base);
        dmi.set_end_address(page_last);
        return false;
    }
    dmi.set_dmi_ptr(page);
    dmi.set_start_address(page_base);
    dmi.set_end_address(page_last);
    dmi.set_granted_access(tlm::tlm_dmi::DMI_ACCESS_READ_WRITE);
    dmi.set_read_latency(core::ps_to_time(m_latency_ps));
    dmi.set_write_latency(core::ps_to_time(m_latency_ps));
    ++m_dmi_grants;
    return true;
}

}  // namespace vcmsim::memory
