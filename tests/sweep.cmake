# Parameter sweeps (platforms/sweep, part of vcmsim_platform): spec parsing, point expansion and
# hashing (unit); whole sweeps run through the real vcmsim binary (system).
vcmsim_add_tests(sweep unit ${CMAKE_CURRENT_LIST_DIR}/unit/sweep_spec_test.cpp)
vcmsim_add_tests(sweep system ${CMAKE_CURRENT_LIST_DIR}/system/sweep_run_test.cpp)
