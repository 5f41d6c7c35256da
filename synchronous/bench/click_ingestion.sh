#!/usr/bin/env bash
# Click ingestion of the synchronous build (scenario 6, POST /track_click on analytics),
# measured with wrk: once with the click row written (one INSERT per request, the default)
# and once with --write-clicks false (what the original study measured: no write at all).
# Starts the build with `flowbench up --arch sync` (embedded PostgreSQL and RabbitMQ in a
# private state directory), writes results/sync-click-ingestion.md, then `flowbench down`.
#
# Usage: synchronous/bench/click_ingestion.sh    (after cmake --workflow --preset default)
# Knobs (environment): DURATION=20s WARMUP=3s CONNECTIONS=32 WRK_THREADS=1 HTTP_THREADS=64
#                      PORT_BASE=0 (contract ports 8001..8010) OUT=results/sync-click-ingestion.md
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BIN=${BIN:-$ROOT/build/bin}
DURATION=${DURATION:-20s}
WARMUP=${WARMUP:-3s}
CONNECTIONS=${CONNECTIONS:-32}
WRK_THREADS=${WRK_THREADS:-1}
HTTP_THREADS=${HTTP_THREADS:-64}
PORT_BASE=${PORT_BASE:-0}
OUT=${OUT:-$ROOT/results/sync-click-ingestion.md}
STATE=$(mktemp -d /tmp/flowbench-click-bench-XXXXXX)
ANALYTICS_PORT=$(( (PORT_BASE == 0 ? 8000 : PORT_BASE) + 6 ))
URL=http://127.0.0.1:$ANALYTICS_PORT

command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)" >&2; exit 1; }
[ -x "$BIN/flowbench" ] && [ -x "$BIN/sync-analytics" ] ||
  { echo "build first: cmake --workflow --preset default" >&2; exit 1; }

LUA=$STATE/track_click.lua
cat > "$LUA" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"user_id": 42, "page": "/products/1"}'
LUA

cleanup() { "$BIN/flowbench" down --state-dir "$STATE" >/dev/null 2>&1 || true; rm -rf "$STATE"; }
trap cleanup EXIT

clicks() { curl -s "$URL/clicks/count" | sed 's/.*"count":\([0-9]*\).*/\1/'; }

# One measurement: prints "| write | flags | req/s | p50 | p90 | p99 | non-2xx | rows |".
measure() {
  local write=$1
  shift
  "$BIN/flowbench" up --arch sync --state-dir "$STATE" --port-base "$PORT_BASE" \
    --write-clicks "$write" -- --http-threads "$HTTP_THREADS" "$@" >&2
  wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d"$WARMUP" -s "$LUA" "$URL/track_click" >/dev/null
  local before after report
  before=$(clicks)
  report=$(wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s "$LUA" \
    "$URL/track_click")
  after=$(clicks)
  echo "$report" >&2
  local rps p50 p90 p99 non2xx
  rps=$(echo "$report" | awk '/Requests\/sec/ {printf "%.0f", $2}')
  p50=$(echo "$report" | awk '$1 == "50%" {print $2}')
  p90=$(echo "$report" | awk '$1 == "90%" {print $2}')
  p99=$(echo "$report" | awk '$1 == "99%" {print $2}')
  non2xx=$(echo "$report" | awk '/Non-2xx/ {print $5}')
  echo "| $write | ${*:-(defaults)} | $rps | $p50 | $p90 | $p99 | ${non2xx:-0} | $((after - before)) |"
  "$BIN/flowbench" down --arch sync --state-dir "$STATE" --keep-infra >&2
}

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
with_write=$(measure true)
with_write_bigger_pool=$(measure true --db-pool-size 32)
without_write=$(measure false)

mkdir -p "$(dirname "$OUT")"
{
  echo "# Click ingestion, synchronous build"
  echo
  echo "\`POST /track_click\` on the sync analytics service, driven by wrk on the same machine."
  echo "Produced by \`synchronous/bench/click_ingestion.sh\`."
  echo
  echo "- date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "- commit: $(git -C "$ROOT" rev-parse --short HEAD)$(git -C "$ROOT" diff --quiet || echo ' (with local changes)')"
  echo "- machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -sr)"
  echo "- load average (1, 5, 15 min) before the runs: $LOAD_BEFORE; after: $(cut -d' ' -f1-3 /proc/loadavg), which counts the benchmark's own busy threads"
  echo "- load: wrk -t$WRK_THREADS -c$CONNECTIONS -d$DURATION --latency (after a $WARMUP warm-up), keep-alive, one fixed body"
  echo "- service: --http-threads $HTTP_THREADS, keep-alive max count 100000, keep-alive timeout 5 s, listen backlog 1024, tcp_nodelay on, database pool 10 connections unless said otherwise, one INSERT transaction per click"
  echo "- infrastructure: embedded PostgreSQL 15 (flowbench infra), same machine, server defaults (fsync and synchronous_commit on: every click is a durable commit)"
  echo
  echo "| click row written | other service flags | req/s | p50 | p90 | p99 | non-2xx answers | rows written during the run |"
  echo "|---|---|---|---|---|---|---|---|"
  echo "$with_write"
  echo "$with_write_bigger_pool"
  echo "$without_write"
  echo
  echo "For reference, the original Python study reached about 2.5k req/s here with no write"
  echo "(measured natively on this kind of machine, c32)."
} > "$OUT"
cat "$OUT"
