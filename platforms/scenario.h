// The scenario: steps the CPU runs (fill, verify, DMA copies, display frames, MMIO...) and
// checks that decide pass or fail. Parsed from [[scenario.step]] / [[scenario.check]] when the
// platform is built (so every error is a config error with file:line), run on the CPU thread,
// evaluated after the simulation. See docs/scenario.md for every op and check.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <memory>

#include "models/core/master_port.h"
#include "models/core/mmu_control.h"
#include "models/cpu/data_pattern.h"
#include "platforms/config/config.h"

#include <sstream>

#include "vcm/cpu_mmu_driver.h"
#include "vcm/drivers/smmu_driver.h"
#include "vcm/cpu_backend.h"
#include "vcm/smmu_backend.h"
#include "vcm/vcm.h"

namespace vcmsim::platform {

// What the scenario needs from the platform.
struct device_ref {
    std::string name;
    std::string kind;        // "dma", "display", "traffic", "dram"
    std::string path;        // SystemC hierarchical name ("top.dma0"), the prefix of its stats
    uint64_t mmio_base = 0;  // register base (dram: its base address)
    uint64_t size = 0;       // register window (dram: its size)
    int irq_line = -1;       // interrupt line at the CPU, -1 = none
    uint64_t pool_base = 0;  // smmu: physical memory its driver may use
    uint64_t pool_size = 0;
    std::string smmu;        // bus master behind this [[smmu]] ("" = physically addressed)
    uint32_t stream_id = 0;  // its StreamID there
};

class scenario_env {
public:
    virtual ~scenario_env() = default;
    virtual const device_ref* find_device(const std::string& name) const = 0;
    // Zero-time, side-effect-free read through the interconnect (for checks).
    virtual bool debug_read(uint64_t addr, uint8_t* data, uint64_t len) = 0;
    // Does [addr, addr+len) lie inside one DRAM?
    virtual bool is_memory(uint64_t addr, uint64_t len) const = 0;
    // Debug (zero-time) mode for setup-only driver work: the CPU and the SMMUs stop spending
    // simulated time while it is on ([vcm] setup = "debug").
    virtual void set_untimed(bool on) = 0;
};

struct step {
    std::string op;
    std::string label;
    std::string where;       // file:line of the step
    uint64_t addr = 0, size = 0, value = 0, mask = ~0ULL, expect = 0;
    uint64_t src = 0, dst = 0, seed = 1, segments = 1, desc_addr = 0, desc_cpu_addr = 0, channel = 0, frames = 0;
    unsigned width = 4;
    uint64_t repeat = 1;
    bool has_expect = false;
    bool wait = true;
    cpu::pattern_kind pattern = cpu::pattern_kind::random;
    uint64_t timeout_ps = 0, interval_ps = 0, time_ps = 0;
    std::string name, device, expect_status, expect_fault, reg, kind, event;
    std::string buffer, src_buffer, dst_buffer, desc_buffer;   // [[vcm.buffer]] names ("" = none)
    std::string event_buffer;   // smmu_events: the first event's address lies in this buffer
    bool has_count = false, has_event_sid = false, has_event_addr = false;
    uint64_t count = 0, event_sid = 0, event_addr = 0, sid = 0, asid = 1;
    mmu::granule tg = mmu::granule::g4k;
    unsigned tsz = 16, oas_bits = 48;
    bool write = true, exec = false, user = false, global = false;
};

struct step_result {
    size_t index = 0;
    std::string op, label;
    bool ok = false;
    std::string message;
    uint64_t start_ps = 0, end_ps = 0;
};

struct check {
    std::string kind, label, where;
    uint64_t addr = 0, size = 0, a_addr = 0, b_addr = 0, seed = 1, channel = 0, offset = 0;
    cpu::pattern_kind pattern = cpu::pattern_kind::random;
    std::string a, b, name, device, expect;
    std::string buffer;   // memory_pattern over a [[vcm.buffer]]'s physical memory
    bool has_equals = false, has_min = false, has_max = false;
    double equals = 0, min = 0, max = 0;
};

struct check_result {
    std::string name;
    bool ok = false;
    std::string message;
};

// [vcm]: buffers shared by devices through the VCM API (docs/scenario.md).
struct vcm_buffer_setup {
    std::string name;
    uint64_t size = 0;
    bool contiguous = false;
    std::vector<std::string> devices;
    std::vector<std::string> read_only;   // devices (or "cpu") that get a read-only mapping
    unsigned memtype = 0;                 // 0 = every pool; else its `pools` list
    vcm::cache_policy cache = vcm::cache_policy::write_back;
};
struct vcm_device_setup {
    std::string name;
    bool translated = false;   // behind the [vcm] smmu: IOMMU VCM; else one-to-one VCM
    uint32_t sid = 0;
};
struct vcm_setup {
    bool enabled = false;
    std::string smmu;
    uint64_t iova_base = 0, iova_size = 0, phys_base = 0, phys_size = 0;
    unsigned va_bits = 48;
    bool blocks = true;         // block mappings where chunk size and alignment allow
    bool debug_setup = false;   // setup = "debug": the setup costs no simulated time
    uint64_t cpu_va_base = 0, cpu_va_size = 0;   // CPU VCM (0 = none: the CPU uses physical pieces)
    vcm::phys_allocator_config phys;
    std::vector<vcm_buffer_setup> buffers;
    std::vector<vcm_device_setup> devices;
};

class scenario {
public:
    // Parses and cross-checks steps and checks; throws config_error.
    void parse(const config_view& root, const scenario_env& env);
    // Runs every step in order on the calling processor's thread. A failing step is recorded
    // and the scenario stops there (later steps are reported as not run). `mmu` serves the
    // mmu_* / sysreg / tlbi steps (null: those steps fail).
    void run(core::master_port& cpu, core::mmu_control* mmu, scenario_env& env);
    // Step outcomes, then every check, evaluated now (after the simulation).
    std::vector<check_result> evaluate(scenario_env& env) const;

