#!/usr/bin/env bash
# Our load engine against wrk on the same trivial endpoint, in one run (issue 5):
#   (a) max rate: wrk -t1 -cN and driver_load -t1 -cN (closed loop, zero think time), the
#       server pinned to one core and the client to the other, alternated and repeated so
#       that drift shows;
#   (b) low rate, ~100 req/s on one connection: wrk with a Lua delay() of 10 ms (wrk has no
#       fixed-rate mode) and driver_load at a constant arrival rate of 100/s, once as
#       `flowbench run` sets it (sleeping until each due time) and once waking WAKE_AHEAD_US
#       early to poll (load::ArrivalRate::wake_ahead); p50 compared.
# Writes results/driver-vs-wrk.json (every raw figure, with versions, cores, load average,
# commit) and results/driver-vs-wrk.md. A benchmark, not a test: nothing here asserts.
#
# Usage, from anywhere, after building trivial_server and driver_load:
#   bench/perf/driver_vs_wrk.sh
# Environment (defaults): DURATION=10 (s per max-rate run), LOW_DURATION=10 (s per low-rate
# run), REPEATS=3, CONNECTIONS=32, WARMUP=2 (s), SERVER_CORE=0, CLIENT_CORE=1,
# WAKE_AHEAD_US=200 (empty: no wake-ahead runs, for a driver_load without the option),
# OUT=results/driver-vs-wrk (the .json and .md are written next to it), NOTE (free text
# recorded in both files, e.g. what else ran on the machine), EARLIER (an earlier results
# .json whose headline figures the .md sets beside these), BIN (where the two binaries are).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BIN=${BIN:-$ROOT/build/bin}
OUT=${OUT:-$ROOT/results/driver-vs-wrk}
DURATION=${DURATION:-10}
LOW_DURATION=${LOW_DURATION:-10}
WAKE_AHEAD_US=${WAKE_AHEAD_US-200}
REPEATS=${REPEATS:-3}
CONNECTIONS=${CONNECTIONS:-32}
WARMUP=${WARMUP:-2}
SERVER_CORE=${SERVER_CORE:-0}
CLIENT_CORE=${CLIENT_CORE:-1}
LOW_RATE=100       # req/s, one connection
LOW_DELAY_MS=10    # wrk's delay() between an answer and the next request: ~100 req/s
WRK=/usr/bin/wrk
for tool in "$BIN/trivial_server" "$BIN/driver_load" "$WRK" taskset python3 /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "missing $tool (build: cmake --build build --target trivial_server driver_load)" >&2; exit 1; }
done

WORK=$(mktemp -d /tmp/flowbench-driver-vs-wrk-XXXXXX)
SERVER=
cleanup() {
  if [ -n "$SERVER" ]; then kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

# wrk's own percentiles, exactly, from its Lua done() (its text output rounds them).
cat > "$WORK/report.lua" <<'LUA'
local delay_ms = tonumber(os.getenv("WRK_DELAY_MS") or "0")
if delay_ms > 0 then
  function delay() return delay_ms end
end
function done(summary, latency, requests)
  local e = summary.errors
  local f = io.open(os.getenv("WRK_JSON"), "w")
  f:write(string.format(
    '{"requests":%d,"duration_us":%d,"bytes":%d,' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"latency_us":{"count":%d,"min":%d,"p50":%d,"p90":%d,"p99":%d,"p999":%d,"max":%d,"mean":%.3f}}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    summary.requests, latency.min, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency:percentile(99.9), latency.max, latency.mean))
  f:close()
end
LUA

server_cpu_ticks() { awk '{print $14 + $15}' "/proc/$SERVER/stat"; }
# The whole machine's process time (user, nice, system) and steal, in ticks: what neither the
# client nor the server used of the first during a run is what other processes took, and steal
# is what the hypervisor gave other guests: the run's disturbance, from inside and outside.
# (Interrupt time is left out: the loopback traffic itself shows there.)
machine_ticks() { awk '/^cpu / {print $2 + $3 + $4, $9}' /proc/stat; }

