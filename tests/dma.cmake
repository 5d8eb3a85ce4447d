vcmsim_add_tests(dma component
  ${CMAKE_CURRENT_LIST_DIR}/component/dma_regs_test.cpp
)
vcmsim_add_tests(dma system
  ${CMAKE_CURRENT_LIST_DIR}/system/dma_chain_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/system/dma_timing_test.cpp
)
