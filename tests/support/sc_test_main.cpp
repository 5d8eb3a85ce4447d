// Test main shared by all tiers. It installs vcmsim's report handler so that SystemC
// warnings and errors are counted, runs Catch, and fails the process when a test produced a
// warning or error that it did not declare with vcmsim::test::allow_sc_warnings().
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <cstdlib>
#include <iostream>

#include <systemc>

#include "models/core/log.h"
#include "tests/support/test_util.h"

int sc_main(int argc, char* argv[]) {
    vcmsim::core::install_report_handler(vcmsim::core::log_level::warn);
    const int rc = Catch::Session().run(argc, argv);
    if (rc == 0 && !vcmsim::test::sc_warnings_allowed() &&
        (vcmsim::core::warning_count() || vcmsim::core::error_count())) {
        std::cerr << "test produced " << vcmsim::core::warning_count() << " SystemC warning(s) and "
                  << vcmsim::core::error_count() << " error(s) without allowing them\n";
        return 1;
    }
    return rc;
}

int main(int argc, char* argv[]) {
    setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 1);
    return sc_core::sc_elab_and_sim(argc, argv);
}
