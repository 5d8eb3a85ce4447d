vcmsim_add_tests(config unit
  ${CMAKE_CURRENT_LIST_DIR}/unit/config_units_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/unit/config_load_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/unit/config_validate_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/unit/config_output_test.cpp
)
