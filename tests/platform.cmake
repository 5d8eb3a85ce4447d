vcmsim_add_tests(platform system
  ${CMAKE_CURRENT_LIST_DIR}/system/platform_run_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/system/platform_config_errors_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/system/platform_smmu_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/system/platform_traffic_trace_test.cpp
)
