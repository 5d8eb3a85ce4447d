vcmsim_add_tests(core unit
  ${CMAKE_CURRENT_LIST_DIR}/unit/core_stats_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/unit/core_register_bank_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/unit/core_timing_test.cpp
)
