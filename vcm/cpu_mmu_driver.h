// CPU MMU driver: owns the CPU's stage-1 translation tables (built by the one page-table
// builder, written by the CPU itself with timed physical writes), maps and unmaps ranges, and
// programs MAIR/TCR/TTBR0/SCTLR. On unmap it invalidates the CPU TLB for every removed leaf
// (TLBI VAE1 with the ASID) and, when tables were freed, the whole ASID's walk-cache entries.
#pragma once

#include <cstdint>
#include <memory>

#include "models/core/master_port.h"
#include "models/core/mmu_control.h"
#include "vcm/pgtable/page_table_builder.h"
#include "vcm/pgtable/table_pool.h"

namespace vcmsim::vcm {

struct cpu_mmu_setup {
    mmu::granule tg = mmu::granule::g4k;
    unsigned tsz = 16;              // T0SZ: VA range [0, 2^(64 - tsz))
    unsigned oas_bits = 48;         // output address size (IPS)
    uint64_t pool_base = 0;         // physical memory reserved for the tables
    uint64_t pool_size = 0;
    uint16_t asid = 1;
    uint64_t mair = 0x04FF;         // Attr0 normal write-back, Attr1 device-nGnRE
    bool blocks = true;             // block mappings where chunk size and alignment allow
};

class cpu_mmu_driver {
public:
    cpu_mmu_driver(core::master_port& cpu, core::mmu_control& mmu, const cpu_mmu_setup& setup);

    core::op_status init();                    // allocates and clears the root table
    core::op_status map(uint64_t va, uint64_t pa, uint64_t size, const map_attrs& attrs);
    core::op_status unmap(uint64_t va, uint64_t size);
    core::op_status enable();                  // MAIR, TCR, TTBR0, then SCTLR.M = 1
    core::op_status disable();                 // SCTLR.M = 0
    uint64_t tcr() const;                      // the TCR_EL1 value enable() writes
    const page_table_builder& tables() const { return m_builder; }
    const table_pool& pool() const { return m_pool; }
    bool initialised() const { return m_init; }

private:
    core::op_status memory_status(const char* what);

    core::master_port& m_cpu;
    core::mmu_control& m_mmu;
    cpu_mmu_setup m_setup;
    table_pool m_pool;
    master_pt_memory m_mem;
    page_table_builder m_builder;
    bool m_init = false;
};

}  // namespace vcmsim::vcm
