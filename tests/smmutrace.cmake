# SMMU trace points: round trip of the trace against stats.json (SMMU streams and the CPU),
# Perfetto export tracks. Runs the vcmsim binary on configs/smmu-two-dma.toml and cpu-mmu.toml.
vcmsim_add_tests(smmutrace system
  ${CMAKE_CURRENT_LIST_DIR}/system/smmu_trace_test.cpp
)
