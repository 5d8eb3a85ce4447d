// Host-side walks per second of the VMSAv8-64 walker over a vector-backed memory:
//   cold  no walk cache: 4 descriptor reads per walk (4 KiB granule, 48-bit VA)
//   warm  walk cache holding the L0..L2 table descriptors: 1 read per walk
// Usage: mmu_walk_bench [walks]   (default 4,000,000)
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <vector>

#include "models/mmu/vmsa.h"
#include "models/mmu/walker.h"

using namespace vcmsim::mmu;

namespace {
class vec_memory : public table_memory {
public:
    vec_memory(uint64_t base, uint64_t bytes) : m_base(base), m_words(bytes / 8, 0) {}
    bool read64(uint64_t pa, uint64_t& value, uint64_t& latency_ps) override {
        latency_ps = 0;
        const uint64_t off = pa - m_base;
        if (pa < m_base || off >= m_words.size() * 8) return false;
        value = m_words[off / 8];
        return true;
    }
    void write64(uint64_t pa, uint64_t v) { m_words[(pa - m_base) / 8] = v; }
    uint64_t read(uint64_t pa) const { return m_words[(pa - m_base) / 8]; }
    uint64_t alloc() {
        const uint64_t pa = m_next;
        m_next += 4096;
        return pa;
    }
    uint64_t m_base;
    std::vector<uint64_t> m_words;
    uint64_t m_next = 0;
};

// Maps `pages` consecutive 4 KiB pages from va0; returns the root table PA.
uint64_t build(vec_memory& mem, uint64_t va0, unsigned pages) {
    mem.m_next = mem.m_base;
    const uint64_t root = mem.alloc();
    leaf_attrs a;
    a.ap = 1;
    a.af = true;
    for (unsigned i = 0; i < pages; ++i) {
        const uint64_t va = va0 + uint64_t(i) * 4096;
        uint64_t table = root;
        for (int l = 0; l < 3; ++l) {
            const uint64_t slot = table + table_index(granule::g4k, l, va) * 8;
            uint64_t d = mem.read(slot);
            if (descriptor_type(d, l) != desc_type::table) {
                d = make_table(mem.alloc(), granule::g4k);
                mem.write64(slot, d);
            }
            table = next_table_address(d, granule::g4k);
        }
        mem.write64(table + table_index(granule::g4k, 3, va) * 8,
                    make_page(0x8'0000'0000ULL + uint64_t(i) * 4096, granule::g4k, a));
    }
    return root;
}

double run(walker& w, const regime& r, uint64_t va0, unsigned pages, uint64_t walks,
           uint64_t& reads, uint64_t& check) {
    access a;
    reads = 0;
    check = 0;
    const std::clock_t c0 = std::clock();
    for (uint64_t n = 0; n < walks; ++n) {
        a.va = va0 + ((n * 7919) % pages) * 4096;
        const walk_result res = w.walk(r, a);
        reads += res.reads;
        check += res.map.pa_base;
    }
    return double(std::clock() - c0) / CLOCKS_PER_SEC;   // process CPU time: robust on a busy host
}
}  // namespace

int main(int argc, char** argv) {
    const uint64_t walks = argc > 1 ? std::strtoull(argv[1], nullptr, 0) : 4'000'000ULL;
    const unsigned pages = 512;   // one L3 table: the warm walk cache holds every upper level
    const uint64_t va0 = 0x0000'7654'3200'0000ULL;
    vec_memory mem(0x4000'0000, 64ULL << 10);
    regime r;
    r.tg = granule::g4k;
    r.tsz = 16;
    r.ttb = build(mem, va0, pages);
    r.asid = 1;

    uint64_t reads = 0, check = 0;
    walker cold(mem);
    const double tc = run(cold, r, va0, pages, walks, reads, check);
    std::printf("cold (no walk cache): %llu walks, %.2f reads/walk, %.3f s CPU, %.2f M walks/s, "
                "%.1f ns/walk\n",
                (unsigned long long)walks, double(reads) / walks, tc, walks / tc / 1e6,
                tc * 1e9 / walks);

    walk_cache wc(walk_cache_config{64, 4, 0b0111});
    walker warm(mem, &wc);
    uint64_t check2 = 0;
    const double tw = run(warm, r, va0, pages, walks, reads, check2);
    std::printf("warm (walk cache):    %llu walks, %.2f reads/walk, %.3f s CPU, %.2f M walks/s, "
                "%.1f ns/walk\n",
                (unsigned long long)walks, double(reads) / walks, tw, walks / tw / 1e6,
                tw * 1e9 / walks);
    std::printf("walk cache: lookups %llu, hits L2 %llu, reads saved %llu%s\n",
                (unsigned long long)wc.lookups(), (unsigned long long)wc.hits(2),
                (unsigned long long)wc.reads_saved(), check == check2 ? "" : "  MISMATCH");
    return check == check2 ? 0 : 1;
}
