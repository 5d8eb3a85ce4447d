// SMMU register file: reset values, write masks, ID registers from the config, 32/64-bit
// access, access rules. MMIO is called through a socket by hand; never sc_start (the module is
// elaborated once so that its multi-passthrough socket is wired).
#include <catch2/catch.hpp>

#include <array>

#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>

#include "models/smmu/smmu.h"
#include "tests/support/test_util.h"

using namespace vcmsim;
namespace sr = vcmsim::smmu::regs;

namespace {

struct sink : sc_core::sc_module {   // stands for the interconnect: every access fails
    tlm_utils::simple_target_socket<sink> socket;
    explicit sink(const sc_core::sc_module_name& n) : sc_module(n), socket("socket") {
        socket.register_b_transport(this, &sink::bt);
    }
    void bt(tlm::tlm_generic_payload& p, sc_core::sc_time&) {
        p.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
    }
};

struct host : sc_core::sc_module {
    tlm_utils::simple_initiator_socket<host> mmio, master;
    explicit host(const sc_core::sc_module_name& n) : sc_module(n), mmio("mmio"), master("master") {}
    tlm::tlm_response_status access(bool write, uint64_t a, uint8_t* d, unsigned len) {
        tlm::tlm_generic_payload p;
        p.set_command(write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
        p.set_address(a);
        p.set_data_ptr(d);
        p.set_data_length(len);
        p.set_streaming_width(len);
        p.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
        sc_core::sc_time t = sc_core::SC_ZERO_TIME;
        mmio->b_transport(p, t);
        return p.get_response_status();
    }
    uint32_t r32(uint64_t a) {
        uint8_t d[4] = {};
        access(false, a, d, 4);
        return smmu::load_le64(std::array<uint8_t, 8>{d[0], d[1], d[2], d[3], 0, 0, 0, 0}.data()) & 0xFFFFFFFF;
    }
    void w32(uint64_t a, uint32_t v) {
        uint8_t d[4] = {uint8_t(v), uint8_t(v >> 8), uint8_t(v >> 16), uint8_t(v >> 24)};
        access(true, a, d, 4);
    }
    uint64_t r64(uint64_t a) {
        uint8_t d[8] = {};
        access(false, a, d, 8);
        return smmu::load_le64(d);
    }
    void w64(uint64_t a, uint64_t v) {
        uint8_t d[8];
        smmu::store_le64(d, v);
        access(true, a, d, 8);
    }
};

smmu::smmu_config cfg() {
    smmu::smmu_config c;
    c.sid_bits = 12;
    c.ssid_bits = 5;
    c.cmdq_log2 = 9;
    c.evtq_log2 = 7;
    c.oas_bits = 40;
    c.gran16k = false;
    c.ports = {{"p0", 0, 0, false}};
    return c;
}

struct top_t {
    smmu::smmu s{"smmu", cfg()};
    sink out{"sink"};
    host h{"host"};
    sc_core::sc_signal<bool> a{"a"}, b{"b"}, c{"c"};
    top_t() {
        h.mmio.bind(s.mmio);
        h.master.bind(s.in);
        s.out.bind(out.socket);
        s.irq_evtq(a);
        s.irq_gerror(b);
        s.irq_cmdq_sync(c);
        sc_core::sc_get_curr_simcontext()->elaborate();
    }
};
top_t& top() {
    static top_t* t = new top_t();
    return *t;
}

}  // namespace

TEST_CASE("smmu regs: ID registers come from the config") {
    host& h = top().h;
    const uint32_t idr0 = h.r32(sr::IDR0);
    CHECK((idr0 & 3) == 2);                 // S1P only
    CHECK(((idr0 >> 2) & 3) == 2);          // TTF AArch64
    CHECK(((idr0 >> 13) & 1) == 1);         // MSI
    CHECK(((idr0 >> 21) & 3) == 2);         // TTENDIAN LE
    CHECK(((idr0 >> 24) & 3) == 1);         // STALL_MODEL terminate only
    CHECK(((idr0 >> 27) & 3) == 1);         // 2-level stream table
    CHECK(idr0 == 0x0940301Au);
    CHECK(h.r32(sr::IDR1) == (12u | (5u << 6) | (7u << 16) | (9u << 21)));
    CHECK(h.r32(sr::IDR5) == (2u | (1u << 4) | (1u << 6)));   // OAS 40, 4K + 64K
    CHECK(h.r32(sr::IDR3) == 0);
}

TEST_CASE("smmu regs: reset values and write masks") {
    host& h = top().h;
    struct rw { uint64_t off; uint32_t reset; uint32_t mask; };
    const rw regs32[] = {
        {sr::CR1, 0, 0xFFF},
        {sr::CR2, 0, 0x6},
        {sr::GERROR_IRQ_CFG1, 0, 0xFFFFFFFF},
        {sr::GERROR_IRQ_CFG2, 0, 0x3F},
        {sr::STRTAB_BASE_CFG, 0, 0x307FF},
        {sr::CMDQ_CONS, 0, 0xFFFFF},
        {sr::EVENTQ_IRQ_CFG1, 0, 0xFFFFFFFF},
        {sr::EVENTQ_IRQ_CFG2, 0, 0x3F},
        {sr::EVENTQ_PROD, 0, 0xFFFFF},
        {sr::EVENTQ_CONS, 0, 0x800FFFFF},
        {sr::GERRORN, 0, 0xB5},
    };
    for (const auto& r : regs32) {
        INFO("offset 0x" << std::hex << r.off);
        CHECK(h.r32(r.off) == r.reset);
        h.w32(r.off, 0xFFFFFFFF);
        CHECK(h.r32(r.off) == r.mask);
        h.w32(r.off, 0);
        CHECK(h.r32(r.off) == 0);
    }
    struct rw64 { uint64_t off; uint64_t mask; };
    const rw64 regs64[] = {
        {sr::STRTAB_BASE, 0x40FFFFFFFFFFFFC0ULL},
        {sr::CMDQ_BASE, 0x40FFFFFFFFFFFFFFULL},
        {sr::EVENTQ_BASE, 0x40FFFFFFFFFFFFFFULL},
        {sr::GERROR_IRQ_CFG0, 0x00FFFFFFFFFFFFFCULL},
        {sr::EVENTQ_IRQ_CFG0, 0x00FFFFFFFFFFFFFCULL},
    };
    for (const auto& r : regs64) {
        INFO("offset 0x" << std::hex << r.off);
        CHECK(h.r64(r.off) == 0);
        h.w64(r.off, ~0ULL);
        CHECK(h.r64(r.off) == r.mask);
        h.w32(r.off + 4, 0x12);              // 32-bit access to the upper half
        CHECK(h.r64(r.off) == ((r.mask & 0xFFFFFFFF) | (uint64_t(0x12 & (r.mask >> 32)) << 32)));
        h.w64(r.off, 0);
    }
    CHECK(h.r32(sr::GBPA) == sr::GBPA_ABORT);
    CHECK(h.r32(sr::CR0) == 0);
    CHECK(h.r32(sr::CR0ACK) == 0);
    CHECK(h.r32(sr::IRQ_CTRL) == 0);
    CHECK(h.r32(sr::GERROR) == 0);
    h.w32(sr::GERROR, 0xFF);                 // read-only
    CHECK(h.r32(sr::GERROR) == 0);
    h.w32(sr::IDR0, 0);
    CHECK(h.r32(sr::IDR0) == 0x0940301Au);
    h.w32(sr::IRQ_CTRL, 0xFF);
    CHECK(h.r32(sr::IRQ_CTRL) == 0x5);
    CHECK(h.r32(sr::IRQ_CTRLACK) == 0x5);
    h.w32(sr::CR0, 0xFF);
    CHECK(h.r32(sr::CR0) == 0xD);
    CHECK(h.r32(sr::CR0ACK) == 0xD);
    h.w32(sr::CR0, 0);
    CHECK(h.r32(sr::CR0ACK) == 0);
}

TEST_CASE("smmu regs: access rules while enabled") {
    vcmsim::test::allow_sc_warnings();
    host& h = top().h;
    h.w64(sr::STRTAB_BASE, 0x80000000ULL);
    h.w64(sr::CMDQ_BASE, 0x80100008ULL);
    h.w64(sr::EVENTQ_BASE, 0x80200007ULL);
    h.w32(sr::CR0, sr::CR0_SMMUEN | sr::CR0_CMDQEN | sr::CR0_EVENTQEN);
    h.w64(sr::STRTAB_BASE, 0x90000000ULL);
    h.w32(sr::STRTAB_BASE_CFG, 5);
    h.w64(sr::CMDQ_BASE, 0x90100008ULL);
    h.w32(sr::CMDQ_CONS, 3);
    h.w64(sr::EVENTQ_BASE, 0x90200007ULL);
    h.w32(sr::EVENTQ_PROD, 2);
    CHECK(h.r64(sr::STRTAB_BASE) == 0x80000000ULL);
    CHECK(h.r32(sr::STRTAB_BASE_CFG) == 0);
    CHECK(h.r64(sr::CMDQ_BASE) == 0x80100008ULL);
    CHECK(h.r32(sr::CMDQ_CONS) == 0);
    CHECK(h.r64(sr::EVENTQ_BASE) == 0x80200007ULL);
    CHECK(h.r32(sr::EVENTQ_PROD) == 0);
    h.w32(sr::EVENTQ_CONS, 1);               // software-owned pointer stays writable
    CHECK(h.r32(sr::EVENTQ_CONS) == 1);
    h.w32(sr::CR0, 0);
    h.w64(sr::STRTAB_BASE, 0x90000000ULL);
    CHECK(h.r64(sr::STRTAB_BASE) == 0x90000000ULL);
}

TEST_CASE("smmu regs: unsupported access sizes are errors, unmapped offsets RAZ/WI") {
    vcmsim::test::allow_sc_warnings();
    host& h = top().h;
    uint8_t d[8] = {1, 1, 1, 1, 1, 1, 1, 1};
    CHECK(h.access(false, sr::CR0, d, 2) == tlm::TLM_GENERIC_ERROR_RESPONSE);
    CHECK(h.access(false, sr::CR0, d, 8) == tlm::TLM_OK_RESPONSE);       // CR0 + CR0ACK
    CHECK(h.access(false, sr::CR0 + 4, d, 8) == tlm::TLM_GENERIC_ERROR_RESPONSE);   // misaligned
    CHECK(h.access(false, sr::CR0 + 2, d, 4) == tlm::TLM_GENERIC_ERROR_RESPONSE);
    CHECK(h.access(false, sr::window, d, 4) == tlm::TLM_GENERIC_ERROR_RESPONSE);
    CHECK(h.access(false, 0x800, d, 4) == tlm::TLM_OK_RESPONSE);
    CHECK(d[0] == 0);
}

TEST_CASE("smmu config: validate names the field") {
    smmu::smmu_config c;
    c.walk_slots = 0;
    CHECK_THROWS_WITH(smmu::validate(c), Catch::Contains("walk_slots"));
    c = smmu::smmu_config{};
    c.oas_bits = 50;
    CHECK_THROWS_WITH(smmu::validate(c), Catch::Contains("oas_bits"));
    CHECK_NOTHROW(smmu::validate(smmu::smmu_config{}));
}
