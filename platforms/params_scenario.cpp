// Parameters of [[scenario.step]] and [[scenario.check]]: the steps the CPU runs and the
// checks that decide pass/fail. Keys valid for a step depend on its `op` (a check's on its
// `kind`); see docs/scenario.md.
#include "platforms/params.h"

namespace vcmsim::platform {

using pt = param_type;

namespace {

struct key {
    const char* name;
    param_type type;
    const char* def;   // "" = required, "?" = optional without a default
    const char* unit;
    const char* desc;
};

void add_keys(param_registry& reg, const std::string& table, const std::string& disc,
              const std::string& value, std::initializer_list<key> keys) {
    for (const key& k : keys) {
        const bool optional = std::string(k.def) == "?";
        param_def d = make_param(table + "." + k.name, k.type, optional ? "" : k.def, k.unit, k.desc);
        if (k.type == pt::enumeration && std::string(k.name) == "pattern")
            d.choices = {"zero", "const", "incr", "random"};
        if (!*k.def) d = required(d);
        if (optional) d.required = false;
        reg.add(when(d, disc, value));
    }
}

}  // namespace

void register_scenario_params(param_registry& reg) {
    const std::string s = "scenario.step[]";
    reg.add(required(make_enum(s + ".op", "", {"fill", "verify", "checksum", "copy", "write", "read",
                                      "mmio_write", "mmio_read", "poll", "wait_irq", "delay",
                                      "dma_copy", "dma_wait", "display_start", "display_wait",
                                      "display_stop", "traffic_start", "traffic_wait",
                                      "mmu_map", "mmu_unmap", "mmu_enable", "mmu_disable",
                                      "sysreg", "tlbi", "smmu_enable", "smmu_attach", "smmu_bypass",
                                      "smmu_abort", "smmu_map", "smmu_unmap", "smmu_events",
                                      "vcm_unmap", "vcm_remap"},
                      "what the step does")));
    reg.add(make_param(s + ".label", pt::string, "\"\"", "", "name shown in reports"));
    reg.add(make_param(s + ".repeat", pt::uinteger, "1", "", "run the step this many times", 1.0, 1e9));

    const key addr{"addr", pt::uinteger, "", "", "address"};
    const key size{"size", pt::size, "", "bytes", "length"};
    const key pattern{"pattern", pt::enumeration, "\"random\"", "", "data pattern"};
    const key seed{"seed", pt::uinteger, "1", "", "pattern seed"};
    const key width{"width", pt::uinteger, "4", "bytes", "access size, 1..8"};
    const key timeout{"timeout", pt::time, "\"10ms\"", "ps", "give up after this long (0 = never)"};

    const key opt_addr{"addr", pt::uinteger, "?", "", "physical address (required unless buffer is given)"};
    const key opt_size{"size", pt::size, "?", "bytes", "length (default with buffer: the whole buffer)"};
    const key buffer{"buffer", pt::string, "?", "", "[[vcm.buffer]] to use instead of addr: its physical pieces"};
    add_keys(reg, s, "op", "fill", {opt_addr, opt_size, buffer, pattern, seed});
    add_keys(reg, s, "op", "verify", {opt_addr, opt_size, buffer, pattern, seed});
    add_keys(reg, s, "op", "checksum", {addr, size,
              {"name", pt::string, "", "", "name under which the checksum is kept for checks"}});
    add_keys(reg, s, "op", "copy", {{"src", pt::uinteger, "", "", "source address"},
                                   {"dst", pt::uinteger, "", "", "destination address"}, size});
    add_keys(reg, s, "op", "write", {addr, {"value", pt::uinteger, "", "", "value stored"}, width});
    add_keys(reg, s, "op", "read", {addr, width,
              {"expect", pt::uinteger, "?", "", "expected value (after mask); none = not checked"},
              {"mask", pt::uinteger, "\"0xffffffffffffffff\"", "", "bits compared"}});
    add_keys(reg, s, "op", "mmio_write", {addr, {"value", pt::uinteger, "", "", "value written"}, width});
    add_keys(reg, s, "op", "mmio_read", {addr, width,
              {"expect", pt::uinteger, "?", "", "expected value (after mask); none = not checked"},
              {"mask", pt::uinteger, "\"0xffffffffffffffff\"", "", "bits compared"}});
    add_keys(reg, s, "op", "poll", {addr, width,
              {"mask", pt::uinteger, "\"0xffffffff\"", "", "bits compared"},
              {"expect", pt::uinteger, "", "", "value awaited (after mask)"},
              {"interval", pt::time, "\"100ns\"", "ps", "time between two reads"}, timeout});
    add_keys(reg, s, "op", "wait_irq", {{"device", pt::string, "", "", "device whose interrupt is awaited"},
              timeout});
    add_keys(reg, s, "op", "delay", {{"time", pt::time, "", "ps", "time to wait"}});
    const key dma{"dma", pt::string, "", "", "DMA engine name"};
    const key channel{"channel", pt::uinteger, "0", "", "DMA channel"};
    const key expect_status{"expect_status", pt::string, "\"done\"", "",
                            "channel outcome the step expects: done, or an error code name "
                            "(src_error, dst_error, zero_len, loop, desc_fetch, desc_align, ...)"};
    add_keys(reg, s, "op", "dma_copy",
             {dma, channel, {"src", pt::uinteger, "?", "", "source address (required unless src_buffer)"},
              {"dst", pt::uinteger, "?", "", "destination address (required unless dst_buffer)"}, size,
              {"src_buffer", pt::string, "?", "", "source: this [[vcm.buffer]] at its address in the DMA's VCM"},
              {"dst_buffer", pt::string, "?", "", "destination: this [[vcm.buffer]] at its address in the DMA's VCM"},
              {"desc_buffer", pt::string, "?", "", "descriptor chain in this [[vcm.buffer]] (replaces desc_addr "
                                                  "and desc_cpu_addr)"},
              {"segments", pt::uinteger, "1", "", "descriptors in the chain (equal split)"},
              {"desc_addr", pt::uinteger, "?", "", "device address of the descriptor chain (what the DMA is given; "
                                                  "required unless desc_buffer)"},
              {"desc_cpu_addr", pt::uinteger, "?", "", "address at which the CPU writes the chain, when the "
                                                      "DMA sees it elsewhere (behind an SMMU); default desc_addr"},
              {"wait", pt::boolean, "true", "", "wait for the channel to finish"}, timeout,
              expect_status});
    add_keys(reg, s, "op", "dma_wait", {dma, channel, timeout, expect_status});
    const key display{"display", pt::string, "", "", "display controller name"};
    add_keys(reg, s, "op", "display_start",
             {display, {"fb", pt::uinteger, "?", "", "framebuffer physical address (required unless fb_buffer)"},
              {"fb_buffer", pt::string, "?", "", "framebuffer: this [[vcm.buffer]] (its one-to-one address)"}});
    add_keys(reg, s, "op", "display_wait",
             {display, {"frames", pt::uinteger, "", "", "wait until this many frames were scanned"},
              timeout});
    add_keys(reg, s, "op", "display_stop", {display});
    const key traffic{"traffic", pt::string, "", "", "traffic generator name"};
    add_keys(reg, s, "op", "traffic_start", {traffic});
    add_keys(reg, s, "op", "traffic_wait", {traffic, timeout});

    const key va{"va", pt::uinteger, "", "", "virtual address"};
    add_keys(reg, s, "op", "mmu_map",
             {va, {"pa", pt::uinteger, "", "", "physical address"}, size,
              {"write", pt::boolean, "true", "", "writable"},
              {"exec", pt::boolean, "false", "", "executable"},
              {"user", pt::boolean, "false", "", "accessible at EL0"},
              {"global", pt::boolean, "false", "", "global (not tagged with the ASID)"}});
    add_keys(reg, s, "op", "mmu_unmap", {va, size});
    add_keys(reg, s, "op", "sysreg",
             {{"reg", pt::string, "", "", "sctlr_el1, tcr_el1, ttbr0_el1, ttbr1_el1 or mair_el1"},
              {"value", pt::uinteger, "", "", "value written"}});
    {
        param_def d = make_enum(s + ".kind", "", {"vmalle1", "aside1", "vae1", "vaae1"},
                                "TLB invalidation: all, by ASID, by VA (+ASID), by VA (all ASIDs)");
        reg.add(when(required(d), "op", "tlbi"));
    }
    add_keys(reg, s, "op", "tlbi", {{"addr", pt::uinteger, "0", "", "VA (vae1, vaae1)"},
                                   {"asid", pt::uinteger, "0", "", "ASID (aside1, vae1)"}});
    const key smmu_k{"smmu", pt::string, "", "", "SMMU name"};
    const key sid{"sid", pt::uinteger, "", "", "StreamID"};
    add_keys(reg, s, "op", "smmu_enable", {smmu_k});
    add_keys(reg, s, "op", "smmu_attach",
             {smmu_k, sid,
              {"granule", pt::string, "\"4KiB\"", "", "translation granule: 4KiB, 16KiB or 64KiB"},
              {"va_bits", pt::uinteger, "48", "bits", "input address size (CD.T0SZ = 64 - va_bits)"},
              {"oas_bits", pt::uinteger, "48", "bits", "output address size (CD.IPS)"},
              {"asid", pt::uinteger, "1", "", "ASID of the context"}});
    add_keys(reg, s, "op", "smmu_bypass", {smmu_k, sid});
    add_keys(reg, s, "op", "smmu_abort", {smmu_k, sid});
    const key iova{"iova", pt::uinteger, "", "", "I/O virtual address"};
    add_keys(reg, s, "op", "smmu_map",
             {smmu_k, sid, iova, {"pa", pt::uinteger, "", "", "physical address"}, size,
              {"write", pt::boolean, "true", "", "writable"}, {"exec", pt::boolean, "false", "", "executable"}});
    add_keys(reg, s, "op", "smmu_unmap", {smmu_k, sid, iova, size});
    add_keys(reg, s, "op", "smmu_events",
             {smmu_k, {"count", pt::uinteger, "?", "", "expected number of new event records"},
              {"event", pt::string, "?", "", "expected name of every new record (F_TRANSLATION, ...)"},
              {"event_sid", pt::uinteger, "?", "", "expected StreamID of every new record"},
              {"event_addr", pt::uinteger, "?", "", "expected input address of the first new record"},
              {"event_buffer", pt::string, "?", "",
               "the first new record's address lies in this [[vcm.buffer]] (in its StreamID's VCM)"}});
    const key vbuf{"buffer", pt::string, "", "", "the [[vcm.buffer]]"};
    const key vdev{"device", pt::string, "\"\"", "", "only this device's VCM (a name in its devices, or cpu); \"\" = all"};
    add_keys(reg, s, "op", "vcm_unmap", {vbuf, vdev});
    add_keys(reg, s, "op", "vcm_remap", {vbuf, vdev});

    for (const char* op : {"fill", "verify", "checksum", "copy", "write", "read"}) {
        param_def d = make_enum(s + ".expect_fault", "\"\"",
                                {"", "translation", "access_flag", "permission", "address_size", "walk_abort"},
                                "the step must stop with this translation fault (empty = no fault)");
        reg.add(when(d, "op", op));
    }

    const std::string c = "scenario.check[]";
    reg.add(required(make_enum(c + ".kind", "", {"memory_pattern", "memory_equal", "checksum_equal", "stat",
                                        "underruns", "dma_status"},
                      "what the check compares")));
    reg.add(make_param(c + ".label", pt::string, "\"\"", "", "name shown in reports"));
    add_keys(reg, c, "kind", "memory_pattern", {opt_addr, opt_size, buffer, pattern, seed,
              {"offset", pt::size, "0", "bytes", "offset of addr inside the pattern's buffer"}});
    add_keys(reg, c, "kind", "memory_equal",
             {{"a", pt::uinteger, "", "", "first region"}, {"b", pt::uinteger, "", "", "second region"},
              size});
    add_keys(reg, c, "kind", "checksum_equal",
             {{"a", pt::string, "", "", "checksum name"}, {"b", pt::string, "", "", "checksum name"}});
    add_keys(reg, c, "kind", "stat", {{"name", pt::string, "", "", "statistic name (stats.txt)"}});
    for (const char* k : {"equals", "min", "max"}) {
        param_def d = make_param(c + "." + k, pt::real, "", "", std::string("accepted value: ") + k);
        reg.add(when(d, "kind", "stat"));
    }
    add_keys(reg, c, "kind", "underruns", {display});
    for (const char* k : {"equals", "max"}) {
        param_def d = make_param(c + "." + k, pt::uinteger, "", "", std::string("underrun count: ") + k);
        reg.add(when(d, "kind", "underruns"));
    }
    add_keys(reg, c, "kind", "dma_status", {dma, channel,
              {"expect", pt::string, "\"done\"", "", "expected channel outcome"}});

    // [vcm]: buffers shared by devices through the VCM API (built before the first step).
    reg.add(make_param("vcm.smmu", pt::string, "\"\"", "",
                       "SMMU whose driver (driver_pool) holds the IOMMU VCMs' tables"));
    reg.add(make_enum("vcm.granule", "\"4KiB\"", {"4KiB", "16KiB", "64KiB"}, "translation granule of the VCMs"));
    reg.add(make_enum("vcm.setup", "\"timed\"", {"timed", "debug"},
                      "timed: the setup's driver work (page tables, STEs, CDs, commands) costs simulated "
                      "time like any CPU work; debug: zero-time setup (debug transactions), labelled in the outputs"));
    reg.add(make_param("vcm.blocks", pt::boolean, "true", "",
                       "block mappings where chunk size and alignment allow (false: pages only)"));
    reg.add(make_param("vcm.pool_base", pt::uinteger, "0", "",
                       "default pools: physical region split into the granule's chunk sizes ([[vcm.pool]] replaces them)"));
    reg.add(make_param("vcm.pool_size", pt::size, "0", "bytes",
                       "without [[vcm.pool]]: its length (half in the largest chunk size, the rest shared)"));
    reg.add(make_param("vcm.va_bits", pt::uinteger, "48", "bits", "input size of the SMMU contexts (T0SZ = 64 - va_bits)"));
    reg.add(make_param("vcm.iova_base", pt::uinteger, "0x10000000", "", "start of every IOMMU VCM"));
    reg.add(make_param("vcm.iova_size", pt::size, "\"1GiB\"", "bytes", "length of every IOMMU VCM"));
    reg.add(make_param("vcm.cpu_va_base", pt::uinteger, "0x40000000", "",
                       "start of the CPU's VCM (its own stage-1 tables, [cpu.mmu])"));
    reg.add(make_param("vcm.cpu_va_size", pt::size, "0", "bytes",
                       "length of the CPU's VCM; 0 = none (the CPU uses the buffers' physical pieces)"));
    reg.add(make_param("vcm.contig_base", pt::uinteger, "0", "",
                       "contiguous region (contiguous buffers; the one-to-one VCMs span it)"));
    reg.add(make_param("vcm.contig_size", pt::size, "0", "bytes", "contiguous region length (0 = none)"));
    reg.add(make_param("vcm.pool[].name", pt::string, "\"\"", "",
                       "name buffers' pools lists use (default \"pool<index>\"; default pools: \"2MiB\", \"64KiB\", ...)"));
    reg.add(required(make_param("vcm.pool[].chunk", pt::size, "", "bytes", "chunk size (a mapping size of the granule)")));
    reg.add(required(make_param("vcm.pool[].base", pt::uinteger, "", "", "physical base, aligned to chunk")));
    reg.add(required(make_param("vcm.pool[].size", pt::size, "", "bytes", "pool length (a multiple of chunk)")));
    reg.add(required(make_param("vcm.buffer[].name", pt::string, "", "", "name steps and checks use")));
    reg.add(required(make_param("vcm.buffer[].size", pt::size, "", "bytes", "length")));
    reg.add(make_param("vcm.buffer[].contiguous", pt::boolean, "false", "",
                       "from the contiguous region (required for one-to-one devices)"));
    reg.add(required(make_param("vcm.buffer[].devices", pt::string_list, "", "",
                                "bus masters that see the buffer (each gets it mapped in its own VCM)")));
    reg.add(make_param("vcm.buffer[].read_only", pt::string_list, "[]", "",
                       "devices of the buffer (or cpu) whose mapping is read-only (a write faults: permission)"));
    reg.add(make_param("vcm.buffer[].pools", pt::string_list, "[]", "",
                       "memory type: the pools to allocate from, in priority order (names; [] = every pool)"));
    reg.add(make_enum("vcm.buffer[].cache", "\"write_back\"",
                      {"write_back", "write_back_nwa", "write_through", "non_cacheable"},
                      "memory type of every mapping of the buffer (MAIR index in the CDs and the CPU's tables)"));
}

}  // namespace vcmsim::platform
