#!/usr/bin/env bash
# The load generator's send lag (sent - intended), from which load::AuditBounds::max_send_lag_p99
# was chosen (bench/stats/PERCENTILES.md, "Send lag"): trivial_server, driver_load at 50/s and
# 1000/s, 10 s, wake_ahead 200 us (flowbench run's default); idle, then with two busy loops
# taking both cores, as the services under test do during a run. About two minutes.
#   send_lag.sh <bin dir>
set -euo pipefail
BIN=${1:?usage: send_lag.sh <bin dir>}
OUT=$(mktemp -d /tmp/flowbench-send-lag-XXXXXX)
"$BIN/trivial_server" 0 > "$OUT/server.txt" &
SERVER=$!
BUSY=()
cleanup() { kill $SERVER "${BUSY[@]}" 2>/dev/null || true; rm -rf "$OUT"; }
trap cleanup EXIT
for _ in $(seq 100); do grep -q listening "$OUT/server.txt" && break; sleep 0.05; done
PORT=$(sed -n 's/.*127.0.0.1:\([0-9]*\).*/\1/p' "$OUT/server.txt")
for cond in idle busy; do
  if [ $cond = busy ]; then
    for _ in 1 2; do (while :; do :; done) & BUSY+=($!); done
  fi
  for rate in 50 1000; do
    for rep in 1 2 3; do
      "$BIN/driver_load" --url "http://127.0.0.1:$PORT/" -c 16 -d 10 --rate $rate --wake-ahead-us 200 > "$OUT/$cond-$rate-$rep.json"
      python3 -c "import json,sys; r=json.load(open(sys.argv[1])); g=r['generator']; print(sys.argv[2], 'p50 %.3f p99 %.3f max %.3f ach %.4f cpu %.2f lat_p99 %.3f' % (g['send_lag_p50_ms'], g['send_lag_p99_ms'], g['send_lag_max_ms'], g['achieved_over_intended'], g['client_cpu_s'], r['latency_ns']['p99']/1e6))" "$OUT/$cond-$rate-$rep.json" "$cond $rate/s #$rep"
    done
  done
done
