# `vcmsim smmu replay`: differential validation of our SMMU against the QEMU oracle corpus
# (tests/smmu_corpus, docs/smmu-replay.md). System tier: the tests run the vcmsim binary.
vcmsim_add_tests(replay system
  ${CMAKE_CURRENT_LIST_DIR}/system/replay_corpus_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/system/replay_live_test.cpp
)
