// Parameters of the hardware models ([[dram]], [[dma]], [[display]], [[traffic]]) and the
// binders that turn a validated table into each model's config struct.
#include "platforms/params.h"

#include <stdexcept>

#include "models/cpu/cpu.h"
#include "models/devices/display.h"
#include "models/devices/traffic_gen.h"
#include "models/dma/dma_engine.h"
#include "models/interconnect/router.h"
#include "models/memory/dram.h"

namespace vcmsim::platform {

using pt = param_type;

void register_model_params(param_registry& reg) {
    const double ghz100 = 100e9;
    auto common = [&](const std::string& t, const std::string& what) {
        reg.add(required(make_param(t + ".name", pt::string, "", "",
                                    "instance name (unique); the model is top.<name>")));
        reg.add(required(make_param(t + ".mmio", pt::uinteger, "", "",
                                    "physical base address of the " + what + "'s registers "
                                    "(a 4 KiB window)")));
    };

    reg.add(required(make_param("dram[].name", pt::string, "", "", "instance name (unique)")));
    reg.add(required(make_param("dram[].base", pt::uinteger, "", "", "physical base address")));
    reg.add(required(make_param("dram[].size", pt::size, "", "bytes", "capacity (sparse: host "
                                "memory only for touched 64 KiB pages)", 4096.0)));
    reg.add(make_param("dram[].clock", pt::frequency, "\"1600MHz\"", "Hz", "controller clock", 1e6, ghz100));
    reg.add(make_param("dram[].latency", pt::uinteger, "40", "cycles",
                       "access latency in controller cycles", 0.0, 1e6));
    reg.add(make_param("dram[].bandwidth", pt::bandwidth, "\"12.8GB/s\"", "bytes/s",
                       "channel bandwidth shared by all masters (0 = unlimited)", 0.0, 1e13));
    reg.add(make_param("dram[].dmi", pt::boolean, "true", "", "grant DMI to initiators that ask"));

    common("dma[]", "DMA engine");
    reg.add(make_param("dma[].channels", pt::uinteger, "4", "", "channels", 1.0, 16.0));
    reg.add(make_param("dma[].clock", pt::frequency, "\"1GHz\"", "Hz", "DMA clock", 1e6, ghz100));
    reg.add(make_param("dma[].burst", pt::size, "256", "bytes", "largest burst (power of two)", 8.0, 4096.0));
    reg.add(make_param("dma[].max_outstanding", pt::uinteger, "4", "",
                       "bursts in flight per channel", 1.0, 64.0));
    reg.add(make_param("dma[].issue_cycles", pt::uinteger, "1", "cycles",
                       "DMA cycles between two burst issues of a channel", 0.0, 1e6));
    reg.add(make_param("dma[].stream_id", pt::uinteger, "0", "", "StreamID on its transactions",
                       0.0, 4294967295.0));
    reg.add(make_param("dma[].irq", pt::boolean, "true", "",
                       "wire its interrupt to the CPU (otherwise the scenario polls)"));

    common("display[]", "display controller");
    reg.add(make_param("display[].clock", pt::frequency, "\"200MHz\"", "Hz", "pixel-engine clock", 1e6, ghz100));
    reg.add(make_param("display[].width", pt::uinteger, "1920", "pixels", "horizontal resolution", 1.0, 16384.0));
    reg.add(make_param("display[].height", pt::uinteger, "1080", "lines", "vertical resolution", 1.0, 16384.0));
    reg.add(make_param("display[].bytes_per_pixel", pt::uinteger, "4", "bytes", "pixel size", 1.0, 16.0));
    reg.add(make_param("display[].refresh", pt::frequency, "\"60Hz\"", "Hz", "frames per second", 1.0, 1000.0));
    reg.add(make_param("display[].burst", pt::size, "256", "bytes", "largest read burst", 8.0, 4096.0));
    reg.add(make_param("display[].max_outstanding", pt::uinteger, "8", "", "bursts in flight", 1.0, 256.0));
    reg.add(make_param("display[].fifo_lines", pt::uinteger, "2", "lines", "prefetch depth", 1.0, 64.0));
    reg.add(make_param("display[].fb_base", pt::uinteger, "0", "", "framebuffer base at reset"));
    reg.add(make_param("display[].stride", pt::size, "0", "bytes", "line stride (0 = width x bytes_per_pixel)"));
    reg.add(make_param("display[].stream_id", pt::uinteger, "0", "", "StreamID on its transactions",
                       0.0, 4294967295.0));
    reg.add(make_param("display[].frames", pt::uinteger, "0", "", "frames per enable (0 = until disabled)"));
    reg.add(make_param("display[].irq", pt::boolean, "true", "", "wire its interrupt to the CPU"));

    common("traffic[]", "traffic generator");
    reg.add(make_enum("traffic[].pattern", "\"sequential\"", {"sequential", "strided", "random"},
                      "address pattern"));
    reg.add(required(make_param("traffic[].base", pt::uinteger, "", "", "region start address")));
    reg.add(required(make_param("traffic[].size", pt::size, "", "bytes", "region size", 1.0)));
    reg.add(make_param("traffic[].txn_bytes", pt::size, "64", "bytes", "transaction size", 1.0, 4096.0));
    reg.add(make_param("traffic[].stride", pt::size, "4096", "bytes", "stride of the strided pattern"));
    reg.add(make_param("traffic[].count", pt::uinteger, "1000", "", "transactions per run"));
    reg.add(make_param("traffic[].read_percent", pt::uinteger, "100", "%", "share of reads", 0.0, 100.0));
    reg.add(make_param("traffic[].seed", pt::uinteger, "0", "",
                       "seed of the random pattern (0 = derived from sim.seed and the name)"));
    reg.add(make_param("traffic[].clock", pt::frequency, "\"1GHz\"", "Hz", "clock", 1e6, ghz100));
    reg.add(make_param("traffic[].issue_cycles", pt::uinteger, "1", "cycles",
                       "cycles between two issues", 0.0, 1e6));
    reg.add(make_param("traffic[].max_outstanding", pt::uinteger, "1", "", "transactions in flight",
                       1.0, 256.0));
    reg.add(make_param("traffic[].stream_id", pt::uinteger, "0", "", "StreamID on its transactions",
                       0.0, 4294967295.0));
    reg.add(make_param("traffic[].start_at", pt::time, "0", "ps", "start time when autostart"));
    reg.add(make_param("traffic[].autostart", pt::boolean, "false", "",
                       "start at start_at without a register write"));
    reg.add(make_param("traffic[].irq", pt::boolean, "true", "", "wire its interrupt to the CPU"));
}

memory::dram_config bind_dram(const config_view& v) {
    memory::dram_config c;
    c.size = v.get_size("size");
    c.clock_hz = v.get_freq_hz("clock");
    c.latency_cycles = v.get_uint("latency");
    c.bandwidth = v.get_bandwidth("bandwidth");
    c.dmi = v.get_bool("dmi");
    return c;
}

interconnect::router_config bind_router(const config_view& v) {
    interconnect::router_config c;
    c.clock_hz = v.get_freq_hz("clock");
    c.hop_latency_cycles = v.get_uint("hop_latency");
    return c;
}

cpu::cpu_config bind_cpu(const config_view& v, uint64_t master_seed) {
    cpu::cpu_config c;
    c.clock_hz = v.get_freq_hz("clock");
    c.access_cycles = v.get_uint("access_cycles");
    c.line_bytes = v.get_size("line_bytes");
    c.use_dmi = v.get_bool("use_dmi");
    c.privileged = v.get_bool("privileged");
    c.sysreg_cycles = v.get_uint("sysreg_cycles");
    c.tlbi_cycles = v.get_uint("tlbi_cycles");
    const config_view m = v.table("mmu");
    c.mmu.utlb_entries = static_cast<unsigned>(m.get_uint("utlb_entries"));
    c.mmu.tlb.entries = static_cast<unsigned>(m.get_uint("tlb_entries"));
    c.mmu.tlb.ways = static_cast<unsigned>(m.get_uint("tlb_ways"));
    const std::string pol = m.get_string("tlb_policy");
    c.mmu.tlb.policy = pol == "plru"   ? mmu::replacement::plru
                       : pol == "fifo" ? mmu::replacement::fifo
                       : pol == "random" ? mmu::replacement::random
                                         : mmu::replacement::lru;
    c.mmu.tlb.seed = master_seed ^ 0xC0FFEEULL;
    if (c.mmu.tlb.ways && c.mmu.tlb.entries % c.mmu.tlb.ways)
        m.fail("tlb_ways", "must divide tlb_entries (" + std::to_string(c.mmu.tlb.entries) + ")");
    if (c.mmu.tlb.policy == mmu::replacement::plru) {
        const unsigned w = c.mmu.tlb.ways ? c.mmu.tlb.ways : c.mmu.tlb.entries;
        if (w & (w - 1)) m.fail("tlb_policy", "plru needs a power-of-two number of ways");
    }
    c.mmu.tlb_cycles = m.get_uint("tlb_latency");
    c.mmu.walk_cache.entries = static_cast<unsigned>(m.get_uint("walk_cache_entries"));
    c.mmu.walk_cache.ways = static_cast<unsigned>(m.get_uint("walk_cache_ways"));
    if (c.mmu.walk_cache.entries && c.mmu.walk_cache.ways && c.mmu.walk_cache.entries % c.mmu.walk_cache.ways)
        m.fail("walk_cache_ways", "must divide walk_cache_entries");
    c.mmu.walk_cache.levels_mask = 0;
    for (uint64_t l : m.get_uint_list("walk_cache_levels")) {
        if (l > 2) m.fail("walk_cache_levels", "levels 0, 1 and 2 hold table descriptors");
        c.mmu.walk_cache.levels_mask |= 1u << l;
    }
    c.mmu.walk_step_cycles = m.get_uint("walk_step");
    return c;
}

namespace {
bool is_pow2(uint64_t x) { return x && !(x & (x - 1)); }
}

dma::dma_config bind_dma(const config_view& v) {
    dma::dma_config c;
    c.channels = static_cast<unsigned>(v.get_uint("channels"));
    c.clock_hz = v.get_freq_hz("clock");
    c.burst_bytes = v.get_size("burst");
    if (!is_pow2(c.burst_bytes)) v.fail("burst", "must be a power of two");
    c.max_outstanding = static_cast<unsigned>(v.get_uint("max_outstanding"));
    c.issue_cycles = v.get_uint("issue_cycles");
    c.stream_id = static_cast<uint32_t>(v.get_uint("stream_id"));
    try {
        dma::validate(c);
    } catch (const std::invalid_argument& e) {
        v.fail("", e.what());
    }
    return c;
}

devices::display_config bind_display(const config_view& v) {
    devices::display_config c;
    c.clock_hz = v.get_freq_hz("clock");
    c.width = static_cast<uint32_t>(v.get_uint("width"));
    c.height = static_cast<uint32_t>(v.get_uint("height"));
    c.bytes_per_pixel = static_cast<uint32_t>(v.get_uint("bytes_per_pixel"));
    c.refresh_hz = static_cast<double>(v.get_freq_hz("refresh"));
    c.burst_bytes = static_cast<uint32_t>(v.get_size("burst"));
    c.max_outstanding = static_cast<uint32_t>(v.get_uint("max_outstanding"));
    c.fifo_lines = static_cast<uint32_t>(v.get_uint("fifo_lines"));
    c.fb_base = v.get_uint("fb_base");
    c.stride = static_cast<uint32_t>(v.get_size("stride"));
    c.stream_id = static_cast<uint32_t>(v.get_uint("stream_id"));
    c.frames = v.get_uint("frames");
    const uint64_t line = static_cast<uint64_t>(c.width) * c.bytes_per_pixel;
    if (c.stride != 0 && c.stride < line)
        v.fail("stride", "is smaller than a line (" + std::to_string(line) + " bytes)");
    return c;
}

}  // namespace vcmsim::platform

