#include "models/core/format.h"
#include "models/cpu/cpu.h"

#include <algorithm>
#include <cstring>

namespace vcmsim::cpu {

using core::hex;

using core::ps_t;
using core::ps_to_time;

cpu::cpu(const sc_core::sc_module_name& name, const cpu_config& cfg)
    : sc_module(name),
      out("out"),
      irq("irq"),
      m_cfg(cfg),
      m_clk(cfg.clock_hz),
      m_log(this->name()),
      m_buf(std::max<uint64_t>(cfg.line_bytes, 8)),
      m_expect(m_buf.size()),
      m_mmu(cfg.mmu, m_walk_port, m_clk.period_ps()),
      m_stats(this->name()),
      m_loads(m_stats.add_counter("loads", "load transactions (memory)")),
      m_stores(m_stats.add_counter("stores", "store transactions (memory)")),
      m_bytes_read(m_stats.add_counter("bytes_read", "bytes loaded from memory", "bytes")),
      m_bytes_written(m_stats.add_counter("bytes_written", "bytes stored to memory", "bytes")),
      m_mmio_reads(m_stats.add_counter("mmio_reads", "device register reads")),
      m_mmio_writes(m_stats.add_counter("mmio_writes", "device register writes")),
      m_dmi_accesses(m_stats.add_counter("dmi_accesses", "accesses served through DMI")),
      m_bus_errors(m_stats.add_counter("bus_errors", "accesses answered with an error response")),
      m_irq_waits(m_stats.add_counter("irq_waits", "waits for an interrupt")),
      m_polls(m_stats.add_counter("polls", "register polls while waiting")),
      m_untimed_accesses(m_stats.add_counter("untimed_accesses",
                                             "accesses made in debug (zero-time) mode: setup-only work")),
      m_walk_latency(m_stats.add_histogram("mmu.walk_latency", "page-table walk latency", "ns", 10, 100)) {
    if (m_cfg.line_bytes == 0) m_cfg.line_bytes = 64;
    m_walk_port.owner = this;
    m_mmu.set_trace(core::trace_sink::global(), std::string(this->name()) + ".mmu", [this] { return now_ps(); });
    const cpu_mmu* mm = &m_mmu;
    auto val = [&](const char* n, const char* d, std::function<double()> f) { m_stats.add_value(n, d, "count", std::move(f)); };
    val("mmu.utlb_hits", "micro-TLB hits", [mm] { return mm->utlb() ? double(mm->utlb()->hits()) : 0.0; });
    val("mmu.utlb_misses", "micro-TLB misses", [mm] { return mm->utlb() ? double(mm->utlb()->misses()) : 0.0; });
    val("mmu.tlb_lookups", "main-TLB lookups", [mm] { return double(mm->tlb().lookups()); });
    val("mmu.tlb_hits", "main-TLB hits", [mm] { return double(mm->tlb().hits()); });
    val("mmu.tlb_misses", "main-TLB misses", [mm] { return double(mm->tlb().misses()); });
    val("mmu.tlb_fills", "main-TLB fills", [mm] { return double(mm->tlb().fills()); });
    val("mmu.tlb_evictions", "main-TLB evictions", [mm] { return double(mm->tlb().evictions()); });
    val("mmu.walks", "page-table walks", [mm] { return double(mm->walks()); });
    val("mmu.walk_reads", "descriptor reads made by walks", [mm] { return double(mm->walk_reads()); });
    val("mmu.walk_cache_hits", "walk-cache hits (all levels)", [mm] { return double(mm->walk_cache().hits()); });
    val("mmu.walk_cache_reads_saved", "descriptor reads the walk cache avoided",
        [mm] { return double(mm->walk_cache().reads_saved()); });
    val("mmu.faults", "translation faults (all kinds)", [mm] { return double(mm->faults()); });
    val("mmu.tlbi", "TLB maintenance operations", [mm] { return double(mm->tlbis()); });
    out.register_invalidate_direct_mem_ptr(this, &cpu::invalidate_dmi);
    SC_THREAD(run);
}

void cpu::set_program(std::function<void(cpu&)> program, std::function<void()> on_finish) {
    m_program = std::move(program);
    m_on_finish = std::move(on_finish);
}

void cpu::run() {
    m_qk.reset();
    if (m_program) m_program(*this);
    sync();
    m_finished = true;
    m_finish_ps = core::now_ps();
    if (m_on_finish) m_on_finish();
}

ps_t cpu::now_ps() const { return core::now_ps(m_qk.get_local_time()); }

void cpu::sync() {
    if (m_untimed) return;
    if (m_qk.get_local_time() != sc_core::SC_ZERO_TIME) m_qk.sync();
}

void cpu::delay(ps_t ps) {
    if (m_untimed) {   // let other processes run, without advancing time
        wait(sc_core::SC_ZERO_TIME);
        return;
    }
    m_qk.inc(ps_to_time(ps));
    sync();
}

void cpu::invalidate_dmi(sc_dt::uint64 start, sc_dt::uint64 end) {
    m_dmi.erase(std::remove_if(m_dmi.begin(), m_dmi.end(),
                               [&](const tlm::tlm_dmi& d) {
                                   return d.get_start_address() <= end && start <= d.get_end_address();
                               }),
                m_dmi.end());
}

bool cpu::dmi_access(tlm::tlm_command cmd, uint64_t addr, uint8_t* data, unsigned len) {
    for (const auto& d : m_dmi) {
        if (addr < d.get_start_address() || addr + len - 1 > d.get_end_address()) continue;
        const bool is_read = cmd == tlm::TLM_READ_COMMAND;
        if (is_read ? !d.is_read_allowed() : !d.is_write_allowed()) continue;
        uint8_t* p = d.get_dmi_ptr() + (addr - d.get_start_address());
        if (is_read) std::memcpy(data, p, len);
        else std::memcpy(p, data, len);
        m_qk.inc(m_clk.cycles_time(m_cfg.access_cycles) +
                 (is_read ? d.get_read_latency() : d.get_write_latency()));
        ++m_dmi_accesses;
        return true;
    }
    return false;
}

tlm::tlm_generic_payload& cpu::payload(tlm::tlm_command cmd, uint64_t addr, uint8_t* data, unsigned len) {
    tlm::tlm_generic_payload& t = m_txn;
    t.set_command(cmd);
    t.set_address(addr);
    t.set_data_ptr(data);
    t.set_data_length(len);
    t.set_streaming_width(len);
    t.set_byte_enable_ptr(nullptr);
    t.set_byte_enable_length(0);
    t.set_dmi_allowed(false);
    t.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    return t;
}

bool cpu::untimed_access(tlm::tlm_command cmd, uint64_t addr, uint8_t* data, unsigned len, bool mmio) {
    ++m_untimed_accesses;
    tlm::tlm_generic_payload& t = payload(cmd, addr, data, len);
    if (!mmio) {   // memory: a debug transaction, no time and no bandwidth booked
        if (out->transport_dbg(t) == len) return true;
        ++m_bus_errors;
        return false;
    }
    sc_core::sc_time ignored = sc_core::SC_ZERO_TIME;   // registers: the side effects, not the time
    out->b_transport(t, ignored);
    if (t.is_response_error()) {
        ++m_bus_errors;
        return false;
    }
    return true;
}

bool cpu::bus_access(tlm::tlm_command cmd, uint64_t addr, uint8_t* data, unsigned len,
                     bool allow_dmi) {
    if (m_untimed) return untimed_access(cmd, addr, data, len, !allow_dmi);
    if (allow_dmi && m_cfg.use_dmi && dmi_access(cmd, addr, data, len)) {
        if (m_qk.need_sync()) m_qk.sync();
        return true;
    }
    tlm::tlm_generic_payload& t = payload(cmd, addr, data, len);
    sc_core::sc_time d = m_qk.get_local_time() + m_clk.cycles_time(m_cfg.access_cycles);
    out->b_transport(t, d);
    m_qk.set(d);
    if (m_qk.need_sync()) m_qk.sync();
    if (t.is_response_error()) {
        ++m_bus_errors;
        return false;
    }
    if (allow_dmi && m_cfg.use_dmi && t.is_dmi_allowed()) {
        tlm::tlm_dmi dmi;
        t.set_address(addr);
        if (out->get_direct_mem_ptr(t, dmi) && dmi.get_dmi_ptr()) m_dmi.push_back(dmi);
    }
    return true;
}

bool cpu::walk_port::read64(uint64_t pa, uint64_t& value, uint64_t& latency_ps) {
    uint8_t d[8] = {};
    tlm::tlm_generic_payload& t = owner->payload(tlm::TLM_READ_COMMAND, pa, d, 8);
    bool ok = true;
    latency_ps = 0;
    if (owner->m_untimed) {   // debug mode: a debug read, no time
        ok = owner->out->transport_dbg(t) == 8;
    } else {
        const sc_core::sc_time before = offset;
        owner->out->b_transport(t, offset);
        latency_ps = core::time_to_ps(offset - before);
        ok = !t.is_response_error();
    }
    value = 0;
    for (int i = 7; i >= 0; --i) value = value << 8 | d[i];
    return ok;
}

template <typename F>
op_status cpu::for_each_line(uint64_t addr, uint64_t len, mmu::access_type type, bool translate, F&& f) {
    const uint64_t line = m_cfg.line_bytes;
    const bool xlate = translate && m_mmu.enabled();
    uint64_t done = 0;
    while (done < len) {
        const uint64_t a = addr + done;
        const uint64_t n = std::min(len - done, line - (a % line));
        uint64_t pa = a;
        if (xlate) {
            m_walk_port.offset = m_qk.get_local_time();
            const uint64_t walks_before = m_mmu.walks();
            const translation t = m_mmu.translate(a, type, m_cfg.privileged);
            if (t.latency_ps && !m_untimed) m_qk.inc(ps_to_time(t.latency_ps));
            if (m_mmu.walks() != walks_before) m_walk_latency.sample(m_mmu.last_walk_ps() / 1000);
            if (!t.ok) {
                if (m_qk.need_sync()) m_qk.sync();
                return op_status::failure(a, std::string(mmu::fault_kind_name(t.flt.kind)) +
                                                 " fault at level " + std::to_string(t.flt.level) +
                                                 ", VA " + hex(a));
            }
            pa = t.pa;
        }
        if (!f(pa, done, static_cast<unsigned>(n)))
            return op_status::failure(a, "bus error at " + hex(pa) + (xlate ? " (VA " + hex(a) + ")" : ""));
        done += n;
    }
    return {};
}

op_status cpu::load(uint64_t addr, uint8_t* data, uint64_t len, bool translate) {
    return for_each_line(addr, len, mmu::access_type::read, translate, [&](uint64_t a, uint64_t off, unsigned n) {
        ++m_loads;
        m_bytes_read += n;
        return bus_access(tlm::TLM_READ_COMMAND, a, data + off, n, true);
    });
}

op_status cpu::store(uint64_t addr, const uint8_t* data, uint64_t len, bool translate) {
    return for_each_line(addr, len, mmu::access_type::write, translate, [&](uint64_t a, uint64_t off, unsigned n) {
        ++m_stores;
        m_bytes_written += n;
        std::memcpy(m_buf.data(), data + off, n);
        return bus_access(tlm::TLM_WRITE_COMMAND, a, m_buf.data(), n, true);
    });
}

op_status cpu::read(uint64_t addr, uint8_t* data, uint64_t len) { return load(addr, data, len, true); }
op_status cpu::write(uint64_t addr, const uint8_t* data, uint64_t len) { return store(addr, data, len, true); }
op_status cpu::read_phys(uint64_t addr, uint8_t* data, uint64_t len) { return load(addr, data, len, false); }
op_status cpu::write_phys(uint64_t addr, const uint8_t* data, uint64_t len) {
    return store(addr, data, len, false);
}

op_status cpu::fill(uint64_t addr, uint64_t len, pattern_kind p, uint64_t seed) {
    return for_each_line(addr, len, mmu::access_type::write, true, [&](uint64_t a, uint64_t off, unsigned n) {
        ++m_stores;
        m_bytes_written += n;
        generate_pattern(p, seed, off, m_buf.data(), n);
        return bus_access(tlm::TLM_WRITE_COMMAND, a, m_buf.data(), n, true);
    });
}

op_status cpu::verify(uint64_t addr, uint64_t len, pattern_kind p, uint64_t seed,
                      uint64_t& mismatches, uint64_t& first_bad) {
    mismatches = 0;
    first_bad = 0;
    return for_each_line(addr, len, mmu::access_type::read, true, [&](uint64_t a, uint64_t off, unsigned n) {
        ++m_loads;
        m_bytes_read += n;
        if (!bus_access(tlm::TLM_READ_COMMAND, a, m_buf.data(), n, true)) return false;
        generate_pattern(p, seed, off, m_expect.data(), n);
        for (unsigned i = 0; i < n; ++i)
            if (m_buf[i] != m_expect[i]) {
                if (mismatches == 0) first_bad = addr + off + i;
                ++mismatches;
            }
        return true;
    });
}

op_status cpu::checksum(uint64_t addr, uint64_t len, uint64_t& sum) {
    sum = fnv_init;
    return for_each_line(addr, len, mmu::access_type::read, true, [&](uint64_t a, uint64_t, unsigned n) {
        ++m_loads;
        m_bytes_read += n;
        if (!bus_access(tlm::TLM_READ_COMMAND, a, m_buf.data(), n, true)) return false;
        sum = fnv1a(sum, m_buf.data(), n);
        return true;
    });
}

op_status cpu::copy(uint64_t dst, uint64_t src, uint64_t len) {
    std::vector<uint8_t> line(m_buf.size());
    for (uint64_t off = 0; off < len;) {
        const uint64_t n = std::min<uint64_t>(m_cfg.line_bytes - ((src + off) % m_cfg.line_bytes), len - off);
        op_status st = read(src + off, line.data(), n);
        if (st.ok) st = write(dst + off, line.data(), n);
        if (!st.ok) return st;
        off += n;
    }
    return {};
}

void cpu::write_sysreg(sysreg r, uint64_t value) {
    if (!m_untimed) m_qk.inc(m_clk.cycles_time(m_cfg.sysreg_cycles));
    m_mmu.write(r, value);
}

void cpu::tlbi_all() {
    if (!m_untimed) m_qk.inc(m_clk.cycles_time(m_cfg.tlbi_cycles));
    m_mmu.tlbi_all();
}
void cpu::tlbi_asid(uint16_t asid) {
    if (!m_untimed) m_qk.inc(m_clk.cycles_time(m_cfg.tlbi_cycles));
    m_mmu.tlbi_asid(asid);
}
void cpu::tlbi_va(uint64_t va, uint16_t asid) {
    if (!m_untimed) m_qk.inc(m_clk.cycles_time(m_cfg.tlbi_cycles));
    m_mmu.tlbi_va(va, asid);
}
void cpu::tlbi_vaa(uint64_t va) {
    if (!m_untimed) m_qk.inc(m_clk.cycles_time(m_cfg.tlbi_cycles));
    m_mmu.tlbi_vaa(va);
}

op_status cpu::mmio_write(uint64_t addr, uint64_t value, unsigned size) {
    sync();
    uint8_t d[8];
    std::memcpy(d, &value, 8);
    ++m_mmio_writes;
    if (size == 0 || size > 8 || !bus_access(tlm::TLM_WRITE_COMMAND, addr, d, size, false))
        return op_status::failure(addr, "MMIO write failed");
    return {};
}

op_status cpu::mmio_read(uint64_t addr, uint64_t& value, unsigned size) {
    sync();
    uint8_t d[8] = {};
    ++m_mmio_reads;
    if (size == 0 || size > 8 || !bus_access(tlm::TLM_READ_COMMAND, addr, d, size, false))
        return op_status::failure(addr, "MMIO read failed");
    value = 0;
    std::memcpy(&value, d, size);
    return {};
}

bool cpu::wait_irq(unsigned line, ps_t timeout_ps) {
    if (line >= static_cast<unsigned>(irq.size())) return false;
    ++m_irq_waits;
    sync();
    if (irq[line]->read()) return true;
    if (timeout_ps == 0) {
        while (!irq[line]->read()) wait(irq[line]->posedge_event());
        return true;
    }
    const sc_core::sc_time deadline = sc_core::sc_time_stamp() + ps_to_time(timeout_ps);
    while (!irq[line]->read()) {
        const sc_core::sc_time now = sc_core::sc_time_stamp();
        if (now >= deadline) return false;
        wait(deadline - now, irq[line]->posedge_event());
    }
    return true;
}

bool cpu::poll(uint64_t addr, uint64_t mask, uint64_t expect, ps_t timeout_ps, ps_t interval_ps,
               unsigned size) {
    const ps_t start = now_ps();
    if (interval_ps == 0) interval_ps = m_clk.cycles(100);
    for (unsigned spins = 0;; ++spins) {
        uint64_t v = 0;
        if (!mmio_read(addr, v, size).ok) return false;
        if ((v & mask) == expect) return true;
        if (timeout_ps && now_ps() - start >= timeout_ps) return false;
        if (m_untimed && spins >= 100000) return false;   // time cannot run out in zero time
        ++m_polls;
        delay(interval_ps);
    }
}

}  // namespace vcmsim::cpu
