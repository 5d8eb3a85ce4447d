// Parameters of the hardware models ([[dram]], [[dma]], [[display]], [[traffic]]) and the
// binders that turn a validated table into each model's config struct.
#include "platforms/params.h"
#include "platforms/traffic_trace.h"

#include <stdexcept>

#include "models/cpu/cpu.h"
#include "models/devices/display.h"
#include "models/devices/traffic_gen.h"
#include "models/dma/dma_engine.h"
#include "models/interconnect/router.h"
#include "models/memory/dram.h"
#include "models/smmu/smmu.h"

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
    reg.add(make_param("dram[].host_memory_limit", pt::size, "\"16GiB\"", "bytes",
                       "host memory the sparse backing store may use (0 = unlimited); past it, writes "
                       "to untouched pages get an error response instead of exhausting the host"));

    // [[smmu]]: the SMMUv3 model and the memory its driver (the scenario's smmu_* steps) uses.
    reg.add(required(make_param("smmu[].name", pt::string, "", "", "instance name (unique)")));
    reg.add(required(make_param("smmu[].mmio", pt::uinteger, "", "",
                                "physical base of its registers (a 128 KiB window: pages 0 and 1)")));
    reg.add(make_param("smmu[].clock", pt::frequency, "\"1GHz\"", "Hz", "SMMU clock", 1e6, ghz100));
    reg.add(make_param("smmu[].sid_bits", pt::uinteger, "16", "bits", "IDR1.SIDSIZE", 0.0, 32.0));
    reg.add(make_param("smmu[].ssid_bits", pt::uinteger, "8", "bits", "IDR1.SSIDSIZE (0 = no substreams)", 0.0, 20.0));
    reg.add(make_param("smmu[].cmdq_log2", pt::uinteger, "8", "", "IDR1.CMDQS: log2 of command-queue entries", 1.0, 19.0));
    reg.add(make_param("smmu[].evtq_log2", pt::uinteger, "8", "", "IDR1.EVENTQS: log2 of event-queue entries", 1.0, 19.0));
    reg.add(make_param("smmu[].oas_bits", pt::uinteger, "48", "bits", "IDR5.OAS: output address size", 32.0, 48.0));
    reg.add(make_param("smmu[].granules", pt::string_list, "[\"4KiB\", \"16KiB\", \"64KiB\"]", "",
                       "translation granules supported (IDR5.GRAN4K/16K/64K)"));
    reg.add(make_param("smmu[].two_level_st", pt::boolean, "true", "", "IDR0.ST_LEVEL: 2-level stream tables"));
    reg.add(make_param("smmu[].utlb_entries", pt::uinteger, "32", "", "micro-TLB entries per TBU", 1.0, 4096.0));
    reg.add(make_param("smmu[].utlb_latency", pt::uinteger, "1", "cycles", "micro-TLB lookup", 0.0, 1e6));
    reg.add(make_param("smmu[].tlb_entries", pt::uinteger, "2048", "", "TCU main TLB entries", 1.0, 1048576.0));
    reg.add(make_param("smmu[].tlb_ways", pt::uinteger, "4", "", "main TLB ways (0 = fully associative)", 0.0, 1048576.0));
    reg.add(make_enum("smmu[].tlb_policy", "\"lru\"", {"lru", "plru", "fifo", "random"}, "main TLB replacement"));
    reg.add(make_param("smmu[].tlb_latency", pt::uinteger, "3", "cycles", "main TLB lookup", 0.0, 1e6));
    reg.add(make_param("smmu[].tbu_tcu_latency", pt::uinteger, "8", "cycles", "TBU to TCU (each way)", 0.0, 1e6));
    reg.add(make_param("smmu[].walk_cache_entries", pt::uinteger, "256", "", "walk-cache entries (0 = none)", 0.0, 1048576.0));
    reg.add(make_param("smmu[].walk_cache_ways", pt::uinteger, "4", "", "walk-cache ways", 0.0, 1048576.0));
    reg.add(make_param("smmu[].walk_cache_levels", pt::uint_list, "[0, 1, 2]", "", "levels cached"));
    reg.add(make_param("smmu[].walk_cache_latency", pt::uinteger, "4", "cycles", "walk-cache lookup", 0.0, 1e6));
    reg.add(make_param("smmu[].config_cache_entries", pt::uinteger, "64", "", "STE/CD config cache entries", 1.0, 65536.0));
    reg.add(make_param("smmu[].config_latency", pt::uinteger, "2", "cycles", "config cache lookup", 0.0, 1e6));
    reg.add(make_param("smmu[].walk_slots", pt::uinteger, "16", "", "concurrent table walks", 1.0, 4096.0));
    reg.add(make_param("smmu[].cmd_latency", pt::uinteger, "4", "cycles", "per command consumed", 0.0, 1e6));
    reg.add(make_param("smmu[].tlbi_latency", pt::uinteger, "20", "cycles", "extra per invalidation command", 0.0, 1e6));
    reg.add(make_param("smmu[].irq", pt::boolean, "true", "", "wire its event-queue interrupt to the CPU"));
    reg.add(make_param("smmu[].driver_pool", pt::uinteger, "0", "",
                       "physical memory the scenario's SMMU driver uses for its stream table, queues, "
                       "CDs and page tables (inside a DRAM; required by smmu_* steps)"));
    reg.add(make_param("smmu[].driver_pool_size", pt::size, "\"2MiB\"", "bytes", "size of that memory", 4096.0));

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
    reg.add(make_param("dma[].smmu", pt::string, "\"\"", "",
                       "SMMU whose TBU port it sits behind (empty = physically addressed)"));
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
    reg.add(make_param("display[].smmu", pt::string, "\"\"", "",
                       "SMMU whose TBU port it sits behind (empty = physically addressed)"));
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
    reg.add(make_param("traffic[].smmu", pt::string, "\"\"", "",
                       "SMMU whose TBU port it sits behind (empty = physically addressed)"));
    reg.add(make_param("traffic[].trace", pt::string, "\"\"", "",
                       "traffic trace to replay instead of the pattern (traces/README.md); "
                       "relative paths are relative to the config file"));
    reg.add(make_param("traffic[].irq", pt::boolean, "true", "", "wire its interrupt to the CPU"));
}

