vcmsim_add_tests(memory unit
  ${CMAKE_CURRENT_LIST_DIR}/unit/memory_sparse_test.cpp
)
vcmsim_add_tests(memory component
  ${CMAKE_CURRENT_LIST_DIR}/component/memory_dram_test.cpp
)
