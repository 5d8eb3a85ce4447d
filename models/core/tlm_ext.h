// TLM extension carried by every transaction that an upstream master issues.
//
// It tells translating components (SMMU TBUs, the CPU MMU) who issued the access:
// StreamID, SubstreamID (valid only when ssid_valid), and the privileged / instruction
// attributes that the permission checks use. A transaction without the extension is treated
// as stream 0, no substream, unprivileged data access.
#pragma once

#include <cstdint>
#include <tlm>

namespace vcmsim::core {

struct txn_ext : tlm::tlm_extension<txn_ext> {
    uint32_t stream_id = 0;
    uint32_t substream_id = 0;
    bool ssid_valid = false;
    bool privileged = false;
    bool instruction = false;

    tlm::tlm_extension_base* clone() const override { return new txn_ext(*this); }
    void copy_from(const tlm::tlm_extension_base& other) override {
        *this = static_cast<const txn_ext&>(other);
    }
};

// The extension of a payload, or nullptr.
inline const txn_ext* get_txn_ext(const tlm::tlm_generic_payload& p) {
    txn_ext* e = nullptr;
    p.get_extension(e);
    return e;
}

}  // namespace vcmsim::core
