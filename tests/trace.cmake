# TLB/miss traces: sink, reader, inspect/export/diff, bad-file corpus (tests/traces/bad).
set(VCMSIM_TRACE_TEST_SOURCES
  ${CMAKE_CURRENT_LIST_DIR}/unit/trace_sink_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/unit/trace_tool_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/unit/trace_bad_files_test.cpp
)
# Until platforms/CMakeLists.txt adds the trace folder, compile its sources into the test.
get_target_property(_vcmsim_platform_sources vcmsim_platform SOURCES)
if(NOT "${_vcmsim_platform_sources}" MATCHES "trace_reader.cpp")
  foreach(f trace_cli trace_export trace_inspect trace_reader)
    list(APPEND VCMSIM_TRACE_TEST_SOURCES ${CMAKE_SOURCE_DIR}/platforms/trace/${f}.cpp)
  endforeach()
endif()
vcmsim_add_tests(trace unit ${VCMSIM_TRACE_TEST_SOURCES})
