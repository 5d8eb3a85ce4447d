// A register bank free of SystemC: named registers at offsets, with reset values, writable
// and write-1-to-clear masks, read/write callbacks, and partial or unaligned accesses.
//
//   register_bank bank;
//   auto& ctrl = bank.add({"ctrl", 0x00, 4, 0x0, 0x3});                // RW bits [1:0]
//   auto& st = bank.add({"status", 0x04, 4, 0x0, 0x0, 0xff00});          // W1C bits [15:8]
//   ctrl.on_write = [](uint64_t old_v, uint64_t new_v) { ... };
//
// An access may cover several registers or parts of one (byte granular, little-endian).
// Bytes not covered by any register read as zero and ignore writes; access() then reports
// `unmapped` so a model can answer with an error response if it wants to. Read-only bits
// keep their value on write; W1C bits clear where a 1 is written; other writable bits take
// the written value. on_write runs once per register touched, after the value changed, with
// the old and new values; on_read runs before the value is returned and may update it.
// `sync` marks doorbells and enables: the model must synchronise (leave temporal decoupling)
// before their side effect. register_bank::needs_sync() tells whether an access touches one.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <string>

namespace vcmsim::core {

struct reg_def {
    std::string name;
    uint64_t offset = 0;
    unsigned size = 4;          // bytes: 1, 2, 4 or 8
    uint64_t reset = 0;
    uint64_t writable = 0;      // bits that software may set and clear
    uint64_t w1c = 0;           // bits that software clears by writing 1
    bool sync = false;          // doorbell or enable: synchronise before the side effect
};

struct reg {
    reg_def def;
    uint64_t value = 0;
    std::function<void(uint64_t old_value, uint64_t new_value)> on_write;
    std::function<void(uint64_t& value)> on_read;

    // Model-side update that bypasses the masks (hardware setting a status bit).
    void set(uint64_t v) { value = v & size_mask(); }
    uint64_t size_mask() const { return def.size >= 8 ? ~0ULL : ((1ULL << (8 * def.size)) - 1); }
};

struct access_result {
    bool unmapped = false;      // some bytes hit no register
    bool touched_sync = false;  // some register with `sync` was touched
};

class register_bank {
public:
    reg& add(const reg_def& d);
    reg* find(const std::string& name);
    reg* at(uint64_t offset);  // the register starting exactly at offset, or nullptr
    void reset();

    access_result read(uint64_t offset, uint8_t* data, unsigned len);
    access_result write(uint64_t offset, const uint8_t* data, unsigned len);
    // Side-effect-free read (debug transport): no on_read callbacks.
    access_result peek(uint64_t offset, uint8_t* data, unsigned len) const;
    bool needs_sync(uint64_t offset, unsigned len) const;

    const std::deque<reg>& registers() const { return m_regs; }

private:
    std::deque<reg> m_regs;                 // stable addresses
    std::map<uint64_t, reg*> m_by_offset;   // offset -> register
};

}  // namespace vcmsim::core
