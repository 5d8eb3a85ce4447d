vcmsim_add_tests(cpu unit
  ${CMAKE_CURRENT_LIST_DIR}/unit/cpu_mmu_test.cpp
)
vcmsim_add_tests(cpu system
  ${CMAKE_CURRENT_LIST_DIR}/system/cpu_mmu_test.cpp
)
