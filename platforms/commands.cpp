// `vcmsim config validate|show`, `vcmsim list models|params` and `vcmsim version`.
#include <iomanip>
#include <iostream>

#include <boost/version.hpp>
#include <nlohmann/json.hpp>
#include <systemc>

#include "platforms/config/config.h"
#include "platforms/config/param_registry.h"
#include "platforms/params.h"
#include "platforms/platform.h"
#include "platforms/run.h"

namespace vcmsim::platform {

int config_validate(const std::vector<std::string>& files, const std::vector<std::string>& overrides) {
    param_registry& reg = param_registry::global();
    register_all_params(reg);
    try {
        config cfg = config::load(files, overrides);
        cfg.validate(reg);
        // Semantic checks (address map, names, references) happen while building the
        // platform: build it, without simulating.
        init_time_resolution();
        platform top("top", cfg);
    } catch (const config_error& e) {
        std::cerr << "config error: " << e.what() << "\n";
        std::cout << files.front() << ": invalid\n";
        return e.code();
    }
    std::cout << files.front() << ": ok\n";
    return exit_ok;
}

int config_show(const std::vector<std::string>& files, const std::vector<std::string>& overrides,
                const std::string& format, bool provenance) {
    param_registry& reg = param_registry::global();
    register_all_params(reg);
    config cfg = config::load(files, overrides);
    cfg.validate(reg);
    if (provenance) std::cout << cfg.provenance_listing(reg);
    else if (format == "json") std::cout << cfg.to_json(reg).dump(2) << "\n";
    else std::cout << cfg.to_toml(reg);
    return exit_ok;
}

int list_models() {
    struct model { const char* table; const char* cls; const char* what; };
    static const model models[] = {
        {"cpu", "vcmsim::cpu::cpu", "in-order CPU that runs the scenario; timed loads, stores, MMIO, interrupts"},
        {"interconnect", "vcmsim::interconnect::router", "router: ordered address map, per-hop latency, DMI rebasing"},
        {"[[dram]]", "vcmsim::memory::dram", "DRAM: sparse store, latency + booked bandwidth, DMI"},
        {"[[dma]]", "vcmsim::dma::dma_engine", "DMA engine: descriptor chains, channels, bursts, outstanding limit"},
        {"[[display]]", "vcmsim::devices::display", "display controller: scans a physically contiguous framebuffer, counts underruns"},
        {"[[traffic]]", "vcmsim::devices::traffic_gen", "traffic generator: sequential, strided or seeded random patterns"},
    };
    for (const auto& m : models)
        std::cout << std::left << std::setw(16) << m.table << std::setw(32) << m.cls << m.what << "\n";
    std::cout << "\n'vcmsim list params <table>' lists a model's parameters.\n";
    return exit_ok;
}

int list_params(const std::string& filter, const std::string& format) {
    param_registry& reg = param_registry::global();
    register_all_params(reg);
    if (format == "json") reg.write_json(std::cout, filter);
    else if (format == "markdown") reg.write_markdown(std::cout);
    else reg.write_listing(std::cout, filter);
    return exit_ok;
}

int print_version(bool json) {
    const std::string boost = std::to_string(BOOST_VERSION / 100000) + "." +
                              std::to_string(BOOST_VERSION / 100 % 1000) + "." +
                              std::to_string(BOOST_VERSION % 100);
    if (json) {
        nlohmann::json j = {{"vcmsim", VCMSIM_VERSION}, {"systemc", sc_core::sc_release()},
                            {"boost", boost}, {"compiler", __VERSION__}, {"cxx", __cplusplus}};
        std::cout << j.dump(2) << "\n";
    } else {
        std::cout << "vcmsim " << VCMSIM_VERSION << "\n"
                  << "SystemC " << sc_core::sc_release() << ", Boost " << boost << ", "
                  << "compiler " << __VERSION__ << ", C++ " << __cplusplus << "\n";
    }
    return exit_ok;
}

}  // namespace vcmsim::platform
