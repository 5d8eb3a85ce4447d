#include "platforms/smmu_replay/oracle_compare.h"

#include <cinttypes>
#include <cstdio>
#include <set>
#include <utility>

namespace vcmsim::platform::replay {

namespace {

constexpr std::uint8_t evt_f_translation = 0x10;
constexpr std::uint8_t evt_f_permission = 0x13;

std::string hex64(std::uint64_t v) {
    char b[24];
    std::snprintf(b, sizeof b, "0x%" PRIx64, v);
    return b;
}

std::string hex8(std::uint8_t v) {
    char b[8];
    std::snprintf(b, sizeof b, "%02x", v);
    return b;
}

std::string event_brief(const event_record& e) {
    std::string s = event_type_name(e.type()) + " sid=" + hex64(e.stream_id());
    if (e.is_translation_fault()) s += " addr=" + hex64(e.input_addr()) + (e.rnw() ? " read" : " write");
    return s;
}

std::string events_brief(const std::vector<event_record>& v) {
    if (v.empty()) return "no event";
    std::string s = event_brief(v[0]);
    if (v.size() > 1) s += " (+" + std::to_string(v.size() - 1) + " more)";
    return s;
}

// Our memory at [pa, pa+len), if the result reported a range covering it.
const std::uint8_t* find_mem(const dma_result& r, std::uint64_t pa, std::uint64_t len) {
    for (const auto& m : r.mem)
        if (pa >= m.pa && pa - m.pa <= m.bytes.size() && len <= m.bytes.size() - (pa - m.pa))
            return m.bytes.data() + (pa - m.pa);
    return nullptr;
}

std::uint64_t input_addr(const oracle_case& c, const dma_op& op) {
    return op.iova & c.devices.at(op.dev).dma_addr_mask;
}

// Rules 1-4.
void check_events(const dma_op& op, const dma_result& ours, std::vector<std::string>& out) {
    const auto& q = op.events;
    const auto& m = ours.events;
    if (q.empty() != m.empty()) {
        out.push_back("events: QEMU " + events_brief(q) + ", ours " + events_brief(m));
        return;
    }
    if (q.empty()) return;
    const event_record& q0 = q[0];
    const event_record& m0 = m[0];
    std::string diff;
    auto field = [&](const char* name, std::uint64_t a, std::uint64_t b) {
        if (a != b) diff += std::string(diff.empty() ? "" : ", ") + name + " QEMU " + hex64(a) + " ours " + hex64(b);
    };
    field("type", q0.type(), m0.type());
    field("StreamID", q0.stream_id(), m0.stream_id());
    field("SSV", q0.ssv(), m0.ssv());
    field("SubstreamID", q0.substream_id(), m0.substream_id());
    if (q0.is_translation_fault() && q0.type() == m0.type()) {
        field("InputAddr", q0.input_addr(), m0.input_addr());
        field("RnW", q0.rnw(), m0.rnw());
    }
    if (!diff.empty())
        out.push_back("first event record: " + diff + " (QEMU " + event_brief(q0) + ", ours " + event_brief(m0) + ")");
    std::set<std::uint8_t> qt, mt;
    std::set<std::pair<std::uint8_t, std::uint64_t>> qp, mp;
    for (const auto& e : q) {
        qt.insert(e.type());
        if (e.is_translation_fault()) qp.insert({e.type(), e.input_addr() >> 12});
    }
    for (const auto& e : m) {
        mt.insert(e.type());
        if (e.is_translation_fault()) mp.insert({e.type(), e.input_addr() >> 12});
        if (e.stream_id() != op.sid) {
            out.push_back("our record " + event_brief(e) + " does not carry the DMA's StreamID " + hex64(op.sid));
            break;
        }
    }
    if (qt != mt) {
        std::string a, b;
        for (auto t : qt) a += (a.empty() ? "" : ",") + event_type_name(t);
        for (auto t : mt) b += (b.empty() ? "" : ",") + event_type_name(t);
        out.push_back("event types: QEMU {" + a + "}, ours {" + b + "}");
    } else if (qp != mp) {
        out.push_back("faulting 4 KiB pages differ (QEMU " + std::to_string(qp.size()) + " page(s), ours " +
                      std::to_string(mp.size()) + ")");
    }
}

// Rule 5. `allowed(i)` says a differing byte i is acceptable.
template <class Allowed>
void check_read_data(const dma_op& op, const dma_result& ours, std::vector<std::string>& out, Allowed allowed) {
    if (op.dir != dma_dir::read || !op.observed || !op.observed->data) return;
    const byte_vector& q = *op.observed->data;
    if (!ours.data) { out.push_back("result has no read data"); return; }
    const byte_vector& m = *ours.data;
    if (m.size() < q.size()) {
        out.push_back("read data: " + std::to_string(m.size()) + " bytes reported, QEMU " + std::to_string(q.size()));
        return;
    }
    std::size_t bad = 0, first = 0;
    for (std::size_t i = 0; i < q.size(); ++i)
        if (q[i] != m[i] && !allowed(i)) { if (!bad++) first = i; }
    if (bad)
        out.push_back("read data differs in " + std::to_string(bad) + " of " + std::to_string(q.size()) +
                      " bytes, first at +" + std::to_string(first) + ": QEMU " + hex8(q[first]) + ", ours " + hex8(m[first]));
}

void check_ranges(const std::vector<mem_range>& want, const dma_result& ours, const char* what,
                  std::vector<std::string>& out) {
    for (const auto& w : want) {
        const std::uint8_t* p = find_mem(ours, w.pa, w.bytes.size());
        if (!p) { out.push_back(std::string("result lacks ") + what + " memory at " + hex64(w.pa)); continue; }
        for (std::size_t i = 0; i < w.bytes.size(); ++i)
            if (p[i] != w.bytes[i]) {
                out.push_back(std::string(what) + " memory at " + hex64(w.pa) + " differs at +" + std::to_string(i) +
                              " (pa " + hex64(w.pa + i) + "): QEMU " + hex8(w.bytes[i]) + ", ours " + hex8(p[i]));
                break;
            }
    }
}

// Rule 6 (landing) for writes.
void check_landing(const dma_op& op, const dma_result& ours, std::vector<std::string>& out) {
    if (op.dir != dma_dir::write || !op.observed || !op.observed->has_landed_at) return;
    const observed_result& o = *op.observed;
    if (o.landed_at) {
        if (ours.pa_first != o.landed_at) {
            out.push_back("write landed: QEMU at " + hex64(*o.landed_at) + ", ours " +
                          (ours.pa_first ? "at " + hex64(*ours.pa_first) : std::string("nowhere")));
            return;
        }
        if (o.data) check_ranges({{*o.landed_at, *o.data}}, ours, "written", out);
    } else if (ours.pa_first && op.events.empty()) {
        out.push_back("QEMU's write did not land where the architecture puts it; ours wrote at " + hex64(*ours.pa_first));
    }
}

void check_mem_after(const dma_op& op, const dma_result& ours, std::vector<std::string>& out) {
    if (op.observed) check_ranges(op.observed->mem_after, ours, "mem_after", out);
}

// The architectural result for the two real departures: F_TRANSLATION for our StreamID with the
// DMA's direction, at an address inside the DMA, and nothing at a PA.
void check_arch_fault(const oracle_case& c, const dma_op& op, const dma_result& ours, std::vector<std::string>& out) {
    std::uint64_t a = input_addr(c, op);
    if (ours.events.empty()) {
        out.push_back("no event; the architecture requires F_TRANSLATION in [" + hex64(a) + ", +" + std::to_string(op.len) + ")");
        return;
    }
    const event_record& e = ours.events[0];
    if (e.type() != evt_f_translation || e.stream_id() != op.sid || e.rnw() != (op.dir == dma_dir::read) ||
        e.input_addr() < a || e.input_addr() - a >= op.len)
        out.push_back("first record " + event_brief(e) + "; the architecture requires F_TRANSLATION sid=" + hex64(op.sid) +
                      " in [" + hex64(a) + ", +" + std::to_string(op.len) + ")");
    if (ours.pa_first) out.push_back("the first byte reached pa " + hex64(*ours.pa_first) + "; it must not land");
}

// stale_tlb_possible: ours used the new translation (the harness's walk of the current tables).
void check_new_translation(const oracle_case& c, const dma_op& op, const dma_result& ours, std::vector<std::string>& out) {
    if (!op.ref_walk) { out.push_back("no ref_walk to tell the new translation"); return; }
    const ref_walk_info& w = *op.ref_walk;
    if (w.ok) {
        if (!ours.events.empty()) out.push_back("events under the new translation: " + events_brief(ours.events));
        if (ours.pa_first != w.pa)
            out.push_back("new translation puts the first byte at " + hex64(w.pa) + ", ours at " +
                          (ours.pa_first ? hex64(*ours.pa_first) : std::string("nowhere")));
        return;
    }
    std::uint8_t t = w.fault == "F_PERMISSION" ? evt_f_permission : evt_f_translation;
    const std::uint64_t a = input_addr(c, op);
    if (ours.events.empty() || ours.events[0].type() != t || ours.events[0].input_addr() != a ||
        ours.events[0].stream_id() != op.sid)
        out.push_back("new translation faults (" + w.fault + " at " + hex64(a) + "), ours: " + events_brief(ours.events));
    if (ours.pa_first) out.push_back("new translation faults, ours wrote at " + hex64(*ours.pa_first));
}

std::string join(const std::vector<std::string>& v) {
    std::string s;
    for (const auto& p : v) s += (s.empty() ? "" : "; ") + p;
    return s;
}

}  // namespace

std::string event_type_name(std::uint8_t t) {
    switch (t) {
    case 0x01: return "F_UUT";
    case 0x02: return "C_BAD_STREAMID";
    case 0x03: return "F_STE_FETCH";
    case 0x04: return "C_BAD_STE";
    case 0x05: return "F_BAD_ATS_TREQ";
    case 0x06: return "F_STREAM_DISABLED";
    case 0x07: return "F_TRANSL_FORBIDDEN";
    case 0x08: return "C_BAD_SUBSTREAMID";
    case 0x09: return "F_CD_FETCH";
    case 0x0a: return "C_BAD_CD";
    case 0x0b: return "F_WALK_EABT";
    case 0x10: return "F_TRANSLATION";
    case 0x11: return "F_ADDR_SIZE";
    case 0x12: return "F_ACCESS";
    case 0x13: return "F_PERMISSION";
    case 0x20: return "F_TLB_CONFLICT";
    case 0x21: return "F_CFG_CONFLICT";
    case 0x24: return "E_PAGE_REQUEST";
    case 0x25: return "F_VMS_FETCH";
    default: return "0x" + hex8(t);
    }
}

std::vector<range_request> required_ranges(const dma_op& op) {
    std::vector<range_request> r;
    if (!op.observed) return r;
    for (const auto& m : op.observed->mem_after) r.push_back({m.pa, m.bytes.size()});
    if (op.dir == dma_dir::write && op.observed->landed_at && op.observed->data)
        r.push_back({*op.observed->landed_at, op.observed->data->size()});
    return r;
}

dma_result qemu_result(std::size_t index, const dma_op& op) {
    dma_result r;
    r.index = index;
    r.dev = op.dev;
    r.events = op.events;
    if (!op.observed) return r;
    if (op.dir == dma_dir::read) r.data = op.observed->data;
    if (op.dir == dma_dir::write && op.observed->has_landed_at) r.pa_first = op.observed->landed_at;
    r.mem = op.observed->mem_after;
    if (op.dir == dma_dir::write && op.observed->landed_at && op.observed->data)
        r.mem.push_back({*op.observed->landed_at, *op.observed->data});
    return r;
}

std::string describe_dma(const oracle_case& c, std::size_t index, const dma_op& op) {
    std::string s = "#" + std::to_string(index) + " ";
    if (c.devices.size() > 1) s += "dev" + std::to_string(op.dev) + " ";
    s += std::string(op.dir == dma_dir::read ? "read" : "write") + " iova=" + hex64(op.iova) +
         " len=" + std::to_string(op.len);
    if (op.harness) s += " (harness)";
    return s;
}

dma_verdict compare_dma(const oracle_case& c, std::size_t index, const dma_op& op, const dma_result& ours,
                        const compare_options& opt) {
    dma_verdict v;
    v.index = index;
    v.what = describe_dma(c, index, op);
    if (ours.index != index || ours.dev != op.dev) {
        v.kind = verdict_kind::fail;
        v.message = "result is for entry #" + std::to_string(ours.index) + " dev" + std::to_string(ours.dev);
        return v;
    }
    const bool departs = op.has_deviation("iova_beyond_48bit") || op.has_deviation("invalid_block_accepted");

    std::vector<std::string> strict;
    check_events(op, ours, strict);
    check_read_data(op, ours, strict, [](std::size_t) { return false; });
    check_landing(op, ours, strict);
    check_mem_after(op, ours, strict);
    if (strict.empty()) {
        if (departs) {
            v.kind = verdict_kind::fail;
            v.message = "matches QEMU, which departs from the architecture here (" +
                        std::string(op.has_deviation("iova_beyond_48bit") ? "iova_beyond_48bit" : "invalid_block_accepted") +
                        "); the architecture requires F_TRANSLATION and nothing landing";
        }
        return v;
    }
    auto accept = [&](const char* id, const std::string& msg) {
        v.kind = verdict_kind::deviation;
        v.deviations.push_back(id);
        v.message = msg + " [QEMU: " + join(strict) + "]";
        return v;
    };

    if (op.has_deviation("aborted_read_zero_fill") && op.dir == dma_dir::read) {
        const std::uint8_t fill = c.devices.at(op.dev).aborted_read_fill;
        const byte_vector* q = op.observed && op.observed->data ? &*op.observed->data : nullptr;
        std::vector<std::string> p;
        check_events(op, ours, p);
        check_read_data(op, ours, p, [&](std::size_t i) {
            return ours.terminated.empty() ? (q && (*q)[i] == fill) : (i < ours.terminated.size() && ours.terminated[i]);
        });
        check_mem_after(op, ours, p);
        if (p.empty())
            return accept("aborted_read_zero_fill", "terminated read bytes differ from QEMU's zero fill (the architecture leaves them undefined)");
    }
    if (departs) {
        const bool block = op.has_deviation("invalid_block_accepted");
        std::vector<std::string> p;
        check_arch_fault(c, op, ours, p);
        if (!block) check_mem_after(op, ours, p);
        if (p.empty())
            return accept(block ? "invalid_block_accepted" : "iova_beyond_48bit",
                          block ? "F_TRANSLATION for a block descriptor at a level without blocks, as the architecture requires; QEMU used it as a block"
                                : "F_TRANSLATION for an IOVA at or above 2^48, as the architecture requires; QEMU dropped the access without an event");
        v.kind = verdict_kind::fail;
        v.message = join(p) + " [QEMU departs here; compared with the architecture]";
        return v;
    }
    if (op.has_deviation("stale_tlb_possible")) {
        std::vector<std::string> p;
        check_new_translation(c, op, ours, p);
        if (p.empty())
            return accept("stale_tlb_possible", "ours used the new translation where QEMU kept a cached one; both are allowed until the TLBI");
    }
    if (op.has_deviation("stale_config_possible"))
        return accept("stale_config_possible", "differs from QEMU where the STE/CD changed without a covering CFGI; old and new configurations are both allowed (not checked further)");
    if (op.has_deviation("stage2_unimplemented") && opt.model_has_stage2)
        return accept("stage2_unimplemented", "QEMU has no stage 2 (C_BAD_STE); our model implements it, so the DMA is not compared");

    v.kind = verdict_kind::fail;
    v.message = join(strict);
    if (!op.deviations.empty()) {
        std::string ids;
        for (const auto& d : op.deviations) ids += (ids.empty() ? "" : ",") + d;
        v.message += " (marks " + ids + " do not cover this difference)";
    }
    return v;
}

std::vector<dma_verdict> compare_case(const oracle_case& c, const std::vector<dma_result>& results,
                                      const compare_options& opt) {
    std::vector<dma_verdict> out;
    std::size_t k = 0;
    for (const auto& e : c.trace) {
        const dma_op* op = e.dma();
        if (!op) continue;
        if (k < results.size()) {
            out.push_back(compare_dma(c, e.index, *op, results[k], opt));
        } else {
            dma_verdict v;
            v.index = e.index;
            v.kind = verdict_kind::fail;
            v.what = describe_dma(c, e.index, *op);
            v.message = "no result (the replay stopped before this DMA)";
            out.push_back(v);
        }
        ++k;
    }
    return out;
}

void compare_summary::add(const dma_verdict& v) {
    if (v.kind == verdict_kind::fail) {
        ++failed;
    } else {
        ++passed;
        deviations += v.kind == verdict_kind::deviation;
    }
}

std::string compare_summary::line() const {
    return std::to_string(passed) + " passed, " + std::to_string(failed) + " failed";
}

std::string compare_summary::deviation_line() const {
    if (!deviations) return {};
    return "(" + std::to_string(deviations) + " DMA(s) differ from QEMU by a known QEMU deviation)";
}

std::string format_verdict(const std::string& case_name, const dma_verdict& v) {
    const char* tag = v.kind == verdict_kind::pass ? "PASS" : v.kind == verdict_kind::fail ? "FAIL" : "DEVIATION";
    std::string s = std::string(tag) + " " + case_name + " " + v.what;
    if (!v.deviations.empty()) s += " [" + v.deviations.front() + "]";
    if (!v.message.empty()) s += ": " + v.message;
    return s;
}

std::string result_to_json_line(const dma_result& r) {
    std::string s = "{\"i\": " + std::to_string(r.index) + ", \"dev\": " + std::to_string(r.dev) + ", \"events\": [";
    for (std::size_t i = 0; i < r.events.size(); ++i) s += (i ? ", \"" : "\"") + r.events[i].hex() + "\"";
    s += "]";
    if (r.data) s += ", \"data\": \"" + to_hex(*r.data) + "\"";
    s += ", \"pa_first\": " + (r.pa_first ? std::to_string(*r.pa_first) : std::string("null")) + ", \"mem\": [";
    for (std::size_t i = 0; i < r.mem.size(); ++i)
        s += (i ? ", [" : "[") + std::to_string(r.mem[i].pa) + ", \"" + to_hex(r.mem[i].bytes) + "\"]";
    return s + "]}";
}

}  // namespace vcmsim::platform::replay
