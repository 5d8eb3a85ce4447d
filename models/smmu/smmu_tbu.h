// TBU: the per-master front end of the SMMU. Each upstream port (binding of smmu.in) has one,
// with its own fully associative micro-TLB and a few remembered stream contexts (StreamID,
// SSV, SubstreamID → TCU context id, bypass or translate, STE PRIVCFG/INSTCFG, CD.WXN).
// A micro-TLB hit costs utlb_cycles and never reaches the TCU. Every TLBI and CFGI command
// flushes every TBU completely (over-invalidation is architecturally allowed).
// Plain C++ and allocation-free after construction.
#pragma once

#include <array>
#include <cstdint>

#include "models/mmu/tlb.h"
#include "models/smmu/smmu_tcu.h"

namespace vcmsim::smmu {

struct tbu {
    struct ctx_entry {
        uint64_t key = 0;
        uint16_t ctx = 0;
        bool bypass = false;
        bool wxn = false;
        uint8_t privcfg = 0, instcfg = 0;
        bool valid = false;
    };

    explicit tbu(unsigned utlb_entries)
        : utlb(mmu::tlb_config{utlb_entries, 0, mmu::replacement::lru, 1}) {}

    const ctx_entry* find(uint64_t key) const {
        if (ctxs[last].valid && ctxs[last].key == key) return &ctxs[last];
        for (unsigned i = 0; i < ctxs.size(); ++i)
            if (ctxs[i].valid && ctxs[i].key == key) {
                last = i;
                return &ctxs[i];
            }
        return nullptr;
    }
    void remember(const ctx_entry& e) {
        for (auto& c : ctxs)
            if (c.valid && c.key == e.key) { c = e; return; }
        ctxs[victim] = e;
        ctxs[victim].valid = true;
        victim = (victim + 1) % ctxs.size();
    }
    void flush() {
        utlb.invalidate_all();
        for (auto& c : ctxs) c.valid = false;
    }

    mmu::tlb utlb;
    std::array<ctx_entry, 8> ctxs{};
    mutable unsigned last = 0;
    unsigned victim = 0;
    uint32_t last_sid = ~0u;            // per-stream stats of the last StreamID seen
    stream_stats* last_stats = nullptr;
};

}  // namespace vcmsim::smmu
