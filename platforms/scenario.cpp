#include "models/core/format.h"
#include "platforms/scenario.h"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "models/core/stats.h"
#include "models/mmu/vmsa.h"
#include "vcm/drivers/display_driver.h"
#include "vcm/drivers/dma_driver.h"
#include "vcm/drivers/traffic_driver.h"

namespace vcmsim::platform {

using core::hex;

namespace {

cpu::pattern_kind pattern_of(const config_view& v) {
    cpu::pattern_kind p = cpu::pattern_kind::random;
    cpu::parse_pattern(v.get_string("pattern"), p);
    return p;
}

const device_ref& need_device(const config_view& v, const std::string& key, const std::string& kind,
                              const scenario_env& env) {
    const std::string name = v.get_string(key);
    const device_ref* d = env.find_device(name);
    if (!d) v.fail(key, "no device named '" + name + "'");
    if (d->kind != kind) v.fail(key, "'" + name + "' is a " + d->kind + ", not a " + kind);
    return *d;
}

bool known_outcome(const std::string& s) {
    static const char* names[] = {"done", "desc_align", "desc_fetch", "zero_len", "bad_flags",
                                  "loop", "chain_limit", "src_error", "dst_error", "aborted"};
    return std::find(std::begin(names), std::end(names), s) != std::end(names);
}

}  // namespace

void scenario::parse(const config_view& root, const scenario_env& env) {
    const config_view sc = root.table("scenario");
    const config_view mm = root.table("cpu").table("mmu");
    bool uses_tables = false;
    std::vector<std::string> checksum_names;
    parse_vcm(root, env);
    uses_tables = m_vcm_cfg.cpu_va_size != 0;   // the CPU VCM's tables: [cpu.mmu] + vcm.granule
    auto buffer_of = [&](const config_view& v, const char* key, const std::string& device) {
        const std::string b = v.get_string(key);
        for (const auto& vb : m_vcm_cfg.buffers)
            if (vb.name == b) {
                if (!device.empty() &&
                    std::find(vb.devices.begin(), vb.devices.end(), device) == vb.devices.end())
                    v.fail(key, "buffer '" + b + "' is not shared with '" + device + "' (its devices list)");
                return b;
            }
        v.fail(key, "no [[vcm.buffer]] named '" + b + "'");
    };
    auto buffer_size = [&](const std::string& b) {
        for (const auto& vb : m_vcm_cfg.buffers)
            if (vb.name == b) return vb.size;
        return uint64_t{0};
    };
    for (size_t i = 0; i < sc.count("step"); ++i) {
        const config_view v = sc.at("step", i);
        step s;
        s.op = v.get_string("op");
        s.label = v.get_string("label");
        s.repeat = v.get_uint("repeat");
        s.where = v.where();
        auto opt_u = [&](const char* k, uint64_t& out) { if (v.has(k)) out = v.get_uint(k); };
        if (s.op == "fill" || s.op == "verify") {
            if (v.has("buffer")) {
                if (v.has("addr")) v.fail("addr", "give addr or buffer, not both");
                s.buffer = buffer_of(v, "buffer", "");
                s.size = v.has("size") ? v.get_size("size") : buffer_size(s.buffer);
                if (s.size > buffer_size(s.buffer)) v.fail("size", "larger than the buffer");
            } else {
                if (!v.has("addr")) v.fail("addr", "needs addr (or buffer)");
                if (!v.has("size")) v.fail("size", "needs size (or buffer)");
                s.addr = v.get_uint("addr");
                s.size = v.get_size("size");
            }
            s.pattern = pattern_of(v);
            s.seed = v.get_uint("seed");
        } else if (s.op == "checksum") {
            s.addr = v.get_uint("addr");
            s.size = v.get_size("size");
            s.name = v.get_string("name");
            checksum_names.push_back(s.name);
        } else if (s.op == "copy") {
            s.src = v.get_uint("src");
            s.dst = v.get_uint("dst");
            s.size = v.get_size("size");
        } else if (s.op == "write" || s.op == "mmio_write") {
            s.addr = v.get_uint("addr");
            s.value = v.get_uint("value");
            s.width = static_cast<unsigned>(v.get_uint("width"));
        } else if (s.op == "read" || s.op == "mmio_read") {
            s.addr = v.get_uint("addr");
            s.width = static_cast<unsigned>(v.get_uint("width"));
            s.has_expect = v.has("expect");
            opt_u("expect", s.expect);
            s.mask = v.get_uint("mask");
        } else if (s.op == "poll") {
            s.addr = v.get_uint("addr");
            s.width = static_cast<unsigned>(v.get_uint("width"));
            s.mask = v.get_uint("mask");
            s.expect = v.get_uint("expect");
            s.interval_ps = v.get_time_ps("interval");
            s.timeout_ps = v.get_time_ps("timeout");
        } else if (s.op == "wait_irq") {
            s.device = v.get_string("device");
            const device_ref* d = env.find_device(s.device);
            if (!d) v.fail("device", "no device named '" + s.device + "'");
            if (d->irq_line < 0) v.fail("device", "'" + s.device + "' has no interrupt line");
            s.timeout_ps = v.get_time_ps("timeout");
        } else if (s.op == "delay") {
            s.time_ps = v.get_time_ps("time");
        } else if (s.op == "dma_copy" || s.op == "dma_wait") {
            s.device = need_device(v, "dma", "dma", env).name;
            s.channel = v.get_uint("channel");
            s.timeout_ps = v.get_time_ps("timeout");
            s.expect_status = v.get_string("expect_status");
            if (!known_outcome(s.expect_status))
                v.fail("expect_status", "unknown DMA outcome '" + s.expect_status + "'");
            if (s.op == "dma_copy") {
                for (const char* k : {"src", "dst", "desc_addr"}) {
                    const std::string kb = std::string(k) == "desc_addr" ? "desc_buffer" : std::string(k) + "_buffer";
                    std::string& b = kb == "src_buffer" ? s.src_buffer : kb == "dst_buffer" ? s.dst_buffer : s.desc_buffer;
                    if (v.has(kb) && v.has(k)) v.fail(k, "give " + std::string(k) + " or " + kb + ", not both");
                    if (v.has(kb)) b = buffer_of(v, kb.c_str(), s.device);
                    else if (!v.has(k)) v.fail(k, "needs " + std::string(k) + " (or " + kb + ")");
                }
                if (s.src_buffer.empty()) s.src = v.get_uint("src");
                if (s.dst_buffer.empty()) s.dst = v.get_uint("dst");
                s.size = v.get_size("size");
                s.segments = v.get_uint("segments");
                if (s.segments == 0) v.fail("segments", "must be at least 1");
                if (s.desc_buffer.empty()) {
                    s.desc_addr = v.get_uint("desc_addr");
                    s.desc_cpu_addr = v.has("desc_cpu_addr") ? v.get_uint("desc_cpu_addr") : s.desc_addr;
                }
                s.wait = v.get_bool("wait");
            }
        } else if (s.op == "display_start" || s.op == "display_wait" || s.op == "display_stop") {
            s.device = need_device(v, "display", "display", env).name;
            if (s.op == "display_start") {
                if (v.has("fb_buffer") && v.has("fb")) v.fail("fb", "give fb or fb_buffer, not both");
                if (v.has("fb_buffer")) s.buffer = buffer_of(v, "fb_buffer", s.device);
                else if (!v.has("fb")) v.fail("fb", "needs fb (or fb_buffer)");
                else s.addr = v.get_uint("fb");
            }
            if (s.op == "display_wait") {
                s.frames = v.get_uint("frames");
                s.timeout_ps = v.get_time_ps("timeout");
            }
        } else if (s.op == "traffic_start" || s.op == "traffic_wait") {
            s.device = need_device(v, "traffic", "traffic", env).name;
            if (s.op == "traffic_wait") s.timeout_ps = v.get_time_ps("timeout");
        } else if (s.op == "vcm_unmap" || s.op == "vcm_remap") {
            s.buffer = buffer_of(v, "buffer", "");
            s.device = v.get_string("device");
            if (!s.device.empty()) {
                const bool cpu_vcm = s.device == "cpu" && m_vcm_cfg.cpu_va_size;
                if (!cpu_vcm) buffer_of(v, "buffer", s.device);   // shared with that device?
            }
        }
        if (s.op == "mmu_map" || s.op == "mmu_unmap") {
            uses_tables = true;
            s.addr = v.get_uint("va");
            s.size = v.get_size("size");
            if (s.op == "mmu_map") {
                s.value = v.get_uint("pa");
                s.write = v.get_bool("write");
                s.exec = v.get_bool("exec");
                s.user = v.get_bool("user");
                s.global = v.get_bool("global");
            }
        } else if (s.op == "mmu_enable") {
            uses_tables = true;
        } else if (s.op == "sysreg") {
            s.reg = v.get_string("reg");
            core::sysreg r;
            if (!core::parse_sysreg(s.reg, r))
                v.fail("reg", "unknown system register '" + s.reg + "' (sctlr_el1, tcr_el1, ttbr0_el1, ttbr1_el1, mair_el1)");
            s.value = v.get_uint("value");
        } else if (s.op == "tlbi") {
            s.kind = v.get_string("kind");
            s.addr = v.get_uint("addr");
            s.value = v.get_uint("asid");
        }
        if (s.op.rfind("smmu_", 0) == 0) {
            const device_ref& d = need_device(v, "smmu", "smmu", env);
            s.device = d.name;
            if (s.op != "smmu_enable" && s.op != "smmu_events") s.sid = v.get_uint("sid");
            if (s.op != "smmu_events" && !env.is_memory(d.pool_base, d.pool_size))
                v.fail("smmu", "the SMMU's driver_pool must lie inside a [[dram]] (smmu_* steps use it)");
            if (s.op == "smmu_attach") {
                const std::string g = v.get_string("granule");
                if (g != "4KiB" && g != "16KiB" && g != "64KiB")
                    v.fail("granule", "unknown granule '" + g + "' (4KiB, 16KiB, 64KiB)");
                s.tg = g == "16KiB" ? mmu::granule::g16k : g == "64KiB" ? mmu::granule::g64k : mmu::granule::g4k;
                s.tsz = 64 - static_cast<unsigned>(v.get_uint("va_bits"));
                if (!mmu::tsz_valid(s.tg, s.tsz, false)) v.fail("va_bits", "not a valid input size for " + g);
                s.oas_bits = static_cast<unsigned>(v.get_uint("oas_bits"));
                s.asid = v.get_uint("asid");
            } else if (s.op == "smmu_map" || s.op == "smmu_unmap") {
                s.addr = v.get_uint("iova");
                s.size = v.get_size("size");
                if (s.op == "smmu_map") {
                    s.value = v.get_uint("pa");
                    s.write = v.get_bool("write");
                    s.exec = v.get_bool("exec");
                }
            } else if (s.op == "smmu_events") {
                s.has_count = v.has("count");
                if (s.has_count) s.count = v.get_uint("count");
                if (v.has("event")) s.event = v.get_string("event");
                s.has_event_sid = v.has("event_sid");
                if (s.has_event_sid) s.event_sid = v.get_uint("event_sid");
                s.has_event_addr = v.has("event_addr");
                if (s.has_event_addr) s.event_addr = v.get_uint("event_addr");
                if (v.has("event_buffer")) {
                    if (s.has_event_addr) v.fail("event_buffer", "give event_addr or event_buffer, not both");
                    s.event_buffer = buffer_of(v, "event_buffer", "");
                }
            }
        }
        if (s.op == "fill" || s.op == "verify" || s.op == "checksum" || s.op == "copy" ||
            s.op == "write" || s.op == "read")
            s.expect_fault = v.get_string("expect_fault");
        if ((s.op == "write" || s.op == "read" || s.op == "mmio_write" || s.op == "mmio_read" ||
             s.op == "poll") &&
            (s.width < 1 || s.width > 8))
            v.fail("width", "must be 1..8 bytes");
        m_steps.push_back(std::move(s));
    }
    if (uses_tables) {
        const std::string g = mm.get_string("granule");
        m_cpu_mmu_setup.tg = g == "16KiB" ? mmu::granule::g16k : g == "64KiB" ? mmu::granule::g64k : mmu::granule::g4k;
        m_cpu_mmu_setup.tsz = 64 - static_cast<unsigned>(mm.get_uint("va_bits"));
        m_cpu_mmu_setup.oas_bits = static_cast<unsigned>(mm.get_uint("oas_bits"));
        m_cpu_mmu_setup.asid = static_cast<uint16_t>(mm.get_uint("asid"));
        m_cpu_mmu_setup.pool_base = mm.get_uint("table_pool");
        m_cpu_mmu_setup.pool_size = mm.get_size("table_pool_size");
        if (!env.is_memory(m_cpu_mmu_setup.pool_base, m_cpu_mmu_setup.pool_size))
            mm.fail("table_pool", "the page-table memory must lie inside a [[dram]] (mmu_* steps use it)");
        if (m_vcm_cfg.cpu_va_size) {   // the CPU VCM uses the VCM layer's granule and block choice
            m_cpu_mmu_setup.tg = m_vcm_cfg.phys.tg;
            m_cpu_mmu_setup.blocks = m_vcm_cfg.blocks;
        }
        if (!mmu::tsz_valid(m_cpu_mmu_setup.tg, m_cpu_mmu_setup.tsz, false))
            mm.fail("va_bits", "not a valid input size for the granule of the CPU's tables");
    }
    for (size_t i = 0; i < sc.count("check"); ++i) {
        const config_view v = sc.at("check", i);
        check c;
        c.kind = v.get_string("kind");
        c.label = v.get_string("label");
        c.where = v.where();
        if (c.kind == "memory_pattern") {
            if (v.has("buffer")) {
                if (v.has("addr")) v.fail("addr", "give addr or buffer, not both");
                c.buffer = buffer_of(v, "buffer", "");
                c.size = v.has("size") ? v.get_size("size") : buffer_size(c.buffer);
                if (c.size > buffer_size(c.buffer)) v.fail("size", "larger than the buffer");
            } else {
                if (!v.has("addr")) v.fail("addr", "needs addr (or buffer)");
                if (!v.has("size")) v.fail("size", "needs size (or buffer)");
                c.addr = v.get_uint("addr");
                c.size = v.get_size("size");
            }
            c.pattern = pattern_of(v);
            c.seed = v.get_uint("seed");
            c.offset = v.get_size("offset");
        } else if (c.kind == "memory_equal") {
            c.a_addr = v.get_uint("a");
            c.b_addr = v.get_uint("b");
            c.size = v.get_size("size");
        } else if (c.kind == "checksum_equal") {
            c.a = v.get_string("a");
            c.b = v.get_string("b");
            for (const auto* k : {"a", "b"}) {
                const std::string n = v.get_string(k);
                if (std::find(checksum_names.begin(), checksum_names.end(), n) == checksum_names.end())
                    v.fail(k, "no checksum step is named '" + n + "'");
            }
        } else if (c.kind == "stat") {
            c.name = v.get_string("name");
            c.has_equals = v.has("equals");
            c.has_min = v.has("min");
            c.has_max = v.has("max");
            if (c.has_equals) c.equals = v.get_double("equals");
            if (c.has_min) c.min = v.get_double("min");
            if (c.has_max) c.max = v.get_double("max");
            if (!c.has_equals && !c.has_min && !c.has_max)
                v.fail("name", "a stat check needs equals, min or max");
        } else if (c.kind == "underruns") {
            c.device = need_device(v, "display", "display", env).name;
            c.has_equals = v.has("equals");
            c.has_max = v.has("max");
            if (c.has_equals) c.equals = static_cast<double>(v.get_uint("equals"));
            if (c.has_max) c.max = static_cast<double>(v.get_uint("max"));
            if (!c.has_equals && !c.has_max) v.fail("display", "an underruns check needs equals or max");
        } else if (c.kind == "dma_status") {
            c.device = need_device(v, "dma", "dma", env).name;
            c.channel = v.get_uint("channel");
            c.expect = v.get_string("expect");
            if (!known_outcome(c.expect)) v.fail("expect", "unknown DMA outcome '" + c.expect + "'");
        }
        m_checks.push_back(std::move(c));
    }
}

void scenario::run(core::master_port& cpu, core::mmu_control* mmu, scenario_env& env) {
    m_mmu = mmu;
    if (m_vcm_cfg.enabled) {
        m_vcm_error = setup_vcm(cpu, env);
        if (!m_vcm_error.empty()) return;
    }
    for (size_t i = 0; i < m_steps.size(); ++i) {
        step st = m_steps[i];   // buffer names resolved to this device's addresses
        uint64_t contig = 0;
        if (!st.src_buffer.empty()) st.src = buffer_addr(st.src_buffer, st.device);
        if (!st.dst_buffer.empty()) st.dst = buffer_addr(st.dst_buffer, st.device);
        if (!st.desc_buffer.empty()) {
            st.desc_addr = buffer_addr(st.desc_buffer, st.device);
            st.desc_cpu_addr = m_vcm_cpu_backend ? buffer_addr(st.desc_buffer, "cpu")
                                                 : buffer_pa(st.desc_buffer, 0, contig);
        }
        if (st.op == "display_start" && !st.buffer.empty()) st.addr = buffer_addr(st.buffer, st.device);
        step_result r = run_step(st, cpu, env);
        for (uint64_t k = 1; k < m_steps[i].repeat && r.ok; ++k) {
            const uint64_t start = r.start_ps;
            r = run_step(st, cpu, env);
            r.start_ps = start;
        }
        if (m_steps[i].repeat > 1) r.message += " (x" + std::to_string(m_steps[i].repeat) + ")";
        r.index = i;
        const bool ok = r.ok;
        m_results.push_back(std::move(r));
        if (!ok) return;
    }
    m_completed = true;
}

step_result scenario::run_step(const step& s, core::master_port& cpu, scenario_env& env) {
    step_result r;
    r.op = s.op;
    r.label = s.label;
    r.start_ps = cpu.now_ps();
    core::op_status st;
    std::ostringstream msg;
    auto& c = static_cast<core::master_port&>(cpu);
    const device_ref* dev = s.device.empty() ? nullptr : env.find_device(s.device);

    if (s.op == "fill" || s.op == "verify") {
        std::vector<uint8_t> buf(4096), expect(4096);
        uint64_t mismatches = 0, first_bad = 0;
        for (uint64_t off = 0, n = 0; off < s.size && st.ok; off += n) {
            n = std::min<uint64_t>(buf.size(), s.size - off);
            uint64_t a = s.addr + off;
            if (!s.buffer.empty() && m_vcm_cpu_backend) {   // the CPU VCM: one virtual range
                a = buffer_addr(s.buffer, "cpu") + off;
            } else if (!s.buffer.empty()) {   // physical memory of the buffer, piece by piece
                uint64_t contig = 0;
                a = buffer_pa(s.buffer, off, contig);
                n = std::min(n, contig);
                if (n == 0) { st = core::op_status::failure(0, "buffer not allocated"); break; }
            }
            if (s.op == "fill") {
                cpu::generate_pattern(s.pattern, s.seed, off, buf.data(), n);
                st = c.write(a, buf.data(), n);
            } else {
                st = c.read(a, buf.data(), n);
                cpu::generate_pattern(s.pattern, s.seed, off, expect.data(), n);
                for (uint64_t i = 0; st.ok && i < n; ++i)
                    if (buf[i] != expect[i] && mismatches++ == 0) first_bad = a + i;
            }
        }
        if (st.ok && mismatches)
            st = core::op_status::failure(first_bad, std::to_string(mismatches) +
                                                         " bytes differ, first at " + hex(first_bad));
        if (s.buffer.empty()) msg << s.size << " bytes at " << hex(s.addr);
        else msg << s.size << " bytes of buffer '" << s.buffer << "'"
                 << (m_vcm_cpu_backend ? " at VA " + hex(buffer_addr(s.buffer, "cpu")) : std::string(" (physical)"));
    } else if (s.op == "checksum") {
        std::vector<uint8_t> buf(4096);
        uint64_t sum = cpu::fnv_init;
        for (uint64_t off = 0; off < s.size && st.ok; off += buf.size()) {
            const uint64_t n = std::min<uint64_t>(buf.size(), s.size - off);
            st = c.read(s.addr + off, buf.data(), n);
            sum = cpu::fnv1a(sum, buf.data(), n);
        }
        if (st.ok) m_checksums[s.name] = sum;
        msg << s.name << " = " << hex(sum);
    } else if (s.op == "copy") {
        std::vector<uint8_t> buf(4096);
        for (uint64_t off = 0; off < s.size && st.ok; off += buf.size()) {
            const uint64_t n = std::min<uint64_t>(buf.size(), s.size - off);
            st = c.read(s.src + off, buf.data(), n);
            if (st.ok) st = c.write(s.dst + off, buf.data(), n);
        }
    } else if (s.op == "write") {
        uint8_t d[8];
        for (unsigned i = 0; i < 8; ++i) d[i] = static_cast<uint8_t>(s.value >> (8 * i));
        st = c.write(s.addr, d, s.width);
    } else if (s.op == "read" || s.op == "mmio_read") {
        uint64_t v = 0;
        if (s.op == "read") {
            uint8_t d[8] = {};
            st = c.read(s.addr, d, s.width);
            for (unsigned i = 0; i < s.width; ++i) v |= static_cast<uint64_t>(d[i]) << (8 * i);
        } else {
            st = c.mmio_read(s.addr, v, s.width);
        }
        msg << hex(s.addr) << " = " << hex(v);
        if (st.ok && s.has_expect && (v & s.mask) != (s.expect & s.mask))
            st = core::op_status::failure(s.addr, "read " + hex(v) + ", expected " + hex(s.expect) +
                                                      " under mask " + hex(s.mask));
    } else if (s.op == "mmio_write") {
        st = c.mmio_write(s.addr, s.value, s.width);
    } else if (s.op == "poll") {
        if (!c.poll(s.addr, s.mask, s.expect, s.timeout_ps, s.interval_ps, s.width))
            st = core::op_status::failure(s.addr, "register never matched " + hex(s.expect));
    } else if (s.op == "wait_irq") {
        if (!c.wait_irq(static_cast<unsigned>(dev->irq_line), s.timeout_ps))
            st = core::op_status::failure(0, "no interrupt from " + s.device + " before the timeout");
    } else if (s.op == "delay") {
        c.delay(s.time_ps);
    } else if (s.op == "dma_copy" || s.op == "dma_wait") {
        vcm::dma_driver drv(c, dev->mmio_base, dev->irq_line);
        const unsigned ch = static_cast<unsigned>(s.channel);
        if (s.op == "dma_copy") {
            st = drv.write_chain(s.desc_cpu_addr, s.desc_addr,
                                 vcm::split_copy(s.src, s.dst, s.size, static_cast<unsigned>(s.segments)));
            if (st.ok) st = drv.start(ch, s.desc_addr);
            msg << s.size << " bytes " << hex(s.src) << " -> " << hex(s.dst) << " in " << s.segments
                << " descriptor(s)";
        }
        if (st.ok && (s.op == "dma_wait" || s.wait)) {
            vcm::dma_channel_status cs;
            st = drv.wait(ch, s.timeout_ps, cs);
            if (st.ok && cs.outcome() != s.expect_status)
                st = core::op_status::failure(0, "channel " + std::to_string(ch) + " ended '" +
                                                      cs.outcome() + "', expected '" +
                                                      s.expect_status + "'");
            if (st.ok) msg << (msg.tellp() ? ", " : "") << "ended " << cs.outcome();
        }
    } else if (s.op == "display_start") {
        st = vcm::display_driver(c, dev->mmio_base).start(s.addr);
        msg << "scan-out from " << hex(s.addr) << (s.buffer.empty() ? "" : " (buffer '" + s.buffer + "')");
    } else if (s.op == "display_wait") {
        st = vcm::display_driver(c, dev->mmio_base).wait_frames(s.frames, s.timeout_ps);
        msg << s.frames << " frame(s) scanned";
    } else if (s.op == "display_stop") {
        st = vcm::display_driver(c, dev->mmio_base).stop();
    } else if (s.op.rfind("smmu_", 0) == 0) {
        st = run_smmu_step(s, c, env, msg);
    } else if (s.op.rfind("mmu_", 0) == 0 || s.op == "sysreg" || s.op == "tlbi") {
        st = run_mmu_step(s, c);
    } else if (s.op == "vcm_unmap" || s.op == "vcm_remap") {
        st = run_vcm_step(s, msg);
    } else if (s.op == "traffic_start") {
        st = vcm::traffic_driver(c, dev->mmio_base).start();
    } else if (s.op == "traffic_wait") {
        st = vcm::traffic_driver(c, dev->mmio_base).wait(s.timeout_ps);
    }
    if (!s.expect_fault.empty()) {
        const std::string want = s.expect_fault + " fault";
        if (!st.ok && st.error.rfind(want, 0) == 0) {
            msg.str("");
            msg << "faulted as expected: " << st.error;
            st = {};
        } else if (st.ok) {
            st = core::op_status::failure(0, "expected a " + want + ", but the step completed");
        } else {
            st.error = "expected a " + want + ", got: " + st.error;
        }
    }
    r.end_ps = cpu.now_ps();
    r.ok = st.ok;
    r.message = st.ok ? msg.str() : st.error;
    return r;
}

core::op_status scenario::run_smmu_step(const step& s, core::master_port& cpu, scenario_env& env,
                                        std::ostringstream& msg) {
    auto& drv = m_smmu_drivers[s.device];
    if (!drv) {
        const device_ref* d = env.find_device(s.device);
        vcm::smmu_driver_setup setup;
        setup.mmio_base = d->mmio_base;
        setup.pool_base = d->pool_base;
        setup.pool_size = d->pool_size;
        drv = std::make_unique<vcm::smmu_driver>(cpu, setup);
    }
    const uint32_t sid = static_cast<uint32_t>(s.sid);
    if (s.op == "smmu_enable") return drv->enable();
    if (s.op == "smmu_attach")
        return drv->attach(sid, vcm::smmu_context_setup{s.tg, s.tsz, s.oas_bits, static_cast<uint16_t>(s.asid)});
    if (s.op == "smmu_bypass") return drv->set_bypass(sid);
    if (s.op == "smmu_abort") return drv->set_abort(sid);
    if (s.op == "smmu_unmap") return drv->unmap(sid, s.addr, s.size);
    if (s.op == "smmu_map") {
        vcm::map_attrs a;
        a.write = s.write;
        a.exec = s.exec;
        return drv->map(sid, s.addr, s.value, s.size, a);
    }
    std::vector<vcm::smmu_event> events;  // smmu_events
    core::op_status st = drv->drain_events(events);
    if (!st.ok) return st;
    msg << events.size() << " event(s)";
    for (const auto& e : events) msg << " " << e.name() << "(sid " << e.sid << ", 0x" << std::hex << e.input_addr << std::dec << ")";
    if (s.has_count && events.size() != s.count)
        return core::op_status::failure(0, msg.str() + "; expected " + std::to_string(s.count));
    for (const auto& e : events) {
        if (!s.event.empty() && e.name() != s.event)
            return core::op_status::failure(0, msg.str() + "; expected only " + s.event);
        if (s.has_event_sid && e.sid != s.event_sid)
            return core::op_status::failure(0, msg.str() + "; expected StreamID " + std::to_string(s.event_sid));
    }
    if (s.has_event_addr && (events.empty() || events.front().input_addr != s.event_addr))
        return core::op_status::failure(0, msg.str() + "; expected the first at " + hex(s.event_addr));
    if (!s.event_buffer.empty() &&
        (events.empty() || !event_in_buffer(s.event_buffer, events.front().sid, events.front().input_addr)))
        return core::op_status::failure(0, msg.str() + "; expected the first inside buffer '" + s.event_buffer +
                                               "' as its StreamID's device addresses it");
    return {};
}

core::op_status scenario::run_mmu_step(const step& s, core::master_port& cpu) {
    if (!m_mmu) return core::op_status::failure(0, "this processor has no MMU");
    if (s.op == "sysreg") {
        core::sysreg r = core::sysreg::sctlr_el1;
        if (!core::parse_sysreg(s.reg, r)) return core::op_status::failure(0, "unknown register " + s.reg);
        m_mmu->write_sysreg(r, s.value);
        return {};
    }
    if (s.op == "tlbi") {
        if (s.kind == "vmalle1") m_mmu->tlbi_all();
        else if (s.kind == "aside1") m_mmu->tlbi_asid(static_cast<uint16_t>(s.value));
        else if (s.kind == "vae1") m_mmu->tlbi_va(s.addr, static_cast<uint16_t>(s.value));
        else m_mmu->tlbi_vaa(s.addr);
        return {};
    }
    if (s.op == "mmu_disable") {
        if (!m_cpu_tables) {
            m_mmu->write_sysreg(core::sysreg::sctlr_el1, m_mmu->read_sysreg(core::sysreg::sctlr_el1) & ~1ULL);
            return {};
        }
        return m_cpu_tables->disable();
    }
    if (!m_cpu_tables) m_cpu_tables = std::make_unique<vcm::cpu_mmu_driver>(cpu, *m_mmu, m_cpu_mmu_setup);
    if (s.op == "mmu_enable") return m_cpu_tables->enable();
    if (s.op == "mmu_unmap") return m_cpu_tables->unmap(s.addr, s.size);
    vcm::map_attrs a;
    a.write = s.write;
    a.exec = s.exec;
    a.user = s.user;
    a.global = s.global;
    return m_cpu_tables->map(s.addr, s.value, s.size, a);
}

std::vector<check_result> scenario::evaluate(scenario_env& env) const {
    std::vector<check_result> out;
    if (m_vcm_cfg.enabled) {
        check_result r;
        r.name = "vcm setup";
        r.ok = m_vcm != nullptr && m_vcm_error.empty();
        r.message = !m_vcm_error.empty() ? m_vcm_error : m_vcm ? vcm_setup_summary() : "not run";
        out.push_back(std::move(r));
    }
    for (size_t i = 0; i < m_steps.size(); ++i) {
        check_result r;
        const step& s = m_steps[i];
        r.name = "step " + std::to_string(i) + " " + s.op + (s.label.empty() ? "" : " (" + s.label + ")");
        if (i < m_results.size()) {
            r.ok = m_results[i].ok;
            r.message = m_results[i].message;
        } else {
            r.ok = false;
            r.message = "not run";
        }
        out.push_back(std::move(r));
    }
    auto& stats = core::stats_registry::global();
    for (size_t i = 0; i < m_checks.size(); ++i) {
        const check& c = m_checks[i];
        check_result r;
        r.name = "check " + std::to_string(i) + " " + c.kind + (c.label.empty() ? "" : " (" + c.label + ")");
        std::ostringstream msg;
        if (c.kind == "memory_pattern" || c.kind == "memory_equal") {
            std::vector<uint8_t> a(65536), b(65536);
            uint64_t diff = 0, first = 0;
            bool readable = true;
            for (uint64_t off = 0, n = 0; off < c.size && readable; off += n) {
                n = std::min<uint64_t>(a.size(), c.size - off);
                uint64_t base = (c.kind == "memory_pattern" ? c.addr : c.a_addr) + off;
                if (!c.buffer.empty()) {   // the buffer's physical pieces
                    uint64_t contig = 0;
                    base = buffer_pa(c.buffer, off, contig);
                    n = std::min(n, contig);
                    readable = contig != 0;
                    if (!readable) break;
                }
                readable = env.debug_read(base, a.data(), n);
                if (c.kind == "memory_pattern")
                    cpu::generate_pattern(c.pattern, c.seed, c.offset + off, b.data(), n);
                else
                    readable = readable && env.debug_read(c.b_addr + off, b.data(), n);
                for (uint64_t k = 0; readable && k < n; ++k)
                    if (a[k] != b[k] && diff++ == 0) first = base + k;
            }
            r.ok = readable && diff == 0;
            if (!readable) msg << "region not readable";
            else if (diff) msg << diff << " bytes differ, first at " << hex(first);
            else msg << c.size << " bytes match";
        } else if (c.kind == "checksum_equal") {
            auto ia = m_checksums.find(c.a), ib = m_checksums.find(c.b);
            r.ok = ia != m_checksums.end() && ib != m_checksums.end() && ia->second == ib->second;
            if (ia == m_checksums.end() || ib == m_checksums.end()) msg << "checksum not computed";
            else msg << c.a << "=" << hex(ia->second) << " " << c.b << "=" << hex(ib->second);
        } else if (c.kind == "stat" || c.kind == "underruns") {
            const device_ref* d = c.device.empty() ? nullptr : env.find_device(c.device);
            const std::string name = c.kind == "stat" ? c.name : d->path + ".underruns";
            if (!stats.find(name)) {
                r.ok = false;
                msg << "no statistic '" << name << "'";
            } else {
                const double v = stats.value(name);
                r.ok = (!c.has_equals || std::fabs(v - c.equals) < 1e-9) &&
                       (!c.has_min || v >= c.min) && (!c.has_max || v <= c.max);
                msg << name << " = " << v;
                if (c.has_equals) msg << " (expected " << c.equals << ")";
                if (c.has_min) msg << " (min " << c.min << ")";
                if (c.has_max) msg << " (max " << c.max << ")";
            }
        } else if (c.kind == "dma_status") {
            const device_ref* d = env.find_device(c.device);
            const std::string base = d->path + ".ch" + std::to_string(c.channel);
            // The outcome is read back from the model's register through debug transport.
            uint8_t buf[4] = {};
            const uint64_t status_addr = d->mmio_base + 0x100 + c.channel * 0x40 + 0x04;
            r.ok = env.debug_read(status_addr, buf, 4);
            vcm::dma_channel_status cs;
            const uint32_t v = buf[0] | buf[1] << 8 | buf[2] << 16 | static_cast<uint32_t>(buf[3]) << 24;
            cs.state = v & 0xf;
            cs.error = (v >> 8) & 0xff;
            r.ok = r.ok && cs.outcome() == c.expect;
            msg << base << " ended '" << cs.outcome() << "' (expected '" << c.expect << "')";
        }
        r.message = msg.str();
        out.push_back(std::move(r));
    }
    return out;
}

}  // namespace vcmsim::platform
