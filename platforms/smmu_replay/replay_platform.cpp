// The replay platform: driver thread, edu-like masters, the PA tap, and run_case(). See
// replay_platform.h.
#include "platforms/smmu_replay/replay_platform.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <memory>
#include <stdexcept>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>

#include "models/core/log.h"
#include "models/core/tlm_ext.h"
#include "models/interconnect/router.h"
#include "models/memory/dram.h"
#include "models/smmu/smmu.h"

namespace vcmsim::platform::replay {

namespace sr = smmu::regs;

namespace {

std::string hex(uint64_t v) {
    char b[24];
    std::snprintf(b, sizeof b, "0x%llx", static_cast<unsigned long long>(v));
    return b;
}

// Between smmu.out and the router: notes the address at which one watched payload (a master's
// DMA piece, forwarded by the SMMU after translation) leaves the SMMU. Everything else passes.
struct pa_tap : sc_core::sc_module {
    tlm_utils::simple_target_socket<pa_tap> in;
    tlm_utils::simple_initiator_socket<pa_tap> out;
    const tlm::tlm_generic_payload* watched = nullptr;
    bool seen = false;
    uint64_t seen_pa = 0;

    explicit pa_tap(const sc_core::sc_module_name& n) : sc_module(n), in("in"), out("out") {
        in.register_b_transport(this, &pa_tap::b_transport);
        in.register_transport_dbg(this, &pa_tap::transport_dbg);
        in.register_get_direct_mem_ptr(this, &pa_tap::get_direct_mem_ptr);
        out.register_invalidate_direct_mem_ptr(this, &pa_tap::invalidate);
    }
    void watch(const tlm::tlm_generic_payload* p) {
        watched = p;
        seen = false;
        seen_pa = 0;
    }
    void b_transport(tlm::tlm_generic_payload& t, sc_core::sc_time& d) {
        if (&t == watched && !seen) {
            seen = true;
            seen_pa = t.get_address();
        }
        out->b_transport(t, d);
    }
    unsigned transport_dbg(tlm::tlm_generic_payload& t) { return out->transport_dbg(t); }
    bool get_direct_mem_ptr(tlm::tlm_generic_payload& t, tlm::tlm_dmi& d) { return out->get_direct_mem_ptr(t, d); }
    void invalidate(sc_dt::uint64 s, sc_dt::uint64 e) { in->invalidate_direct_mem_ptr(s, e); }
};

// One DMA master in the manner of QEMU's edu device: a 4 KiB buffer, DMAs cut at 4 KiB.
struct edu_master : sc_core::sc_module {
    tlm_utils::simple_initiator_socket<edu_master> sock;
    std::vector<uint8_t> buffer;
    core::txn_ext ext;
    uint8_t aborted_read_fill = 0;

    edu_master(const sc_core::sc_module_name& n, const device_info& d, const transaction_attrs& a)
        : sc_module(n), sock("sock"), buffer(std::max<uint32_t>(d.buffer_size, 1), d.buffer_initial_fill),
          aborted_read_fill(d.aborted_read_fill) {
        ext.stream_id = d.sid;
        ext.substream_id = a.ssid;
        ext.ssid_valid = a.ssv != 0;
        ext.privileged = a.privileged;
        ext.instruction = a.instruction;
        sock.register_invalidate_direct_mem_ptr(this, &edu_master::invalidate);
    }
    void invalidate(sc_dt::uint64, sc_dt::uint64) {}   // never uses DMI

    // Runs in the driver thread. Fills r.data / r.terminated / r.pa_first.
    void dma(const dma_op& op, uint64_t input_addr, pa_tap& tap, dma_result& r) {
        const bool rd = op.dir == dma_dir::read;
        ext.stream_id = op.sid;
        if (rd) r.terminated.assign(op.len, false);
        uint32_t done = 0;
        while (done < op.len) {
            const uint64_t va = input_addr + done;
            const uint32_t n = static_cast<uint32_t>(
                std::min<uint64_t>(op.len - done, 0x1000 - (va & 0xFFF)));
            uint8_t* data = buffer.data() + op.buf_off + done;
            tlm::tlm_generic_payload p;
            p.set_command(rd ? tlm::TLM_READ_COMMAND : tlm::TLM_WRITE_COMMAND);
            p.set_address(va);
            p.set_data_ptr(data);
            p.set_data_length(n);
            p.set_streaming_width(n);
            p.set_byte_enable_ptr(nullptr);
            p.set_dmi_allowed(false);
            p.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
            p.set_extension(&ext);
            tap.watch(&p);
            sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
            sock->b_transport(p, delay);
            p.clear_extension(&ext);
            const bool reached = tap.seen && p.is_response_ok();
            const uint64_t pa = tap.seen_pa;
            tap.watch(nullptr);
            wait(delay);
            if (done == 0 && reached) r.pa_first = pa;
            if (rd && !reached) {
                std::memset(data, aborted_read_fill, n);
                for (uint32_t i = 0; i < n; ++i) r.terminated[done + i] = true;
            }
            done += n;
        }
        if (rd) r.data = byte_vector(buffer.begin() + op.buf_off, buffer.begin() + op.buf_off + op.len);
    }
};

struct driver : sc_core::sc_module {
    tlm_utils::simple_initiator_socket<driver> sock;
    const oracle_case& c;
    const replay_run_options& opt;
    const replay_callbacks& cb;
    std::vector<edu_master*> masters;
    pa_tap* tap = nullptr;
    const smmu::smmu_config* scfg = nullptr;
    bool finished = false;
    bool aborted = false;

