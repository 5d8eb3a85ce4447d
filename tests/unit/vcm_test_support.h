// Test doubles for the VCM layer: a seeded splitmix64, a host-memory master_port (physical
// accesses only, as the CPU MMU driver uses them), a recording mmu_control, and a small pool
// configuration whose chunk addresses the tests can predict.
#pragma once

#include <cstdint>
#include <cstring>
#include <functional>
#include <unordered_map>
#include <vector>

#include "models/core/master_port.h"
#include "models/core/mmu_control.h"
#include "vcm/vcm.h"

namespace vcmsim::test {

struct splitmix64 {
    uint64_t state;
    explicit splitmix64(uint64_t seed) : state(seed) {}
    uint64_t next() {
        uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
        return z ^ (z >> 31);
    }
    uint64_t below(uint64_t n) { return next() % n; }   // n small: bias irrelevant here
};

// Word-granular host memory; zero words are not stored, so its size returns to where it
// started when every table entry has been cleared.
class host_master : public core::master_port {
public:
    std::unordered_map<uint64_t, uint64_t> words;
    uint64_t phys_writes = 0;
    core::op_status read(uint64_t a, uint8_t* d, uint64_t n) override { return read_phys(a, d, n); }
    core::op_status write(uint64_t a, const uint8_t* d, uint64_t n) override { return write_phys(a, d, n); }
    core::op_status read_phys(uint64_t a, uint8_t* d, uint64_t n) override {
        for (uint64_t i = 0; i < n; i += 8) {
            auto it = words.find(a + i);
            const uint64_t v = it == words.end() ? 0 : it->second;
            std::memcpy(d + i, &v, n - i < 8 ? n - i : 8);
        }
        return {};
    }
    core::op_status write_phys(uint64_t a, const uint8_t* d, uint64_t n) override {
        ++phys_writes;
        for (uint64_t i = 0; i < n; i += 8) {
            uint64_t v = 0;
            std::memcpy(&v, d + i, n - i < 8 ? n - i : 8);
            if (v) words[a + i] = v;
            else words.erase(a + i);
        }
        return {};
    }
    core::op_status mmio_write(uint64_t, uint64_t, unsigned) override { return {}; }
    core::op_status mmio_read(uint64_t, uint64_t& v, unsigned) override {
        v = 0;
        return {};
    }
    bool wait_irq(unsigned, core::ps_t) override { return true; }
    bool poll(uint64_t, uint64_t, uint64_t, core::ps_t, core::ps_t, unsigned) override { return true; }
    void delay(core::ps_t) override {}
    core::ps_t now_ps() const override { return 0; }
};

class recording_mmu : public core::mmu_control {
public:
    uint64_t regs[5] = {};
    uint64_t tlbi_va_count = 0, tlbi_asid_count = 0, tlbi_all_count = 0;
    std::function<void(uint64_t va)> on_tlbi_va;   // called for each TLBI VAE1
    void write_sysreg(core::sysreg r, uint64_t v) override { regs[static_cast<int>(r)] = v; }
    uint64_t read_sysreg(core::sysreg r) const override { return regs[static_cast<int>(r)]; }
    void tlbi_all() override { ++tlbi_all_count; }
    void tlbi_asid(uint16_t) override { ++tlbi_asid_count; }
    void tlbi_va(uint64_t va, uint16_t) override {
        ++tlbi_va_count;
        if (on_tlbi_va) on_tlbi_va(va);
    }
    void tlbi_vaa(uint64_t) override {}
};

constexpr uint64_t KiB = 1024, MiB = 1024 * KiB;
constexpr uint64_t k_pool2m = 0x80000000, k_pool64k = 0x80800000, k_pool4k = 0x80900000;
constexpr uint64_t k_contig = 0x81000000;

// 4K granule: 4 x 2M at 0x8000_0000, 16 x 64K at 0x8080_0000, 64 x 4K at 0x8090_0000,
// contiguous region 8M at 0x8100_0000.
inline vcm::phys_allocator_config small_pools() {
    vcm::phys_allocator_config c;
    c.tg = mmu::granule::g4k;
    c.pools = {{2 * MiB, k_pool2m, 0, 4, "2M"}, {64 * KiB, k_pool64k, 0, 16, "64K"}, {4 * KiB, k_pool4k, 0, 64, "4K"}};
    c.contig_base = k_contig;
    c.contig_size = 8 * MiB;
    return c;
}

inline std::unique_ptr<vcm::vcm_manager> make_manager(const vcm::phys_allocator_config& pc = small_pools(),
                                                      bool strict = false) {
    vcm::vcm_manager_config cfg;
    cfg.phys = pc;
    cfg.strict_2010_backing = strict;
    auto r = vcm::vcm_manager::create(cfg);
    if (!r.ok()) return nullptr;
    return r.take();
}

inline std::vector<uint64_t> free_counts(const vcm::phys_allocator& a) {
    std::vector<uint64_t> v;
    for (std::size_t i = 0; i < a.pool_count(); ++i) v.push_back(a.pool_chunks_free(i));
    v.push_back(a.contiguous_bytes_free());
    return v;
}

}  // namespace vcmsim::test
