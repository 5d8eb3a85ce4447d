// Parameters of the SMMUv3 model (see smmu.h and docs/models/smmu.md). Plain C++.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "models/mmu/tlb.h"
#include "models/mmu/walk_cache.h"

namespace vcmsim::smmu {

struct smmu_port_config {
    std::string name;
    uint32_t default_sid = 0;      // StreamID of transactions without core::txn_ext
    uint32_t default_ssid = 0;
    bool default_ssv = false;
};

struct smmu_config {
    uint64_t clock_hz = 1000000000;
    unsigned sid_bits = 16, ssid_bits = 8, cmdq_log2 = 8, evtq_log2 = 8, oas_bits = 48;
    bool gran4k = true, gran16k = true, gran64k = true, two_level_st = true;
    std::vector<smmu_port_config> ports;   // one TBU per port; port i = i-th binding of `in`
    unsigned utlb_entries = 32;   uint64_t utlb_cycles = 1;
    mmu::tlb_config tlb{2048, 4, mmu::replacement::lru, 1};  uint64_t tlb_cycles = 3;
    uint64_t tbu_tcu_cycles = 8;  // each way
    mmu::walk_cache_config walk_cache{256, 4, 0b0111};  uint64_t walk_cache_cycles = 4;
    unsigned config_cache_entries = 64;  uint64_t config_cycles = 2;
    unsigned walk_slots = 16;
    uint64_t cmd_cycles = 4;      // per command consumed
    uint64_t tlbi_cycles = 20;    // extra per invalidation command
};

// Throws std::invalid_argument naming the offending field.
void validate(const smmu_config& c);

}  // namespace vcmsim::smmu