    SC_HAS_PROCESS(driver);
    driver(const sc_core::sc_module_name& n, const oracle_case& cs, const replay_run_options& o,
           const replay_callbacks& callbacks)
        : sc_module(n), sock("sock"), c(cs), opt(o), cb(callbacks) {
        SC_THREAD(run);
    }

    void note(const std::string& s) {
        if (cb.note) cb.note(s);
    }

    tlm::tlm_response_status access(tlm::tlm_command cmd, uint64_t a, uint8_t* d, unsigned len) {
        tlm::tlm_generic_payload p;
        p.set_command(cmd);
        p.set_address(a);
        p.set_data_ptr(d);
        p.set_data_length(len);
        p.set_streaming_width(len);
        p.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
        sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
        sock->b_transport(p, delay);
        wait(delay);
        return p.get_response_status();
    }
    uint64_t rd_reg(uint64_t off, unsigned bytes = 4) {
        uint8_t d[8] = {};
        access(tlm::TLM_READ_COMMAND, c.platform.smmu_base + off, d, bytes);
        return smmu::load_le64(d);
    }
    bool wr_reg(uint64_t off, uint64_t v, unsigned bytes) {
        uint8_t d[8];
        smmu::store_le64(d, v);
        return access(tlm::TLM_WRITE_COMMAND, c.platform.smmu_base + off, d, bytes) == tlm::TLM_OK_RESPONSE;
    }
    void write_mem(uint64_t addr, const uint8_t* data, uint64_t len) {
        constexpr uint64_t chunk = 64 * 1024;
        for (uint64_t done = 0; done < len;) {
            const unsigned n = static_cast<unsigned>(std::min(chunk, len - done));
            if (access(tlm::TLM_WRITE_COMMAND, addr + done, const_cast<uint8_t*>(data + done), n) != tlm::TLM_OK_RESPONSE) {
                note("memory write at " + hex(addr + done) + " (" + std::to_string(n) + " bytes) failed: outside RAM?");
                return;
            }
            done += n;
        }
    }
    byte_vector read_mem_dbg(uint64_t pa, uint64_t len) {
        byte_vector b(len, 0);
        tlm::tlm_generic_payload p;
        p.set_command(tlm::TLM_READ_COMMAND);
        p.set_address(pa);
        p.set_data_ptr(b.data());
        p.set_data_length(static_cast<unsigned>(len));
        p.set_streaming_width(static_cast<unsigned>(len));
        const unsigned n = sock->transport_dbg(p);
        b.resize(n);
        return b;
    }

    // Event queue geometry from our registers.
    unsigned evtq_qs() { return std::min<unsigned>(rd_reg(sr::EVENTQ_BASE, 8) & 0x1F, scfg->evtq_log2); }
    uint32_t evtq_prod() { return static_cast<uint32_t>(rd_reg(sr::EVENTQ_PROD)); }