memory::dram_config bind_dram(const config_view& v) {
    memory::dram_config c;
    c.size = v.get_size("size");
    c.clock_hz = v.get_freq_hz("clock");
    c.latency_cycles = v.get_uint("latency");
    c.bandwidth = v.get_bandwidth("bandwidth");
    c.dmi = v.get_bool("dmi");
    c.host_memory_limit = v.get_size("host_memory_limit");
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
    const std::string trace = v.get_string("trace");
    if (!trace.empty()) {
        std::string path = trace;
        if (path[0] != '/') {  // relative to the file that set the key
            const std::string where = v.where("trace");
            const std::string file = where.substr(0, where.find(':'));
            const auto slash = file.rfind('/');
            if (slash != std::string::npos && where.rfind("-C", 0) != 0) path = file.substr(0, slash + 1) + path;
        }
        c.trace = load_traffic_trace(path, c.stream_id);
        c.count = c.trace.size();
    }
    return c;
}

}  // namespace vcmsim::platform

namespace vcmsim::platform {

smmu::smmu_config bind_smmu(const config_view& v, uint64_t master_seed) {
    smmu::smmu_config c;
    c.clock_hz = v.get_freq_hz("clock");
    c.sid_bits = static_cast<unsigned>(v.get_uint("sid_bits"));
    c.ssid_bits = static_cast<unsigned>(v.get_uint("ssid_bits"));
    c.cmdq_log2 = static_cast<unsigned>(v.get_uint("cmdq_log2"));
    c.evtq_log2 = static_cast<unsigned>(v.get_uint("evtq_log2"));
    c.oas_bits = static_cast<unsigned>(v.get_uint("oas_bits"));
    c.gran4k = c.gran16k = c.gran64k = false;
    for (const auto& g : v.get_string_list("granules")) {
        if (g == "4KiB") c.gran4k = true;
        else if (g == "16KiB") c.gran16k = true;
        else if (g == "64KiB") c.gran64k = true;
        else v.fail("granules", "unknown granule '" + g + "' (4KiB, 16KiB, 64KiB)");
    }
    c.two_level_st = v.get_bool("two_level_st");
    c.utlb_entries = static_cast<unsigned>(v.get_uint("utlb_entries"));
    c.utlb_cycles = v.get_uint("utlb_latency");
    c.tlb.entries = static_cast<unsigned>(v.get_uint("tlb_entries"));
    c.tlb.ways = static_cast<unsigned>(v.get_uint("tlb_ways"));
    const std::string pol = v.get_string("tlb_policy");
    c.tlb.policy = pol == "plru" ? mmu::replacement::plru : pol == "fifo" ? mmu::replacement::fifo
                 : pol == "random" ? mmu::replacement::random : mmu::replacement::lru;
    c.tlb.seed = master_seed ^ 0x5EED5EEDULL;
    c.tlb_cycles = v.get_uint("tlb_latency");
    c.tbu_tcu_cycles = v.get_uint("tbu_tcu_latency");
    c.walk_cache.entries = static_cast<unsigned>(v.get_uint("walk_cache_entries"));
    c.walk_cache.ways = static_cast<unsigned>(v.get_uint("walk_cache_ways"));
    c.walk_cache.levels_mask = 0;
    for (uint64_t l : v.get_uint_list("walk_cache_levels")) {
        if (l > 2) v.fail("walk_cache_levels", "levels 0, 1 and 2 hold table descriptors");
        c.walk_cache.levels_mask |= 1u << l;
    }
    c.walk_cache_cycles = v.get_uint("walk_cache_latency");
    c.config_cache_entries = static_cast<unsigned>(v.get_uint("config_cache_entries"));
    c.config_cycles = v.get_uint("config_latency");
    c.walk_slots = static_cast<unsigned>(v.get_uint("walk_slots"));
    c.cmd_cycles = v.get_uint("cmd_latency");
    c.tlbi_cycles = v.get_uint("tlbi_latency");
    try {
        smmu::validate(c);
    } catch (const std::invalid_argument& e) {
        v.fail("", e.what());
    }
    return c;
}

}  // namespace vcmsim::platform
