#include "models/core/format.h"
#include "models/mmu/vmsa.h"
#include "vcm/cpu_mmu_driver.h"

#include <sstream>

namespace vcmsim::vcm {

using core::hex;

using core::op_status;

cpu_mmu_driver::cpu_mmu_driver(core::master_port& cpu, core::mmu_control& mmu, const cpu_mmu_setup& setup)
    : m_cpu(cpu),
      m_mmu(mmu),
      m_setup(setup),
      m_pool(setup.pool_base, setup.pool_size),
      m_mem(cpu),
      m_builder(m_mem, m_pool, pt_format{setup.tg, setup.tsz, setup.oas_bits, false, setup.blocks}) {}

op_status cpu_mmu_driver::memory_status(const char* what) {
    if (!m_mem.failed) return {};
    m_mem.failed = false;
    return op_status::failure(m_mem.failed_pa, std::string(what) + ": bus error writing tables at " +
                                                   hex(m_mem.failed_pa));
}

op_status cpu_mmu_driver::init() {
    if (m_init) return {};
    if (!m_builder.init())
        return op_status::failure(m_setup.pool_base, "cannot create the CPU's root table (bad format or "
                                                     "table pool too small)");
    m_init = true;
    return memory_status("init");
}

op_status cpu_mmu_driver::map(uint64_t va, uint64_t pa, uint64_t size, const map_attrs& attrs) {
    op_status st = init();
    if (!st.ok) return st;
    const map_status ms = m_builder.map(va, pa, size, attrs);
    if (!ms.ok())
        return op_status::failure(ms.va, std::string("map ") + hex(va) + "+" + hex(size) + " -> " + hex(pa) +
                                             ": " + map_error_name(ms.error) + " at " + hex(ms.va));
    return memory_status("map");
}

op_status cpu_mmu_driver::unmap(uint64_t va, uint64_t size) {
    std::vector<std::pair<uint64_t, uint64_t>> removed;
    const map_status ms = m_builder.unmap(va, size, &removed);
    if (!ms.ok())
        return op_status::failure(ms.va, std::string("unmap ") + hex(va) + "+" + hex(size) + ": " +
                                             map_error_name(ms.error));
    op_status st = memory_status("unmap");
    if (!st.ok) return st;
    // Break: every removed leaf leaves the TLB before the memory behind it can be reused.
    for (const auto& [v, n] : removed) m_mmu.tlbi_va(v, m_setup.asid);
    if (m_builder.last_tables_freed()) m_mmu.tlbi_asid(m_setup.asid);
    return {};
}

uint64_t cpu_mmu_driver::tcr() const {
    uint64_t tg0 = 0;  // 4K
    if (m_setup.tg == mmu::granule::g64k) tg0 = 1;
    if (m_setup.tg == mmu::granule::g16k) tg0 = 2;
    uint64_t v = m_setup.tsz & 0x3f;
    v |= 1ULL << 8 | 1ULL << 10 | 3ULL << 12;  // IRGN0 = ORGN0 = write-back, SH0 inner
    v |= tg0 << 14;
    v |= 1ULL << 23;                            // EPD1: no TTBR1 walks
    v |= static_cast<uint64_t>(mmu::ips_from_oas_bits(m_setup.oas_bits)) << 32;
    v |= 1ULL << 36;                            // AS: 16-bit ASIDs
    return v;
}

op_status cpu_mmu_driver::enable() {
    op_status st = init();
    if (!st.ok) return st;
    m_mmu.write_sysreg(core::sysreg::mair_el1, m_setup.mair);
    m_mmu.write_sysreg(core::sysreg::tcr_el1, tcr());
    m_mmu.write_sysreg(core::sysreg::ttbr0_el1,
                       m_builder.root_pa() | static_cast<uint64_t>(m_setup.asid) << 48);
    m_mmu.write_sysreg(core::sysreg::sctlr_el1, m_mmu.read_sysreg(core::sysreg::sctlr_el1) | 1);
    return {};
}

op_status cpu_mmu_driver::disable() {
    m_mmu.write_sysreg(core::sysreg::sctlr_el1, m_mmu.read_sysreg(core::sysreg::sctlr_el1) & ~1ULL);
    return {};
}

}  // namespace vcmsim::vcm
