#!/usr/bin/env bash
# Cost of the trace hooks when tracing is compiled in but off, against a build without them
# (issue 7: "a run with tracing compiled in but off is within noise of one without it").
#
#   bench/trace_compiled_out.sh [-r REPS] [-j JOBS] [--no-build] [--instructions]
#
# Configures and builds two Release trees, BUILD_ON (-DVCMSIM_TRACE=ON) and BUILD_OFF
# (-DVCMSIM_TRACE=OFF), only the target trace_bench, then runs `trace_bench --hooks` in both
# trees REPS times (default 11), alternating which tree goes first. No trace is opened: the ON
# tree measures "compiled in, off" (one load of the sink's categories per translation and a
# predictable branch per hook point), the OFF tree the build where the hooks compile to nothing.
#
# Workloads (bench/trace_bench.cpp), each in its own process:
#   cpu_stream   the CPU stores to a 256 KiB buffer 1000 times: 4 096 000 accesses, all
#                translated (micro-TLB and TLB hits): the CPU MMU hook points on every access
#   smmu_dma     a DMA engine behind the SMMU copies 4 x 64 MiB with 4 KiB pages: 2 097 168
#                SMMU translations (the TBU micro-TLB hook on every burst, the TCU TLB and
#                walker hooks on every new page)
# and two controls without hook points on their path, which show the difference between two
# binaries that differ only in code layout:
#   cpu_mmu-off  the same CPU stream with translation off (the CPU MMU returns first)
#   dma_no-smmu  the DMA engine copying 4 x 64 MiB straight to DRAM (no SMMU)
#
# Output: per workload and tree the median throughput (simulated accesses / translations /
# bursts per host second) and host milliseconds, in process CPU time (robust to the machine's
# load: time spent descheduled does not count) and in wall-clock time; the ratio ON/OFF; and
# the run-to-run noise of each tree: the robust standard deviation (1.4826 x median absolute
# deviation) and the min..max range, in % of the median. The verdict uses CPU time. A control
# executes the same instructions in both trees, so its ON/OFF ratio is the drift between two
# builds (code layout: it moves by several % after any relink). The hook cost is a hooked
# workload's ratio divided by its control's (cpu_stream / cpu_mmu-off, smmu_dma / dma_no-smmu);
# it is "within noise" when its magnitude is at most the largest run-to-run robust deviation
# of the four series.
#
# --instructions also runs `trace_bench --hooks` once per tree under valgrind (cachegrind, about a
# minute per tree) and prints the instructions each workload's process executed: a count that
# the machine's load does not change, so the hook cost shows without timing noise.
#
# Environment: BUILD_ON (default build-trace-on), BUILD_OFF (default build-trace-off), relative
# to the repository root or absolute. JOBS also via -j (default 2). Needs python3 for the stats.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
reps=11
jobs=${JOBS:-2}
build=1
instr=0
while [ $# -gt 0 ]; do
    case "$1" in
    -r) reps=$2; shift 2 ;;
    -j) jobs=$2; shift 2 ;;
    --no-build) build=0; shift ;;
    --instructions) instr=1; shift ;;
    -h|--help) sed -n '2,40p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "trace_compiled_out.sh: unknown option '$1' (see --help)" >&2; exit 64 ;;
    esac
