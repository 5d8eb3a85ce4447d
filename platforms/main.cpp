// The vcmsim binary. SystemC needs sc_main; main disables the SystemC banner (it would mix
// with machine-readable output) and enters the kernel's wrapper, which calls sc_main.
#include <cstdlib>

#include <systemc>

#include "platforms/run.h"

int sc_main(int argc, char* argv[]) { return vcmsim::platform::cli_main(argc, argv); }

int main(int argc, char* argv[]) {
    setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 0);
    return sc_core::sc_elab_and_sim(argc, argv);
}
