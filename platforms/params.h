// Every configuration parameter of vcmsim, registered in the parameter registry, and the
// binders that turn a validated config_view into each model's plain config struct.
// Models never see configs: this is the one place that knows both sides.
#pragma once

#include <optional>
#include <string>

#include "platforms/config/config.h"
#include "platforms/config/param_registry.h"

namespace vcmsim::platform {

// Registers all parameters once into `reg` (the global registry by default).
void register_all_params(param_registry& reg = param_registry::global());

// Per area (params_*.cpp).
void register_sim_params(param_registry& reg);
void register_model_params(param_registry& reg);
void register_scenario_params(param_registry& reg);

// Shorthand for building a param_def.
param_def make_param(std::string path, param_type type, std::string default_value,
                     std::string unit, std::string description,
                     std::optional<double> min = {}, std::optional<double> max = {});
param_def make_enum(std::string path, std::string default_value,
                    std::vector<std::string> choices, std::string description);
// A parameter valid only when the table's `when_key` equals `when_value`.
param_def when(param_def d, std::string when_key, std::string when_value);
param_def required(param_def d);

}  // namespace vcmsim::platform

// ---- binders: validated config → model config structs (params_models.cpp) ----
namespace vcmsim::memory { struct dram_config; }
namespace vcmsim::interconnect { struct router_config; }
namespace vcmsim::cpu { struct cpu_config; }
namespace vcmsim::dma { struct dma_config; }
namespace vcmsim::devices { struct display_config; struct traffic_gen_config; }
namespace vcmsim::smmu { struct smmu_config; }

namespace vcmsim::platform {
memory::dram_config bind_dram(const config_view& v);
interconnect::router_config bind_router(const config_view& v);
cpu::cpu_config bind_cpu(const config_view& v, uint64_t master_seed);
dma::dma_config bind_dma(const config_view& v);
devices::display_config bind_display(const config_view& v);
devices::traffic_gen_config bind_traffic(const config_view& v, uint64_t master_seed);
// Without its ports: the platform adds one per master that names this SMMU.
smmu::smmu_config bind_smmu(const config_view& v, uint64_t master_seed);
}  // namespace vcmsim::platform
