vcmsim_add_tests(smmu unit
  ${CMAKE_CURRENT_LIST_DIR}/unit/smmu_structs_test.cpp
)
vcmsim_add_tests(smmu component
  ${CMAKE_CURRENT_LIST_DIR}/component/smmu_regs_test.cpp
)
vcmsim_add_tests(smmu system
  ${CMAKE_CURRENT_LIST_DIR}/system/smmu_translate_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/system/smmu_events_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/system/smmu_commands_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/system/smmu_features_test.cpp
)
