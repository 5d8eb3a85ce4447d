// A small platform for the DMA system tests: a test CPU thread, a router, a DRAM and one
// dma_engine. The CPU reaches the DRAM and the DMA registers through the router; the DMA's
// `out` goes through the router to the DRAM. The CPU synchronises after every access.
#pragma once

#include <cstring>
#include <functional>
#include <memory>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>

#include "models/dma/dma_engine.h"
#include "models/interconnect/router.h"
#include "models/memory/dram.h"

namespace vcmsim::test {

constexpr uint64_t dram_base = 0x80000000ULL;
constexpr uint64_t dram_size = 16ULL << 20;
constexpr uint64_t dma_base = 0x10000000ULL;
constexpr uint64_t unmapped_addr = 0x40000000ULL;

struct test_cpu : sc_core::sc_module {
    tlm_utils::simple_initiator_socket<test_cpu> sock;
    sc_core::sc_in<bool> irq;
    std::function<void(test_cpu&)> program;
    bool finished = false;
    tlm::tlm_response_status last = tlm::TLM_INCOMPLETE_RESPONSE;

    SC_HAS_PROCESS(test_cpu);
    explicit test_cpu(const sc_core::sc_module_name& n) : sc_module(n), sock("sock"), irq("irq") {
        SC_THREAD(run);
    }
    void run() {
        if (program) program(*this);
        finished = true;
    }

    void access(tlm::tlm_command cmd, uint64_t addr, uint8_t* d, unsigned len) {
        tlm::tlm_generic_payload p;
        p.set_command(cmd);
        p.set_address(addr);
        p.set_data_ptr(d);
        p.set_data_length(len);
        p.set_streaming_width(len);
        p.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
        sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
        sock->b_transport(p, delay);
        last = p.get_response_status();
        wait(delay);
    }
    uint32_t rd(uint64_t addr) {
        uint8_t d[4] = {};
        access(tlm::TLM_READ_COMMAND, addr, d, 4);
        return static_cast<uint32_t>(d[0]) | (d[1] << 8) | (d[2] << 16) | (static_cast<uint32_t>(d[3]) << 24);
    }
    void wr(uint64_t addr, uint32_t v) {
        uint8_t d[4] = {uint8_t(v), uint8_t(v >> 8), uint8_t(v >> 16), uint8_t(v >> 24)};
        access(tlm::TLM_WRITE_COMMAND, addr, d, 4);
    }
    uint32_t reg(unsigned ch, uint64_t off) { return rd(dma_base + dma::dma_reg::ch(ch, off)); }
    void set_reg(unsigned ch, uint64_t off, uint32_t v) { wr(dma_base + dma::dma_reg::ch(ch, off), v); }
    uint64_t reg64(unsigned ch, uint64_t lo) {
        const uint64_t l = reg(ch, lo);
        return l | (static_cast<uint64_t>(reg(ch, lo + 4)) << 32);
    }

    unsigned dbg(tlm::tlm_command cmd, uint64_t addr, uint8_t* d, unsigned len) {
        tlm::tlm_generic_payload p;
        p.set_command(cmd);
        p.set_address(addr);
        p.set_data_ptr(d);
        p.set_data_length(len);
        p.set_streaming_width(len);
        return sock->transport_dbg(p);
    }
    void put_desc(uint64_t addr, const dma::dma_descriptor& dd) {
        uint8_t b[32];
        dd.encode(b);
        dbg(tlm::TLM_WRITE_COMMAND, addr, b, 32);
    }
    void fill(uint64_t addr, unsigned len, uint8_t seed) {
        std::vector<uint8_t> v(len);
        for (unsigned i = 0; i < len; ++i) v[i] = static_cast<uint8_t>(seed + i * 7 + (i >> 8));
        dbg(tlm::TLM_WRITE_COMMAND, addr, v.data(), len);
    }
    std::vector<uint8_t> read_mem(uint64_t addr, unsigned len) {
        std::vector<uint8_t> v(len);
        dbg(tlm::TLM_READ_COMMAND, addr, v.data(), len);
        return v;
    }
    void start(unsigned ch, uint64_t desc) {
        set_reg(ch, dma::dma_reg::desc_lo, static_cast<uint32_t>(desc));
        set_reg(ch, dma::dma_reg::desc_hi, static_cast<uint32_t>(desc >> 32));
        set_reg(ch, dma::dma_reg::ctrl, dma::dma_reg::ctrl_start);
    }
    // Polls STATUS every 50 ns until the channel leaves BUSY; returns STATUS.
    uint32_t wait_not_busy(unsigned ch, unsigned max_polls = 200000) {
        uint32_t s = reg(ch, dma::dma_reg::status);
        for (unsigned i = 0; (s & 0xF) == 1 && i < max_polls; ++i) {
            wait(50, sc_core::SC_NS);
            s = reg(ch, dma::dma_reg::status);
        }
        return s;
    }
    void wait_irq() {
        if (!irq.read()) wait(irq.posedge_event());
    }
};

struct dma_platform {
    interconnect::router bus;
    memory::dram mem;
    dma::dma_engine dma;
    test_cpu cpu;
    sc_core::sc_signal<bool> irq{"irq"};

    dma_platform(const dma::dma_config& dc, const memory::dram_config& mc = dram_cfg(),
                 const interconnect::router_config& rc = {})
        : bus("bus", rc), mem("mem", mc), dma("dma", dc), cpu("cpu") {
        cpu.sock.bind(bus.in);
        dma.out.bind(bus.in);
        bus.out.bind(mem.in);
        bus.out.bind(dma.mmio);
        bus.add_route("dram", {dram_base, mc.size}, 0);
        bus.add_route("dma", {dma_base, dma::dma_reg::window}, 1);
        dma.irq(irq);
        cpu.irq(irq);
    }
    static memory::dram_config dram_cfg() {
        memory::dram_config c;
        c.size = dram_size;
        return c;
    }
};

}  // namespace vcmsim::test