    void reg_write(const reg_write_op& w, std::size_t index) {
        const unsigned bytes = w.width == 64 ? 8 : 4;
        uint64_t val = w.val;
        if (w.off == sr::EVENTQ_CONS && c.revision >= 2) {
            // "Every record read": consume what our model wrote (see replay_platform.h).
            const uint32_t ours = evtq_prod() & (0xFFFFF | sr::EVTQ_OVFLG);
            if (opt.verbose && ours != (w.val & 0xFFFFFFFFu))
                note("#" + std::to_string(index) + " EVENTQ_CONS " + hex(w.val) + " -> " + hex(ours) +
                     " (our EVENTQ_PROD)");
            val = ours;
        }
        if (!wr_reg(w.off, val, bytes))
            note("#" + std::to_string(index) + " register write at offset " + hex(w.off) + " was refused");
        if (w.off == sr::CMDQ_PROD) {
            // Like the harness: wait until CMDQ_CONS has caught up (or the queue stopped).
            for (unsigned i = 0; i < 1000000; ++i) {
                const unsigned qs = std::min<unsigned>(rd_reg(sr::CMDQ_BASE, 8) & 0x1F, scfg->cmdq_log2);
                const uint32_t mask = (2u << qs) - 1;
                const uint32_t cons = static_cast<uint32_t>(rd_reg(sr::CMDQ_CONS));
                const uint32_t prod = static_cast<uint32_t>(rd_reg(sr::CMDQ_PROD));
                if (!(rd_reg(sr::CR0) & sr::CR0_CMDQEN) || (cons & mask) == (prod & mask)) return;
                if (cons >> sr::CONS_ERR_SHIFT) {
                    note("#" + std::to_string(index) + " command queue stopped with CMDQ_CONS.ERR = " +
                         std::to_string(cons >> sr::CONS_ERR_SHIFT) + " at index " + std::to_string(cons & mask));
                    return;
                }
                wait(sc_core::sc_time(10, sc_core::SC_NS));
            }
            note("#" + std::to_string(index) + " command queue did not drain");
        } else if (w.off == sr::CR0) {
            for (unsigned i = 0; i < 1000; ++i) {
                if ((rd_reg(sr::CR0ACK) & sr::CR0_MASK) == (val & sr::CR0_MASK)) return;
                wait(sc_core::sc_time(10, sc_core::SC_NS));
            }
            note("#" + std::to_string(index) + " CR0ACK did not follow CR0");
        }
    }

    void do_dma(const dma_op& op, std::size_t index) {
        dma_result r;
        r.index = index;
        r.dev = op.dev;
        const device_info& d = c.devices.at(op.dev);
        const uint32_t p0 = evtq_prod();
        edu_master& m = *masters.at(op.dev);
        if (op.len == 0 || uint64_t(op.buf_off) + op.len > m.buffer.size()) {
            note("#" + std::to_string(index) + " DMA outside the device buffer: not run");
        } else {
            m.dma(op, op.iova & d.dma_addr_mask, *tap, r);
        }
        const uint32_t p1 = evtq_prod();
        const unsigned qs = evtq_qs();
        const uint32_t mask = (2u << qs) - 1;
        const uint64_t base = rd_reg(sr::EVENTQ_BASE, 8) & sr::Q_ADDR_MASK;
        const uint32_t n = ((p1 & mask) - (p0 & mask)) & mask;
        for (uint32_t k = 0; k < n; ++k) {
            const uint32_t idx = ((p0 & mask) + k) & ((1u << qs) - 1);
            const byte_vector b = read_mem_dbg(base + uint64_t(idx) * 32, 32);
            event_record e;
            std::memcpy(e.raw.data(), b.data(), std::min<std::size_t>(b.size(), 32));
            r.events.push_back(e);
        }
        if ((p0 ^ p1) & sr::EVTQ_OVFLG) note("#" + std::to_string(index) + " event queue overflowed");
        if (c.implicit_evtq_drain() && n) wr_reg(sr::EVENTQ_CONS, p1 & (0xFFFFF | sr::EVTQ_OVFLG), 4);
        for (const range_request& q : required_ranges(op)) r.mem.push_back({q.pa, read_mem_dbg(q.pa, q.len)});
        if (cb.result) cb.result(r);
    }

