vcmsim_add_tests(vcmsmmu system
  ${CMAKE_CURRENT_LIST_DIR}/system/vcm_smmu_test.cpp
)
