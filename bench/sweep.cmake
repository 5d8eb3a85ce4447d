# Parallel speedup of `vcmsim sweep` (-j 2 over -j 1) and its per-point overhead beyond the
# simulation; runs the real vcmsim binary.
add_executable(sweep_bench ${CMAKE_CURRENT_LIST_DIR}/sweep_bench.cpp)
target_link_libraries(sweep_bench PRIVATE vcmsim_platform)
target_compile_definitions(sweep_bench PRIVATE VCMSIM_SOURCE_DIR="${CMAKE_SOURCE_DIR}"
  VCMSIM_BINARY="$<TARGET_FILE:vcmsim>")
add_dependencies(sweep_bench vcmsim)