    void run() {
        for (const trace_entry& e : c.trace) {
            if (const auto* w = std::get_if<mem_write_op>(&e.op)) {
                write_mem(w->addr, w->data.data(), w->data.size());
            } else if (const auto* f = std::get_if<mem_fill_op>(&e.op)) {
                const byte_vector b(std::min<uint64_t>(f->len, 64 * 1024), f->value);
                for (uint64_t done = 0; done < f->len;) {
                    const uint64_t n = std::min<uint64_t>(b.size(), f->len - done);
                    write_mem(f->addr + done, b.data(), n);
                    done += n;
                }
            } else if (const auto* r = std::get_if<reg_write_op>(&e.op)) {
                reg_write(*r, e.index);
            } else if (const auto* d = std::get_if<dma_op>(&e.op)) {
                do_dma(*d, e.index);
            }
        }
        finished = true;
        sc_core::sc_stop();
    }
};

std::string idr_diff(const char* reg, uint32_t file, uint32_t ours) {
    return std::string(reg) + ": file " + hex(file) + ", ours " + hex(ours) + " (bits " + hex(file ^ ours) + " differ)";
}

}  // namespace

smmu::smmu_config smmu_config_for(const oracle_case& c, std::vector<std::string>& unmapped) {
    smmu::smmu_config s;
    const smmu_idregs& id = c.idregs;
    const uint32_t idr1 = id.idr1;
    s.sid_bits = std::clamp<unsigned>(idr1 & 0x3F, 1, 32);
    s.ssid_bits = std::min<unsigned>((idr1 >> 6) & 0x1F, 20);
    s.evtq_log2 = std::clamp<unsigned>((idr1 >> 16) & 0x1F, 1, 19);
    s.cmdq_log2 = std::clamp<unsigned>((idr1 >> 21) & 0x1F, 1, 19);
    static const unsigned oas[] = {32, 36, 40, 42, 44, 48, 48, 48};
    s.oas_bits = oas[id.idr5 & 7];
    s.gran4k = (id.idr5 >> 4) & 1;
    s.gran16k = (id.idr5 >> 5) & 1;
    s.gran64k = (id.idr5 >> 6) & 1;
    if (!s.gran4k && !s.gran16k && !s.gran64k) s.gran4k = true;
    s.two_level_st = ((id.idr0 >> 27) & 3) == 1;
    for (const device_info& d : c.devices) {
        smmu::smmu_port_config p;
        p.name = d.name.empty() ? "edu" + std::to_string(d.index) : d.name;
        p.default_sid = d.sid;
        s.ports.push_back(p);
    }
    // What our model reports for the same config (its ID registers are built from smmu_config
    // plus fixed fields): list every difference.
    const uint32_t o_idr0 = (1u << 1) | (2u << 2) | (1u << 4) | (1u << 12) | (1u << 13) | (2u << 21) |
                            (1u << 24) | ((s.two_level_st ? 1u : 0u) << 27);
    const uint32_t o_idr1 = s.sid_bits | (s.ssid_bits << 6) | (s.evtq_log2 << 16) | (s.cmdq_log2 << 21);
    const uint32_t o_idr5 = std::min<uint32_t>(id.idr5 & 7, 5) | (s.gran4k << 4) | (s.gran16k << 5) |
                            (s.gran64k << 6);
    if (id.idr0 != o_idr0) unmapped.push_back(idr_diff("IDR0", id.idr0, o_idr0));
    if (id.idr1 != o_idr1) unmapped.push_back(idr_diff("IDR1", id.idr1, o_idr1));
    if (id.idr3 != 0) unmapped.push_back(idr_diff("IDR3", id.idr3, 0));
    if (id.idr5 != o_idr5) unmapped.push_back(idr_diff("IDR5", id.idr5, o_idr5));
    if (id.aidr != 0) unmapped.push_back(idr_diff("AIDR", id.aidr, 0));
    return s;
}

bool run_case(const oracle_case& c, const replay_run_options& opt, const replay_callbacks& cb) {
    auto note = [&](const std::string& s) {
        if (cb.note) cb.note(s);
    };
    std::vector<std::string> unmapped;
    const smmu::smmu_config scfg = smmu_config_for(c, unmapped);
    if (opt.verbose)
        for (const auto& u : unmapped) note("ID register not reproduced: " + u);

    core::log_config::reset();
    core::log_config::set_default(opt.verbose ? core::log_level::info : core::log_level::warn);
    core::install_report_handler(opt.verbose ? core::log_level::info : core::log_level::warn);

    memory::dram_config dcfg;
    dcfg.size = c.platform.ram.size;
    memory::dram ram("ram", dcfg);
    interconnect::router bus("bus", interconnect::router_config{});
    smmu::smmu smmu0("smmu0", scfg);
    pa_tap tap("tap");
    driver drv("driver", c, opt, cb);
    sc_core::sc_signal<bool> irq_evtq("irq_evtq"), irq_gerror("irq_gerror"), irq_sync("irq_cmdq_sync");
    std::vector<std::unique_ptr<edu_master>> masters;
    try {
        bus.add_route("ram", core::addr_range{c.platform.ram.base, c.platform.ram.size}, 0);
        bus.add_route("smmu", core::addr_range{c.platform.smmu_base, std::max<uint64_t>(c.platform.smmu_size, sr::window)}, 1);
    } catch (const std::invalid_argument& e) {
        note(std::string("platform cannot be built: ") + e.what());
        return false;
    }
    bus.out.bind(ram.in);
    bus.out.bind(smmu0.mmio);
    drv.sock.bind(bus.in);
    smmu0.out.bind(tap.in);
    tap.out.bind(bus.in);
    smmu0.irq_evtq.bind(irq_evtq);
    smmu0.irq_gerror.bind(irq_gerror);
    smmu0.irq_cmdq_sync.bind(irq_sync);
    for (const device_info& d : c.devices) {
        masters.push_back(std::make_unique<edu_master>(("edu" + std::to_string(d.index)).c_str(), d, c.transactions));
        masters.back()->sock.bind(smmu0.in);
        drv.masters.push_back(masters.back().get());
    }
    drv.tap = &tap;
    drv.scfg = &scfg;
    sc_core::sc_start();
    if (!drv.finished) note("the replay stopped before the end of the trace");
    return drv.finished;
}

}  // namespace vcmsim::platform::replay