namespace vcmsim::platform {

devices::traffic_gen_config bind_traffic(const config_view& v, uint64_t master_seed) {
    devices::traffic_gen_config c;
    const std::string p = v.get_string("pattern");
    c.pattern = p == "random"    ? devices::pattern_kind::random
                : p == "strided" ? devices::pattern_kind::strided
                                 : devices::pattern_kind::sequential;
    c.base = v.get_uint("base");
    c.size = v.get_size("size");
    c.txn_bytes = v.get_size("txn_bytes");
    c.stride = v.get_size("stride");
    c.count = v.get_uint("count");
    c.read_percent = static_cast<uint32_t>(v.get_uint("read_percent"));
    c.seed = v.get_uint("seed");
    if (c.seed == 0) {
        // Derived from the master seed and the instance name, so adding a component does not
        // change the streams of the others.
        const std::string name = v.get_string("name");
        c.seed = cpu::splitmix64(master_seed ^ cpu::fnv1a(cpu::fnv_init,
                                                         reinterpret_cast<const uint8_t*>(name.data()),
                                                         name.size()));
    }
    c.clock_hz = v.get_freq_hz("clock");
    c.issue_cycles = v.get_uint("issue_cycles");
    c.max_outstanding = static_cast<uint32_t>(v.get_uint("max_outstanding"));
    c.stream_id = static_cast<uint32_t>(v.get_uint("stream_id"));
    c.start_at_ps = v.get_time_ps("start_at");
    c.autostart = v.get_bool("autostart");
    if (c.txn_bytes > c.size) v.fail("txn_bytes", "is larger than the region (size)");
    return c;
}

}  // namespace vcmsim::platform
