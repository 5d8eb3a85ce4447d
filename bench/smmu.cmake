# Host-side speed of the SMMU upstream path: micro-TLB hits vs bypass vs a TLB-miss-heavy pattern.
add_executable(smmu_bench ${CMAKE_CURRENT_LIST_DIR}/smmu_bench.cpp)
target_link_libraries(smmu_bench PRIVATE vcmsim_platform)
