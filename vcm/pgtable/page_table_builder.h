// Page-table builder (io-pgtable style): the ONE place in vcmsim that writes VMSAv8-64 stage-1
// translation tables. The CPU MMU driver, the SMMU driver, scenarios and tests all use it.
// Plain C++; descriptors go through pt_memory (a bus-transaction adapter in the platform, a
// vector in unit tests) and table pages come from pt_allocator (the VCM layer's allocator).
// Descriptor encodings come from models/mmu/vmsa.h.
//
// Rules:
//   map()   [va, va+size) -> [pa, pa+size), all three aligned to the granule. At each level the
//           largest leaf the architecture allows (4K: 1G at L1, 2M at L2; 16K: 32M at L2; 64K:
//           512M at L2; pages at L3) is used wherever va, pa and the remaining size are aligned
//           to it; smaller entries otherwise. Never sets the contiguous bit.
//           Failure leaves the tables exactly as they were (checks first; on running out of
//           table memory the part already written is unmapped and its new tables freed).
//   unmap() clears the leaves in [va, va+size); holes are skipped. A block only partly covered
//           is split first: it is replaced by a next-level table whose entries re-map the whole
//           block with the same attributes (blocks of the next size where allowed, else pages),
//           then the covered part of that table is cleared. Tables left empty are freed
//           (never the root). Split tables are reserved before anything is written, so unmap
//           too is all-or-nothing.
//           `removed` receives one (va, size) per leaf entry cleared, ascending; a caller must
//           invalidate TLBs for each and, when last_tables_freed() != 0, also walk caches
//           (non-leaf TLBI) for those ranges.
//   The root table is start_table_bytes(tg, tsz) long and aligned to its size; other tables
//   are one granule, granule aligned. Every new table is zeroed through pt_memory. A table page
//   at or above 2^oas_bits is given back and treated as out of memory.
//   Valid entries per table are counted in host memory (hash map keyed by table PA); raw
//   writes through entry_address() are not counted.
#pragma once

#include <cstddef>
#include <cstdint>
#include <unordered_map>
#include <utility>
#include <vector>

#include "models/mmu/translation.h"

namespace vcmsim::vcm {

class pt_memory {   // how the builder reads/writes descriptors
public:
    virtual ~pt_memory() = default;
    virtual uint64_t read64(uint64_t pa) = 0;
    virtual void write64(uint64_t pa, uint64_t value) = 0;
    // Zeroes a new table page; override with a bulk write where the memory allows it.
    virtual void zero(uint64_t pa, uint64_t bytes) {
        for (uint64_t off = 0; off < bytes; off += 8)
            write64(pa + off, 0);
    }
};

class pt_allocator {   // table pages; the VCM layer provides one
public:
    virtual ~pt_allocator() = default;
    virtual bool alloc_table(uint64_t bytes, uint64_t align, uint64_t& pa) = 0;  // false = OOM
    virtual void free_table(uint64_t pa, uint64_t bytes) = 0;
};

struct pt_format {
    mmu::granule tg = mmu::granule::g4k;
    unsigned tsz = 16;          // TxSZ: input address range [0, 2^(64 - tsz))
    unsigned oas_bits = 48;     // output address size (32..48)
    bool ttst = false;          // allow TxSZ up to 48 (4K/16K) / 47 (64K)
    bool blocks = true;         // use block descriptors where size and alignment allow
};

// Stage 1 cannot express "no read": read must be true (write-only or no-access → bad_attrs).
// AP[2:1] = (write ? 0b00 : 0b10) | (user ? 0b01 : 0). exec=false → UXN=PXN=1; exec=true →
// user ? (UXN=0, PXN=1) : (UXN=1, PXN=0). global=false sets nG.
struct map_attrs {
    bool read = true, write = true, exec = false, user = false, global = false;
    uint8_t attr_index = 0;     // MAIR index 0..7
    uint8_t sh = 3;             // 0 non-shareable, 2 outer, 3 inner
    bool af = true;
};

enum class map_error : uint8_t {
    ok = 0,
    misaligned,       // va, pa or size not a multiple of the granule, or size == 0
    overlap,          // map: part of the range is already mapped (status.va = first such VA)
    out_of_memory,    // the allocator refused a table page
    out_of_range,     // va range beyond 2^(64-tsz), pa range beyond 2^oas_bits, or wraps
    bad_attrs,        // attributes stage 1 cannot express
    not_initialised,  // init() not called or failed
};

const char* map_error_name(map_error e);

struct map_status {
    map_error error = map_error::ok;
    uint64_t va = 0;            // the address the error refers to
    bool ok() const { return error == map_error::ok; }
    explicit operator bool() const { return ok(); }
};

// The descriptor leaf_attrs a map_attrs produces (AP, XN, nG, AttrIndx, SH, AF).
mmu::leaf_attrs to_leaf_attrs(const map_attrs& a);

class page_table_builder {
public:
    page_table_builder(pt_memory& mem, pt_allocator& alloc, pt_format fmt);

