vcmsim_add_tests(vcm unit
  ${CMAKE_CURRENT_LIST_DIR}/unit/vcm_alloc_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/unit/vcm_api_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/unit/vcm_assoc_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/unit/vcm_backend_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/unit/vcm_soak_test.cpp
)