# run <label> <kind> <command...>: one measured run on the client core; its figures and
# conditions are appended as a JSON line to $WORK/runs.jsonl, and summed up on stdout.
run() {
  local label=$1 kind=$2; shift 2
  local load_before load_after ticks_before ticks_after busy_before busy_after
  load_before=$(cat /proc/loadavg)
  ticks_before=$(server_cpu_ticks)
  busy_before=$(machine_ticks)
  /usr/bin/time -f '%U %S %e' -o "$WORK/$label.time" taskset -c "$CLIENT_CORE" "$@" > "$WORK/$label.out"
  busy_after=$(machine_ticks)
  ticks_after=$(server_cpu_ticks)
  load_after=$(cat /proc/loadavg)
  python3 - "$WORK" "$label" "$kind" "$load_before" "$load_after" "$ticks_before" "$ticks_after" \
    "$busy_before" "$busy_after" "$(getconf CLK_TCK)" "$*" <<'PY'
import json, sys
work, label, kind, load_before, load_after, t0, t1, b0, b1, hz, command = sys.argv[1:]
user, system, wall = (float(x) for x in open(f"{work}/{label}.time").read().split()[-3:])
server_cpu = (int(t1) - int(t0)) / int(hz)
(busy0, steal0), (busy1, steal1) = (map(int, b.split()) for b in (b0, b1))
others_cpu = max(0.0, (busy1 - busy0) / int(hz) - server_cpu - user - system)
steal = (steal1 - steal0) / int(hz)
if label.startswith("wrk"):
    raw = json.load(open(f"{work}/{label}.json"))
    lat = raw["latency_us"]
    figures = {"requests": raw["requests"], "requests_per_second": raw["requests"] / (raw["duration_us"] / 1e6),
               "errors": sum(raw["errors"].values()),
               "p50_us": lat["p50"], "p90_us": lat["p90"], "p99_us": lat["p99"]}
else:
    raw = json.loads(open(f"{work}/{label}.out").read())
    lat, unc = raw["latency_ns"], raw["latency_uncorrected_ns"]
    figures = {"requests": raw["completed"], "requests_per_second": raw["requests_per_second"],
               "errors": raw["errors_total"], "dropped": raw["dropped"],
               "p50_us": lat["p50"] / 1e3, "p90_us": lat["p90"] / 1e3, "p99_us": lat["p99"] / 1e3,
               "p50_uncorrected_us": unc["p50"] / 1e3, "p90_uncorrected_us": unc["p90"] / 1e3,
               "p99_uncorrected_us": unc["p99"] / 1e3}
client = "wrk" if label.startswith("wrk") else "driver-wake-ahead" if "-wake-" in label else "driver"
entry = {"label": label, "kind": kind, "client": client,
         "command": command, **figures,
         "client_cpu_s": {"user": user, "system": system, "wall": wall},
         "client_cpu_share": (user + system) / wall, "server_cpu_s": server_cpu,
         "server_cpu_share": server_cpu / wall, "others_cpu_share": others_cpu / wall,
         "steal_share": steal / wall,
         "loadavg_before": load_before, "loadavg_after": load_after, "raw": raw}
if label.startswith("wrk"):
    entry["wrk_text"] = open(f"{work}/{label}.out").read()
with open(f"{work}/runs.jsonl", "a") as f:
    f.write(json.dumps(entry) + "\n")
uncorrected = f", uncorrected {figures['p50_uncorrected_us']:.1f}" if "p50_uncorrected_us" in figures else ""
print(f"  {label:<14} {figures['requests_per_second']:>10.1f} req/s  p50 {figures['p50_us']:.1f} us{uncorrected}"
      f"  errors {figures['errors']}  dropped {figures.get('dropped', 0)}  client cpu {entry['client_cpu_share']:.2f}"
      f"  server cpu {entry['server_cpu_share']:.2f}  others {entry['others_cpu_share']:.2f}  steal {entry['steal_share']:.2f}  load {load_before.split()[0]} -> {load_after.split()[0]}")
PY
}

LOAD_START=$(cat /proc/loadavg)
echo "load average at start: $LOAD_START"
taskset -c "$SERVER_CORE" "$BIN/trivial_server" 0 > "$WORK/server.txt" &
SERVER=$!
for _ in $(seq 100); do grep -q listening "$WORK/server.txt" && break; sleep 0.05; done
PORT=$(sed -n 's/.*127.0.0.1:\([0-9]*\).*/\1/p' "$WORK/server.txt")
[ -n "$PORT" ] || { echo "trivial_server did not start" >&2; exit 1; }
URL=http://127.0.0.1:$PORT/
echo "trivial_server on core $SERVER_CORE at $URL; clients on core $CLIENT_CORE"

