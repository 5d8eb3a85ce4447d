#!/usr/bin/env bash
# Regenerates the QEMU SMMUv3 oracle corpus (tests/smmu_corpus) into a fresh temporary folder,
# for the live-QEMU CI mode. Runs every built-in case of the shared harness with --export, then
# the extra cases of tests/smmu_corpus/extra_cases.py, then the harness's own --replay.
#
#   scripts/qemu-oracle-regen.sh [OUTDIR]
#
# OUTDIR defaults to a new mktemp -d folder; its path is printed on the last line.
# Environment: QEMU (binary, default qemu-system-aarch64), QEMU_ORACLE_DIR (default
# ../shared/tools/qemu_oracle relative to the repo root).
# Exit: 0 done (or skipped: QEMU not installed), 1 a harness check failed, 2 harness missing.
# The harness's --replay reports the two known architectural departures of QEMU 7.2
# (iova_beyond_48bit, invalid_block_accepted: 6 files) as differences; that is expected and
# does not change the exit status. A full regeneration takes 6 to 9 s on the 2-core dev machine.
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
qemu="${QEMU:-qemu-system-aarch64}"
oracle="${QEMU_ORACLE_DIR:-$root/../shared/tools/qemu_oracle}"
if ! command -v "$qemu" >/dev/null 2>&1; then
  echo "skipped: $qemu not installed (apt-get install qemu-system-arm)"
  exit 0
fi
if [ ! -f "$oracle/qemu_smmu_oracle.py" ]; then
  echo "error: harness not found: $oracle/qemu_smmu_oracle.py (set QEMU_ORACLE_DIR)" >&2
  exit 2
fi
out="${1:-$(mktemp -d "${TMPDIR:-/tmp}/smmu_corpus.XXXXXX")}"
mkdir -p "$out"
start=$(date +%s%N)
rc=0
echo "== $("$qemu" --version | head -1)"
echo "== built-in cases -> $out"
QEMU="$qemu" python3 "$oracle/qemu_smmu_oracle.py" --qemu "$qemu" --export "$out" > "$out/harness.log" 2>&1 || rc=1
tail -3 "$out/harness.log"
echo "== extra cases"
QEMU="$qemu" QEMU_ORACLE_DIR="$oracle" python3 "$root/tests/smmu_corpus/extra_cases.py" --export "$out" \
  > "$out/extra.log" 2>&1 || rc=1
tail -1 "$out/extra.log"
echo "== harness --replay (6 files differ by design: iova_beyond_48bit, invalid_block_accepted)"
python3 "$oracle/qemu_smmu_oracle.py" --replay "$out"/*.json > "$out/replay.log" 2>&1
tail -1 "$out/replay.log"
end=$(date +%s%N)
ms=$(( (end - start) / 1000000 ))
printf '== %s JSON files, %s, %d.%01d s\n' "$(ls "$out"/*.json | wc -l)" "$(du -sh "$out" | cut -f1)" \
  $((ms / 1000)) $((ms % 1000 / 100))
[ $rc -eq 0 ] || echo "FAILED: see $out/harness.log and $out/extra.log" >&2
echo "$out"
exit $rc