    bool init();                           // validates the format, allocates the root table
    uint64_t root_pa() const { return m_root; }
    const pt_format& format() const { return m_fmt; }
    int start_level() const { return m_start; }

    map_status map(uint64_t va, uint64_t pa, uint64_t size, const map_attrs& attrs);
    map_status unmap(uint64_t va, uint64_t size,
                     std::vector<std::pair<uint64_t, uint64_t>>* removed = nullptr);

    // Software walk of the tables (debug, tests): PA of va and log2 of its page/block size.
    bool lookup(uint64_t va, uint64_t& pa, unsigned& page_shift) const;

    std::size_t tables_in_use() const { return m_count.size(); }   // including the root
    std::size_t last_tables_freed() const { return m_last_freed; } // by the last unmap()

    // Descriptor address of va's entry at `level` (start..3). Invalid intermediate entries get
    // a new table when allocate is true, otherwise the call fails; a leaf above `level` fails.
    bool entry_address(uint64_t va, int level, uint64_t& desc_pa, bool allocate);

    // Frees every table including the root (no descriptor writes); init() may be called again.
    void release();

private:
    unsigned index(int level, uint64_t va) const;
    bool in_ia(uint64_t va, uint64_t size) const;
    bool alloc_table(int level, uint64_t& pa);
    void free_table(uint64_t pa);
    uint64_t table_bytes(int level) const;
    uint64_t granule_bytes() const { return 1ULL << mmu::granule_shift(m_fmt.tg); }
    bool leaf_allowed(int level) const { return level == 3 || block_level_ok(level); }
    bool block_level_ok(int level) const;

    bool range_free(int level, uint64_t table, uint64_t va, uint64_t end, uint64_t& busy) const;
    bool map_range(int level, uint64_t table, uint64_t va, uint64_t end, uint64_t pa,
                   uint64_t leaf_bits, bool fresh);
    unsigned splits_needed(uint64_t boundary) const;
    void unmap_range(int level, uint64_t table, uint64_t va, uint64_t end,
                     std::vector<std::pair<uint64_t, uint64_t>>* removed);
    void split_block(int level, uint64_t desc_pa, uint64_t desc);
    void set_entry(uint64_t table, uint64_t desc_pa, uint64_t value, bool was_valid);

    pt_memory& m_mem;
    pt_allocator& m_alloc;
    pt_format m_fmt;
    bool m_format_ok = false;
    int m_start = 0;
    uint64_t m_root = 0;
    bool m_init = false;
    std::unordered_map<uint64_t, uint32_t> m_count;   // table PA -> valid entries
    std::vector<uint64_t> m_reserve;                  // pre-allocated tables for splits
    uint64_t m_cursor = 0;                            // map(): end of the leaves written so far
    std::size_t m_last_freed = 0;
};

}  // namespace vcmsim::vcm
