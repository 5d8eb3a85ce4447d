// Parameters of the simulation itself: [sim], [log], [cpu], [interconnect].
#include "platforms/params.h"

namespace vcmsim::platform {

using pt = param_type;

param_def make_param(std::string path, param_type type, std::string default_value,
                     std::string unit, std::string description, std::optional<double> min,
                     std::optional<double> max) {
    param_def d;
    d.path = std::move(path);
    d.type = type;
    d.default_value = std::move(default_value);
    d.unit = std::move(unit);
    d.description = std::move(description);
    d.min = min;
    d.max = max;
    return d;
}

param_def make_enum(std::string path, std::string default_value, std::vector<std::string> choices,
                    std::string description) {
    param_def d = make_param(std::move(path), pt::enumeration, std::move(default_value), "",
                             std::move(description));
    d.choices = std::move(choices);
    return d;
}

param_def when(param_def d, std::string when_key, std::string when_value) {
    d.when_key = std::move(when_key);
    d.when_value = std::move(when_value);
    return d;
}

param_def required(param_def d) {
    d.required = true;
    d.default_value.clear();
    return d;
}

void register_all_params(param_registry& reg) {
    if (reg.find("sim.seed")) return;  // already registered
    register_sim_params(reg);
    register_model_params(reg);
    register_scenario_params(reg);
}

void register_sim_params(param_registry& reg) {
    const double ghz100 = 100e9;
    reg.add(make_param("sim.seed", pt::uinteger, "1", "",
                       "master seed; every seeded model derives its stream from it and its name"));
    reg.add(make_param("sim.quantum", pt::time, "\"1us\"", "ps",
                       "global quantum of temporal decoupling", 1000.0, 1e12));
    reg.add(make_param("sim.until", pt::time, "\"1s\"", "ps",
                       "simulated-time limit: a scenario still running then fails its checks "
                       "(never a hang)", 1.0, 1e15));
    reg.add(make_param("sim.name", pt::string, "\"\"", "", "name of the platform, for reports"));
    reg.add(make_param("sim.description", pt::string, "\"\"", "", "free text, for reports"));

    reg.add(make_enum("log.level", "\"warn\"", {"off", "warn", "info", "debug", "trace"},
                      "default level of every model's logger"));
    reg.add(make_param("log.levels", pt::string_map, "", "",
                       "per-module levels: { \"top.dma0\" = \"debug\", \"top.dram*\" = \"info\" }"));

    reg.add(make_param("cpu.clock", pt::frequency, "\"2GHz\"", "Hz", "CPU core clock", 1e6, ghz100));
    reg.add(make_param("cpu.access_cycles", pt::uinteger, "1", "cycles",
                       "core cycles to issue one load/store transaction", 0.0, 1e6));
    reg.add(make_param("cpu.line_bytes", pt::size, "64", "bytes",
                       "largest bus transaction of a CPU block operation (cache line)", 8.0, 4096.0));
    reg.add(make_param("cpu.use_dmi", pt::boolean, "true", "",
                       "use DMI pointers that memories grant (faster host simulation)"));

    reg.add(make_param("cpu.privileged", pt::boolean, "true", "",
                       "memory accesses are made at EL1 (false: EL0, for permission checks)"));
    reg.add(make_param("cpu.sysreg_cycles", pt::uinteger, "1", "cycles", "cost of a system-register write",
                       0.0, 1e6));
    reg.add(make_param("cpu.tlbi_cycles", pt::uinteger, "20", "cycles", "cost of a TLBI with its DSB",
                       0.0, 1e6));
    // The CPU's MMU: translation structures (models/cpu/cpu_mmu.h) ...
    reg.add(make_param("cpu.mmu.utlb_entries", pt::uinteger, "8", "",
                       "fully associative micro-TLB in front of the main TLB (0 = none)", 0.0, 256.0));
    reg.add(make_param("cpu.mmu.tlb_entries", pt::uinteger, "64", "", "main TLB entries", 1.0, 65536.0));
    reg.add(make_param("cpu.mmu.tlb_ways", pt::uinteger, "4", "",
                       "main TLB ways (0 = fully associative, 1 = direct-mapped)", 0.0, 65536.0));
    reg.add(make_enum("cpu.mmu.tlb_policy", "\"lru\"", {"lru", "plru", "fifo", "random"},
                      "main TLB replacement policy"));
    reg.add(make_param("cpu.mmu.tlb_latency", pt::uinteger, "2", "cycles",
                       "main-TLB lookup after a micro-TLB miss", 0.0, 1e6));
    reg.add(make_param("cpu.mmu.walk_cache_entries", pt::uinteger, "16", "",
                       "walk-cache entries (0 = no walk cache)", 0.0, 65536.0));
    reg.add(make_param("cpu.mmu.walk_cache_ways", pt::uinteger, "4", "",
                       "walk-cache ways (0 = fully associative)", 0.0, 65536.0));
    reg.add(make_param("cpu.mmu.walk_cache_levels", pt::uint_list, "[0, 1, 2]", "",
                       "levels whose table descriptors the walk cache keeps"));
    reg.add(make_param("cpu.mmu.walk_step", pt::uinteger, "2", "cycles",
                       "walker cycles per descriptor read (besides the read itself)", 0.0, 1e6));
    // ... and the page tables the scenario's mmu_* steps build (vcm/cpu_mmu_driver.h).
    reg.add(make_enum("cpu.mmu.granule", "\"4KiB\"", {"4KiB", "16KiB", "64KiB"},
                      "translation granule of the scenario's page tables"));
    reg.add(make_param("cpu.mmu.va_bits", pt::uinteger, "48", "bits",
                       "virtual address bits of TTBR0 (T0SZ = 64 - va_bits)", 16.0, 48.0));
    reg.add(make_param("cpu.mmu.oas_bits", pt::uinteger, "48", "bits", "output (physical) address size",
                       32.0, 48.0));
    reg.add(make_param("cpu.mmu.asid", pt::uinteger, "1", "", "ASID of the scenario's address space",
                       0.0, 65535.0));
    reg.add(make_param("cpu.mmu.table_pool", pt::uinteger, "0", "",
                       "physical base of the memory reserved for the page tables (inside a DRAM)"));
    reg.add(make_param("cpu.mmu.table_pool_size", pt::size, "\"1MiB\"", "bytes",
                       "size of the page-table memory", 4096.0));

    reg.add(make_param("interconnect.clock", pt::frequency, "\"1GHz\"", "Hz",
                       "interconnect clock", 1e6, ghz100));
    reg.add(make_param("interconnect.hop_latency", pt::uinteger, "2", "cycles",
                       "latency added to every routed transaction", 0.0, 1e6));
}

}  // namespace vcmsim::platform
