// A translation_backend for tests: records every call, keeps each context's mappings (in an
// interval map, or, when given a pt_memory + pt_allocator, in real tables written by the one
// page_table_builder), checks the backend contract (no map over a live entry, attach only to
// existing contexts, destroy only when empty) and injects failures on request.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <vector>

#include "vcm/backend.h"
#include "vcm/pgtable/page_table_builder.h"

namespace vcmsim::vcm {

struct fake_backend_config {
    uint64_t granule = 4096;
    std::set<device_id> devices;     // attach() of any other id -> no_device; empty = any id
    unsigned max_contexts = 64;      // create_context beyond -> busy
    // With page tables: their format (granule must match `granule`).
    pt_format tables{};
};

class fake_backend : public translation_backend {
public:
    enum class op : uint8_t { create_context, destroy_context, map, unmap, attach, detach };
    struct call {
        op kind;
        context_id ctx;
        uint64_t iova, pa, size;
        device_id dev;
        bool ok;
        uint64_t seq;   // global order of calls
    };

    explicit fake_backend(const fake_backend_config& cfg = {}, pt_memory* mem = nullptr,
                          pt_allocator* alloc = nullptr);
    ~fake_backend() override;

    const char* name() const override { return "fake"; }
    uint64_t granule() const override { return m_cfg.granule; }
    vcm_status create_context(const context_params& params, context_id& out) override;
    vcm_status destroy_context(context_id ctx) override;
    vcm_status map(context_id ctx, uint64_t iova, uint64_t pa, uint64_t size,
                   const access_attrs& attrs) override;
    vcm_status unmap(context_id ctx, uint64_t iova, uint64_t size) override;
    vcm_status attach(context_id ctx, device_id dev) override;
    vcm_status detach(context_id ctx, device_id dev) override;
    vcm_status iova_to_phys(context_id ctx, uint64_t iova, uint64_t& pa) override;

    // --- test controls ---
    bool record = true;           // keep `calls` (turn off in soak tests)
    std::vector<call> calls;
    unsigned fail_map_at = 0;     // the k-th map() from now (1-based) fails; 0 = never
    unsigned fail_unmap_at = 0;   // likewise for unmap()
    bool fail_attach = false;
    bool fail_detach = false;
    // Called after every call (recorded or not), e.g. to check an invariant at unmap time.
    std::function<void(const call&)> observer;

    // --- inspection ---
    uint64_t map_calls = 0, unmap_calls = 0, syncs = 0;   // syncs: completed TLBI + SYNC
    std::size_t contexts() const { return m_ctx.size(); }
    uint64_t mapped_bytes(context_id ctx) const;
    std::set<device_id> attached(context_id ctx) const;
    const page_table_builder* tables(context_id ctx) const;   // nullptr without page tables
    access_attrs attrs_at(context_id ctx, uint64_t iova) const;

private:
    struct mapping {
        uint64_t pa, size;
        access_attrs attrs;
    };
    struct context {
        std::map<uint64_t, mapping> maps;   // iova -> mapping (interval map mode)
        std::set<device_id> devices;
        std::unique_ptr<page_table_builder> pt;
        uint64_t bytes = 0;
    };
    void log(op kind, context_id ctx, uint64_t iova, uint64_t pa, uint64_t size, device_id dev, bool ok);
    context* find(context_id ctx);

    fake_backend_config m_cfg;
    pt_memory* m_mem;
    pt_allocator* m_alloc;
    std::map<context_id, context> m_ctx;
    context_id m_next = 1;
    uint64_t m_seq = 0;
    unsigned m_map_count = 0, m_unmap_count = 0;
};

}  // namespace vcmsim::vcm
