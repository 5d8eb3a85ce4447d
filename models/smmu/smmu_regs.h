// SMMUv3 register offsets and fields (Non-secure page 0 at 0x00000, page 1 at 0x10000), as in
// smmuv3-reference.md §1. The register file itself is built in smmu_regs.cpp on a
// core::register_bank.
#pragma once

#include <cstdint>

namespace vcmsim::smmu::regs {

constexpr uint64_t window = 0x20000;   // 128 KiB: pages 0 and 1
constexpr uint64_t page1 = 0x10000;

constexpr uint64_t IDR0 = 0x000, IDR1 = 0x004, IDR2 = 0x008, IDR3 = 0x00C, IDR4 = 0x010,
                   IDR5 = 0x014, IIDR = 0x018, AIDR = 0x01C, CR0 = 0x020, CR0ACK = 0x024,
                   CR1 = 0x028, CR2 = 0x02C, STATUSR = 0x040, GBPA = 0x044, AGBPA = 0x048,
                   IRQ_CTRL = 0x050, IRQ_CTRLACK = 0x054, GERROR = 0x060, GERRORN = 0x064,
                   GERROR_IRQ_CFG0 = 0x068, GERROR_IRQ_CFG1 = 0x070, GERROR_IRQ_CFG2 = 0x074,
                   STRTAB_BASE = 0x080, STRTAB_BASE_CFG = 0x088, CMDQ_BASE = 0x090,
                   CMDQ_PROD = 0x098, CMDQ_CONS = 0x09C, EVENTQ_BASE = 0x0A0,
                   EVENTQ_IRQ_CFG0 = 0x0B0, EVENTQ_IRQ_CFG1 = 0x0B8, EVENTQ_IRQ_CFG2 = 0x0BC,
                   EVENTQ_PROD = page1 + 0x0A8, EVENTQ_CONS = page1 + 0x0AC;

// CR0 / CR0ACK
constexpr uint32_t CR0_SMMUEN = 1u << 0, CR0_EVENTQEN = 1u << 2, CR0_CMDQEN = 1u << 3;
constexpr uint32_t CR0_MASK = CR0_SMMUEN | CR0_EVENTQEN | CR0_CMDQEN;
// CR2
constexpr uint32_t CR2_RECINVSID = 1u << 1, CR2_PTM = 1u << 2;
// GBPA
constexpr uint32_t GBPA_ABORT = 1u << 20, GBPA_UPDATE = 1u << 31;
constexpr uint32_t GBPA_FIELDS = 0x1F | (0xF << 8) | (3 << 12) | (3 << 16) | (3 << 18) | GBPA_ABORT;
// IRQ_CTRL
constexpr uint32_t IRQ_GERROR_EN = 1u << 0, IRQ_EVENTQ_EN = 1u << 2;
// GERROR / GERRORN (implemented bits)
constexpr uint32_t GERROR_CMDQ_ERR = 1u << 0, GERROR_EVENTQ_ABT_ERR = 1u << 2,
                   GERROR_MSI_CMDQ_ABT_ERR = 1u << 4, GERROR_MSI_EVENTQ_ABT_ERR = 1u << 5,
                   GERROR_MSI_GERROR_ABT_ERR = 1u << 7;
constexpr uint32_t GERROR_MASK = GERROR_CMDQ_ERR | GERROR_EVENTQ_ABT_ERR |
                                 GERROR_MSI_CMDQ_ABT_ERR | GERROR_MSI_EVENTQ_ABT_ERR |
                                 GERROR_MSI_GERROR_ABT_ERR;
// CMDQ_CONS.ERR
constexpr unsigned CONS_ERR_SHIFT = 24;
constexpr uint32_t CERROR_NONE = 0, CERROR_ILL = 1, CERROR_ABT = 2;
// EVENTQ_PROD.OVFLG / EVENTQ_CONS.OVACKFLG
constexpr uint32_t EVTQ_OVFLG = 1u << 31;
// Queue base: LOG2SIZE[4:0], ADDR[55:5], RA/WA[62]
constexpr uint64_t Q_BASE_MASK = 0x1FULL | 0x00FFFFFFFFFFFFE0ULL | (1ULL << 62);
constexpr uint64_t Q_ADDR_MASK = 0x00FFFFFFFFFFFFE0ULL;
constexpr uint64_t STRTAB_BASE_MASK = 0x00FFFFFFFFFFFFC0ULL | (1ULL << 62);
constexpr uint32_t STRTAB_CFG_MASK = 0x3F | (0x1F << 6) | (3u << 16);
constexpr uint64_t IRQ_CFG0_MASK = 0x00FFFFFFFFFFFFFCULL;

}  // namespace vcmsim::smmu::regs
