#!/usr/bin/env bash
# Runs the Google Benchmark micro-benchmarks (histogram record, event encode/decode, k6
# NDJSON parsing) and writes each one's JSON, with Google Benchmark's own context (date,
# host, CPUs, load average, build type), to results/micro-benchmarks/.
#
# Usage: bench/micro_benchmarks.sh    (after cmake --workflow --preset default)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$ROOT/build}
OUT=${OUT:-$ROOT/results/micro-benchmarks}
mkdir -p "$OUT"
export FLOWBENCH_SOURCE_DIR=$ROOT  # the k6 benchmark reads bench/k6/testdata/real-k6 from here
for bench in common/events_benchmark bench/stats/stats_benchmark bench/k6/k6_benchmark; do
  binary=$BUILD/$bench
  [ -x "$binary" ] || { echo "missing $binary: build first (cmake --workflow --preset default)" >&2; exit 1; }
  name=$(basename "$bench")
  "$binary" --benchmark_min_time=0.5 --benchmark_out="$OUT/$name.json" --benchmark_out_format=json \
    --benchmark_context=commit="$(git -C "$ROOT" rev-parse --short HEAD)"
done
echo "written: $OUT"
