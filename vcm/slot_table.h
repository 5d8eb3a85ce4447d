// Storage behind the VCM API's handles: objects in reusable slots, each slot with a generation
// that moves on when its object is freed, so a stale handle is detected. Internal to vcm/.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "vcm/vcm_types.h"

namespace vcmsim::vcm {

template <class T, class Tag>
class slot_table {
public:
    using handle_type = handle<Tag>;

    explicit slot_table(uint32_t owner) : m_owner(owner) {}

    handle_type insert(T obj) {
        uint32_t i;
        if (!m_free.empty()) {
            i = m_free.back();
            m_free.pop_back();
        } else {
            i = static_cast<uint32_t>(m_slots.size());
            m_slots.emplace_back();
        }
        slot& s = m_slots[i];
        s.obj = std::move(obj);
        s.live = true;
        ++m_live;
        return handle_type{i, s.gen, m_owner};
    }
    // nullptr for a null, stale or foreign handle. Valid until the next insert().
    T* get(handle_type h) {
        if (h.owner != m_owner || h.slot >= m_slots.size()) return nullptr;
        slot& s = m_slots[h.slot];
        return s.live && s.gen == h.gen ? &s.obj : nullptr;
    }
    const T* get(handle_type h) const { return const_cast<slot_table*>(this)->get(h); }
    void erase(handle_type h) {
        slot& s = m_slots[h.slot];
        s.live = false;
        s.obj = T{};
        if (++s.gen == 0) s.gen = 1;
        m_free.push_back(h.slot);
        --m_live;
    }
    template <class F>
    void for_each(F f) const {
        for (const slot& s : m_slots)
            if (s.live) f(s.obj);
    }
    std::size_t live() const { return m_live; }
    std::size_t capacity() const { return m_slots.capacity() + m_free.capacity(); }

private:
    struct slot {
        T obj{};
        uint32_t gen = 1;
        bool live = false;
    };
    uint32_t m_owner;
    std::vector<slot> m_slots;
    std::vector<uint32_t> m_free;
    std::size_t m_live = 0;
};

}  // namespace vcmsim::vcm
