# Cost of the TLB/miss trace sink alone and of the CPU stream with tracing off / default / all.
add_executable(trace_bench ${CMAKE_CURRENT_LIST_DIR}/trace_bench.cpp)
target_link_libraries(trace_bench PRIVATE vcmsim_platform)
target_compile_definitions(trace_bench PRIVATE VCMSIM_SOURCE_DIR="${CMAKE_SOURCE_DIR}")