done
abs() { case "$1" in /*) echo "$1" ;; *) echo "$root/$1" ;; esac; }
on=$(abs "${BUILD_ON:-build-trace-on}")
off=$(abs "${BUILD_OFF:-build-trace-off}")

if [ "$build" = 1 ]; then
    for pair in "$on:ON" "$off:OFF"; do
        dir=${pair%:*}
        echo "== configure and build $dir (VCMSIM_TRACE=${pair##*:}, Release, -j$jobs)"
        cmake -S "$root" -B "$dir" -DCMAKE_BUILD_TYPE=Release -DVCMSIM_TRACE="${pair##*:}" >/dev/null
        cmake --build "$dir" -j "$jobs" --target trace_bench >/dev/null
    done
fi
for pair in "$on:ON" "$off:OFF"; do
    dir=${pair%:*}
    if ! grep -q "^VCMSIM_TRACE:BOOL=${pair##*:}\$" "$dir/CMakeCache.txt" 2>/dev/null; then
        echo "trace_compiled_out.sh: $dir is not configured with VCMSIM_TRACE=${pair##*:}" >&2
        exit 1
    fi
    if ! grep -q "CMAKE_BUILD_TYPE:STRING=Release" "$dir/CMakeCache.txt"; then
        echo "trace_compiled_out.sh: warning: $dir is not a Release build" >&2
    fi
done

raw=$(mktemp)
cg=$(mktemp -d)
trap 'rm -rf "$raw" "$cg"' EXIT
export SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1

if [ "$instr" = 1 ]; then
    command -v valgrind >/dev/null || { echo "trace_compiled_out.sh: --instructions needs valgrind" >&2; exit 1; }
    echo "== instructions executed (valgrind cachegrind; one run per tree)"
    printf '%-12s %16s %16s %10s\n' workload ON OFF ON/OFF
    for t in ON OFF; do
        dir=$on; [ "$t" = OFF ] && dir=$off
        mkdir -p "$cg/$t"
        valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file="$cg/$t/cg.%p" \
            "$dir/bench/trace_bench" --hooks >"$cg/$t/names" 2>/dev/null
        # One file per process: the workloads' children end in order, the parent last.
        ls -tr "$cg/$t"/cg.* | head -n -1 | xargs -r awk '/^summary:/ { print $2 }' >"$cg/$t/counts"
    done
    paste -d' ' <(cut -d' ' -f1 "$cg/ON/names") "$cg/ON/counts" "$cg/OFF/counts" |
        awk '{ printf "%-12s %16.0f %16.0f %10.5f\n", $1, $2, $3, $2 / $3 }'
fi
echo "== $reps repetitions, alternating; load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
run_tree() {   # tree label, build dir, repetition
    "$2/bench/trace_bench" --hooks | awk -v t="$1" -v r="$3" 'NF == 4 { print t, r, $1, $2, $3, $4 }' >>"$raw"
}
for ((r = 1; r <= reps; r++)); do
    if ((r % 2)); then order="ON OFF"; else order="OFF ON"; fi
    for t in $order; do
        if [ "$t" = ON ]; then run_tree ON "$on" "$r"; else run_tree OFF "$off" "$r"; fi
    done
    echo "   repetition $r/$reps done (load $(cut -d' ' -f1 /proc/loadavg))"
done
echo "== load average at end: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores"

python3 - "$raw" <<'EOF'
import statistics as st, sys
data = {}   # workload -> tree -> [(work, wall_s, cpu_s)]
for line in open(sys.argv[1]):
    f = line.split()
    if len(f) == 6:
        data.setdefault(f[2], {}).setdefault(f[0], []).append(tuple(map(float, f[3:])))
hooked = {"cpu_stream": "cpu_mmu-off", "smmu_dma": "dma_no-smmu"}   # workload -> its control
order = ["cpu_stream", "smmu_dma", "cpu_mmu-off", "dma_no-smmu"]
missing = [w for w in order if w not in data or set(data[w]) != {"ON", "OFF"}]
if missing:
    sys.exit("trace_compiled_out.sh: no figures for " + ", ".join(missing))
def stats(w, t, col):   # median rate, robust sd %, range %
    v = [x[0] / x[col] for x in data[w][t]]
    m = st.median(v)
    return m, 100 * 1.4826 * st.median([abs(x - m) for x in v]) / m, 100 * (max(v) - min(v)) / m
ratio, sigma = {}, {}
print()
print("%-12s %-6s %13s %8s %7s %7s  %13s %7s %7s  %s" % ("workload", "tree", "CPU-time /s", "host ms", "noise%",
      "range%", "wall-clock /s", "noise%", "range%", "runs"))
for w in order:
    r = {}
    for t in ("ON", "OFF"):
        c, w_ = stats(w, t, 2), stats(w, t, 1)
        r[t] = (c[0], w_[0])
        sigma.setdefault(w, []).append(c[1])
        print("%-12s %-6s %13.0f %8.1f %7.2f %7.2f  %13.0f %7.2f %7.2f  %d" % (
            w if t == "ON" else "", t, c[0], 1000 * data[w][t][0][0] / c[0], c[1], c[2], w_[0], w_[1], w_[2],
            len(data[w][t])))
    ratio[w] = r["ON"][0] / r["OFF"][0]
    print("%-12s ON/OFF %13.4f %8s %7s %7s  %13.4f%s" % ("", ratio[w], "(%+.2f%%)" % (100 * (ratio[w] - 1)), "", "",
          r["ON"][1] / r["OFF"][1], "   control: no hook on this path" if w not in hooked else ""))
print()
print("CPU time. Noise = the largest run-to-run robust deviation of the series compared. A control runs")
print("the same instructions in both trees, so its ON/OFF is the drift between two builds (code layout);")
print("the hook cost is the hooked workload's ON/OFF divided by its control's.")
ok_all = True
for w, c in hooked.items():
    d, dc, adj = 100 * (ratio[w] - 1), 100 * (ratio[c] - 1), 100 * (ratio[w] / ratio[c] - 1)
    lim = max(sigma[w] + sigma[c])
    ok = abs(adj) <= lim
    ok_all &= ok
    print("  %-10s ON/OFF %+.2f %%, control %s %+.2f %% -> against its control %+.2f %%, noise %.2f %%: %s" % (
        w, d, c, dc, adj, lim, "within noise" if ok else "OUTSIDE noise"))
print("tracing compiled in but off vs compiled out: %s" % (
    "within noise on both hooked workloads" if ok_all else "NOT within noise (see above)"))
EOF
