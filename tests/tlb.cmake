vcmsim_add_tests(tlb unit
  ${CMAKE_CURRENT_LIST_DIR}/unit/tlb_policy_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/unit/tlb_tagging_test.cpp
)
