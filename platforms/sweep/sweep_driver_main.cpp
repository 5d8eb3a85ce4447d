// A vcmsim binary with `sweep` for the sweep tests, used until platforms/cli.cpp dispatches
// `vcmsim sweep` to sweep_main (then the tests use the real vcmsim). Not part of the library.
#include <cstdlib>
#include <string>
#include <vector>

#include <systemc>

#include "platforms/run.h"
#include "platforms/sweep/sweep_cli.h"

int sc_main(int argc, char* argv[]) {
    if (argc > 1 && std::string(argv[1]) == "sweep")
        return vcmsim::platform::sweep_main(std::vector<std::string>(argv + 2, argv + argc));
    return vcmsim::platform::cli_main(argc, argv);
}

int main(int argc, char* argv[]) {
    setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 0);
    return sc_core::sc_elab_and_sim(argc, argv);
}
