# TLB/miss traces: sink, reader, inspect/export/diff, bad-file corpus (tests/traces/bad).
# With -DVCMSIM_TRACE=OFF the hooks are compiled out: the sink and hook tests are not built (the
# reader/tool tests still are: the writer works) and trace_compiled_out_test checks the refusal.
if(VCMSIM_TRACE)
  set(VCMSIM_TRACE_TEST_SOURCES ${CMAKE_CURRENT_LIST_DIR}/unit/trace_sink_test.cpp)
else()
  set(VCMSIM_TRACE_TEST_SOURCES ${CMAKE_CURRENT_LIST_DIR}/unit/trace_compiled_out_test.cpp)
endif()
list(APPEND VCMSIM_TRACE_TEST_SOURCES
  ${CMAKE_CURRENT_LIST_DIR}/unit/trace_tool_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/unit/trace_bad_files_test.cpp
)
vcmsim_add_tests(trace unit ${VCMSIM_TRACE_TEST_SOURCES})
