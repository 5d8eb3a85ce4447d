// platform_bench: host speed of the minimal platform's DMA path, next to the ceiling of a bare
// initiator -> DRAM loop doing the same bursts, measured in one run.
//
//   build/bench/platform_bench [bench/configs/dma_stream.toml]
//
// Three measurements: configs/minimal.toml as it is (fill, DMA copy, verify, 3 display frames:
// the DMA is a small part of its wall time), the minimal platform's CPU, DRAM and DMA engine
// copying 256 MiB (bench/configs/dma_stream.toml), and the bare loop moving the same bytes.
// Figures: simulated DMA bytes per host second and bus transactions per host second (every
// b_transport that reaches the DRAM). Each measurement runs in its own forked process.
#include <cstdlib>

#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/tlm_quantumkeeper.h>

#include "bench/bench_util.h"
#include "models/memory/dram.h"

using namespace vcmsim;

namespace {

// The ceiling: one initiator copying with read+write bursts straight into a DRAM.
struct bare_copier : sc_core::sc_module {
    tlm_utils::simple_initiator_socket<bare_copier> out{"out"};
    uint64_t total, burst;
    SC_HAS_PROCESS(bare_copier);
    bare_copier(const sc_core::sc_module_name& n, uint64_t total_bytes, uint64_t burst_bytes)
        : sc_module(n), total(total_bytes), burst(burst_bytes) {
        SC_THREAD(run);
    }
    void run() {
        tlm_utils::tlm_quantumkeeper qk;
        qk.reset();
        std::vector<uint8_t> buf(burst);
        tlm::tlm_generic_payload t;
        const uint64_t half = 64ULL << 20;
        for (uint64_t off = 0; off < total; off += burst) {
            for (int w = 0; w < 2; ++w) {
                t.set_command(w ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
                t.set_address(off % half + (w ? half : 0));
                t.set_data_ptr(buf.data());
                t.set_data_length(static_cast<unsigned>(burst));
                t.set_streaming_width(static_cast<unsigned>(burst));
                t.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
                sc_core::sc_time d = qk.get_local_time();
                out->b_transport(t, d);
                qk.set(d);
                if (qk.need_sync()) qk.sync();
            }
        }
        qk.sync();
        sc_core::sc_stop();
    }
};

bench::figures platform_run(const std::string& cfg) {
    std::vector<double> s;
    bench::figures f;
    f.v[0] = bench::run_platform(cfg, {}, {"top.dma0.bytes", "top.dram0.reads", "top.dram0.writes"}, s);
    f.v[1] = s[0];
    f.v[2] = s[1] + s[2];
    f.v[3] = sc_core::sc_time_stamp().to_seconds();
    return f;
}

bench::figures bare_run(uint64_t total) {
    core::install_report_handler(core::log_level::warn);
    platform::init_time_resolution();
    tlm::tlm_global_quantum::instance().set(sc_core::sc_time(1, sc_core::SC_US));
    memory::dram mem("dram0", memory::dram_config{});
    bare_copier cp("copier", total, 256);
    cp.out.bind(mem.in);
    const auto t0 = std::chrono::steady_clock::now();
    sc_core::sc_start();
    bench::figures f;
    f.v[0] = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    f.v[1] = static_cast<double>(total);
    auto& st = core::stats_registry::global();
    f.v[2] = st.value("dram0.reads") + st.value("dram0.writes");
    f.v[3] = sc_core::sc_time_stamp().to_seconds();
    return f;
}

void print(const char* what, const bench::figures& f) {
    std::printf("%-32s %9.1f MB/s simulated DMA bytes per host second  %7.2f M bus transactions/s"
                "  (%.0f MiB in %.3f s wall, %.3f ms simulated)\n",
                what, f.v[1] / f.v[0] / 1e6, f.v[2] / f.v[0] / 1e6, f.v[1] / (1 << 20), f.v[0],
                f.v[3] * 1e3);
}

}  // namespace

int sc_main(int argc, char** argv) {
    const std::string src = VCMSIM_SOURCE_DIR;
    const std::string cfg = argc > 1 ? argv[1] : src + "/bench/configs/dma_stream.toml";
    bench::figures whole, plat, bare;
    if (!bench::in_child([&] { return platform_run(src + "/configs/minimal.toml"); }, whole) ||
        !bench::in_child([&] { return platform_run(cfg); }, plat) ||
        !bench::in_child([&] { return bare_run(static_cast<uint64_t>(plat.v[1])); }, bare)) {
        std::fprintf(stderr, "platform_bench: a measurement failed\n");
        return 1;
    }
    std::printf("platform_bench: DMA copy with 256-byte bursts, quantum 1 us\n");
    print("configs/minimal.toml (whole run)", whole);
    print("minimal platform, DMA stream", plat);
    print("bare initiator -> DRAM loop", bare);
    std::printf("platform / bare: %.2f (bytes per host second)\n", (plat.v[1] / plat.v[0]) / (bare.v[1] / bare.v[0]));
    return 0;
}

int main(int argc, char** argv) {
    setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 1);
    return sc_core::sc_elab_and_sim(argc, argv);
}
