// Value types of the VCM API: typed handles, attributes, chunk/segment records. Plain C++.
//
// Handles are {slot, generation} pairs issued by one vcm_manager. A handle whose object was
// freed (generation moved on), a default-constructed handle, or a handle of another manager
// (slot or generation unknown here) is refused with errc::invalid_handle: misuse is detected,
// never undefined.
#pragma once

#include <cstdint>

namespace vcmsim::vcm {

template <class Tag>
struct handle {
    uint32_t slot = 0;
    uint32_t gen = 0;     // 0 = null handle (generations start at 1)
    uint32_t owner = 0;   // the issuing manager's id
    bool valid() const { return gen != 0; }
    explicit operator bool() const { return valid(); }
    bool operator==(const handle& o) const { return slot == o.slot && gen == o.gen && owner == o.owner; }
    bool operator!=(const handle& o) const { return !(*this == o); }
};

struct vcm_tag {};
struct res_tag {};
struct phys_tag {};
struct device_tag {};
struct assoc_tag {};
using vcm_handle = handle<vcm_tag>;       // an address space
using res_handle = handle<res_tag>;       // a reservation (device-address range)
using phys_handle = handle<phys_tag>;     // a physical allocation
using device_handle = handle<device_tag>; // a registered device
using assoc_handle = handle<assoc_tag>;   // a VCM <-> device association

enum class vcm_kind : uint8_t {
    iommu,        // translated by a backend context (SMMU), any number of devices
    cpu,          // the CPU's own tables (cpu_backend); exactly one association
    one_to_one,   // device address == physical address; no backend; contiguous memory only
};

// Memory type of a mapping. Chosen once per physical allocation (all mappings of the same
// pages agree, §5.2 lesson 4); a reservation may restate it, never contradict it.
enum class cache_policy : uint8_t {
    inherit = 0,      // reservations only: use the physical allocation's policy
    write_back,       // normal, write-back read/write-allocate (VCM_WB_WA)
    write_back_nwa,   // normal, write-back no write-allocate (VCM_WB_NWA)
    write_through,    // normal, write-through (VCM_WT)
    non_cacheable,    // normal, non-cacheable (VCM_NOTCACHED)
    device,           // device-nGnRE (MMIO)
};
const char* cache_policy_name(cache_policy c);
bool cache_policy_valid(cache_policy c);   // false for values outside the enum

// Reservation attributes (VCM_READ/WRITE/EXECUTE/USER + cache policy).
struct res_attrs {
    bool read = true;
    bool write = true;
    bool exec = false;
    bool user = false;       // EL0 / unprivileged access allowed
    cache_policy cache = cache_policy::inherit;
};

// What a backend is asked to map: the reservation's attributes with the policy resolved.
struct access_attrs {
    bool read = true, write = true, exec = false, user = false;
    cache_policy cache = cache_policy::write_back;
};

struct phys_options {
    unsigned memtype = 0;                           // priority list of pools
    bool contiguous = false;                        // from the contiguous region (VCM_PHYS_CONT)
    cache_policy cache = cache_policy::write_back;  // the policy every mapping must use
};

// One piece of a backed reservation: [dev_addr, dev_addr + size) -> [pa, pa + size).
struct segment {
    uint64_t dev_addr = 0;
    uint64_t pa = 0;
    uint64_t size = 0;
    bool operator==(const segment& o) const {
        return dev_addr == o.dev_addr && pa == o.pa && size == o.size;
    }
};

}  // namespace vcmsim::vcm
