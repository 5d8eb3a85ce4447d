#include "platforms/platform.h"

#include <stdexcept>

#include "models/core/addr_range.h"
#include "models/cpu/cpu.h"
#include "models/devices/display.h"
#include "models/devices/traffic_gen.h"
#include "models/dma/dma_engine.h"
#include "models/interconnect/router.h"
#include "models/memory/dram.h"
#include "models/smmu/smmu.h"
#include "platforms/params.h"

namespace vcmsim::platform {

namespace {
constexpr uint64_t mmio_window = 0x1000;
device_ref make_ref(const std::string& name, const std::string& kind, const std::string& path, uint64_t base,
                    uint64_t size) {
    device_ref r;
    r.name = name;
    r.kind = kind;
    r.path = path;
    r.mmio_base = base;
    r.size = size;
    return r;
}
// Interrupt lines: a model may drive its line from several of its processes (register
// accesses run in the caller's process).
using irq_signal = sc_core::sc_signal<bool, sc_core::SC_MANY_WRITERS>;

struct route_claim {
    std::string name;
    core::addr_range range;
    std::string where;
};
}  // namespace

struct platform::parts {
    std::unique_ptr<interconnect::router> bus;
    std::unique_ptr<cpu::cpu> cpu;
    std::vector<std::unique_ptr<memory::dram>> drams;
    std::vector<std::unique_ptr<dma::dma_engine>> dmas;
    std::vector<std::unique_ptr<devices::display>> displays;
    std::vector<std::unique_ptr<devices::traffic_gen>> traffic;
    std::vector<std::unique_ptr<smmu::smmu>> smmus;
    std::vector<std::unique_ptr<irq_signal>> irqs;
    std::vector<route_claim> claims;
    unsigned next_port = 0;
};

void init_time_resolution() {
    static bool done = false;
    if (!done) sc_core::sc_set_time_resolution(1, sc_core::SC_PS);
    done = true;
}

platform::platform(const sc_core::sc_module_name& name, const config& cfg)
    : sc_module(name), m(std::make_unique<parts>()), m_debug("debug") {
    const config_view root = cfg.root();
    m_seed = root.table("sim").get_uint("seed");

    m->bus = std::make_unique<interconnect::router>("bus", bind_router(root.table("interconnect")));
    m->cpu = std::make_unique<cpu::cpu>("cpu", bind_cpu(root.table("cpu"), m_seed));
    m->cpu->out.bind(m->bus->in);
    m_debug.bind(m->bus->in);

    std::vector<std::string> names;
    auto claim_name = [&](const config_view& v) {
        const std::string n = v.get_string("name");
        if (n.empty()) v.fail("name", "must not be empty");
        for (char ch : n)
            if (!(std::isalnum(static_cast<unsigned char>(ch)) || ch == '_'))
                v.fail("name", "'" + n + "': use letters, digits and '_' only");
        for (const auto& other : names)
            if (other == n) v.fail("name", "duplicate name '" + n + "'");
        if (n == "cpu" || n == "bus" || n == "debug") v.fail("name", "'" + n + "' is reserved");
        names.push_back(n);
        return n;
    };
    // Routes a target socket at [base, base+size) after checking overlaps with earlier claims.
    auto route = [&](const config_view& v, const std::string& key, const std::string& n,
                     uint64_t base, uint64_t size, auto& target_socket) {
        const core::addr_range r{base, size};
        if (base + (size - 1) < base) v.fail(key, "range wraps past the top of the address space");
        for (const auto& c : m->claims)
            if (c.range.overlaps(r))
                v.fail(key, "range of '" + n + "' overlaps '" + c.name + "' (declared at " + c.where + ")");
        m->claims.push_back({n, r, v.where(key)});
        m->bus->out.bind(target_socket);
        m->bus->add_route(n, r, m->next_port++);
    };
    auto wire_irq = [&](const config_view& v, const std::string& n, sc_core::sc_out<bool>& port,
                        device_ref& ref) {
        auto sig = std::make_unique<irq_signal>((n + "_irq").c_str());
        port.bind(*sig);
        if (v.get_bool("irq")) {
            ref.irq_line = static_cast<int>(m->cpu->irq.size());
            m->cpu->irq.bind(*sig);
        }
        m->irqs.push_back(std::move(sig));
    };

    for (size_t i = 0; i < root.count("dram"); ++i) {
        const config_view v = root.at("dram", i);
        const std::string n = claim_name(v);
        auto d = std::make_unique<memory::dram>(n.c_str(), bind_dram(v));
        const uint64_t base = v.get_uint("base"), size = v.get_size("size");
        route(v, "base", n, base, size, d->in);
        m_devices.push_back(make_ref(n, "dram", d->name(), base, size));
        m->drams.push_back(std::move(d));
    }
    // SMMUs first: each gets one TBU port per master that names it (in config order).
    const char* master_kinds[] = {"dma", "display", "traffic"};
    for (size_t i = 0; i < root.count("smmu"); ++i) {
        const config_view v = root.at("smmu", i);
        const std::string n = claim_name(v);
        smmu::smmu_config c = bind_smmu(v, m_seed);
        for (const char* kind : master_kinds)
            for (size_t k = 0; k < root.count(kind); ++k) {
                const config_view mv = root.at(kind, k);
                if (mv.get_string("smmu") != n) continue;
                smmu::smmu_port_config port;
                port.name = mv.get_string("name");
                port.default_sid = static_cast<uint32_t>(mv.get_uint("stream_id"));
                c.ports.push_back(port);
            }
        auto d = std::make_unique<smmu::smmu>(n.c_str(), c);
        const uint64_t base = v.get_uint("mmio");
        route(v, "mmio", n, base, smmu::regs::window, d->mmio);
        d->out.bind(m->bus->in);
        device_ref ref = make_ref(n, "smmu", d->name(), base, smmu::regs::window);
        wire_irq(v, n, d->irq_evtq, ref);
        for (auto* port : {&d->irq_gerror, &d->irq_cmdq_sync}) {
            auto sig = std::make_unique<irq_signal>((n + "_" + port->basename()).c_str());
            port->bind(*sig);
            m->irqs.push_back(std::move(sig));
        }
        ref.pool_base = v.get_uint("driver_pool");
        ref.pool_size = v.get_size("driver_pool_size");
        m_devices.push_back(ref);
        m->smmus.push_back(std::move(d));
    }
    // Where a master's `out` goes: the bus, or the next free port of its SMMU.
    using target_socket_b = tlm::tlm_base_target_socket_b<32, tlm::tlm_fw_transport_if<>, tlm::tlm_bw_transport_if<>>;
    auto upstream = [&](const config_view& v) -> target_socket_b& {
        const std::string s = v.get_string("smmu");
        if (s.empty()) return m->bus->in;
        for (auto& sm : m->smmus)
            if (sm->basename() == s) return sm->in;
        v.fail("smmu", "no [[smmu]] named '" + s + "'");
    };

    // Bus masters with a register window: every [[<kind>]] entry becomes one model whose
    // registers are routed at `mmio`, whose `out` goes to the bus and whose irq goes to the CPU.
    auto add_masters = [&](const char* kind, auto& models, auto make) {
        for (size_t i = 0; i < root.count(kind); ++i) {
            const config_view v = root.at(kind, i);
            const std::string n = claim_name(v);
            auto d = make(n, v);
            const uint64_t base = v.get_uint("mmio");
            route(v, "mmio", n, base, mmio_window, d->mmio);
            d->out.bind(upstream(v));
            device_ref ref = make_ref(n, kind, d->name(), base, mmio_window);
            ref.smmu = v.get_string("smmu");
            ref.stream_id = static_cast<uint32_t>(v.get_uint("stream_id"));
            wire_irq(v, n, d->irq, ref);
            m_devices.push_back(ref);
            models.push_back(std::move(d));
        }
    };
    add_masters("dma", m->dmas, [](const std::string& n, const config_view& v) {
        return std::make_unique<dma::dma_engine>(n.c_str(), bind_dma(v));
    });
    add_masters("display", m->displays, [](const std::string& n, const config_view& v) {
        return std::make_unique<devices::display>(n.c_str(), bind_display(v));
    });
    add_masters("traffic", m->traffic, [this](const std::string& n, const config_view& v) {
        return std::make_unique<devices::traffic_gen>(n.c_str(), bind_traffic(v, m_seed));
    });
    if (m->drams.empty()) root.fail("", "the platform needs at least one [[dram]]");

    m_scenario.parse(root, *this);
    m->cpu->set_program([this](cpu::cpu& c) { m_scenario.run(c, &c, *this); },
                        [] { sc_core::sc_stop(); });
}

platform::~platform() = default;

cpu::cpu& platform::cpu() { return *m->cpu; }
bool platform::cpu_finished() const { return m->cpu->finished(); }
interconnect::router& platform::bus() { return *m->bus; }

const device_ref* platform::find_device(const std::string& name) const {
    for (const auto& d : m_devices)
        if (d.name == name) return &d;
    return nullptr;
}

bool platform::is_memory(uint64_t addr, uint64_t len) const {
    for (const auto& d : m_devices)
        if (d.kind == "dram" && core::addr_range{d.mmio_base, d.size}.contains(addr, len)) return true;
    return false;
}

namespace {
bool debug_access(tlm_utils::simple_initiator_socket<platform>& s, tlm::tlm_command cmd,
                  uint64_t addr, uint8_t* data, uint64_t len) {
    uint64_t done = 0;
    while (done < len) {
        const unsigned n = static_cast<unsigned>(std::min<uint64_t>(len - done, 1u << 20));
        tlm::tlm_generic_payload t;
        t.set_command(cmd);
        t.set_address(addr + done);
        t.set_data_ptr(data + done);
        t.set_data_length(n);
        t.set_streaming_width(n);
        if (s->transport_dbg(t) != n) return false;
        done += n;
    }
    return true;
}
}  // namespace

bool platform::debug_read(uint64_t addr, uint8_t* data, uint64_t len) {
    return debug_access(m_debug, tlm::TLM_READ_COMMAND, addr, data, len);
}

bool platform::debug_write(uint64_t addr, const uint8_t* data, uint64_t len) {
    return debug_access(m_debug, tlm::TLM_WRITE_COMMAND, addr, const_cast<uint8_t*>(data), len);
}

void platform::set_untimed(bool on) {
    cpu().set_untimed(on);
    for (auto& s : m->smmus) s->set_untimed(on);
}

}  // namespace vcmsim::platform