echo "warm-up (${WARMUP}s each, not recorded)"
taskset -c "$CLIENT_CORE" "$WRK" -t1 -c"$CONNECTIONS" -d"${WARMUP}s" "$URL" > /dev/null
taskset -c "$CLIENT_CORE" "$BIN/driver_load" --url "$URL" -c "$CONNECTIONS" -t 1 -d "$WARMUP" > /dev/null

echo "(a) max rate, $CONNECTIONS connections, 1 thread, ${DURATION}s per run, alternated x$REPEATS"
for i in $(seq "$REPEATS"); do
  WRK_JSON=$WORK/wrk-max-$i.json WRK_DELAY_MS=0 \
    run "wrk-max-$i" max_rate "$WRK" -t1 -c"$CONNECTIONS" -d"${DURATION}s" --latency -s "$WORK/report.lua" "$URL"
  run "driver-max-$i" max_rate "$BIN/driver_load" --url "$URL" -c "$CONNECTIONS" -t 1 -d "$DURATION"
done

echo "(b) low rate, 1 connection, ~$LOW_RATE req/s, ${LOW_DURATION}s per run, alternated x$REPEATS"
for i in $(seq "$REPEATS"); do
  WRK_JSON=$WORK/wrk-low-$i.json WRK_DELAY_MS=$LOW_DELAY_MS \
    run "wrk-low-$i" low_rate "$WRK" -t1 -c1 -d"${LOW_DURATION}s" --latency -s "$WORK/report.lua" "$URL"
  run "driver-low-$i" low_rate "$BIN/driver_load" --url "$URL" -c 1 -t 1 -d "$LOW_DURATION" --rate "$LOW_RATE"
  if [ -n "$WAKE_AHEAD_US" ]; then
    run "driver-low-wake-$i" low_rate "$BIN/driver_load" --url "$URL" -c 1 -t 1 -d "$LOW_DURATION" \
      --rate "$LOW_RATE" --wake-ahead-us "$WAKE_AHEAD_US"
  fi
done
LOAD_END=$(cat /proc/loadavg)
echo "load average at end: $LOAD_END"

mkdir -p "$(dirname "$OUT")"
python3 "$ROOT/bench/perf/driver_vs_wrk_report.py" "$WORK/runs.jsonl" "$OUT" "${EARLIER:-}" <<EOF
{"load_average_start": "$LOAD_START", "load_average_end": "$LOAD_END",
 "server_core": $SERVER_CORE, "client_core": $CLIENT_CORE, "connections": $CONNECTIONS,
 "duration_s": $DURATION, "low_rate_duration_s": $LOW_DURATION, "repeats": $REPEATS,
 "warmup_s": $WARMUP, "low_rate": $LOW_RATE, "wrk_low_rate_delay_ms": $LOW_DELAY_MS,
 "wake_ahead_us": ${WAKE_AHEAD_US:-null},
 "commit": "$(git -C "$ROOT" rev-parse HEAD)",
 "worktree_dirty": $(if [ -n "$(git -C "$ROOT" status --porcelain -- bench)" ]; then echo true; else echo false; fi),
 "wrk_version": "$("$WRK" -v 2>&1 | head -n1 | sed 's/ *$//')",
 "compiler": "$(sed -n 's/^CMAKE_CXX_COMPILER:[A-Z]*=//p' "$ROOT/build/CMakeCache.txt") $(c++ -dumpfullversion 2>/dev/null || true)",
 "build_type": "$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$ROOT/build/CMakeCache.txt")",
 "boost": "$(sed -n 's/^#define BOOST_LIB_VERSION "\(.*\)"/\1/p' /usr/include/boost/version.hpp)",
 "cpu": "$(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -n1)", "cores": $(nproc),
 "kernel": "$(uname -r)", "note": "${NOTE:-}"}
EOF
echo "written: $OUT.json $OUT.md"
