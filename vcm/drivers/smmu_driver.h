// Driver for the SMMUv3 model (models/smmu), the way Linux brings an SMMU up and programs it,
// entirely through timed operations of a processor (core::master_port):
//   enable():  probe IDR0/IDR1/IDR5, allocate and program a linear stream table, the command
//              queue and the event queue, enable the queues, then SMMUEN, waiting for CR0ACK;
//   create_context(): a stage-1 translation context = page tables (the page-table builder)
//              + one CD (TTB0, T0SZ, TG0, IPS, ASID); no stream uses it yet;
//   attach_stream(sid, ctx): the STE of sid -> that CD, then CFGI_STE + CMD_SYNC. Several
//              StreamIDs may share one context (their STEs point at the same CD);
//   detach_stream(sid): STE -> abort, CFGI_STE (+ TLBI_NH_ASID of the context when it was its
//              last stream: its TLB entries are unreachable from then on) + CMD_SYNC;
//   map_ctx()/unmap_ctx(): page-table updates; unmap issues TLBI_NH_VA for every removed leaf
//              (one TLBI_NH_ASID instead past 32 leaves or when tables were freed), then
//              CMD_SYNC, and returns only after the SYNC completed: the caller may reuse the
//              memory then;
//   destroy_context(): refused while a stream is attached (or while it is the context of an
//              attach(sid, setup)); TLBI_NH_ASID + CMD_SYNC when a stream used the context since
//              its last ASID invalidation (so the ASID may be reused), then frees tables and CD;
//   drain_events(): reads the event queue and returns decoded records.
// Per-StreamID calls (the scenario's smmu_* steps) are thin wrappers: attach(sid, setup) =
// create_context + attach_stream (the context is then "owned" by sid: map(sid)/unmap(sid) use
// it even after set_bypass/set_abort rewrote the STE, as before the refactor). set_bypass and
// set_abort take the stream off its context's count but issue no TLBI (unchanged behaviour);
// re-attaching a stream to another context counts as a detach from the old one.
// Memory for the stream table, queues, CDs and page tables comes from one physical pool.
// The driver does not allocate ASIDs: the caller (smmu_backend) keeps them unique.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "models/core/master_port.h"
#include "vcm/pgtable/page_table_builder.h"
#include "vcm/pgtable/table_pool.h"

namespace vcmsim::vcm {

struct smmu_driver_setup {
    uint64_t mmio_base = 0;
    uint64_t pool_base = 0;        // physical memory the driver may use
    uint64_t pool_size = 0;
    unsigned st_log2 = 8;          // stream table entries (capped by IDR1.SIDSIZE)
    unsigned queue_log2 = 8;       // command / event queue entries (capped by IDR1)
    core::ps_t timeout_ps = 1000000000;  // waits for CR0ACK and CMD_SYNC (1 ms)
};

struct smmu_context_setup {
    mmu::granule tg = mmu::granule::g4k;
    unsigned tsz = 16;             // CD.T0SZ
    unsigned oas_bits = 48;        // CD.IPS
    uint16_t asid = 1;
    bool blocks = true;            // block mappings where chunk size and alignment allow
};

// A decoded event record.
struct smmu_event {
    uint8_t id = 0;
    uint32_t sid = 0, ssid = 0;
    bool ssv = false, rnw = false;
    uint64_t input_addr = 0;
    std::string name() const;      // "F_TRANSLATION", ...
};

class smmu_driver {
public:
    smmu_driver(core::master_port& cpu, const smmu_driver_setup& setup);
    ~smmu_driver();

    using ctx_id = uint32_t;

    core::op_status enable();
    // ---- contexts shared by StreamIDs ----
    core::op_status create_context(const smmu_context_setup& setup, ctx_id& out);
    core::op_status destroy_context(ctx_id ctx);
    core::op_status attach_stream(uint32_t sid, ctx_id ctx);
    core::op_status detach_stream(uint32_t sid);
    core::op_status map_ctx(ctx_id ctx, uint64_t iova, uint64_t pa, uint64_t size, const map_attrs& a);
    core::op_status unmap_ctx(ctx_id ctx, uint64_t iova, uint64_t size);
    const page_table_builder* tables(ctx_id ctx) const;   // nullptr: no such context
    std::size_t streams_of(ctx_id ctx) const;             // StreamIDs attached to ctx
    std::size_t contexts() const { return m_contexts.size(); }
    uint64_t pool_bytes_free() const { return m_pool.bytes_free(); }
    map_error last_map_error() const { return m_last_map_error; }   // of the last map_ctx()

    // ---- per-StreamID wrappers (scenario steps) ----
    core::op_status attach(uint32_t sid, const smmu_context_setup& ctx);
    core::op_status set_bypass(uint32_t sid);
    core::op_status set_abort(uint32_t sid);
    core::op_status map(uint32_t sid, uint64_t iova, uint64_t pa, uint64_t size, const map_attrs& a);
    core::op_status unmap(uint32_t sid, uint64_t iova, uint64_t size);
    core::op_status drain_events(std::vector<smmu_event>& out);
    bool enabled() const { return m_enabled; }
    uint64_t commands_issued() const { return m_commands; }

private:
    struct context;
    core::op_status write_ste(uint32_t sid, const uint64_t (&dw)[8]);
    // Writes commands, rings CMDQ_PROD and, with sync, appends CMD_SYNC and waits for it.
    core::op_status submit(const std::vector<std::pair<uint64_t, uint64_t>>& cmds, bool sync = true);
    core::op_status alloc(uint64_t bytes, uint64_t align, uint64_t& pa, const char* what);
    core::op_status memory_status(const char* what);
    context* find_ctx(ctx_id ctx, core::op_status& st);
    bool find_sid(uint32_t sid, ctx_id& id, core::op_status& st) const;
    core::op_status check_sid(uint32_t sid) const;
    // Removes sid from the context its STE pointed at (bookkeeping only).
    void forget_stream(uint32_t sid);

    core::master_port& m_cpu;
    smmu_driver_setup m_setup;
    table_pool m_pool;
    master_pt_memory m_mem;
    bool m_enabled = false;
    unsigned m_st_log2 = 0, m_cmdq_log2 = 0, m_evtq_log2 = 0;
    uint64_t m_strtab = 0, m_cmdq = 0, m_evtq = 0;
    uint32_t m_cmd_prod = 0, m_evt_cons = 0;
    uint64_t m_commands = 0;
    map_error m_last_map_error = map_error::ok;
    ctx_id m_next_ctx = 1;
    std::map<ctx_id, std::unique_ptr<context>> m_contexts;
    std::map<uint32_t, ctx_id> m_attached;   // sid -> context its STE points at
    std::map<uint32_t, ctx_id> m_owned;      // sid -> context created by attach(sid, setup)
};

}  // namespace vcmsim::vcm