    bool completed() const { return m_completed; }
    const std::vector<step>& steps() const { return m_steps; }
    const std::vector<step_result>& results() const { return m_results; }
    const std::map<std::string, uint64_t>& checksums() const { return m_checksums; }
    // "" without [vcm]; else "timed" or "debug" (zero-time setup, labelled in every output).
    std::string vcm_setup_mode() const {
        return !m_vcm_cfg.enabled ? "" : m_vcm_cfg.debug_setup ? "debug" : "timed";
    }

private:
    step_result run_step(const step& s, core::master_port& cpu, scenario_env& env);
    core::op_status run_mmu_step(const step& s, core::master_port& cpu);
    core::op_status run_smmu_step(const step& s, core::master_port& cpu, scenario_env& env,
                                  std::ostringstream& msg);

    std::vector<step> m_steps;
    std::vector<check> m_checks;
    std::vector<step_result> m_results;
    std::map<std::string, uint64_t> m_checksums;
    bool m_completed = false;
    core::mmu_control* m_mmu = nullptr;
    std::unique_ptr<vcm::cpu_mmu_driver> m_cpu_tables;  // built by the first mmu_* step
    vcm::cpu_mmu_setup m_cpu_mmu_setup;
    std::map<std::string, std::unique_ptr<vcm::smmu_driver>> m_smmu_drivers;

    // The VCM layer ([vcm]), built on the CPU thread before the first step.
    void parse_vcm(const config_view& root, const scenario_env& env);
    std::string setup_vcm(core::master_port& cpu, scenario_env& env);   // "" = ok, else why not
    std::string build_vcm(core::master_port& cpu, scenario_env& env);   // setup_vcm without the timing mode
    uint64_t buffer_addr(const std::string& buffer, const std::string& device) const;
    uint64_t buffer_pa(const std::string& buffer, uint64_t offset, uint64_t& contiguous_len) const;
    vcm_setup m_vcm_cfg;
    std::string m_vcm_error;
    std::unique_ptr<vcm::vcm_manager> m_vcm;
    std::unique_ptr<vcm::smmu_backend> m_vcm_backend;
    std::unique_ptr<vcm::cpu_backend> m_vcm_cpu_backend;
    std::map<std::string, std::vector<vcm::segment>> m_buf_segments;     // offset-based (dev_addr = offset)
    std::map<std::string, std::map<std::string, uint64_t>> m_buf_addr;  // buffer -> device -> address
    std::map<std::string, std::map<std::string, vcm::res_handle>> m_buf_res;   // buffer -> device -> reservation
    std::map<std::string, vcm::phys_handle> m_buf_phys;
    uint64_t m_vcm_setup_ps = 0;     // simulated time the setup took (0 in debug mode)
    uint64_t m_vcm_setup_ops = 0;    // mappings made by the setup
    core::op_status run_vcm_step(const step& s, std::ostringstream& msg);
    std::string vcm_setup_summary() const;
    bool event_in_buffer(const std::string& buffer, uint32_t sid, uint64_t addr) const;
};

}  // namespace vcmsim::platform
