#include "models/core/mmio.h"
#include "models/devices/traffic_gen.h"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace vcmsim::devices {

using core::ps_t;
using sc_core::sc_time;

namespace {
constexpr uint64_t max_error_warnings = 10;  // then errors are only counted (stat errors)

address_pattern make_pattern(const traffic_gen_config& c) {
    return address_pattern(c.pattern, c.base, c.size, c.txn_bytes, c.stride, c.seed);
}
}  // namespace

uint8_t traffic_gen::data_byte(uint64_t seed, uint64_t a) {
    splitmix64 g(seed ^ (a >> 3) * 0xD6E8FEB86659FD93ULL);
    return static_cast<uint8_t>(g.next() >> (8 * (a & 7)));
}

traffic_gen::traffic_gen(const sc_core::sc_module_name& name, const traffic_gen_config& cfg)
    : sc_module(name), out("out"), mmio("mmio"), irq("irq"), m_cfg(cfg), m_clock(cfg.clock_hz),
      m_pattern(make_pattern(cfg)), m_log(this->name()), m_stats(this->name()),
      m_reads(m_stats.add_counter("reads", "read transactions completed")),
      m_writes(m_stats.add_counter("writes", "write transactions completed")),
      m_bytes(m_stats.add_counter("bytes", "bytes moved by successful transactions", "bytes")),
      m_errors(m_stats.add_counter("errors", "transactions answered with an error")),
      m_latency(m_stats.add_histogram("latency", "issue to completion", "ns", 10, 100)) {
    const std::string me = this->name();
    if (cfg.clock_hz == 0) throw std::invalid_argument(me + ": clock_hz is 0");
    if (cfg.max_outstanding == 0) throw std::invalid_argument(me + ": max_outstanding is 0");
    if (cfg.read_percent > 100) throw std::invalid_argument(me + ": read_percent > 100");
    uint64_t buf = cfg.txn_bytes;
    for (const auto& r : cfg.trace) {
        if (r.size == 0) throw std::invalid_argument(me + ": trace record of size 0");
        buf = std::max<uint64_t>(buf, r.size);
    }
    m_stats.add_value("finish_time_ps", "latest completion of the last run", "ps",
                      [this] { return static_cast<double>(m_finish_ps); });

    m_ctrl = &m_regs.add({"CTRL", CTRL, 4, 0, CTRL_START | CTRL_IRQ_ENABLE, 0, true});
    m_status = &m_regs.add({"STATUS", STATUS, 4, 0, 0, STATUS_DONE | STATUS_ERROR});
    m_count = &m_regs.add({"COUNT", COUNT, 4, 0, 0, 0});
    m_error_count = &m_regs.add({"ERROR_COUNT", ERROR_COUNT, 4, 0, 0, 0});
    m_ctrl->on_write = [this](uint64_t o, uint64_t n) { on_ctrl_write(o, n); };
    m_status->on_write = [this](uint64_t, uint64_t) { update_irq(); };

    m_buf.assign(buf, 0);
    m_slots.assign(cfg.max_outstanding, 0);
    m_ext = new core::txn_ext;
    m_trans.set_extension(m_ext);

    mmio.register_b_transport(this, &traffic_gen::b_transport);
    mmio.register_transport_dbg(this, &traffic_gen::transport_dbg);

    if (cfg.autostart) {
        m_status->set(STATUS_BUSY);
        m_start_pending = true;
    }
    SC_THREAD(issue_thread);
    SC_METHOD(irq_method);
    sensitive << m_irq_ev;
    dont_initialize();
    SC_METHOD(done_method);
    sensitive << m_done_ev;
    dont_initialize();
}

// ---------------------------------------------------------------- registers

void traffic_gen::b_transport(tlm::tlm_generic_payload& trans, sc_time& delay) {
    m_access_delay = delay;  // side effects of register callbacks happen at the access time
    const bool served = core::serve_mmio(m_regs, trans, m_log);
    m_access_delay = sc_core::SC_ZERO_TIME;
    if (served) delay += m_clock.cycles_time(1);
}

unsigned traffic_gen::transport_dbg(tlm::tlm_generic_payload& trans) {
    return core::peek_mmio(m_regs, trans);
}

void traffic_gen::on_ctrl_write(uint64_t, uint64_t new_v) {
    if (!(new_v & CTRL_START)) return;
    m_ctrl->set(new_v & ~uint64_t(CTRL_START));  // START reads as 0
    if (m_status->value & STATUS_BUSY) {
        VCMSIM_LOG_WARN(m_log, "START while busy: ignored");
        return;
    }
    start(m_access_delay);
}

