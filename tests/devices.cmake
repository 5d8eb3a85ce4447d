vcmsim_add_tests(devices unit
  ${CMAKE_CURRENT_LIST_DIR}/unit/devices_address_pattern_test.cpp
)
vcmsim_add_tests(devices component
  ${CMAKE_CURRENT_LIST_DIR}/component/devices_registers_test.cpp
)
vcmsim_add_tests(devices system
  ${CMAKE_CURRENT_LIST_DIR}/system/devices_platform_test.cpp
)
