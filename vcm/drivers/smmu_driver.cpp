#include "models/core/format.h"
#include "models/mmu/vmsa.h"
#include "vcm/drivers/smmu_driver.h"

#include <sstream>

#include "models/smmu/smmu_regs.h"
#include "models/smmu/smmu_structs.h"

namespace vcmsim::vcm {

using core::hex;

using core::op_status;
namespace r = smmu::regs;

namespace {
unsigned tg0_of(mmu::granule g) {  // CD.TG0: 0 4K, 1 64K, 2 16K
    return g == mmu::granule::g64k ? 1 : g == mmu::granule::g16k ? 2 : 0;
}
}  // namespace

std::string smmu_event::name() const {
    const char* n = smmu::event_name(static_cast<smmu::event_id>(id));
    return n ? n : "EVENT_" + hex(id);
}

struct smmu_driver::context {
    smmu_context_setup setup;
    uint64_t cd_pa = 0;
    std::size_t streams = 0;   // StreamIDs whose STE points at cd_pa
    bool dirty = false;        // a stream used it since its last TLBI_NH_ASID
    std::unique_ptr<page_table_builder> tables;
};

smmu_driver::smmu_driver(core::master_port& cpu, const smmu_driver_setup& setup)
    : m_cpu(cpu), m_setup(setup), m_pool(setup.pool_base, setup.pool_size), m_mem(cpu) {}

smmu_driver::~smmu_driver() = default;

op_status smmu_driver::memory_status(const char* what) {
    if (!m_mem.failed) return {};
    m_mem.failed = false;
    return op_status::failure(m_mem.failed_pa, std::string(what) + ": bus error at " + hex(m_mem.failed_pa));
}

op_status smmu_driver::alloc(uint64_t bytes, uint64_t align, uint64_t& pa, const char* what) {
    if (!m_pool.alloc_table(bytes, align, pa))
        return op_status::failure(m_setup.pool_base, std::string("SMMU driver pool exhausted allocating ") + what);
    m_mem.zero(pa, bytes);
    return memory_status(what);
}

op_status smmu_driver::enable() {
    if (m_enabled) return {};
    uint64_t idr0 = 0, idr1 = 0, idr5 = 0;
    op_status st = m_cpu.mmio_read(m_setup.mmio_base + r::IDR0, idr0);
    if (st.ok) st = m_cpu.mmio_read(m_setup.mmio_base + r::IDR1, idr1);
    if (st.ok) st = m_cpu.mmio_read(m_setup.mmio_base + r::IDR5, idr5);
    if (!st.ok) return st;
    if (!(idr0 & 2)) return op_status::failure(m_setup.mmio_base, "the SMMU has no stage 1 (IDR0.S1P = 0)");
    const unsigned sidsize = idr1 & 0x3f, evtqs = (idr1 >> 16) & 0x1f, cmdqs = (idr1 >> 21) & 0x1f;
    m_st_log2 = std::min(m_setup.st_log2, sidsize);
    m_cmdq_log2 = std::min(m_setup.queue_log2, cmdqs);
    m_evtq_log2 = std::min(m_setup.queue_log2, evtqs);
    const uint64_t st_bytes = 64ULL << m_st_log2, cq_bytes = 16ULL << m_cmdq_log2, eq_bytes = 32ULL << m_evtq_log2;
    if (!(st = alloc(st_bytes, st_bytes, m_strtab, "the stream table")).ok) return st;
    if (!(st = alloc(cq_bytes, std::max<uint64_t>(cq_bytes, 32), m_cmdq, "the command queue")).ok) return st;
    if (!(st = alloc(eq_bytes, std::max<uint64_t>(eq_bytes, 32), m_evtq, "the event queue")).ok) return st;
    // Every STE starts as abort (V = 1, Config = abort): a stream nobody attached reaches nothing.
    for (uint32_t sid = 0; sid < (1u << m_st_log2) && st.ok; ++sid) st = write_ste(sid, smmu::ste::make_abort().dw);
    if (!st.ok) return st;
    const uint64_t b = m_setup.mmio_base;
    st = m_cpu.mmio_write(b + r::STRTAB_BASE, m_strtab, 8);
    if (st.ok) st = m_cpu.mmio_write(b + r::STRTAB_BASE_CFG, m_st_log2);  // FMT linear
    if (st.ok) st = m_cpu.mmio_write(b + r::CMDQ_BASE, m_cmdq | m_cmdq_log2, 8);
    if (st.ok) st = m_cpu.mmio_write(b + r::CMDQ_PROD, 0);
    if (st.ok) st = m_cpu.mmio_write(b + r::CMDQ_CONS, 0);
    if (st.ok) st = m_cpu.mmio_write(b + r::EVENTQ_BASE, m_evtq | m_evtq_log2, 8);
    if (st.ok) st = m_cpu.mmio_write(b + r::EVENTQ_PROD, 0);
    if (st.ok) st = m_cpu.mmio_write(b + r::EVENTQ_CONS, 0);
    if (st.ok) st = m_cpu.mmio_write(b + r::IRQ_CTRL, r::IRQ_GERROR_EN | r::IRQ_EVENTQ_EN);
    if (st.ok) st = m_cpu.mmio_write(b + r::CR0, r::CR0_CMDQEN | r::CR0_EVENTQEN);
    if (st.ok && !m_cpu.poll(b + r::CR0ACK, r::CR0_MASK, r::CR0_CMDQEN | r::CR0_EVENTQEN, m_setup.timeout_ps, 10000))
        return op_status::failure(b + r::CR0ACK, "CR0ACK did not acknowledge the queue enables");
    // Invalidate anything cached before enabling translation, as Linux does.
    m_cmd_prod = 0;
    m_evt_cons = 0;
    if (st.ok) st = submit({{smmu::cmd::cfgi_all().dw[0], smmu::cmd::cfgi_all().dw[1]},
                            {smmu::cmd::tlbi_nsnh_all().dw[0], 0}});
    if (st.ok) st = m_cpu.mmio_write(b + r::CR0, r::CR0_CMDQEN | r::CR0_EVENTQEN | r::CR0_SMMUEN);
    if (st.ok && !m_cpu.poll(b + r::CR0ACK, r::CR0_MASK, r::CR0_MASK, m_setup.timeout_ps, 10000))
        return op_status::failure(b + r::CR0ACK, "CR0ACK did not acknowledge SMMUEN");
    m_enabled = st.ok;
    return st;
}

op_status smmu_driver::write_ste(uint32_t sid, const uint64_t (&dw)[8]) {
    uint8_t raw[64];
    for (int i = 0; i < 8; ++i) smmu::store_le64(raw + 8 * i, dw[i]);
    // Word 0 (with V) last, so the SMMU never sees a half-written valid STE.
    op_status st = m_cpu.write_phys(m_strtab + 64ULL * sid + 8, raw + 8, 56);
    if (st.ok) st = m_cpu.write_phys(m_strtab + 64ULL * sid, raw, 8);
    return st;
}

op_status smmu_driver::submit(const std::vector<std::pair<uint64_t, uint64_t>>& cmds, bool sync) {
    std::vector<std::pair<uint64_t, uint64_t>> all = cmds;
    if (sync) all.emplace_back(smmu::cmd::sync().dw[0], smmu::cmd::sync().dw[1]);
    const uint32_t n = 1u << m_cmdq_log2, wrap = n, mask = (n << 1) - 1;
    const uint64_t b = m_setup.mmio_base;
    const core::ps_t t0 = m_cpu.now_ps();
    for (const auto& c : all) {
        // Wait for room: full when the indexes match and the wrap bits differ. A full queue
        // gets its doorbell first, so the SMMU consumes what is already there.
        bool rung = false;
        for (;;) {
            uint64_t cons = 0;
            op_status st = m_cpu.mmio_read(b + r::CMDQ_CONS, cons);
            if (!st.ok) return st;
            const uint32_t rd = static_cast<uint32_t>(cons) & mask;
            if (!(((rd ^ m_cmd_prod) & (n - 1)) == 0 && ((rd ^ m_cmd_prod) & wrap))) break;
            if ((cons >> r::CONS_ERR_SHIFT) & 0x7f)
                return op_status::failure(m_cmdq, "command queue stopped with an error while full");
            if (!rung && !(st = m_cpu.mmio_write(b + r::CMDQ_PROD, m_cmd_prod)).ok) return st;
            rung = true;
            if (m_cpu.now_ps() - t0 > m_setup.timeout_ps)
                return op_status::failure(m_cmdq, "the command queue stayed full until the timeout");
            m_cpu.delay(10000);
        }
        uint8_t raw[16];
        smmu::store_le64(raw, c.first);
        smmu::store_le64(raw + 8, c.second);
        op_status st = m_cpu.write_phys(m_cmdq + 16ULL * (m_cmd_prod & (n - 1)), raw, 16);
        if (!st.ok) return st;
        m_cmd_prod = (m_cmd_prod + 1) & mask;
        ++m_commands;
    }
    op_status st = m_cpu.mmio_write(b + r::CMDQ_PROD, m_cmd_prod);
    if (!st.ok || !sync) return st;
    const core::ps_t start = m_cpu.now_ps();
    for (;;) {
        uint64_t cons = 0;
        st = m_cpu.mmio_read(b + r::CMDQ_CONS, cons);
        if (!st.ok) return st;
        const unsigned err = (cons >> r::CONS_ERR_SHIFT) & 0x7f;
        if (err) return op_status::failure(m_cmdq, "command queue error " + std::to_string(err) +
                                                        " at index " + std::to_string(cons & (n - 1)));
        if ((static_cast<uint32_t>(cons) & mask) == m_cmd_prod) return {};
        if (m_cpu.now_ps() - start > m_setup.timeout_ps)
            return op_status::failure(m_cmdq, "CMD_SYNC did not complete before the timeout");
        m_cpu.delay(5000);
    }
}

op_status smmu_driver::check_sid(uint32_t sid) const {
    if (sid >= (1u << m_st_log2))
        return op_status::failure(sid, "StreamID " + std::to_string(sid) + " is beyond the stream table (" +
                                           std::to_string(1u << m_st_log2) + " entries)");
    return {};
}

smmu_driver::context* smmu_driver::find_ctx(ctx_id ctx, op_status& st) {
    auto it = m_contexts.find(ctx);
    if (it == m_contexts.end()) {
        st = op_status::failure(ctx, "SMMU context " + std::to_string(ctx) + " does not exist");
        return nullptr;
    }
    return it->second.get();
}

bool smmu_driver::find_sid(uint32_t sid, ctx_id& id, op_status& st) const {
    auto it = m_owned.find(sid);
    if (it != m_owned.end() && m_contexts.count(it->second)) {
        id = it->second;
        return true;
    }
    auto at = m_attached.find(sid);
    if (at != m_attached.end() && m_contexts.count(at->second)) {
        id = at->second;
        return true;
    }
    st = op_status::failure(sid, "StreamID " + std::to_string(sid) + " has no context (attach it first)");
    return false;
}

const page_table_builder* smmu_driver::tables(ctx_id ctx) const {
    auto it = m_contexts.find(ctx);
    return it == m_contexts.end() ? nullptr : it->second->tables.get();
}

std::size_t smmu_driver::streams_of(ctx_id ctx) const {
    auto it = m_contexts.find(ctx);
    return it == m_contexts.end() ? 0 : it->second->streams;
}

op_status smmu_driver::create_context(const smmu_context_setup& setup, ctx_id& out) {
    op_status st = enable();
    if (!st.ok) return st;
    auto c = std::make_unique<context>();
    c->setup = setup;
    c->tables = std::make_unique<page_table_builder>(m_mem, m_pool,
                                                     pt_format{setup.tg, setup.tsz, setup.oas_bits, false, setup.blocks});
    if (!c->tables->init()) {
        m_mem.failed = false;
        return op_status::failure(0, "cannot create the page tables (format or pool)");
    }
    if (!(st = memory_status("page tables")).ok) {
        c->tables->release();
        return st;
    }
    if (!(st = alloc(64, 64, c->cd_pa, "a context descriptor")).ok) {
        c->tables->release();
        return st;
    }
    smmu::cd::params p;
    p.t0sz = setup.tsz;
    p.tg0 = tg0_of(setup.tg);
    p.ips = mmu::ips_from_oas_bits(setup.oas_bits);
    p.asid = setup.asid;
    p.ttb0 = c->tables->root_pa();
    const smmu::cd cd = smmu::cd::make(p);
    uint8_t raw[64];
    for (int i = 0; i < 8; ++i) smmu::store_le64(raw + 8 * i, cd.dw[i]);
    if (!(st = m_cpu.write_phys(c->cd_pa, raw, 64)).ok) {
        c->tables->release();
        m_pool.free_table(c->cd_pa, 64);
        return st;
    }
    out = m_next_ctx++;
    m_contexts[out] = std::move(c);
    return {};
}

void smmu_driver::forget_stream(uint32_t sid) {
    auto it = m_attached.find(sid);
    if (it == m_attached.end()) return;
    auto c = m_contexts.find(it->second);
    if (c != m_contexts.end() && c->second->streams) --c->second->streams;
    m_attached.erase(it);
}

op_status smmu_driver::attach_stream(uint32_t sid, ctx_id ctx) {
    op_status st = enable();
    if (!st.ok) return st;
    if (!(st = check_sid(sid)).ok) return st;
    context* c = find_ctx(ctx, st);
    if (!c) return st;
    auto prev = m_attached.find(sid);
    if (prev != m_attached.end() && prev->second == ctx) return {};   // already there
    if (!(st = write_ste(sid, smmu::ste::make_s1(c->cd_pa).dw)).ok) return st;
    std::vector<std::pair<uint64_t, uint64_t>> cmds{{smmu::cmd::cfgi_ste(sid).dw[0], smmu::cmd::cfgi_ste(sid).dw[1]}};
    if (prev != m_attached.end()) {   // moved from another context: that one may be left unused
        context* old = m_contexts.count(prev->second) ? m_contexts[prev->second].get() : nullptr;
        forget_stream(sid);
        if (old && old->streams == 0 && old->dirty) {
            const smmu::cmd t = smmu::cmd::tlbi_nh_asid(old->setup.asid);
            cmds.emplace_back(t.dw[0], t.dw[1]);
            old->dirty = false;
        }
    }
    m_attached[sid] = ctx;
    ++c->streams;
    c->dirty = true;
    return submit(cmds);
}

op_status smmu_driver::detach_stream(uint32_t sid) {
    op_status st = enable();
    if (!st.ok) return st;
    if (!(st = check_sid(sid)).ok) return st;
    auto it = m_attached.find(sid);
    if (it == m_attached.end())
        return op_status::failure(sid, "StreamID " + std::to_string(sid) + " is not attached to a context");
    context* c = m_contexts.count(it->second) ? m_contexts[it->second].get() : nullptr;
    if (!(st = write_ste(sid, smmu::ste::make_abort().dw)).ok) return st;
    forget_stream(sid);
    std::vector<std::pair<uint64_t, uint64_t>> cmds{{smmu::cmd::cfgi_ste(sid).dw[0], smmu::cmd::cfgi_ste(sid).dw[1]}};
    if (c && c->streams == 0 && c->dirty) {
        // No stream reaches the context any more: drop its TLB and walk-cache entries now, so
        // nothing of it lingers while it is unused (and its ASID may be reused safely later).
        const smmu::cmd t = smmu::cmd::tlbi_nh_asid(c->setup.asid);
        cmds.emplace_back(t.dw[0], t.dw[1]);
        c->dirty = false;
    }
    return submit(cmds);
}

op_status smmu_driver::destroy_context(ctx_id ctx) {
    op_status st;
    context* c = find_ctx(ctx, st);
    if (!c) return st;
    if (c->streams)
        return op_status::failure(ctx, "SMMU context " + std::to_string(ctx) + " still has " +
                                           std::to_string(c->streams) + " stream(s) attached");
    for (const auto& [sid, owned] : m_owned)
        if (owned == ctx)
            return op_status::failure(ctx, "SMMU context " + std::to_string(ctx) + " belongs to StreamID " +
                                               std::to_string(sid) + " (attach(sid, setup))");
    if (c->dirty) {
        const smmu::cmd t = smmu::cmd::tlbi_nh_asid(c->setup.asid);
        if (!(st = submit({{t.dw[0], t.dw[1]}})).ok) return st;
        c->dirty = false;
    }
    c->tables->release();
    m_pool.free_table(c->cd_pa, 64);
    m_contexts.erase(ctx);
    return {};
}

op_status smmu_driver::attach(uint32_t sid, const smmu_context_setup& ctx) {
    op_status st = enable();
    if (!st.ok) return st;
    if (!(st = check_sid(sid)).ok) return st;
    ctx_id id = 0;
    if (!(st = create_context(ctx, id)).ok) return st;
    m_owned[sid] = id;   // an earlier context of sid stays allocated (as before the refactor)
    return attach_stream(sid, id);
}

op_status smmu_driver::set_bypass(uint32_t sid) {
    op_status st = enable();
    if (st.ok) st = check_sid(sid);
    if (st.ok) st = write_ste(sid, smmu::ste::make_bypass().dw);
    if (st.ok) forget_stream(sid);
    if (st.ok) st = submit({{smmu::cmd::cfgi_ste(sid).dw[0], smmu::cmd::cfgi_ste(sid).dw[1]}});
    return st;
}

op_status smmu_driver::set_abort(uint32_t sid) {
    op_status st = enable();
    if (st.ok) st = check_sid(sid);
    if (st.ok) st = write_ste(sid, smmu::ste::make_abort().dw);
    if (st.ok) forget_stream(sid);
    if (st.ok) st = submit({{smmu::cmd::cfgi_ste(sid).dw[0], smmu::cmd::cfgi_ste(sid).dw[1]}});
    return st;
}

op_status smmu_driver::map(uint32_t sid, uint64_t iova, uint64_t pa, uint64_t size, const map_attrs& a) {
    op_status st;
    ctx_id id = 0;
    return find_sid(sid, id, st) ? map_ctx(id, iova, pa, size, a) : st;
}

op_status smmu_driver::unmap(uint32_t sid, uint64_t iova, uint64_t size) {
    op_status st;
    ctx_id id = 0;
    return find_sid(sid, id, st) ? unmap_ctx(id, iova, size) : st;
}

op_status smmu_driver::map_ctx(ctx_id ctx, uint64_t iova, uint64_t pa, uint64_t size, const map_attrs& a) {
    op_status st;
    m_last_map_error = map_error::ok;
    context* c = find_ctx(ctx, st);
    if (!c) return st;
    // As Linux's io-pgtable does for SMMU tables: DMA is unprivileged, so every mapping is
    // accessible at EL0 (AP[1] = 1); write and execute permission come from the caller.
    map_attrs attrs = a;
    attrs.user = true;
    const map_status ms = c->tables->map(iova, pa, size, attrs);
    m_last_map_error = ms.error;
    if (!ms.ok())
        return op_status::failure(ms.va, "map " + hex(iova) + "+" + hex(size) + " in SMMU context " +
                                             std::to_string(ctx) + ": " + map_error_name(ms.error));
    return memory_status("map");
}

op_status smmu_driver::unmap_ctx(ctx_id ctx, uint64_t iova, uint64_t size) {
    op_status st;
    context* c = find_ctx(ctx, st);
    if (!c) return st;
    std::vector<std::pair<uint64_t, uint64_t>> removed;
    const map_status ms = c->tables->unmap(iova, size, &removed);
    if (!ms.ok()) return op_status::failure(ms.va, std::string("unmap: ") + map_error_name(ms.error));
    if (!(st = memory_status("unmap")).ok) return st;
    // One TLBI_NH_VA per removed leaf; past 32 leaves (or when tables were freed, which walk
    // caches may hold) one TLBI_NH_ASID for the whole context is cheaper.
    std::vector<std::pair<uint64_t, uint64_t>> cmds;
    if (removed.size() <= 32)
        for (const auto& [va, n] : removed) {
            const smmu::cmd t = smmu::cmd::tlbi_nh_va(c->setup.asid, va);
            cmds.emplace_back(t.dw[0], t.dw[1]);
        }
    if (removed.size() > 32 || c->tables->last_tables_freed()) {
        const smmu::cmd t = smmu::cmd::tlbi_nh_asid(c->setup.asid);  // walk caches too
        cmds.emplace_back(t.dw[0], t.dw[1]);
    }
    return submit(cmds);  // returns after CMD_SYNC completed
}

op_status smmu_driver::drain_events(std::vector<smmu_event>& out) {
    if (!m_enabled) return {};
    const uint32_t n = 1u << m_evtq_log2, mask = (n << 1) - 1;
    uint64_t prod = 0;
    op_status st = m_cpu.mmio_read(m_setup.mmio_base + r::EVENTQ_PROD, prod);
    while (st.ok && (static_cast<uint32_t>(prod) & mask) != m_evt_cons) {
        uint8_t raw[32];
        st = m_cpu.read_phys(m_evtq + 32ULL * (m_evt_cons & (n - 1)), raw, 32);
        if (!st.ok) break;
        smmu::evt e;
        for (int i = 0; i < 4; ++i) e.dw[i] = smmu::load_le64(raw + 8 * i);
        smmu_event ev;
        ev.id = static_cast<uint8_t>(e.dw[0] & 0xff);
        ev.sid = e.sid();
        ev.ssv = e.ssv();
        ev.ssid = e.ssid();
        ev.rnw = e.rnw();
        ev.input_addr = e.input_addr();
        out.push_back(ev);
        m_evt_cons = (m_evt_cons + 1) & mask;
    }
    // Acknowledge, copying OVFLG to OVACKFLG.
    if (st.ok) st = m_cpu.mmio_write(m_setup.mmio_base + r::EVENTQ_CONS, m_evt_cons | (prod & r::EVTQ_OVFLG));
    return st;
}

}  // namespace vcmsim::vcm
