#include "models/dma/dma_engine.h"

#include <algorithm>
#include <limits>
#include <stdexcept>
#include <string>

#include "models/core/tlm_ext.h"

namespace vcmsim::dma {

using core::ps_t;
namespace {
constexpr ps_t never = std::numeric_limits<ps_t>::max();
constexpr ps_t default_quantum_ps = 1000000;  // 1 us

void setup(tlm::tlm_generic_payload& p, tlm::tlm_command cmd, uint64_t addr, uint8_t* data,
           unsigned len) {
    p.set_command(cmd);
    p.set_address(addr);
    p.set_data_ptr(data);
    p.set_data_length(len);
    p.set_streaming_width(len);
    p.set_byte_enable_ptr(nullptr);
    p.set_byte_enable_length(0);
    p.set_dmi_allowed(false);
    p.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
}
}  // namespace

void validate(const dma_config& cfg) {
    auto fail = [](const std::string& m) { throw std::invalid_argument("dma_config: " + m); };
    if (cfg.channels < 1 || cfg.channels > 16) fail("channels must be 1..16");
    if (cfg.clock_hz == 0) fail("clock_hz must be > 0");
    if (cfg.burst_bytes < 8 || cfg.burst_bytes > 4096 || (cfg.burst_bytes & (cfg.burst_bytes - 1)))
        fail("burst_bytes must be a power of two in 8..4096");
    if (cfg.max_outstanding < 1 || cfg.max_outstanding > 64) fail("max_outstanding must be 1..64");
    if (cfg.max_chain < 1) fail("max_chain must be >= 1");
}

sc_core::sc_time dma_engine::quantumkeeper::compute_local_quantum() {
    const ps_t q = tlm::tlm_global_quantum::instance().get().value();
    const ps_t qp = q ? q : default_quantum_ps;
    return core::ps_to_time(qp - core::now_ps() % qp);
}

struct dma_engine::channel {
    unsigned idx = 0;
    sc_core::sc_event start_ev;
    core::reg* ctrl = nullptr;
    core::reg* status = nullptr;
    core::reg* desc_lo = nullptr;
    core::reg* desc_hi = nullptr;
    core::reg* cur_lo = nullptr;
    core::reg* cur_hi = nullptr;
    core::reg* bytes_lo = nullptr;
    core::reg* bytes_hi = nullptr;
    core::reg* desc_done = nullptr;

    dma_state state = dma_state::idle;
    dma_error err = dma_error::none;
    uint64_t first_desc = 0;
    uint64_t bytes = 0;
    uint32_t descs = 0;
    ps_t start_ps = 0;
    ps_t abort_at = never;

    tlm::tlm_generic_payload pl;           // one blocking transaction at a time
    std::vector<uint8_t> buf;              // max_outstanding slots of burst_bytes
    std::array<uint8_t, dma_descriptor::size_bytes> dbuf{};
    std::vector<ps_t> ring;                // completion time of the burst in each slot
    std::vector<uint32_t> wq_idx;          // bursts read, write pending (FIFO)
    std::vector<ps_t> wq_time;             // their write start times
    std::unordered_set<uint64_t> visited;  // descriptors executed in this chain
    quantumkeeper qk;

