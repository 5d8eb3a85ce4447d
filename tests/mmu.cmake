vcmsim_add_tests(mmu unit
  ${CMAKE_CURRENT_LIST_DIR}/unit/mmu_geometry_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/unit/mmu_walker_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/unit/mmu_fault_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/unit/mmu_permission_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/unit/mmu_walk_cache_test.cpp
)
