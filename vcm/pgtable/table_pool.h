// A pt_allocator over a physical range reserved for translation tables: granule-sized pages
// (and smaller aligned root tables) handed out first-fit from a free list. Plain C++.
#pragma once

#include <cstdint>
#include <map>

#include "models/core/master_port.h"
#include "vcm/pgtable/page_table_builder.h"

namespace vcmsim::vcm {

class table_pool : public pt_allocator {
public:
    table_pool(uint64_t base, uint64_t size);
    bool alloc_table(uint64_t bytes, uint64_t align, uint64_t& pa) override;
    void free_table(uint64_t pa, uint64_t bytes) override;
    uint64_t bytes_free() const;
    uint64_t base() const { return m_base; }
    uint64_t size() const { return m_size; }

private:
    uint64_t m_base, m_size;
    std::map<uint64_t, uint64_t> m_free;  // start -> length, coalesced
};

// pt_memory over a processor's physical accesses (timed). A bus error is remembered in
// `failed` (the builder's interface has no error path for a single descriptor access).
class master_pt_memory : public pt_memory {
public:
    explicit master_pt_memory(core::master_port& cpu) : m_cpu(cpu) {}
    uint64_t read64(uint64_t pa) override;
    void write64(uint64_t pa, uint64_t value) override;
    void zero(uint64_t pa, uint64_t bytes) override;
    bool failed = false;
    uint64_t failed_pa = 0;

private:
    core::master_port& m_cpu;
};

}  // namespace vcmsim::vcm
