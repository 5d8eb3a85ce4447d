// How software controls a processor's MMU: system registers and TLB maintenance. The CPU model
// implements it; the driver layer (vcm/) uses it without knowing the CPU model.
#pragma once

#include <cstdint>
#include <string>

namespace vcmsim::core {

enum class sysreg : uint8_t { sctlr_el1, tcr_el1, ttbr0_el1, ttbr1_el1, mair_el1 };

// "sctlr_el1", "tcr_el1", "ttbr0_el1", "ttbr1_el1", "mair_el1".
inline bool parse_sysreg(const std::string& name, sysreg& out) {
    static const std::pair<const char*, sysreg> names[] = {
        {"sctlr_el1", sysreg::sctlr_el1}, {"tcr_el1", sysreg::tcr_el1},
        {"ttbr0_el1", sysreg::ttbr0_el1}, {"ttbr1_el1", sysreg::ttbr1_el1},
        {"mair_el1", sysreg::mair_el1},
    };
    for (const auto& n : names)
        if (name == n.first) {
            out = n.second;
            return true;
        }
    return false;
}

class mmu_control {
public:
    virtual ~mmu_control() = default;
    virtual void write_sysreg(sysreg r, uint64_t value) = 0;
    virtual uint64_t read_sysreg(sysreg r) const = 0;
    // TLBI VMALLE1 / ASIDE1 / VAE1 / VAAE1, each followed by DSB.
    virtual void tlbi_all() = 0;
    virtual void tlbi_asid(uint16_t asid) = 0;
    virtual void tlbi_va(uint64_t va, uint16_t asid) = 0;
    virtual void tlbi_vaa(uint64_t va) = 0;
};

}  // namespace vcmsim::core
