// Stage-1 VMSAv8-64 table walker over an abstract descriptor memory (plain C++, no SystemC).
// Shared by the CPU MMU and the SMMU TCU; the platform adapts a TLM initiator port to
// table_memory (reads go through the interconnect to DRAM, their latency is returned).
//
// walk(regime, access) → mapping or fault. Checks, in order (architecture priority):
//   1. TxSZ outside tsz_valid()                      → translation,  level 0
//   2. IA bits [63:64-TxSZ] not all zero (TTBR0)     → translation,  level 0
//   3. TTB bits at or above oas_bits                 → address_size, level 0
//   then per level, starting at start_level(TxSZ) or below a walk-cache hit:
//   4. descriptor read bus error                     → walk_abort,   that level
//   5. invalid (bit 0 = 0), 01 at L3, block where no block size exists → translation, that level
//   6. table: next-table address beyond oas_bits     → address_size, that level (descriptor's)
//   7. leaf: output address beyond oas_bits          → address_size, leaf level
//   8. leaf: AF = 0 and !regime.affd                 → access_flag,  leaf level
// Level-0 reporting for 1-3 follows the Arm pseudocode (AArch64.S1Translate / S1Walk) and
// ESR DFSC; it is not the start level. Permissions are NOT checked here: use permits().
// TTB is aligned down to the start table size (low BADDR bits treated as zero). oas_bits above
// 48 is treated as 48 (no LPA). Without TTBR1 support, a VA with top bits set always faults.
//
// Timing: latency_ps = sum of the reads' latencies + step_ps per descriptor read.
// The walk does not allocate.
#pragma once

#include <cstdint>

#include "models/mmu/translation.h"
#include "models/mmu/walk_cache.h"

namespace vcmsim::mmu {

class table_memory {   // how the walker reads descriptors (a platform adapts a TLM port)
public:
    virtual ~table_memory() = default;
    // Reads the 64-bit little-endian descriptor at pa. Returns false on a bus error.
    // latency_ps receives the read's latency (0 in pure unit tests).
    virtual bool read64(uint64_t pa, uint64_t& value, uint64_t& latency_ps) = 0;
};

struct walk_result {
    mapping map;                  // valid when !flt
    fault flt;
    unsigned reads = 0;           // descriptor reads made
    uint64_t latency_ps = 0;      // sum of read latencies (+ per-step cycles if configured)
    int start_level = 0;          // level the walk started at (after walk-cache hits)
    int wc_hit_level = -1;        // deepest level served by the walk cache, -1 = none
    uint64_t fault_pa = 0;        // descriptor PA of the last read (useful for walk_abort)
};

class walker {
public:
    explicit walker(table_memory& mem, walk_cache* wc = nullptr, uint64_t step_ps = 0);

    walk_result walk(const regime& r, const access& a);

    walk_cache* cache() const { return m_wc; }
    void set_cache(walk_cache* wc) { m_wc = wc; }
    uint64_t step_ps() const { return m_step_ps; }

    // Counters (host-side; the owner mirrors them into its stat_group).
    uint64_t walks() const { return m_walks; }
    uint64_t reads() const { return m_reads; }
    uint64_t faults() const { return m_faults; }

private:
    table_memory& m_mem;
    walk_cache* m_wc;
    uint64_t m_step_ps;
    uint64_t m_walks = 0;
    uint64_t m_reads = 0;
    uint64_t m_faults = 0;
};

}  // namespace vcmsim::mmu
