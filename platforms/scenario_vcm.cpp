// The [vcm] part of the scenario: buffers shared by devices through the VCM API (parsed with
// the scenario, set up on the CPU thread before the first step). See docs/scenario.md.
#include "models/core/format.h"
#include "platforms/scenario.h"
#include <algorithm>
#include <cmath>
#include <sstream>
#include "models/core/stats.h"
#include "models/mmu/vmsa.h"
#include "vcm/drivers/display_driver.h"
#include "vcm/drivers/dma_driver.h"
#include "vcm/drivers/traffic_driver.h"

namespace vcmsim::platform {

using core::hex;

// ---- [vcm]: buffers shared by devices through the VCM API ----

namespace {

// [[vcm.pool]] tables, or the granule's default pools over [pool_base, +pool_size).
void parse_pools(const config_view& vc, const scenario_env& env, vcm::phys_allocator_config& phys) {
    const uint64_t gran = 1ULL << mmu::granule_shift(phys.tg);
    for (size_t i = 0; i < vc.count("pool"); ++i) {
        const config_view p = vc.at("pool", i);
        vcm::phys_pool_config pc;
        pc.chunk_size = p.get_size("chunk");
        pc.base = p.get_uint("base");
        pc.size = p.get_size("size");
        pc.name = p.get_string("name");
        if (pc.name.empty()) pc.name = "pool" + std::to_string(i);
        for (const auto& o : phys.pools)
            if (o.name == pc.name) p.fail("name", "two pools named '" + pc.name + "'");
        if (pc.chunk_size < gran || (pc.chunk_size & (pc.chunk_size - 1)))
            p.fail("chunk", "must be a power of two of at least the granule (" + core::size_name(gran) + ")");
        if (pc.base % pc.chunk_size) p.fail("base", "must be aligned to the chunk size");
        if (pc.size == 0 || pc.size % pc.chunk_size) p.fail("size", "must be a non-zero multiple of the chunk size");
        if (!env.is_memory(pc.base, pc.size)) p.fail("base", "the pool must lie inside a [[dram]]");
        phys.pools.push_back(pc);
    }
    if (!phys.pools.empty()) return;   // [[vcm.pool]] replaces the default pools
    const uint64_t base = vc.get_uint("pool_base"), size = vc.get_size("pool_size");
    if (size == 0) vc.fail("pool_size", "give [[vcm.pool]] tables or pool_base and pool_size");
    if (!env.is_memory(base, size)) vc.fail("pool_base", "the pool region must lie inside a [[dram]]");
    if (base % gran || size % gran) vc.fail("pool_base", "pool_base and pool_size must be multiples of the granule");
    phys.pools = vcm::default_phys_config(phys.tg, base, size).pools;
    for (auto& pc : phys.pools) pc.name = core::size_name(pc.chunk_size);   // "2MiB", ...
}

// A buffer's `pools` list as a memtype of the allocator (0 = every pool, in priority order).
unsigned memtype_of(const config_view& b, const std::vector<std::string>& pools, vcm::phys_allocator_config& phys) {
    if (pools.empty()) return 0;
    std::vector<unsigned> list;
    for (const auto& pn : pools) {
        unsigned k = 0;
        while (k < phys.pools.size() && phys.pools[k].name != pn) ++k;
        if (k == phys.pools.size()) {
            std::string known;
            for (const auto& pc : phys.pools) known += (known.empty() ? "" : ", ") + pc.name;
            b.fail("pools", "no pool named '" + pn + "' (pools: " + known + ")");
        }
        if (std::find(list.begin(), list.end(), k) != list.end()) b.fail("pools", "'" + pn + "' listed twice");
        list.push_back(k);
    }
    if (phys.memtypes.empty()) {   // memtype 0 stays "every pool, in priority order"
        std::vector<unsigned> all;
        for (unsigned k = 0; k < phys.pools.size(); ++k) all.push_back(k);
        phys.memtypes.push_back(all);
    }
    phys.memtypes.push_back(list);
    return static_cast<unsigned>(phys.memtypes.size() - 1);
}

vcm::cache_policy cache_policy_of(const std::string& name) {
    return name == "write_back_nwa"  ? vcm::cache_policy::write_back_nwa
           : name == "write_through" ? vcm::cache_policy::write_through
           : name == "non_cacheable" ? vcm::cache_policy::non_cacheable
                                     : vcm::cache_policy::write_back;
}

}  // namespace

void scenario::parse_vcm(const config_view& root, const scenario_env& env) {
    const config_view vc = root.table("vcm");
    if (vc.count("buffer") == 0) return;
    vcm_setup& cfg = m_vcm_cfg;
    cfg.enabled = true;
    cfg.smmu = vc.get_string("smmu");
    const std::string g = vc.get_string("granule");
    if (g != "4KiB" && g != "16KiB" && g != "64KiB") vc.fail("granule", "unknown granule '" + g + "'");
    cfg.phys.tg = g == "16KiB" ? mmu::granule::g16k : g == "64KiB" ? mmu::granule::g64k : mmu::granule::g4k;
    cfg.va_bits = static_cast<unsigned>(vc.get_uint("va_bits"));
    if (!mmu::tsz_valid(cfg.phys.tg, 64 - cfg.va_bits, false)) vc.fail("va_bits", "not a valid input size for " + g);
    cfg.blocks = vc.get_bool("blocks");
    cfg.debug_setup = vc.get_string("setup") == "debug";
    cfg.iova_base = vc.get_uint("iova_base");
    cfg.iova_size = vc.get_size("iova_size");
    cfg.cpu_va_base = vc.get_uint("cpu_va_base");
    cfg.cpu_va_size = vc.get_size("cpu_va_size");
    cfg.phys.contig_base = vc.get_uint("contig_base");
    cfg.phys.contig_size = vc.get_size("contig_size");
    if (cfg.phys.contig_size && !env.is_memory(cfg.phys.contig_base, cfg.phys.contig_size))
        vc.fail("contig_base", "the contiguous region must lie inside a [[dram]]");
    parse_pools(vc, env, cfg.phys);
    if (!cfg.smmu.empty()) {
        const device_ref* sm = env.find_device(cfg.smmu);
        if (!sm || sm->kind != "smmu") vc.fail("smmu", "no [[smmu]] named '" + cfg.smmu + "'");
        if (!env.is_memory(sm->pool_base, sm->pool_size))
            vc.fail("smmu", "the SMMU's driver_pool must lie inside a [[dram]] (the VCM backend uses it)");
    }
    for (size_t i = 0; i < vc.count("buffer"); ++i) {
        const config_view b = vc.at("buffer", i);
        vcm_buffer_setup bs;
        bs.name = b.get_string("name");
        for (const auto& o : cfg.buffers)
            if (o.name == bs.name) b.fail("name", "two buffers named '" + bs.name + "'");
        bs.size = b.get_size("size");
        if (bs.size == 0) b.fail("size", "must not be 0");
        bs.contiguous = b.get_bool("contiguous");
        bs.devices = b.get_string_list("devices");
        if (bs.devices.empty()) b.fail("devices", "a buffer needs at least one device");
        for (auto k = bs.devices.begin(); k != bs.devices.end(); ++k)
            if (std::find(bs.devices.begin(), k, *k) != k) b.fail("devices", "'" + *k + "' is listed twice");
        bs.read_only = b.get_string_list("read_only");
        for (const auto& r : bs.read_only)
            if (std::find(bs.devices.begin(), bs.devices.end(), r) == bs.devices.end() && r != "cpu")
                b.fail("read_only", "'" + r + "' is not one of the buffer's devices (or cpu)");
        bs.cache = cache_policy_of(b.get_string("cache"));
        const std::vector<std::string> pools = b.get_string_list("pools");
        if (!pools.empty() && bs.contiguous)
            b.fail("pools", "a contiguous buffer comes from the contiguous region, not from pools");
        bs.memtype = memtype_of(b, pools, cfg.phys);
        for (const auto& dn : bs.devices) {
            bool known = false;
            for (const auto& d : cfg.devices) known = known || d.name == dn;
            const device_ref* d = env.find_device(dn);
            if (!d || (d->kind != "dma" && d->kind != "display" && d->kind != "traffic"))
                b.fail("devices", "'" + dn + "' is not a bus master (dma, display, traffic)");
            vcm_device_setup ds;
            ds.name = dn;
            ds.translated = !d->smmu.empty();
            ds.sid = d->stream_id;
            if (ds.translated && d->smmu != cfg.smmu)
                b.fail("devices", "'" + dn + "' is behind '" + d->smmu + "', not the [vcm] smmu '" + cfg.smmu + "'");
            if (!ds.translated && !bs.contiguous)
                b.fail("contiguous", "'" + dn + "' addresses memory physically (one-to-one VCM): the buffer must be contiguous");
            if (!ds.translated && !cfg.phys.contig_size)
                vc.fail("contig_size", "'" + dn + "' needs a contiguous region (its one-to-one VCM)");
            if (!known) cfg.devices.push_back(ds);
        }
        cfg.buffers.push_back(bs);
    }
}

std::string scenario::setup_vcm(core::master_port& cpu, scenario_env& env) {
    const uint64_t t0 = cpu.now_ps();
    if (m_vcm_cfg.debug_setup) env.set_untimed(true);
    std::string err = build_vcm(cpu, env);
    if (m_vcm_cfg.debug_setup) env.set_untimed(false);
    m_vcm_setup_ps = cpu.now_ps() - t0;
    return err;
}

std::string scenario::build_vcm(core::master_port& cpu, scenario_env& env) {
    vcm_setup& cfg = m_vcm_cfg;
    bool translated = false;
    for (const auto& d : cfg.devices) translated = translated || d.translated;
    if (translated) {
        auto& drv = m_smmu_drivers[cfg.smmu];
        if (!drv) {
            const device_ref* d = env.find_device(cfg.smmu);
            vcm::smmu_driver_setup setup;
            setup.mmio_base = d->mmio_base;
            setup.pool_base = d->pool_base;
            setup.pool_size = d->pool_size;
            drv = std::make_unique<vcm::smmu_driver>(cpu, setup);
        }
        const core::op_status st = drv->enable();
        if (!st.ok) return "enabling " + cfg.smmu + ": " + st.error;
        vcm::smmu_backend_config bc;
        bc.tg = cfg.phys.tg;
        bc.tsz = 64 - cfg.va_bits;
        bc.blocks = cfg.blocks;
        for (size_t i = 0; i < cfg.devices.size(); ++i)
            if (cfg.devices[i].translated) bc.streams[static_cast<vcm::device_id>(i + 1)] = cfg.devices[i].sid;
        m_vcm_backend = std::make_unique<vcm::smmu_backend>(*drv, bc);
    }
    vcm::vcm_manager_config mc;
    mc.phys = cfg.phys;
    auto mr = vcm::vcm_manager::create(mc);
    if (!mr) return "creating the VCM manager: " + mr.status().to_string();
    m_vcm = mr.take();
    vcm::vcm_manager& m = *m_vcm;
    std::map<std::string, vcm::vcm_handle> vcms;   // one VCM per device
    if (cfg.cpu_va_size) {   // the CPU's own VCM: its MMU is enabled on activation
        if (!m_mmu) return "this processor has no MMU (vcm.cpu_va_size needs one)";
        if (!m_cpu_tables) m_cpu_tables = std::make_unique<vcm::cpu_mmu_driver>(cpu, *m_mmu, m_cpu_mmu_setup);
        m_vcm_cpu_backend = std::make_unique<vcm::cpu_backend>(*m_cpu_tables);
        auto v = m.create_cpu_vcm(*m_vcm_cpu_backend, cfg.cpu_va_base, cfg.cpu_va_size);
        if (!v) return "CPU VCM: " + v.status().to_string();
        auto dev = m.register_device("cpu", m_vcm_cpu_backend.get(), 0x10000);
        if (!dev) return "register cpu: " + dev.status().to_string();
        auto as = m.associate(*v, *dev);
        if (!as) return "associate cpu: " + as.status().to_string();
        const vcm::vcm_status st = m.activate(*as);
        if (!st) return "activate cpu: " + st.to_string();
        vcms["cpu"] = *v;
    }
    for (size_t i = 0; i < cfg.devices.size(); ++i) {
        const vcm_device_setup& d = cfg.devices[i];
        auto v = d.translated ? m.create_vcm(*m_vcm_backend, cfg.iova_base, cfg.iova_size)
                              : m.create_one_to_one_vcm(cfg.phys.contig_base, cfg.phys.contig_size);
        if (!v) return "VCM of " + d.name + ": " + v.status().to_string();
        auto dev = m.register_device(d.name, d.translated ? m_vcm_backend.get() : nullptr,
                                     static_cast<vcm::device_id>(i + 1));
        if (!dev) return "register " + d.name + ": " + dev.status().to_string();
        auto as = m.associate(*v, *dev);
        if (!as) return "associate " + d.name + ": " + as.status().to_string();
        const vcm::vcm_status st = m.activate(*as);
        if (!st) return "activate " + d.name + ": " + st.to_string();
        vcms[d.name] = *v;
    }
    for (const auto& b : cfg.buffers) {
        vcm::phys_options po;
        po.contiguous = b.contiguous;
        po.memtype = b.memtype;
        po.cache = b.cache;
        auto ph = m.phys_alloc(b.size, po);
        if (!ph) return "buffer '" + b.name + "': " + ph.status().to_string();
        m_buf_phys[b.name] = *ph;
        std::vector<std::string> devs = b.devices;
        if (cfg.cpu_va_size) devs.push_back("cpu");
        for (const auto& dn : devs) {
            vcm::res_attrs ra;
            ra.write = std::find(b.read_only.begin(), b.read_only.end(), dn) == b.read_only.end();
            auto res = m.reserve(vcms[dn], b.size, ra);
            if (!res) return "buffer '" + b.name + "' for " + dn + ": " + res.status().to_string();
            vcm::vcm_status st = m.back(*res, *ph);
            if (!st) return "buffer '" + b.name + "' for " + dn + ": " + st.to_string();
            auto addr = m.dev_addr(*res);
            auto segs = m.segments(*res);
            if (!addr || !segs) return "buffer '" + b.name + "' for " + dn + ": no address";
            m_buf_addr[b.name][dn] = *addr;
            m_buf_res[b.name][dn] = *res;
            ++m_vcm_setup_ops;
            if (!m_buf_segments.count(b.name)) {
                std::vector<vcm::segment> v = *segs;
                for (auto& sg : v) sg.dev_addr -= *addr;
                m_buf_segments[b.name] = std::move(v);
            }
        }
    }
    return "";
}

// vcm_unmap / vcm_remap: unback a buffer's reservation in one device's VCM (or every
// device's), or back it again with the buffer's own physical memory. The device keeps using
// the old address, so a step after vcm_unmap shows what a stale mapping does (a fault).
core::op_status scenario::run_vcm_step(const step& s, std::ostringstream& msg) {
    if (!m_vcm) return core::op_status::failure(0, "the VCM layer is not set up");
    auto b = m_buf_res.find(s.buffer);
    if (b == m_buf_res.end()) return core::op_status::failure(0, "buffer '" + s.buffer + "' has no reservations");
    const bool unmap = s.op == "vcm_unmap";
    unsigned n = 0;
    for (const auto& [dev, res] : b->second) {
        if (!s.device.empty() && dev != s.device) continue;
        const bool backed = m_vcm->backing(res).value().valid();
        if (backed != unmap) continue;   // already in the wanted state
        const vcm::vcm_status st = unmap ? m_vcm->unback(res) : m_vcm->back(res, m_buf_phys[s.buffer]);
        if (!st) return core::op_status::failure(0, std::string(unmap ? "unback" : "back") + " '" + s.buffer +
                                                         "' for " + dev + ": " + st.to_string());
        msg << (n++ ? ", " : "") << dev << " " << hex(m_buf_addr[s.buffer][dev]);
    }
    if (n == 0)
        return core::op_status::failure(0, "buffer '" + s.buffer + "' is already " + (unmap ? "unmapped" : "mapped") +
                                               (s.device.empty() ? "" : " for " + s.device));
    msg << (unmap ? " unmapped" : " mapped again");
    return {};
}

std::string scenario::vcm_setup_summary() const {
    std::ostringstream os;
    os << m_vcm_cfg.buffers.size() << " buffer(s) shared, " << m_vcm_setup_ops << " mapping(s); ";
    if (m_vcm_cfg.debug_setup) os << "DEBUG setup (zero-time, not timed: vcm.setup = \"debug\")";
    else os << "timed setup: " << core::fmt_time(m_vcm_setup_ps) << " of simulated driver work";
    return os.str();
}

bool scenario::event_in_buffer(const std::string& buffer, uint32_t sid, uint64_t addr) const {
    for (const auto& d : m_vcm_cfg.devices) {
        if (!d.translated || d.sid != sid) continue;
        const uint64_t base = buffer_addr(buffer, d.name);
        for (const auto& b : m_vcm_cfg.buffers)
            if (b.name == buffer && base && addr >= base && addr < base + b.size) return true;
    }
    return false;
}

uint64_t scenario::buffer_addr(const std::string& buffer, const std::string& device) const {
    auto b = m_buf_addr.find(buffer);
    if (b == m_buf_addr.end()) return 0;
    auto d = b->second.find(device);
    return d == b->second.end() ? 0 : d->second;
}

uint64_t scenario::buffer_pa(const std::string& buffer, uint64_t offset, uint64_t& contiguous_len) const {
    contiguous_len = 0;
    auto b = m_buf_segments.find(buffer);
    if (b == m_buf_segments.end()) return 0;
    for (const auto& sg : b->second)
        if (offset >= sg.dev_addr && offset < sg.dev_addr + sg.size) {
            contiguous_len = sg.dev_addr + sg.size - offset;
            return sg.pa + (offset - sg.dev_addr);
        }
    return 0;
}

}  // namespace vcmsim::platform
