#!/usr/bin/env bash
# `make bench-telemetry`: twinstack-server's throughput with telemetry off, at its defaults, and with
# traces on as well — same run, same database, alternating rounds so drift on a shared machine hits
# every mode alike (issue #7: loss <= 5%).
#   off:     RUST_LOG=warn (no request log lines), METRICS_PORT=0 (no recorder), no OTLP endpoint
#   default: the default log filter (a JSON line per request, written to a file) and /metrics
#            scraped every second — what the chart deploys
#   traced:  default plus every request traced and exported over OTLP/HTTP to a local sink that
#            answers 200 (OTEL_TRACES_SAMPLER applies if you set it; unset, every request is sampled)
# wrk drives GET /api/users/{id} (random seeded ids). Next to throughput, the server's CPU time per
# request (utime + stime from /proc over the measured run): steadier than throughput on a shared
# machine, and what telemetry actually costs the server. Outputs in target/twinstack/bench-telemetry/.
# Knobs: CLIENTS (32), DURATION seconds per round (10), ROUNDS per mode (3), USERS (10000).
set -euo pipefail
cd "$(dirname "$0")/../.."

bin=target/release
clients=${CLIENTS:-32}
duration=${DURATION:-10}
rounds=${ROUNDS:-3}
users=${USERS:-10000}
out=target/twinstack/bench-telemetry
pg_dir=$(mktemp -d /tmp/twinstack-bench-telemetry-XXXXXX)
mkdir -p "$out"
rm -f "$out"/*.txt "$out"/*.log

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

server_pid='' sink_pid='' scrape_pid=''
stop() {
  local pid
  for pid in "$@"; do
    [ -n "$pid" ] || continue
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
}
cleanup() {
  stop "$scrape_pid" "$server_pid" "$sink_pid"
  deploy/scripts/pg-throwaway.sh stop "$pg_dir" >/dev/null 2>&1 || true
}
trap cleanup EXIT

database_url=$(deploy/scripts/pg-throwaway.sh start "$pg_dir" "$(free_port)")
DATABASE_URL=$database_url "$bin/twinstack-server" migrate
"$bin/twinstack" seed --postgres "$database_url" --users "$users" >/dev/null

# The OTLP sink: accepts every export (any path) and answers an empty protobuf response.
sink_port=$(free_port)
python3 - "$sink_port" <<'PY' &
import http.server, sys
class Sink(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers.get("content-length", 0)))
        self.send_response(200)
        self.send_header("content-type", "application/x-protobuf")
        self.send_header("content-length", "0")
        self.end_headers()
    def log_message(self, *args):
        pass
http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Sink).serve_forever()
PY
sink_pid=$!

ticks_per_second=$(getconf CLK_TCK)
# utime + stime of PID, in clock ticks.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

# Runs one round: MODE (off|default|traced) ROUND. Prints the round's requests/s and the server's CPU
# microseconds per request.
round() {
  local mode=$1 n=$2 port metrics_port='' env
  port=$(free_port)
  env=(DATABASE_URL="$database_url" HOST=127.0.0.1 PORT="$port")
  case "$mode" in
    off) env+=(RUST_LOG=warn METRICS_PORT=0) ;;
    default | traced)
      metrics_port=$(free_port)
      env+=(METRICS_PORT="$metrics_port")
      if [ "$mode" = traced ]; then
        env+=(OTEL_EXPORTER_OTLP_ENDPOINT="http://127.0.0.1:$sink_port" OTEL_SERVICE_NAME=twinstack-server)
      fi
      ;;
  esac
  env -u RUST_LOG "${env[@]}" "$bin/twinstack-server" serve >"$out/server-$mode-$n.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.1; done
  if [ -n "$metrics_port" ]; then
    (while curl -fs "http://127.0.0.1:$metrics_port/metrics" -o /dev/null; do sleep 1; done) &
    scrape_pid=$!
  fi
  USERS=$users wrk -t2 -c"$clients" -d3s -s loadtest/wrk/get-user.lua "http://127.0.0.1:$port" >/dev/null
  local cpu_before cpu_after
  cpu_before=$(cpu_ticks "$server_pid")
  USERS=$users wrk -t2 -c"$clients" -d"${duration}s" -s loadtest/wrk/get-user.lua "http://127.0.0.1:$port" >"$out/wrk-$mode-$n.txt"
  cpu_after=$(cpu_ticks "$server_pid")
  if grep -q 'Non-2xx' "$out/wrk-$mode-$n.txt"; then
    echo "bench-telemetry: the API answered errors with telemetry $mode" >&2
    exit 1
  fi
  stop "$scrape_pid" "$server_pid"
  scrape_pid='' server_pid=''
  if [ "$mode" != off ] && ! grep -q '"status"' "$out/server-$mode-$n.log"; then
    echo "bench-telemetry: telemetry $mode, but the server wrote no request log lines" >&2
    exit 1
  fi
  awk -v ticks=$((cpu_after - cpu_before)) -v hz="$ticks_per_second" '
    / requests in / { requests = $1 }
    /^Requests\/sec/ { rps = $2 }
    END { printf "%s %.1f\n", rps, ticks / hz * 1e6 / requests }' "$out/wrk-$mode-$n.txt"
}

declare -a off_rps default_rps traced_rps off_cpu default_cpu traced_cpu
for n in $(seq "$rounds"); do
  result=$(round off "$n"); read -r rps cpu <<<"$result"; off_rps+=("$rps"); off_cpu+=("$cpu")
  result=$(round default "$n"); read -r rps cpu <<<"$result"; default_rps+=("$rps"); default_cpu+=("$cpu")
  result=$(round traced "$n"); read -r rps cpu <<<"$result"; traced_rps+=("$rps"); traced_cpu+=("$cpu")
  printf 'round %s: off %s rps (%s us CPU/request), default %s (%s), traced %s (%s)\n' "$n" \
    "${off_rps[-1]}" "${off_cpu[-1]}" "${default_rps[-1]}" "${default_cpu[-1]}" "${traced_rps[-1]}" "${traced_cpu[-1]}"
  rm -f "$out"/server-*-"$n".log
done

mean() { printf '%s\n' "$@" | awk '{ s += $1 } END { printf "%.0f", s / NR }'; }
mean1() { printf '%s\n' "$@" | awk '{ s += $1 } END { printf "%.1f", s / NR }'; }
loss() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", (1 - a / b) * 100 }'; }
more() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%+.1f", (a / b - 1) * 100 }'; }
off=$(mean "${off_rps[@]}") default=$(mean "${default_rps[@]}") traced=$(mean "${traced_rps[@]}")
off_us=$(mean1 "${off_cpu[@]}") default_us=$(mean1 "${default_cpu[@]}") traced_us=$(mean1 "${traced_cpu[@]}")
{
  printf '\nbench-telemetry: GET /api/users/{id}, %s connections, %s x %ss per mode (means)\n' "$clients" "$rounds" "$duration"
  printf '  off:     %s rps, server CPU %s us/request\n' "$off" "$off_us"
  printf '  default: %s rps, loss %s%% (target <= 5%%); CPU %s us/request (%s%%) - logs + metrics\n' \
    "$default" "$(loss "$default" "$off")" "$default_us" "$(more "$default_us" "$off_us")"
  printf '  traced:  %s rps, loss %s%%; CPU %s us/request (%s%%) - + OTLP, every request sampled\n' \
    "$traced" "$(loss "$traced" "$off")" "$traced_us" "$(more "$traced_us" "$off_us")"
} | tee "$out/summary.txt"
