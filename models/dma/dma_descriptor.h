// DMA descriptor format, channel states, error codes and the register map of dma_engine.
//
// A descriptor is 32 bytes in memory, little-endian, 32-byte aligned:
//   0x00 src   u64   source bus address
//   0x08 dst   u64   destination bus address
//   0x10 len   u32   bytes to copy (0 is an error: ZERO_LEN)
//   0x14 flags u32   bit0 IRQ: raise the channel's IRQ_STATUS bit when this descriptor
//                    completes; bits [31:1] reserved, must be 0 (else BAD_FLAGS)
//   0x18 next  u64   address of the next descriptor, 0 = end of chain
// Kernel-free: usable from unit tests and from the driver layer that builds chains.
#pragma once

#include <cstddef>
#include <cstdint>

namespace vcmsim::dma {

struct dma_descriptor {
    uint64_t src = 0;
    uint64_t dst = 0;
    uint32_t len = 0;
    uint32_t flags = 0;
    uint64_t next = 0;

    static constexpr unsigned size_bytes = 32;
    static constexpr uint32_t flag_irq = 1u << 0;
    static constexpr uint32_t flags_reserved = ~flag_irq;

    bool irq() const { return (flags & flag_irq) != 0; }
    bool reserved_flags_set() const { return (flags & flags_reserved) != 0; }

    // Little-endian (de)serialisation, independent of the host byte order.
    static dma_descriptor decode(const uint8_t* b) {
        dma_descriptor d;
        d.src = get(b + 0x00, 8);
        d.dst = get(b + 0x08, 8);
        d.len = static_cast<uint32_t>(get(b + 0x10, 4));
        d.flags = static_cast<uint32_t>(get(b + 0x14, 4));
        d.next = get(b + 0x18, 8);
        return d;
    }
    void encode(uint8_t* b) const {
        put(b + 0x00, src, 8);
        put(b + 0x08, dst, 8);
        put(b + 0x10, len, 4);
        put(b + 0x14, flags, 4);
        put(b + 0x18, next, 8);
    }

private:
    static uint64_t get(const uint8_t* p, unsigned n) {
        uint64_t v = 0;
        for (unsigned i = 0; i < n; ++i) v |= static_cast<uint64_t>(p[i]) << (8 * i);
        return v;
    }
    static void put(uint8_t* p, uint64_t v, unsigned n) {
        for (unsigned i = 0; i < n; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
    }
};
static_assert(sizeof(dma_descriptor) == 32, "descriptor is 32 bytes");
static_assert(offsetof(dma_descriptor, len) == 0x10 && offsetof(dma_descriptor, flags) == 0x14 &&
                  offsetof(dma_descriptor, next) == 0x18,
              "descriptor field offsets");

// STATUS[3:0]
enum class dma_state : uint8_t { idle = 0, busy = 1, done = 2, error = 3 };

// STATUS[15:8]. Values are part of the programming interface: never renumber.
enum class dma_error : uint8_t {
    none = 0,
    desc_align = 1,   // descriptor address (DESC or a next field) not 32-byte aligned
    desc_fetch = 2,   // bus error while reading a descriptor
    zero_len = 3,     // descriptor with len == 0
    bad_flags = 4,    // reserved flag bits set
    loop = 5,         // next points to a descriptor already executed in this chain
    chain_limit = 6,  // more than max_chain descriptors in one chain
    src_error = 7,    // bus error on a burst read
    dst_error = 8,    // bus error on a burst write
    aborted = 9,      // CTRL.ABORT while busy
};

inline const char* dma_error_name(dma_error e) {
    switch (e) {
    case dma_error::none: return "NONE";
    case dma_error::desc_align: return "DESC_ALIGN";
    case dma_error::desc_fetch: return "DESC_FETCH";
    case dma_error::zero_len: return "ZERO_LEN";
    case dma_error::bad_flags: return "BAD_FLAGS";
    case dma_error::loop: return "LOOP";
    case dma_error::chain_limit: return "CHAIN_LIMIT";
    case dma_error::src_error: return "SRC_ERROR";
    case dma_error::dst_error: return "DST_ERROR";
    case dma_error::aborted: return "ABORTED";
    }
    return "UNKNOWN";
}

// Register map (offsets from the mmio base). All registers are 32 bits.
namespace dma_reg {
constexpr uint64_t id = 0x000;            // RO  id_value
constexpr uint64_t num_channels = 0x004;  // RO  number of channels
constexpr uint64_t irq_status = 0x008;    // W1C bit per channel
constexpr uint64_t irq_enable = 0x00C;    // RW  bit per channel
constexpr uint64_t ch_base = 0x100;       // channel c at ch_base + c * ch_stride
constexpr uint64_t ch_stride = 0x40;
// per channel, offsets from the channel base
constexpr uint64_t ctrl = 0x00;           // WO, reads 0: bit0 START (doorbell), bit1 ABORT
constexpr uint64_t status = 0x04;         // RO  [3:0] state, [15:8] error code
constexpr uint64_t desc_lo = 0x08;        // RW  first descriptor address [31:0]
constexpr uint64_t desc_hi = 0x0C;        // RW  first descriptor address [63:32]
constexpr uint64_t cur_desc_lo = 0x10;    // RO  descriptor being executed / that failed
constexpr uint64_t cur_desc_hi = 0x14;
constexpr uint64_t bytes_done_lo = 0x18;  // RO  bytes written by completed bursts
constexpr uint64_t bytes_done_hi = 0x1C;
constexpr uint64_t desc_done = 0x20;      // RO  descriptors completed in this chain
constexpr uint32_t ctrl_start = 1u << 0;
constexpr uint32_t ctrl_abort = 1u << 1;
constexpr uint32_t id_value = 0x444D4131;  // "DMA1"
constexpr uint64_t window = 0x1000;       // size of the register window
inline constexpr uint64_t ch(unsigned c, uint64_t off) { return ch_base + c * ch_stride + off; }
}  // namespace dma_reg

}  // namespace vcmsim::dma
