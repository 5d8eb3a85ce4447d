vcmsim_add_tests(camera system
  ${CMAKE_CURRENT_LIST_DIR}/system/platform_vcm_test.cpp
)