    core::counter* s_bytes = nullptr;
    core::counter* s_bursts = nullptr;
    core::counter* s_descs = nullptr;
    core::counter* s_errors = nullptr;
    core::counter* s_busy = nullptr;
};

dma_engine::dma_engine(const sc_core::sc_module_name& name, const dma_config& cfg)
    : sc_module(name),
      mmio("mmio"),
      out("out"),
      irq("irq"),
      m_cfg((validate(cfg), cfg)),
      m_clk(cfg.clock_hz),
      m_log(this->name()),
      m_stats(this->name()),
      m_bytes(m_stats.add_counter("bytes", "bytes copied by all channels", "bytes")),
      m_transfer_time(m_stats.add_histogram("transfer_time",
                                            "START to completion of successful chains", "ns",
                                            1000, 64)) {
    mmio.register_b_transport(this, &dma_engine::b_transport);
    mmio.register_transport_dbg(this, &dma_engine::transport_dbg);

    for (unsigned i = 0; i < m_cfg.channels; ++i) {
        auto c = std::make_unique<channel>();
        c->idx = i;
        c->buf.assign(static_cast<size_t>(m_cfg.max_outstanding) * m_cfg.burst_bytes, 0);
        c->ring.assign(m_cfg.max_outstanding, 0);
        c->wq_idx.assign(m_cfg.max_outstanding, 0);
        c->wq_time.assign(m_cfg.max_outstanding, 0);
        auto* ext = new core::txn_ext;  // owned (and freed) by the payload
        ext->stream_id = m_cfg.stream_id;
        c->pl.set_extension(ext);
        const std::string p = "ch" + std::to_string(i) + ".";
        c->s_bytes = &m_stats.add_counter(p + "bytes", "bytes written by completed bursts", "bytes");
        c->s_bursts = &m_stats.add_counter(p + "bursts", "completed bursts");
        c->s_descs = &m_stats.add_counter(p + "descriptors", "completed descriptors");
        c->s_errors = &m_stats.add_counter(p + "errors", "chains stopped by an error");
        c->s_busy = &m_stats.add_counter(p + "busy_ps", "time spent BUSY", "ps");
        m_ch.push_back(std::move(c));
    }
    build_registers();

    for (unsigned i = 0; i < m_cfg.channels; ++i) {
        sc_core::sc_spawn_options opt;
        sc_core::sc_spawn(sc_bind(&dma_engine::channel_thread, this, i),
                          ("ch" + std::to_string(i) + "_thread").c_str(), &opt);
    }
    SC_HAS_PROCESS(dma_engine);
    SC_METHOD(irq_method);
    sensitive << m_irq_ev;
    dont_initialize();
}

dma_engine::~dma_engine() = default;

void dma_engine::build_registers() {
    const uint64_t chmask = (1ULL << m_cfg.channels) - 1;
    m_regs.add({"ID", dma_reg::id, 4, dma_reg::id_value, 0});
    m_regs.add({"NUM_CHANNELS", dma_reg::num_channels, 4, m_cfg.channels, 0});
    m_irq_status = &m_regs.add({"IRQ_STATUS", dma_reg::irq_status, 4, 0, 0, chmask});
    m_irq_enable = &m_regs.add({"IRQ_ENABLE", dma_reg::irq_enable, 4, 0, chmask});
    auto irq_changed = [this](uint64_t, uint64_t) { m_irq_ev.notify(m_access_delay); };
    m_irq_status->on_write = irq_changed;
    m_irq_enable->on_write = irq_changed;

    for (auto& cp : m_ch) {
        channel& c = *cp;
        const std::string p = "CH" + std::to_string(c.idx) + "_";
        auto at = [&c](uint64_t off) { return dma_reg::ch(c.idx, off); };
        c.ctrl = &m_regs.add({p + "CTRL", at(dma_reg::ctrl), 4, 0,
                              dma_reg::ctrl_start | dma_reg::ctrl_abort, 0, true});
        c.status = &m_regs.add({p + "STATUS", at(dma_reg::status), 4, 0, 0});
        c.desc_lo = &m_regs.add({p + "DESC_LO", at(dma_reg::desc_lo), 4, 0, 0xFFFFFFFF});
        c.desc_hi = &m_regs.add({p + "DESC_HI", at(dma_reg::desc_hi), 4, 0, 0xFFFFFFFF});
        c.cur_lo = &m_regs.add({p + "CUR_DESC_LO", at(dma_reg::cur_desc_lo), 4, 0, 0});
        c.cur_hi = &m_regs.add({p + "CUR_DESC_HI", at(dma_reg::cur_desc_hi), 4, 0, 0});
        c.bytes_lo = &m_regs.add({p + "BYTES_DONE_LO", at(dma_reg::bytes_done_lo), 4, 0, 0});
        c.bytes_hi = &m_regs.add({p + "BYTES_DONE_HI", at(dma_reg::bytes_done_hi), 4, 0, 0});
        c.desc_done = &m_regs.add({p + "DESC_DONE", at(dma_reg::desc_done), 4, 0, 0});
        c.ctrl->on_write = [this, &c](uint64_t, uint64_t v) {
            c.ctrl->set(0);  // START and ABORT are self-clearing: CTRL reads 0
            on_ctrl_write(c, v);
        };
    }
}

// ---- register interface -------------------------------------------------------------------

void dma_engine::b_transport(tlm::tlm_generic_payload& p, sc_core::sc_time& delay) {
    const uint64_t addr = p.get_address();
    const unsigned len = p.get_data_length();
    delay += m_clk.cycles_time(1);
    if (p.get_byte_enable_ptr() && p.get_byte_enable_length()) {
        VCMSIM_LOG_WARN(m_log, "mmio access at 0x" << std::hex << addr << " with byte enables");
        p.set_response_status(tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE);
        return;
    }
    if (len == 0 || len > 8 || p.get_streaming_width() < len) {
        VCMSIM_LOG_WARN(m_log, "mmio access at 0x" << std::hex << addr << " of " << std::dec
                                                   << len << " bytes not supported");
        p.set_response_status(tlm::TLM_BURST_ERROR_RESPONSE);
        return;
    }
    if (addr >= dma_reg::window || addr + len > dma_reg::window) {
        VCMSIM_LOG_WARN(m_log, "mmio access outside the register window at 0x" << std::hex << addr);
        p.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
        return;
    }
    // Side effects (doorbells, IRQ line) take place at the access time: current time plus
    // the offset the initiator brought, before our own access latency.
    m_access_delay = delay - m_clk.cycles_time(1);
    core::access_result r;
    if (p.is_read())
        r = m_regs.read(addr, p.get_data_ptr(), len);
    else if (p.is_write())
        r = m_regs.write(addr, p.get_data_ptr(), len);
    if (r.unmapped) {
        VCMSIM_LOG_WARN(m_log, "mmio access to unmapped register offset 0x" << std::hex << addr);
        p.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
        return;
    }
    p.set_response_status(tlm::TLM_OK_RESPONSE);
}

unsigned dma_engine::transport_dbg(tlm::tlm_generic_payload& p) {
    const uint64_t addr = p.get_address();
    const unsigned len = p.get_data_length();
    if (!p.is_read() || addr >= dma_reg::window || len > dma_reg::window - addr) return 0;
    m_regs.peek(addr, p.get_data_ptr(), len);
    p.set_response_status(tlm::TLM_OK_RESPONSE);
    return len;
}

void dma_engine::on_ctrl_write(channel& c, uint64_t v) {
    const bool busy = c.state == dma_state::busy;
    if (v & dma_reg::ctrl_abort) {  // ABORT has priority over START in the same write
        if (busy) c.abort_at = std::min(c.abort_at, core::now_ps(m_access_delay));
        return;
    }
    if (!(v & dma_reg::ctrl_start)) return;
    if (busy) {
        VCMSIM_LOG_WARN(m_log, "ch" << c.idx << ": START while BUSY ignored");
        return;
    }
    c.first_desc = (c.desc_hi->value << 32) | c.desc_lo->value;
    c.bytes = 0;
    c.descs = 0;
    c.bytes_lo->set(0);
    c.bytes_hi->set(0);
    c.desc_done->set(0);
    c.cur_lo->set(c.first_desc);
    c.cur_hi->set(c.first_desc >> 32);
    c.abort_at = never;
    c.start_ps = core::now_ps(m_access_delay);
    set_state(c, dma_state::busy, dma_error::none);
    c.start_ev.notify(m_access_delay);
}

void dma_engine::set_state(channel& c, dma_state s, dma_error e) {
    c.state = s;
    c.err = e;
    c.status->set(static_cast<uint64_t>(s) | (static_cast<uint64_t>(e) << 8));
}

void dma_engine::raise_irq(channel& c) {
    m_irq_status->set(m_irq_status->value | (1ULL << c.idx));
    m_irq_ev.notify(sc_core::SC_ZERO_TIME);
}

void dma_engine::irq_method() {
    const bool level = (m_irq_status->value & m_irq_enable->value) != 0;
    if (irq.size()) irq.write(level);
}

dma_state dma_engine::state(unsigned ch) const { return m_ch.at(ch)->state; }
dma_error dma_engine::error(unsigned ch) const { return m_ch.at(ch)->err; }
uint64_t dma_engine::bytes_done(unsigned ch) const { return m_ch.at(ch)->bytes; }
uint32_t dma_engine::irq_status() const { return static_cast<uint32_t>(m_irq_status->value); }

// ---- channel engine -----------------------------------------------------------------------

void dma_engine::channel_thread(unsigned ch) {
    channel& c = *m_ch[ch];
    for (;;) {
        sc_core::wait(c.start_ev);
        c.qk.reset();
        run_chain(c);
    }
}

ps_t dma_engine::issue(channel& c, tlm::tlm_generic_payload& p, ps_t at) {
    const ps_t now = core::now_ps();
    sc_core::sc_time delay = core::ps_to_time(at - now);
    c.qk.set(delay);
    out->b_transport(p, delay);
    const ps_t done = now + core::time_to_ps(delay);
    if (c.qk.need_sync()) c.qk.sync();
    return done;
}

void dma_engine::sync_to(channel& c, ps_t at) {
    c.qk.set(core::ps_to_time(at - core::now_ps()));
    c.qk.sync();
}

void dma_engine::run_chain(channel& c) {
    ps_t t = core::now_ps();
    uint64_t ptr = c.first_desc;
    c.visited.clear();
    for (;;) {
        c.cur_lo->set(ptr);
        c.cur_hi->set(ptr >> 32);
        if (ptr % dma_descriptor::size_bytes) return finish(c, t, dma_error::desc_align);
        if (c.visited.count(ptr)) return finish(c, t, dma_error::loop);
        if (c.visited.size() >= m_cfg.max_chain) return finish(c, t, dma_error::chain_limit);
        if (t >= c.abort_at) return finish(c, t, dma_error::aborted);

        setup(c.pl, tlm::TLM_READ_COMMAND, ptr, c.dbuf.data(), dma_descriptor::size_bytes);
        const ps_t fetched = issue(c, c.pl, t);
        if (c.pl.is_response_error()) return finish(c, fetched, dma_error::desc_fetch);
        const dma_descriptor d = dma_descriptor::decode(c.dbuf.data());
        if (d.reserved_flags_set()) return finish(c, fetched, dma_error::bad_flags);
        if (d.len == 0) return finish(c, fetched, dma_error::zero_len);
        c.visited.insert(ptr);

        // One DMA cycle to decode the descriptor, then the bursts.
        const burst_result r = run_bursts(c, d, fetched + m_clk.period_ps());
        if (r.err != dma_error::none) return finish(c, r.end, r.err);
        ++c.descs;
        c.desc_done->set(c.descs);
        ++*c.s_descs;
        t = r.end;
        if (d.irq()) {
            sync_to(c, t);
            raise_irq(c);
        }
        if (d.next == 0) return finish(c, t, dma_error::none);
        ptr = d.next;
    }
}

// Bursts of one descriptor. Reads and writes are issued in time order: at each step the
// earlier of (next read issue time, oldest pending write start) goes to the bus.
dma_engine::burst_result dma_engine::run_bursts(channel& c, const dma_descriptor& d, ps_t start) {
    const uint64_t B = m_cfg.burst_bytes;
    const uint64_t K = m_cfg.max_outstanding;
    const ps_t gap = m_clk.cycles(m_cfg.issue_cycles);
    const uint64_t n = (d.len + B - 1) / B;
    uint64_t next_read = 0, writes_done = 0;
    uint64_t wq_head = 0, wq_count = 0;
    ps_t last_issue = 0;
    burst_result res;
    res.end = start;
    bool stop = false;

    for (;;) {
        ps_t tr = never;
        // Slot of burst next_read is free once burst next_read-K has completed (its write
        // was issued; writes are issued in burst order).
        if (!stop && next_read < n && (next_read < K || writes_done > next_read - K)) {
            tr = next_read == 0 ? start : last_issue + gap;
            if (next_read >= K) tr = std::max(tr, c.ring[next_read % K]);
        }
        const ps_t tw = wq_count ? c.wq_time[wq_head] : never;
        if (tr == never && tw == never) break;

        if (tw <= tr) {
            const uint64_t i = c.wq_idx[wq_head];
            wq_head = (wq_head + 1) % K;
            --wq_count;
            const uint64_t off = i * B;
            const unsigned len = static_cast<unsigned>(std::min<uint64_t>(B, d.len - off));
            setup(c.pl, tlm::TLM_WRITE_COMMAND, d.dst + off, &c.buf[(i % K) * B], len);
            const ps_t done = issue(c, c.pl, tw);
            res.end = std::max(res.end, done);
            if (c.pl.is_response_error()) {
                if (res.err == dma_error::none) res.err = dma_error::dst_error;
                stop = true;
                wq_count = 0;  // later bursts are dropped: BYTES_DONE stays a prefix
                continue;
            }
            c.ring[i % K] = done;
            ++writes_done;
            c.bytes += len;
            c.bytes_lo->set(c.bytes);
            c.bytes_hi->set(c.bytes >> 32);
            *c.s_bytes += len;
            ++*c.s_bursts;
            m_bytes += len;
        } else {
            if (tr >= c.abort_at) {
                if (res.err == dma_error::none) res.err = dma_error::aborted;
                res.end = std::max(res.end, tr);
                stop = true;
                continue;
            }
            const uint64_t off = next_read * B;
            const unsigned len = static_cast<unsigned>(std::min<uint64_t>(B, d.len - off));
            setup(c.pl, tlm::TLM_READ_COMMAND, d.src + off, &c.buf[(next_read % K) * B], len);
            const ps_t done = issue(c, c.pl, tr);
            last_issue = tr;
            if (c.pl.is_response_error()) {
                if (res.err == dma_error::none) res.err = dma_error::src_error;
                res.end = std::max(res.end, done);
                stop = true;
                continue;
            }
            const uint64_t tail = (wq_head + wq_count) % K;
            c.wq_idx[tail] = static_cast<uint32_t>(next_read);
            c.wq_time[tail] = done;
            ++wq_count;
            ++next_read;
        }
    }
    return res;
}

void dma_engine::finish(channel& c, ps_t at, dma_error err) {
    sync_to(c, at);
    *c.s_busy += at - c.start_ps;
    if (err == dma_error::none) {
        set_state(c, dma_state::done, err);
        m_transfer_time.sample((at - c.start_ps) / 1000);
        return;
    }
    set_state(c, dma_state::error, err);
    ++*c.s_errors;
    VCMSIM_LOG_WARN(m_log, "ch" << c.idx << ": chain stopped with " << dma_error_name(err)
                                << " at descriptor 0x" << std::hex
                                << ((c.cur_hi->value << 32) | c.cur_lo->value) << std::dec
                                << " after " << c.bytes << " bytes, " << c.descs << " descriptors");
    raise_irq(c);
}

}  // namespace vcmsim::dma
