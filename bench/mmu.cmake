# Host-side speed of the stage-1 walker (cold: 4 reads per walk; warm walk cache: 1 read).
add_executable(mmu_walk_bench ${CMAKE_CURRENT_LIST_DIR}/mmu_walk_bench.cpp)
target_link_libraries(mmu_walk_bench PRIVATE vcmsim_mmu)