void traffic_gen::start(const sc_time& delay) {
    m_status->set(STATUS_BUSY);
    m_count->set(0);
    m_error_count->set(0);
    update_irq();
    m_start_pending = true;
    m_start_ev.notify(delay);
}

void traffic_gen::update_irq() {
    const bool level = (m_status->value & STATUS_DONE) && (m_ctrl->value & CTRL_IRQ_ENABLE);
    if (level == m_irq_level) return;
    m_irq_level = level;
    m_irq_ev.notify(sc_core::SC_ZERO_TIME);  // the port is driven by irq_method only
}

void traffic_gen::irq_method() {
    if (irq.get_interface()) irq.write(m_irq_level);
}

void traffic_gen::done_method() {
    m_status->set((m_status->value & ~uint64_t(STATUS_BUSY)) | STATUS_DONE |
                  (m_error_count->value ? STATUS_ERROR : 0));
    update_irq();
}

// ---------------------------------------------------------------- traffic

void traffic_gen::issue_thread() {
    if (m_cfg.autostart) {
        m_start_pending = false;
        sc_core::wait(core::ps_to_time(m_cfg.start_at_ps));
        run();
    }
    for (;;) {
        while (!m_start_pending) sc_core::wait(m_start_ev);
        m_start_pending = false;
        run();
    }
}

void traffic_gen::run() {
    m_qk.reset();
    m_pattern.restart();
    const ps_t t0 = core::now_ps();
    const ps_t gap = m_clock.cycles(m_cfg.issue_cycles);
    const bool replay = !m_cfg.trace.empty();
    const uint64_t n = replay ? m_cfg.trace.size() : m_cfg.count;
    const uint32_t outstanding = m_cfg.max_outstanding;
    std::fill(m_slots.begin(), m_slots.end(), t0);
    ps_t next_issue = t0, finish = t0;
    splitmix64& rng = m_pattern.rng();

    for (uint64_t j = 0; j < n; ++j) {
        uint64_t addr;
        uint32_t len, sid;
        bool write;
        ps_t at = next_issue;
        if (replay) {
            const trace_record& r = m_cfg.trace[j];
            addr = r.address;
            len = r.size;
            sid = r.stream_id;
            write = r.is_write;
            at = std::max(at, t0 + r.time_ps);
        } else {
            addr = m_pattern.next();
            len = static_cast<uint32_t>(m_cfg.txn_bytes);
            sid = m_cfg.stream_id;
            write = m_cfg.read_percent == 0 ||
                    (m_cfg.read_percent < 100 && rng.below(100) >= m_cfg.read_percent);
        }
        const uint32_t slot = static_cast<uint32_t>(j % outstanding);
        const ps_t issue = std::max(at, m_slots[slot]);
        const ps_t now = core::now_ps();
        m_qk.set(core::ps_to_time(issue > now ? issue - now : 0));
        if (m_qk.need_sync()) m_qk.sync();

        if (write)
            for (uint32_t b = 0; b < len; ++b) m_buf[b] = data_byte(m_cfg.seed, addr + b);
        m_ext->stream_id = sid;
        m_trans.set_command(write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
        m_trans.set_address(addr);
        m_trans.set_data_ptr(m_buf.data());
        m_trans.set_data_length(len);
        m_trans.set_streaming_width(len);
        m_trans.set_byte_enable_ptr(nullptr);
        m_trans.set_dmi_allowed(false);
        m_trans.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
        sc_time delay = m_qk.get_local_time();
        out->b_transport(m_trans, delay);
        const ps_t done = core::now_ps(delay);
        m_slots[slot] = done;
        finish = std::max(finish, done);
        next_issue = issue + gap;
        m_latency.sample((done - issue) / 1000);
        m_count->set(m_count->value + 1);
        if (m_trans.is_response_error()) {
            ++m_errors;
            m_error_count->set(m_error_count->value + 1);
            if (m_errors.value() <= max_error_warnings)
                VCMSIM_LOG_WARN(m_log, (write ? "write" : "read") << " error at 0x" << std::hex << addr
                                       << ": " << m_trans.get_response_string()
                                       << (m_errors.value() == max_error_warnings
                                               ? " (further errors only counted)" : ""));
        } else {
            if (write) ++m_writes; else ++m_reads;
            m_bytes += len;
        }
    }
    m_finish_ps = finish;
    const ps_t now = core::now_ps();
    m_done_ev.notify(core::ps_to_time(finish > now ? finish - now : 0));
    m_qk.sync();
}

}  // namespace vcmsim::devices
