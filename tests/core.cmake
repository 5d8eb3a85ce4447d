list(APPEND UNIT_TEST_SOURCES
  ${CMAKE_CURRENT_LIST_DIR}/unit/core_stats_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/unit/core_register_bank_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/unit/core_timing_test.cpp
)
