# configs/camera-to-display.toml end to end, its page-size sweep, and (when the trace hooks are
# compiled in) trace inspect on it.
set(VCMSIM_CAMERA_TEST_SOURCES
  ${CMAKE_CURRENT_LIST_DIR}/system/platform_vcm_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/system/sweep_page_size_test.cpp)
if(VCMSIM_TRACE)
  list(APPEND VCMSIM_CAMERA_TEST_SOURCES ${CMAKE_CURRENT_LIST_DIR}/system/trace_camera_test.cpp)
endif()
vcmsim_add_tests(camera system ${VCMSIM_CAMERA_TEST_SOURCES})
