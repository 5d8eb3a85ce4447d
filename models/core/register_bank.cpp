#include "models/core/register_bank.h"

#include <stdexcept>

namespace vcmsim::core {

reg& register_bank::add(const reg_def& d) {
    if (d.size != 1 && d.size != 2 && d.size != 4 && d.size != 8)
        throw std::logic_error("register " + d.name + ": size must be 1, 2, 4 or 8");
    auto next = m_by_offset.lower_bound(d.offset);
    if (next != m_by_offset.end() && next->first < d.offset + d.size)
        throw std::logic_error("register " + d.name + " overlaps " + next->second->def.name);
    if (next != m_by_offset.begin()) {
        auto prev = std::prev(next);
        if (prev->first + prev->second->def.size > d.offset)
            throw std::logic_error("register " + d.name + " overlaps " + prev->second->def.name);
    }
    reg& r = m_regs.emplace_back();
    r.def = d;
    r.value = d.reset & r.size_mask();
    m_by_offset[d.offset] = &r;
    return r;
}

reg* register_bank::find(const std::string& name) {
    for (auto& r : m_regs)
        if (r.def.name == name) return &r;
    return nullptr;
}

reg* register_bank::at(uint64_t offset) {
    auto it = m_by_offset.find(offset);
    return it == m_by_offset.end() ? nullptr : it->second;
}

void register_bank::reset() {
    for (auto& r : m_regs) r.value = r.def.reset & r.size_mask();
}

namespace {
// Visit every register that overlaps [offset, offset + len), with the byte range inside it.
template <typename Map, typename F>
bool for_each_overlap(Map& by_offset, uint64_t offset, unsigned len, F&& f) {
    uint64_t covered = 0;
    auto it = by_offset.upper_bound(offset);
    if (it != by_offset.begin()) --it;
    for (; it != by_offset.end() && it->first < offset + len; ++it) {
        auto* r = it->second;
        const uint64_t lo = std::max<uint64_t>(offset, it->first);
        const uint64_t hi = std::min<uint64_t>(offset + len, it->first + r->def.size);
        if (lo >= hi) continue;
        covered += hi - lo;
        f(*r, static_cast<unsigned>(lo - it->first), static_cast<unsigned>(lo - offset),
          static_cast<unsigned>(hi - lo));
    }
    return covered != len;
}
}  // namespace

access_result register_bank::read(uint64_t offset, uint8_t* data, unsigned len) {
    for (unsigned i = 0; i < len; ++i) data[i] = 0;
    access_result res;
    res.unmapped = for_each_overlap(m_by_offset, offset, len,
                                    [&](reg& r, unsigned in_reg, unsigned in_buf, unsigned n) {
        if (r.on_read) r.on_read(r.value);
        r.value &= r.size_mask();
        if (r.def.sync) res.touched_sync = true;
        for (unsigned b = 0; b < n; ++b)
            data[in_buf + b] = static_cast<uint8_t>(r.value >> (8 * (in_reg + b)));
    });
    return res;
}

access_result register_bank::peek(uint64_t offset, uint8_t* data, unsigned len) const {
    for (unsigned i = 0; i < len; ++i) data[i] = 0;
    access_result res;
    res.unmapped = for_each_overlap(m_by_offset, offset, len,
                                    [&](const reg& r, unsigned in_reg, unsigned in_buf, unsigned n) {
        for (unsigned b = 0; b < n; ++b)
            data[in_buf + b] = static_cast<uint8_t>(r.value >> (8 * (in_reg + b)));
    });
    return res;
}

access_result register_bank::write(uint64_t offset, const uint8_t* data, unsigned len) {
    access_result res;
    res.unmapped = for_each_overlap(m_by_offset, offset, len,
                                    [&](reg& r, unsigned in_reg, unsigned in_buf, unsigned n) {
        uint64_t lane = 0, wdata = 0;
        for (unsigned b = 0; b < n; ++b) {
            lane |= 0xffULL << (8 * (in_reg + b));
            wdata |= static_cast<uint64_t>(data[in_buf + b]) << (8 * (in_reg + b));
        }
        const uint64_t old_value = r.value;
        uint64_t v = old_value;
        const uint64_t wmask = r.def.writable & ~r.def.w1c & lane;
        v = (v & ~wmask) | (wdata & wmask);
        v &= ~(wdata & r.def.w1c & lane);
        r.value = v & r.size_mask();
        if (r.def.sync) res.touched_sync = true;
        if (r.on_write) r.on_write(old_value, r.value);
    });
    return res;
}

bool register_bank::needs_sync(uint64_t offset, unsigned len) const {
    bool sync = false;
    for_each_overlap(m_by_offset, offset, len, [&](const reg& r, unsigned, unsigned, unsigned) {
        if (r.def.sync) sync = true;
    });
    return sync;
}

}  // namespace vcmsim::core
