add_executable(platform_bench ${CMAKE_CURRENT_LIST_DIR}/platform_bench.cpp)
target_link_libraries(platform_bench PRIVATE vcmsim_platform)
target_compile_definitions(platform_bench PRIVATE VCMSIM_SOURCE_DIR="${CMAKE_SOURCE_DIR}")

add_executable(cpu_mmu_bench ${CMAKE_CURRENT_LIST_DIR}/cpu_mmu_bench.cpp)
target_link_libraries(cpu_mmu_bench PRIVATE vcmsim_platform)
target_compile_definitions(cpu_mmu_bench PRIVATE VCMSIM_SOURCE_DIR="${CMAKE_SOURCE_DIR}")
