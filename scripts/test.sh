#!/usr/bin/env bash
# Builds vcmsim and its tests (if needed) and runs the whole test suite with CTest.
# Extra arguments go to ctest, e.g. ./scripts/test.sh -L unit   or   -R dma
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -f build/CMakeCache.txt ]; then
  cmake -S . -B build -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-Release}" >/dev/null
fi
cmake --build build -j2
export SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1
ctest --test-dir build -j2 --output-on-failure --timeout 300 "$@"
