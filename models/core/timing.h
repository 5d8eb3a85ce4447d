// Timing helpers: clocks, cycle counts and next-free-time booking of shared resources.
//
// Time inside the models is kept in integer picoseconds (the SystemC time resolution of every
// vcmsim platform is 1 ps), so hot paths avoid sc_time arithmetic on doubles.
//
// booked_resource models a shared resource (a DRAM channel, an interconnect link, a walker
// slot) with a next-free time. A request that arrives at absolute time t and needs the
// resource for d picoseconds starts at max(t, next_free) and holds it until start + d. With
// temporal decoupling, requests may arrive out of time order; a request then queues behind
// one that was booked earlier in host order. This is the usual loosely-timed approximation:
// its error is bounded by the global quantum.
#pragma once

#include <algorithm>
#include <cstdint>
#include <systemc>

namespace vcmsim::core {

using ps_t = uint64_t;

// sc_time::from_value() is an out-of-line library call that also writes a kernel global each
// time; on the hot path (every b_transport delay) times below 2^52 ps (75 minutes) are built
// inline, exactly (1 ps x ps in double is exact there), from one picosecond.
inline sc_core::sc_time ps_to_time(ps_t ps) {
    static const sc_core::sc_time one_ps = sc_core::sc_time::from_value(1);
    if (ps >= (ps_t(1) << 52)) return sc_core::sc_time::from_value(ps);
    sc_core::sc_time t(one_ps);
    t *= static_cast<double>(ps);
    return t;
}
inline ps_t time_to_ps(const sc_core::sc_time& t) { return t.value(); }
// Current simulated time plus a b_transport delay offset, in ps.
inline ps_t now_ps(const sc_core::sc_time& offset = sc_core::SC_ZERO_TIME) {
    return (sc_core::sc_time_stamp() + offset).value();
}

// A clock given by its frequency. The period is rounded to whole picoseconds.
class clock_domain {
public:
    clock_domain() = default;
    explicit clock_domain(uint64_t hz) : m_hz(hz), m_period_ps(hz ? (1000000000000ULL + hz / 2) / hz : 0) {}
    uint64_t hz() const { return m_hz; }
    ps_t period_ps() const { return m_period_ps; }
    ps_t cycles(uint64_t n) const { return n * m_period_ps; }
    sc_core::sc_time cycles_time(uint64_t n) const { return ps_to_time(cycles(n)); }

private:
    uint64_t m_hz = 0;
    ps_t m_period_ps = 0;
};

// Time to move `bytes` at `bytes_per_s`, rounded up to whole picoseconds. 0 bandwidth = free.
inline ps_t transfer_ps(uint64_t bytes, uint64_t bytes_per_s) {
    if (bytes_per_s == 0) return 0;
    unsigned __int128 num = static_cast<unsigned __int128>(bytes) * 1000000000000ULL;
    return static_cast<ps_t>((num + bytes_per_s - 1) / bytes_per_s);
}

class booked_resource {
public:
    // Book the resource for `duration` from absolute time `at`; returns the start time.
    ps_t book(ps_t at, ps_t duration) {
        const ps_t start = std::max(at, m_next_free);
        m_next_free = start + duration;
        m_busy += duration;
        if (start > at) m_wait += start - at;
        return start;
    }
    ps_t next_free() const { return m_next_free; }
    ps_t busy_ps() const { return m_busy; }        // total occupancy booked so far
    ps_t wait_ps() const { return m_wait; }        // total queueing delay imposed
    void reset() { m_next_free = m_busy = m_wait = 0; }

private:
    ps_t m_next_free = 0;
    ps_t m_busy = 0;
    ps_t m_wait = 0;
};

}  // namespace vcmsim::core
