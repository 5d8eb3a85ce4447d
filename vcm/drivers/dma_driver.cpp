#include "vcm/drivers/dma_driver.h"

#include <algorithm>

#include "models/dma/dma_descriptor.h"

namespace vcmsim::vcm {

using core::op_status;
namespace reg = dma::dma_reg;

std::string dma_error_name(unsigned code) {
    std::string s = dma::dma_error_name(static_cast<dma::dma_error>(code));
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    return s;
}

std::string dma_channel_status::outcome() const {
    switch (static_cast<dma::dma_state>(state)) {
    case dma::dma_state::idle: return "idle";
    case dma::dma_state::busy: return "busy";
    case dma::dma_state::done: return "done";
    default: return dma_error_name(error);
    }
}

std::vector<dma_segment> split_copy(uint64_t src, uint64_t dst, uint64_t len, unsigned segments) {
    std::vector<dma_segment> out;
    if (segments == 0) segments = 1;
    const uint64_t part = len / segments;
    uint64_t off = 0;
    for (unsigned i = 0; i < segments; ++i) {
        const uint64_t n = (i + 1 == segments) ? len - off : part;
        out.push_back({src + off, dst + off, n});
        off += n;
    }
    return out;
}

dma_driver::dma_driver(core::master_port& cpu, uint64_t mmio_base, int irq_line)
    : m_cpu(cpu), m_base(mmio_base), m_irq(irq_line) {}

op_status dma_driver::write_chain(uint64_t cpu_addr, uint64_t dev_addr,
                                  const std::vector<dma_segment>& segs, bool irq_on_last) {
    for (size_t i = 0; i < segs.size(); ++i) {
        if (segs[i].len > 0xffffffffULL)
            return op_status::failure(cpu_addr, "segment longer than a descriptor can hold (4 GiB - 1)");
        dma::dma_descriptor d;
        d.src = segs[i].src;
        d.dst = segs[i].dst;
        d.len = static_cast<uint32_t>(segs[i].len);
        d.flags = (irq_on_last && i + 1 == segs.size()) ? dma::dma_descriptor::flag_irq : 0;
        d.next = (i + 1 == segs.size()) ? 0 : dev_addr + (i + 1) * dma::dma_descriptor::size_bytes;
        uint8_t raw[dma::dma_descriptor::size_bytes];
        d.encode(raw);
        op_status st = m_cpu.write(cpu_addr + i * dma::dma_descriptor::size_bytes, raw, sizeof raw);
        if (!st.ok) return st;
    }
    return {};
}

op_status dma_driver::start(unsigned channel, uint64_t desc_addr) {
    uint64_t enabled = 0;
    op_status st = m_cpu.mmio_read(m_base + reg::irq_enable, enabled);
    if (st.ok && m_irq >= 0) st = m_cpu.mmio_write(m_base + reg::irq_enable, enabled | (1u << channel));
    if (st.ok) st = m_cpu.mmio_write(m_base + reg::ch(channel, reg::desc_lo), desc_addr & 0xffffffffULL);
    if (st.ok) st = m_cpu.mmio_write(m_base + reg::ch(channel, reg::desc_hi), desc_addr >> 32);
    if (st.ok) st = m_cpu.mmio_write(m_base + reg::ch(channel, reg::ctrl), reg::ctrl_start);
    return st;
}

op_status dma_driver::read_status(unsigned channel, dma_channel_status& s) {
    uint64_t v = 0, lo = 0, hi = 0, n = 0;
    op_status st = m_cpu.mmio_read(m_base + reg::ch(channel, reg::status), v);
    if (st.ok) st = m_cpu.mmio_read(m_base + reg::ch(channel, reg::bytes_done_lo), lo);
    if (st.ok) st = m_cpu.mmio_read(m_base + reg::ch(channel, reg::bytes_done_hi), hi);
    if (st.ok) st = m_cpu.mmio_read(m_base + reg::ch(channel, reg::desc_done), n);
    s.state = v & 0xf;
    s.error = (v >> 8) & 0xff;
    s.bytes_done = lo | hi << 32;
    s.desc_done = n;
    return st;
}

op_status dma_driver::wait(unsigned channel, core::ps_t timeout_ps, dma_channel_status& s) {
    const core::ps_t start = m_cpu.now_ps();
    const core::ps_t poll_ps = 1000000;  // 1 us between status reads when polling
    for (;;) {
        op_status st = read_status(channel, s);
        if (!st.ok) return st;
        if (static_cast<dma::dma_state>(s.state) != dma::dma_state::busy) {
            return m_cpu.mmio_write(m_base + reg::irq_status, 1u << channel);  // acknowledge
        }
        const core::ps_t waited = m_cpu.now_ps() - start;
        if (timeout_ps && waited >= timeout_ps)
            return op_status::failure(m_base, "DMA channel " + std::to_string(channel) +
                                                  " still busy after the timeout");
        const core::ps_t left = timeout_ps ? timeout_ps - waited : 0;
        uint64_t pending = 0;
        if (m_irq >= 0 && m_cpu.mmio_read(m_base + reg::irq_status, pending).ok && pending == 0)
            m_cpu.wait_irq(static_cast<unsigned>(m_irq), left);
        else
            m_cpu.delay(timeout_ps ? std::min(poll_ps, left) : poll_ps);
    }
}

}  // namespace vcmsim::vcm
