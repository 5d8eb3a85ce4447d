vcmsim_add_tests(camera system
  ${CMAKE_CURRENT_LIST_DIR}/system/platform_vcm_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/system/sweep_page_size_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/system/trace_camera_test.cpp
)
