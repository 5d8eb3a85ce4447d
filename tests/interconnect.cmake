vcmsim_add_tests(interconnect component
  ${CMAKE_CURRENT_LIST_DIR}/component/interconnect_router_test.cpp
)
