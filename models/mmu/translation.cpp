#include "models/mmu/translation.h"

namespace vcmsim::mmu {

const char* fault_kind_name(fault_kind k) {
    switch (k) {
    case fault_kind::none: return "none";
    case fault_kind::translation: return "translation";
    case fault_kind::access_flag: return "access_flag";
    case fault_kind::permission: return "permission";
    case fault_kind::address_size: return "address_size";
    case fault_kind::walk_abort: return "walk_abort";
    }
    return "unknown";
}

// Stage-1 EL1&0 permissions (no PAN, no GCS/POE):
//   AP[2] (ap bit 1) = read-only at every EL; AP[1] (ap bit 0) = EL0 access.
//   APTable bit 0 removes EL0 access, bit 1 removes write access (hierarchical; the walker leaves
//   them zero when HPD is set).
//   Instruction fetch at EL0 needs EL0 read access and neither UXN nor UXNTable; at EL1 neither
//   PXN nor PXNTable, and the page must not be EL0-writable (EL0-writable implies PXN).
//   WXN: memory writable at EL1 (hence also any EL0-writable memory) is execute-never for both.
bool permits(const mapping& m, const access& a, bool wxn) {
    const leaf_attrs& t = m.attrs;
    const bool el0 = (t.ap & 1) && !(t.ap_table & 1);
    const bool writable = !(t.ap & 2) && !(t.ap_table & 2);
    switch (a.type) {
    case access_type::read:
        return a.privileged || el0;
    case access_type::write:
        return writable && (a.privileged || el0);
    case access_type::exec:
        if (wxn && writable) return false;
        if (a.privileged) return !t.pxn && !t.pxn_table && !(el0 && writable);
        return el0 && !t.uxn && !t.uxn_table;
    }
    return false;
}

}  // namespace vcmsim::mmu
