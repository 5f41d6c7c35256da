#!/usr/bin/env bash
# The driver's and the async click path's CPU per request, as instruction counts (callgrind:
# stable on a noisy shared machine, unlike wall-clock) and syscall counts (strace -c), for
# results/click-ingestion-profile.md ("Round 2"). Every figure is the difference of two runs
# of different lengths divided by the difference in requests, so start-up cancels out.
#
#   bench/perf/instructions_per_request.sh [BIN]     (BIN: build/bin)
#
# Needs valgrind, strace and python3; builds nothing (cmake --build build --target
# trivial_server driver_load completion_parse scenario_request_cost envelope_cost).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BIN=${1:-$ROOT/build/bin}
WORK=$(mktemp -d /tmp/flowbench-ipr-XXXXXX)
SERVER=
cleanup() {
  if [ -n "$SERVER" ]; then kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

ir() { python3 -c 'import sys
for l in open(sys.argv[1]):
    if l.startswith(("summary:", "totals:")): print(l.split()[1]); break' "$1"; }
per() { python3 -c 'import sys; a,b,n=map(float,sys.argv[1:]); print(f"{(b-a)/n:,.0f}")' "$@"; }
cg() { valgrind --tool=callgrind --dump-instr=no --callgrind-out-file="$1" "${@:2}" >/dev/null 2>&1; }

"$BIN/trivial_server" 0 > "$WORK/server.txt" &
SERVER=$!
for _ in $(seq 100); do grep -q listening "$WORK/server.txt" && break; sleep 0.05; done
PORT=$(sed -n 's/.*127.0.0.1:\([0-9]*\).*/\1/p' "$WORK/server.txt")
URL=http://127.0.0.1:$PORT/

# 1. The load engine (load::LoadRun, HTTP client, recorders, per-request records), open loop
#    at 1000 requests/s on 8 connections, as `flowbench run` drives a scenario.
for d in 2 4; do
  valgrind --tool=callgrind --dump-instr=no --callgrind-out-file="$WORK/driver.$d" \
    "$BIN/driver_load" --url "$URL" -c 8 --rate 1000 -d $d --timeout 30 2>/dev/null |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["completed"])' > "$WORK/n.$d"
done
echo "load engine: $(per "$(ir "$WORK/driver.2")" "$(ir "$WORK/driver.4")" \
  "$(( $(cat "$WORK/n.4") - $(cat "$WORK/n.2") ))") instructions per request (GET, trivial server)"
strace -c -f -o "$WORK/strace.txt" "$BIN/driver_load" --url "$URL" -c 8 --rate 1000 -d 3 \
  --timeout 30 > /dev/null
echo "load engine syscalls over 3,000 requests:"
grep -E 'epoll_wait|timerfd_settime|sendmsg|recvmsg' "$WORK/strace.txt"

# 2. A click request's factory and check (scenario 6), alone.
cg "$WORK/req.1" "$BIN/scenario_request_cost" --scenario scenario6 --requests 20000
cg "$WORK/req.2" "$BIN/scenario_request_cost" --scenario scenario6 --requests 40000
echo "click request factory + check: $(per "$(ir "$WORK/req.1")" "$(ir "$WORK/req.2")" 20000)"

# 3. The completion collector's reading of a GET /completions page, per record.
cg "$WORK/parse.1" "$BIN/completion_parse" --records 10000 --rounds 1
cg "$WORK/parse.3" "$BIN/completion_parse" --records 10000 --rounds 3
echo "completion record read: $(per "$(ir "$WORK/parse.1")" "$(ir "$WORK/parse.3")" 20000)"

# 4. The async build's click envelope: encoded at the front, decoded by the consumer.
cg "$WORK/env.1" "$BIN/envelope_cost" --clicks 20000
cg "$WORK/env.2" "$BIN/envelope_cost" --clicks 40000
echo "click envelope encode + decode + payload: $(per "$(ir "$WORK/env.1")" "$(ir "$WORK/env.2")" 20000)"
