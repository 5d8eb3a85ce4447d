# Cost of VCM map + unmap through the SMMU and CPU MMU backends (simulated and host time).
add_executable(vcm_bench ${CMAKE_CURRENT_LIST_DIR}/vcm_bench.cpp)
target_link_libraries(vcm_bench PRIVATE vcmsim_platform)
