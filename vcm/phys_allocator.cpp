#include "vcm/phys_allocator.h"

#include <algorithm>

namespace vcmsim::vcm {

namespace {
bool pow2(uint64_t v) { return v && !(v & (v - 1)); }
uint64_t round_up(uint64_t v, uint64_t a) { return (v + a - 1) & ~(a - 1); }
}  // namespace

std::vector<uint64_t> default_chunk_sizes(mmu::granule tg) {
    switch (tg) {
    case mmu::granule::g16k: return {32ULL << 20, 16ULL << 10};
    case mmu::granule::g64k: return {512ULL << 20, 64ULL << 10};
    case mmu::granule::g4k: break;
    }
    return {2ULL << 20, 64ULL << 10, 4ULL << 10};
}

phys_allocator_config default_phys_config(mmu::granule tg, uint64_t base, uint64_t size,
                                          uint64_t contig_size) {
    phys_allocator_config cfg;
    cfg.tg = tg;
    const std::vector<uint64_t> sizes = default_chunk_sizes(tg);
    const uint64_t g = 1ULL << mmu::granule_shift(tg);
    contig_size = contig_size / g * g;
    if (contig_size > size) contig_size = size / g * g;
    const uint64_t pools_bytes = size - contig_size;
    if (contig_size) {
        cfg.contig_base = (base + pools_bytes) / g * g;
        cfg.contig_size = base + size - cfg.contig_base >= contig_size ? contig_size : 0;
    }
    uint64_t pos = base;
    const uint64_t end = base + pools_bytes;
    for (std::size_t i = 0; i < sizes.size(); ++i) {
        const uint64_t share = i == 0 ? pools_bytes / 2 : pools_bytes / 2 / (sizes.size() - 1);
        const uint64_t c = sizes[i];
        const uint64_t start = round_up(pos, c);
        if (start >= end) break;
        uint64_t n = std::min(share, end - start) / c;
        if (n == 0) continue;
        cfg.pools.push_back({c, start, 0, n, ""});
        pos = start + n * c;
    }
    return cfg;
}

vcm_result<std::unique_ptr<phys_allocator>> phys_allocator::create(const phys_allocator_config& cfg) {
    const unsigned gs = mmu::granule_shift(cfg.tg);
    if (gs != 12 && gs != 14 && gs != 16) return fail(errc::invalid_argument, "unknown granule");
    const uint64_t g = 1ULL << gs;
    std::unique_ptr<phys_allocator> a(new phys_allocator);
    a->m_granule = g;
    if (cfg.pools.size() >= k_contig_pool) return fail(errc::invalid_argument, "too many pools");
    for (std::size_t i = 0; i < cfg.pools.size(); ++i) {
        const phys_pool_config& pc = cfg.pools[i];
        const std::string name = pc.name.empty() ? "pool " + std::to_string(i) : pc.name;
        if (!pow2(pc.chunk_size) || pc.chunk_size < g)
            return fail(errc::invalid_argument, name + ": chunk size " + hex(pc.chunk_size) +
                                                    " is not a power of two >= the granule " + hex(g));
        if (pc.base % pc.chunk_size)
            return fail(errc::invalid_argument, name + ": base " + hex(pc.base) + " is not aligned to its chunk size " +
                                                    hex(pc.chunk_size));
        uint64_t count = pc.count;
        if (pc.size) {
            if (pc.size % pc.chunk_size)
                return fail(errc::invalid_argument, name + ": size " + hex(pc.size) + " is not a multiple of " +
                                                        hex(pc.chunk_size));
            if (count && count != pc.size / pc.chunk_size)
                return fail(errc::invalid_argument, name + ": size and count disagree");
            count = pc.size / pc.chunk_size;
        }
        if (count == 0 || count > UINT32_MAX)
            return fail(errc::invalid_argument, name + ": needs 1 .. 2^32-1 chunks");
        if (count > (~0ULL - pc.base) / pc.chunk_size)
            return fail(errc::invalid_argument, name + ": region wraps past 2^64");
        pool p;
        p.chunk = pc.chunk_size;
        p.base = pc.base;
        p.count = count;
        p.name = name;
        p.free.reserve(count);
        for (uint64_t k = count; k-- > 0;) p.free.push_back(static_cast<uint32_t>(k));  // lowest first
        p.allocated.assign(count, 0);
        a->m_pools.push_back(std::move(p));
    }
    // Regions must not overlap (pools and the contiguous region).
    std::vector<std::pair<uint64_t, uint64_t>> regions;
    for (const pool& p : a->m_pools) regions.emplace_back(p.base, p.count * p.chunk);
    if (cfg.contig_size) {
        if (cfg.contig_base % g || cfg.contig_size % g)
            return fail(errc::invalid_argument, "contiguous region [" + hex(cfg.contig_base) + ", +" +
                                                    hex(cfg.contig_size) + ") is not granule aligned");
        regions.emplace_back(cfg.contig_base, cfg.contig_size);
        a->m_contig = iova_allocator(cfg.contig_base, cfg.contig_size);
    }
    std::sort(regions.begin(), regions.end());
    for (std::size_t i = 1; i < regions.size(); ++i)
        if (regions[i - 1].first + regions[i - 1].second > regions[i].first)
            return fail(errc::invalid_argument, "physical regions overlap at " + hex(regions[i].first));
    if (regions.empty()) return fail(errc::invalid_argument, "no pools and no contiguous region");
    // Memtypes.
    if (cfg.memtypes.empty()) {
        std::vector<unsigned> all;
        for (unsigned i = 0; i < a->m_pools.size(); ++i) all.push_back(i);
        a->m_memtypes.push_back(all);
    } else {
        a->m_memtypes = cfg.memtypes;
    }
    for (std::size_t m = 0; m < a->m_memtypes.size(); ++m) {
        const auto& list = a->m_memtypes[m];
        for (std::size_t k = 0; k < list.size(); ++k) {
            if (list[k] >= a->m_pools.size())
                return fail(errc::invalid_argument, "memtype " + std::to_string(m) + " names pool " +
                                                        std::to_string(list[k]) + " which does not exist");
            if (std::count(list.begin(), list.end(), list[k]) != 1)
                return fail(errc::invalid_argument, "memtype " + std::to_string(m) + " lists a pool twice");
            if (k && a->m_pools[list[k]].chunk > a->m_pools[list[k - 1]].chunk)
                return fail(errc::invalid_argument, "memtype " + std::to_string(m) +
                                                        ": chunk sizes must not increase along the priority list");
        }
    }
    for (const pool& p : a->m_pools) a->m_sizes.push_back(p.chunk);
    a->m_sizes.push_back(g);
    std::sort(a->m_sizes.rbegin(), a->m_sizes.rend());
    a->m_sizes.erase(std::unique(a->m_sizes.begin(), a->m_sizes.end()), a->m_sizes.end());
    return a;
}

vcm_status phys_allocator::alloc(uint64_t len, unsigned memtype, std::vector<phys_chunk>& out) {
    out.clear();
    if (len == 0) return fail(errc::invalid_argument, "physical allocation of 0 bytes");
    if (memtype >= m_memtypes.size())
        return fail(errc::invalid_argument, "memtype " + std::to_string(memtype) + " does not exist (" +
                                                std::to_string(m_memtypes.size()) + " configured)");
    const std::vector<unsigned>& order = m_memtypes[memtype];
    uint64_t left = len;
    for (unsigned pi : order) {
        pool& p = m_pools[pi];
        uint64_t n = std::min<uint64_t>(left / p.chunk, p.free.size());
        for (; n; --n) {
            const uint32_t idx = p.free.back();
            p.free.pop_back();
            p.allocated[idx] = 1;
            out.push_back({p.base + idx * p.chunk, p.chunk, static_cast<uint16_t>(pi)});
            left -= p.chunk;
        }
    }
    if (left && !order.empty()) {   // residue: one more chunk from the last pool
        pool& p = m_pools[order.back()];
        if (left < p.chunk && !p.free.empty()) {
            const uint32_t idx = p.free.back();
            p.free.pop_back();
            p.allocated[idx] = 1;
            out.push_back({p.base + idx * p.chunk, p.chunk, static_cast<uint16_t>(order.back())});
            left = 0;
        }
    }
    if (left) {
        give_back(out);
        out.clear();
        return fail(errc::no_phys_memory, "memtype " + std::to_string(memtype) + " cannot supply " + hex(len) +
                                              " bytes: " + hex(left) + " bytes short after every pool");
    }
    return {};
}

vcm_status phys_allocator::alloc_contiguous(uint64_t len, std::vector<phys_chunk>& out) {
    out.clear();
    if (len == 0) return fail(errc::invalid_argument, "contiguous allocation of 0 bytes");
    if (m_contig.size() == 0) return fail(errc::no_phys_memory, "no contiguous region is configured");
    if (len > ~0ULL - m_granule) return fail(errc::invalid_argument, "length " + hex(len) + " too large");
    const uint64_t size = round_up(len, m_granule);
    uint64_t align = m_granule;
    for (uint64_t s : m_sizes)
        if (s <= size) {
            align = s;
            break;
        }
    uint64_t pa = 0;
    vcm_status st = m_contig.alloc(size, align, pa);
    if (!st.ok() && align != m_granule) st = m_contig.alloc(size, m_granule, pa);
    if (!st.ok())
        return fail(errc::no_phys_memory, "contiguous allocation of " + hex(len) + " bytes failed: " + st.message());
    for (uint64_t at = pa, left = size; left;) {
        for (uint64_t s : m_sizes)
            if (at % s == 0 && s <= left) {
                out.push_back({at, s, k_contig_pool});
                at += s;
                left -= s;
                break;
            }
    }
    return {};
}

vcm_status phys_allocator::check_free(const std::vector<phys_chunk>& chunks) const {
    if (chunks.empty()) return fail(errc::invalid_argument, "free of an empty chunk list");
    if (chunks.front().pool == k_contig_pool) {
        uint64_t at = chunks.front().pa;
        for (const phys_chunk& c : chunks) {
            if (c.pool != k_contig_pool || c.pa != at)
                return fail(errc::invalid_argument, "contiguous chunk list is not one range at " + hex(c.pa));
            at += c.size;
        }
        return {};
    }
    std::vector<uint64_t> seen;
    for (const phys_chunk& c : chunks) {
        if (c.pool >= m_pools.size()) return fail(errc::invalid_argument, "chunk " + hex(c.pa) + " names no pool");
        const pool& p = m_pools[c.pool];
        if (c.size != p.chunk || c.pa < p.base || (c.pa - p.base) % p.chunk || (c.pa - p.base) / p.chunk >= p.count)
            return fail(errc::invalid_argument, "chunk " + hex(c.pa) + "+" + hex(c.size) + " is not a chunk of " + p.name);
        if (!p.allocated[(c.pa - p.base) / p.chunk])
            return fail(errc::invalid_argument, "chunk " + hex(c.pa) + " of " + p.name + " is already free");
        seen.push_back(c.pa);
    }
    std::sort(seen.begin(), seen.end());
    if (std::adjacent_find(seen.begin(), seen.end()) != seen.end())
        return fail(errc::invalid_argument, "chunk list names a chunk twice");
    return {};
}

void phys_allocator::give_back(const std::vector<phys_chunk>& chunks) {
    for (auto it = chunks.rbegin(); it != chunks.rend(); ++it) {
        pool& p = m_pools[it->pool];
        const uint32_t idx = static_cast<uint32_t>((it->pa - p.base) / p.chunk);
        p.allocated[idx] = 0;
        p.free.push_back(idx);
    }
}

vcm_status phys_allocator::free(const std::vector<phys_chunk>& chunks) {
    vcm_status st = check_free(chunks);
    if (!st.ok()) return st;
    if (chunks.front().pool == k_contig_pool) {
        uint64_t total = 0;
        for (const phys_chunk& c : chunks) total += c.size;
        return m_contig.release(chunks.front().pa, total);
    }
    give_back(chunks);
    return {};
}

bool phys_allocator::all_free() const {
    for (const pool& p : m_pools)
        if (p.free.size() != p.count) return false;
    return m_contig.allocated_ranges() == 0;
}

std::size_t phys_allocator::host_footprint() const {
    std::size_t n = 0;
    for (const pool& p : m_pools) n += p.free.capacity() + p.allocated.capacity();
    return n + m_contig.free_ranges() + m_contig.allocated_ranges();
}

}  // namespace vcmsim::vcm
