# Reader and comparison logic of the QEMU SMMU oracle corpus (tests/smmu_corpus, docs/smmu-replay.md).
vcmsim_add_tests(oracle unit
  ${CMAKE_CURRENT_LIST_DIR}/unit/oracle_case_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/unit/oracle_compare_test.cpp
)
