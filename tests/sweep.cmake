# Parameter sweeps (platforms/sweep): spec parsing, point expansion and hashing (unit); whole
# sweeps run through the binary (system).
# Until platforms/CMakeLists.txt adds the sweep folder, build its sources into a local library.
get_target_property(_vcmsim_platform_sources vcmsim_platform SOURCES)
if(NOT "${_vcmsim_platform_sources}" MATCHES "sweep_run.cpp")
  add_library(vcmsim_sweep_local STATIC
    ${CMAKE_SOURCE_DIR}/platforms/sweep/sweep_cli.cpp
    ${CMAKE_SOURCE_DIR}/platforms/sweep/sweep_plot.cpp
    ${CMAKE_SOURCE_DIR}/platforms/sweep/sweep_run.cpp
    ${CMAKE_SOURCE_DIR}/platforms/sweep/sweep_spec.cpp)
  target_link_libraries(vcmsim_sweep_local PUBLIC vcmsim_platform)
else()
  add_library(vcmsim_sweep_local INTERFACE)
endif()

vcmsim_add_tests(sweep unit ${CMAKE_CURRENT_LIST_DIR}/unit/sweep_spec_test.cpp)
target_link_libraries(unit_sweep PRIVATE vcmsim_sweep_local)

# A vcmsim with `sweep`, for as long as the real binary may lack it.
add_executable(sweep_vcmsim ${CMAKE_SOURCE_DIR}/platforms/sweep/sweep_driver_main.cpp)
target_link_libraries(sweep_vcmsim PRIVATE vcmsim_sweep_local vcmsim_platform)
vcmsim_add_tests(sweep system ${CMAKE_CURRENT_LIST_DIR}/system/sweep_run_test.cpp)
target_link_libraries(system_sweep PRIVATE vcmsim_sweep_local)
add_dependencies(system_sweep sweep_vcmsim)
target_compile_definitions(system_sweep PRIVATE VCMSIM_SWEEP_DRIVER="$<TARGET_FILE:sweep_vcmsim>")
