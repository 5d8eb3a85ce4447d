// Error reporting for the VCM driver layer: every expected failure is a vcm_status (an error
// code that says which rule was broken, plus a message naming the object and the values) or a
// vcm_result<T> (a status or a value). No exceptions for expected failures. Plain C++.
#pragma once

#include <cstdint>
#include <string>
#include <utility>

namespace vcmsim::vcm {

// The errno each code corresponds to in the 2010 API (docs/vcm-reference.md §2, §6) is noted.
enum class errc : uint8_t {
    ok = 0,
    invalid_argument,   // EINVAL: zero length, misaligned address, bad alignment, bad enum value
    invalid_handle,     // EINVAL: stale handle (object freed), never-issued or default handle
    busy,               // EBUSY: object in use (backed, active, has reservations/associations,
                        //        address range taken, device's context taken by another VCM)
    not_active,         // ENOENT: deactivate of an inactive association
    inactive,           // EAGAIN: an association is inactive (strict 2010 backing rule only)
    no_device,          // ENODEV: no association / device refused by the backend
    no_iova_space,      // ENOSPC: no free device-address range of that size and alignment
    no_phys_memory,     // ENOMEM: the chunk pools / contiguous region cannot satisfy the request
    not_contiguous,     // one-to-one device given physically discontiguous memory
    length_mismatch,    // back: reservation and physical allocation lengths differ
    not_backed,         // unback/translate/dev_addr of a reservation that is not backed
    already_exists,     // the same (VCM, device) pair associated twice; duplicate context
    attr_conflict,      // cache policy differs from the one the physical memory was given
    out_of_range,       // address outside the VCM window / the device's reach
    unsupported,        // the backend cannot express the request (e.g. no MAIR slot)
    backend_failure,    // the hardware backend reported an error (EIO)
};

const char* errc_name(errc e);

class [[nodiscard]] vcm_status {
public:
    vcm_status() = default;
    vcm_status(errc code, std::string message) : m_code(code), m_message(std::move(message)) {}
    static vcm_status success() { return {}; }

    bool ok() const { return m_code == errc::ok; }
    explicit operator bool() const { return ok(); }
    errc code() const { return m_code; }
    const std::string& message() const { return m_message; }
    // "busy: reservation #3 is backed ..." (or "ok").
    std::string to_string() const;

private:
    errc m_code = errc::ok;
    std::string m_message;
};

inline vcm_status fail(errc code, std::string message) { return {code, std::move(message)}; }

// A value or the reason there is none. T must be default-constructible and movable.
template <class T>
class [[nodiscard]] vcm_result {
public:
    vcm_result(T value) : m_value(std::move(value)) {}             // NOLINT: implicit on purpose
    vcm_result(vcm_status status) : m_status(std::move(status)) {}  // NOLINT
    bool ok() const { return m_status.ok(); }
    explicit operator bool() const { return ok(); }
    const vcm_status& status() const { return m_status; }
    errc code() const { return m_status.code(); }
    // value() of a failed result returns a default T (a null handle, address 0).
    const T& value() const& { return m_value; }
    T take() { return std::move(m_value); }
    const T& operator*() const { return m_value; }
    const T* operator->() const { return &m_value; }

private:
    vcm_status m_status;
    T m_value{};
};

std::string hex(uint64_t v);   // "0x1f000" (error messages only)

}  // namespace vcmsim::vcm
