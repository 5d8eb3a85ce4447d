// SMMU structures against hand-computed words, and queue wrap arithmetic.
#include <catch2/catch.hpp>

#include "models/smmu/smmu_queue.h"
#include "models/smmu/smmu_structs.h"

using namespace vcmsim::smmu;

TEST_CASE("smmu structs: STE encoders and accessors") {
    CHECK(ste::make_abort().dw[0] == 0x1);
    CHECK(ste::make_bypass().dw[0] == 0x9);
    const ste s = ste::make_s1(0x80300040ULL, 3, 2);
    // V | Config 0b101 << 1 | ptr | S1CDMax 3 << 59
    CHECK(s.dw[0] == (0x1ULL | 0xAULL | 0x80300040ULL | (3ULL << 59)));
    // S1DSS 2 | S1CIR 1 << 2 | S1COR 1 << 4 | S1CSH 3 << 6
    CHECK(s.dw[1] == 0xD6);
    CHECK(s.v());
    CHECK(s.config() == 5);
    CHECK(s.s1_context_ptr() == 0x80300040ULL);
    CHECK(s.s1cdmax() == 3);
    CHECK(s.s1dss() == 2);
    const l1std l = l1std::make(0x80001000ULL, 9);
    CHECK(l.dw == 0x80001009ULL);
    CHECK(l.span() == 9);
    CHECK(l.l2ptr() == 0x80001000ULL);
}

TEST_CASE("smmu structs: CD encoder matches the Linux s1 template") {
    cd::params p;
    p.t0sz = 16;
    p.tg0 = 0;
    p.ips = 5;
    p.asid = 0x1234;
    p.ttb0 = 0x80400000ULL;
    const cd c = cd::make(p);
    // T0SZ 16 | IR0 1 << 8 | OR0 1 << 10 | SH0 3 << 12 | EPD1 << 30 | V << 31 | IPS 5 << 32 |
    // AA64 << 41 | R << 45 | A << 46 | ASID << 48
    const uint64_t want = 16 | (1ULL << 8) | (1ULL << 10) | (3ULL << 12) | (1ULL << 30) | (1ULL << 31) |
                          (5ULL << 32) | (1ULL << 41) | (1ULL << 45) | (1ULL << 46) | (0x1234ULL << 48);
    CHECK(c.dw[0] == want);
    CHECK(c.dw[1] == 0x80400000ULL);
    CHECK(c.dw[3] == 0x04FF44ULL);
    CHECK(c.t0sz() == 16);
    CHECK(c.v());
    CHECK(c.aa64());
    CHECK(c.epd1());
    CHECK(!c.epd0());
    CHECK(c.asid() == 0x1234);
    CHECK(c.ips() == 5);
    CHECK(c.ttb0() == 0x80400000ULL);
}

TEST_CASE("smmu structs: commands") {
    const cmd a = cmd::cfgi_ste(0x25, true);
    CHECK(a.dw[0] == ((0x25ULL << 32) | 0x03));
    CHECK(a.dw[1] == 1);
    CHECK(cmd::cfgi_all().dw[1] == 31);
    CHECK(cmd::cfgi_all().opcode() == 0x04);
    const cmd v = cmd::tlbi_nh_va(0xBEEF, 0x12345678ULL, true);
    CHECK(v.dw[0] == ((0xBEEFULL << 48) | 0x12));
    CHECK(v.dw[1] == 0x12345001ULL);
    CHECK(v.asid() == 0xBEEF);
    CHECK(v.addr() == 0x12345000ULL);
    CHECK(v.leaf());
    const cmd s = cmd::sync(sync_cs::sig_irq, 0x80001004ULL, 0xCAFE);
    CHECK(s.dw[0] == ((0xCAFEULL << 32) | (1ULL << 12) | 0x46));
    CHECK(s.dw[1] == 0x80001004ULL);
    CHECK(s.cs() == sync_cs::sig_irq);
    CHECK(s.msi_data() == 0xCAFE);
    const cmd cd1 = cmd::cfgi_cd(3, 0x55);
    CHECK(cd1.sid() == 3);
    CHECK(cd1.ssid() == 0x55);
    CHECK(std::string(cmd_name(0x12)) == "TLBI_NH_VA");
    CHECK(cmd_name(0x7F) == nullptr);
}

TEST_CASE("smmu structs: event record") {
    evt::params p;
    p.id = event_id::F_PERMISSION;
    p.sid = 0x42;
    p.ssid = 0x7;
    p.ssv = true;
    p.rnw = false;
    p.pnu = true;
    p.cls = event_class::in;
    p.input_addr = 0xDEAD000ULL;
    const evt e = evt::make(p);
    CHECK(e.dw[0] == ((0x42ULL << 32) | (0x7ULL << 12) | (1ULL << 11) | 0x13));
    CHECK(e.dw[1] == ((1ULL << 33) | (2ULL << 40)));
    CHECK(e.dw[2] == 0xDEAD000ULL);
    CHECK(e.dw[3] == 0);
    p.id = event_id::F_WALK_EABT;
    p.fetch_addr = 0x40000008ULL;
    p.rnw = true;
    p.ssv = false;
    p.cls = event_class::tt;
    const evt w = evt::make(p);
    CHECK(w.dw[0] == ((0x42ULL << 32) | 0x0B));   // SSID not reported without SSV
    CHECK(w.dw[1] == ((1ULL << 33) | (1ULL << 35) | (1ULL << 40)));
    CHECK(w.dw[3] == 0x40000008ULL);
    CHECK(std::string(event_name(event_id::C_BAD_SUBSTREAMID)) == "C_BAD_SUBSTREAMID");
}

TEST_CASE("smmu queue: index and wrap arithmetic") {
    queue_ptr prod(2), cons(2);   // 4 entries
    CHECK(queue_ptr::empty(prod, cons));
    for (int i = 0; i < 4; ++i) prod.inc();
    CHECK(prod.raw() == 4);       // index 0, wrap 1
    CHECK(prod.index() == 0);
    CHECK(prod.wrap());
    CHECK(queue_ptr::full(prod, cons));
    CHECK(queue_ptr::count(prod, cons) == 4);
    cons.inc();
    CHECK(!queue_ptr::full(prod, cons));
    CHECK(queue_ptr::count(prod, cons) == 3);
    for (int i = 0; i < 4; ++i) prod.inc();
    CHECK(prod.raw() == 0);       // wrapped twice: back to index 0 wrap 0
    queue_ptr q(3, 0xFFFFF);      // raw masked to bits [3:0]
    CHECK(q.raw() == 0xF);
    CHECK(q.index() == 7);
    CHECK(q.wrap());
    q.inc();
    CHECK(q.raw() == 0);
}
