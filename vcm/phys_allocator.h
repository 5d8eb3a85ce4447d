// Physical allocator of the VCM layer: pools of fixed-size chunks filled "maximum munch"
// (docs/vcm-reference.md §3.5), plus an optional physically contiguous region. Plain C++.
//
// - A pool is {chunk size, base, size or count}: count chunks at base, base + chunk, ...; every
//   chunk is aligned to its own size (base must be). Chunks are never split or merged.
// - A memtype is an ordered list of pools (priority order, chunk sizes non-increasing; two
//   pools of one size spill into each other). Without memtypes there is one, memtype 0 = all
//   pools in configuration order.
// - alloc(len, memtype): for each pool in order take min(len_left / chunk, free) chunks; the
//   shortfall spills to the next pool. A residue smaller than the last pool's chunk takes one
//   more chunk from the LAST pool only (over-allocation < one smallest chunk). If anything is
//   left, every chunk taken is returned and the call fails with no_phys_memory. The chunk list
//   is largest first.
// - alloc_contiguous(len): one range from the contiguous region (rounded up to the granule,
//   aligned to the largest chunk size <= len when possible, else to the granule), described as
//   chunks in PA order: at each address the largest chunk size the address and the rest allow.
// - free(chunks): the exact list alloc returned. Double or foreign frees are detected and
//   refused before anything is changed.
// Host memory: free lists are sized at creation; alloc/free never grow them.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "models/mmu/translation.h"
#include "vcm/iova_allocator.h"
#include "vcm/vcm_status.h"

namespace vcmsim::vcm {

struct phys_pool_config {
    uint64_t chunk_size = 0;   // bytes, a power of two >= the granule
    uint64_t base = 0;         // physical base, aligned to chunk_size
    uint64_t size = 0;         // bytes (a multiple of chunk_size), or 0 when count is given
    uint64_t count = 0;        // chunks, or 0 when size is given (both given: must agree)
    std::string name;          // for messages ("pool 2" when empty)
};

struct phys_allocator_config {
    mmu::granule tg = mmu::granule::g4k;          // the smallest mapping unit
    std::vector<phys_pool_config> pools;          // priority order
    std::vector<std::vector<unsigned>> memtypes;  // pool indices per memtype; empty = {all}
    uint64_t contig_base = 0;                     // contiguous region (granule aligned)
    uint64_t contig_size = 0;                     // 0 = none
};

// The granule's real mapping sizes, largest first: 4K -> {2M, 64K, 4K} (64K being the
// contiguous-hint size, used as a plain chunk size), 16K -> {32M, 16K}, 64K -> {512M, 64K}.
std::vector<uint64_t> default_chunk_sizes(mmu::granule tg);

// Default pools over [base, base + size) minus a contiguous region of contig_size bytes at the
// top: the largest chunk size gets half of the rest, the others share the other half equally
// (4K granule: 1/2 in 2M, 1/4 in 64K, 1/4 in 4K chunks). Pools too small for one chunk are
// left out. base should be aligned to the largest chunk size.
phys_allocator_config default_phys_config(mmu::granule tg, uint64_t base, uint64_t size,
                                          uint64_t contig_size = 0);

constexpr uint16_t k_contig_pool = 0xFFFF;   // phys_chunk::pool of contiguous-region chunks

struct phys_chunk {
    uint64_t pa = 0;
    uint64_t size = 0;
    uint16_t pool = 0;   // pool index, or k_contig_pool
    bool operator==(const phys_chunk& o) const { return pa == o.pa && size == o.size && pool == o.pool; }
};

class phys_allocator {
public:
    static vcm_result<std::unique_ptr<phys_allocator>> create(const phys_allocator_config& cfg);

    vcm_status alloc(uint64_t len, unsigned memtype, std::vector<phys_chunk>& out);
    vcm_status alloc_contiguous(uint64_t len, std::vector<phys_chunk>& out);
    vcm_status free(const std::vector<phys_chunk>& chunks);

    uint64_t granule() const { return m_granule; }
    const std::vector<uint64_t>& chunk_sizes() const { return m_sizes; }  // distinct, largest first
    std::size_t pool_count() const { return m_pools.size(); }
    std::size_t memtype_count() const { return m_memtypes.size(); }
    uint64_t pool_chunk_size(std::size_t i) const { return m_pools[i].chunk; }
    uint64_t pool_chunks_total(std::size_t i) const { return m_pools[i].count; }
    uint64_t pool_chunks_free(std::size_t i) const { return m_pools[i].free.size(); }
    uint64_t contiguous_bytes_free() const { return m_contig.bytes_free(); }
    const iova_allocator& contiguous_region() const { return m_contig; }
    // Everything free again: every pool full and the contiguous region whole.
    bool all_free() const;
    // Host-side sizes (free-list capacities, contiguous-region ranges) for leak checks.
    std::size_t host_footprint() const;

private:
    struct pool {
        uint64_t chunk = 0, base = 0, count = 0;
        std::string name;
        std::vector<uint32_t> free;       // stack of free chunk indices (capacity == count)
        std::vector<uint8_t> allocated;   // per chunk
    };
    phys_allocator() = default;
    vcm_status check_free(const std::vector<phys_chunk>& chunks) const;
    void give_back(const std::vector<phys_chunk>& chunks);

    uint64_t m_granule = 4096;
    std::vector<pool> m_pools;
    std::vector<std::vector<unsigned>> m_memtypes;
    std::vector<uint64_t> m_sizes;
    iova_allocator m_contig;
};

}  // namespace vcmsim::vcm
