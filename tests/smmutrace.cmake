# SMMU trace points: round trip of the trace against stats.json (SMMU streams and the CPU),
# Perfetto export tracks. Runs the vcmsim binary on configs/smmu-two-dma.toml and cpu-mmu.toml.
# Needs the hooks: not built with -DVCMSIM_TRACE=OFF.
if(VCMSIM_TRACE)
  vcmsim_add_tests(smmutrace system
    ${CMAKE_CURRENT_LIST_DIR}/system/smmu_trace_test.cpp
  )
endif()
