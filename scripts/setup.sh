#!/usr/bin/env bash
# Installs vcmsim's Debian dependencies, builds it, and runs the example platform.
#   ./scripts/setup.sh            install + build + run the showcase, configs/camera-to-display.toml
#   ./scripts/setup.sh --no-run   install + build only
#   BUILD_TYPE=Debug ./scripts/setup.sh
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  build-essential cmake pkg-config
  libsystemc-dev            # SystemC 2.3 + TLM-2.0 (C++17 build)
  libboost-program-options-dev
  libtomlplusplus-dev       # configs (TOML)
  nlohmann-json3-dev        # outputs (JSON)
  catch2                    # tests (Catch2 v2)
  qemu-system-arm python3   # the QEMU SMMUv3 oracle (live differential test; skipped without it)
  gnuplot-nox parallel      # sweep plots; running emitted sweep jobs with GNU parallel
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}" >&2
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

cmake -S . -B build -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-Release}" >/dev/null
cmake --build build -j2

if [ "${1:-}" != "--no-run" ]; then
  echo "setup: running the showcase (configs/camera-to-display.toml; README.md walks through it)" >&2
  ./build/vcmsim run configs/camera-to-display.toml -o out/camera
fi
