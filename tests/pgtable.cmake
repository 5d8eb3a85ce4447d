vcmsim_add_tests(pgtable unit
  ${CMAKE_CURRENT_LIST_DIR}/unit/pgtable_map_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/unit/pgtable_unmap_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/unit/pgtable_walker_test.cpp
)
