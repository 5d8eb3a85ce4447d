#include "vcm/vcm_status.h"

#include <cstdio>

namespace vcmsim::vcm {

const char* errc_name(errc e) {
    switch (e) {
    case errc::ok: return "ok";
    case errc::invalid_argument: return "invalid_argument";
    case errc::invalid_handle: return "invalid_handle";
    case errc::busy: return "busy";
    case errc::not_active: return "not_active";
    case errc::inactive: return "inactive";
    case errc::no_device: return "no_device";
    case errc::no_iova_space: return "no_iova_space";
    case errc::no_phys_memory: return "no_phys_memory";
    case errc::not_contiguous: return "not_contiguous";
    case errc::length_mismatch: return "length_mismatch";
    case errc::not_backed: return "not_backed";
    case errc::already_exists: return "already_exists";
    case errc::attr_conflict: return "attr_conflict";
    case errc::out_of_range: return "out_of_range";
    case errc::unsupported: return "unsupported";
    case errc::backend_failure: return "backend_failure";
    }
    return "unknown";
}

std::string vcm_status::to_string() const {
    if (ok()) return "ok";
    return std::string(errc_name(m_code)) + ": " + m_message;
}

std::string hex(uint64_t v) {
    char buf[24];
    std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
    return buf;
}

}  // namespace vcmsim::vcm
