#!/usr/bin/env bash
# `make bench-telemetry`: twinstack-server's throughput with telemetry off, at its defaults, and with
# traces on as well — same run, same database, alternating rounds so drift on a shared machine hits
# every mode alike (issue #7: loss <= 5%).
#   off:     RUST_LOG=warn (no request log lines), METRICS_PORT=0 (no recorder), no OTLP endpoint
#   default: the default log filter (a JSON line per request, written to a file) and /metrics
#            scraped every second — what the chart deploys
#   sampled: default plus traces exported over OTLP/HTTP to a local sink that answers 200, one
#            request in ten sampled (OTEL_TRACES_SAMPLER=parentbased_traceidratio, ARG 0.1)
#   traced:  the same with every request sampled (the SDK's default sampler)
# wrk drives GET /api/users/{id} (random seeded ids). Next to throughput, the server's CPU time per
# request (utime + stime from /proc over the measured run): steadier than throughput on a shared
# machine, and what telemetry actually costs the server. Outputs in target/twinstack/bench-telemetry/.
# Knobs: CLIENTS (32), DURATION seconds per round (10), ROUNDS per mode (5), USERS (10000).
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=deploy/scripts/lib.sh
. deploy/scripts/lib.sh

bin=target/release
clients=${CLIENTS:-32}
duration=${DURATION:-10}
rounds=${ROUNDS:-5}
users=${USERS:-10000}
out=target/twinstack/bench-telemetry
pg_dir=$(mktemp -d /tmp/twinstack-bench-telemetry-XXXXXX)
mkdir -p "$out"
rm -f "$out"/*.txt "$out"/*.log

server_pid='' sink_pid='' scrape_pid=''
cleanup() {
  stop_pids "$scrape_pid" "$server_pid" "$sink_pid"
  deploy/scripts/pg-throwaway.sh stop "$pg_dir" >/dev/null 2>&1 || true
}
trap cleanup EXIT

database_url=$(deploy/scripts/pg-throwaway.sh start "$pg_dir" "$(free_port)")
migrate_and_seed "$database_url" "$users"

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

# Runs one round: MODE (off|default|sampled|traced) ROUND. Prints the round's requests/s and the
# server's CPU microseconds per request.
round() {
  local mode=$1 n=$2 port metrics_port='' env
  port=$(free_port)
  env=(DATABASE_URL="$database_url" HOST=127.0.0.1 PORT="$port")
  case "$mode" in
    off) env+=(RUST_LOG=warn METRICS_PORT=0) ;;
    default | sampled | traced)
      metrics_port=$(free_port)
      env+=(METRICS_PORT="$metrics_port")
      if [ "$mode" != default ]; then
        env+=(OTEL_EXPORTER_OTLP_ENDPOINT="http://127.0.0.1:$sink_port" OTEL_SERVICE_NAME=twinstack-server)
      fi
      if [ "$mode" = sampled ]; then
        env+=(OTEL_TRACES_SAMPLER=parentbased_traceidratio OTEL_TRACES_SAMPLER_ARG=0.1)
      fi
      ;;
  esac
  env -u RUST_LOG -u OTEL_TRACES_SAMPLER -u OTEL_TRACES_SAMPLER_ARG "${env[@]}" "$bin/twinstack-server" serve >"$out/server-$mode-$n.log" 2>&1 &
  server_pid=$!
  wait_ready "$port"
  if [ -n "$metrics_port" ]; then
    (while curl -fs "http://127.0.0.1:$metrics_port/metrics" -o /dev/null; do sleep 1; done) &
    scrape_pid=$!
  fi
  wrk_get_user "$port" "$clients" "$users" -d3s >/dev/null
  local cpu_before cpu_after
  cpu_before=$(cpu_ticks "$server_pid")
  wrk_get_user "$port" "$clients" "$users" -d"${duration}s" >"$out/wrk-$mode-$n.txt"
  cpu_after=$(cpu_ticks "$server_pid")
  if grep -q 'Non-2xx' "$out/wrk-$mode-$n.txt"; then
    echo "bench-telemetry: the API answered errors with telemetry $mode" >&2
    exit 1
  fi
  stop_pids "$scrape_pid" "$server_pid"
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

loss() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", (1 - a / b) * 100 }'; }
more() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%+.1f", (a / b - 1) * 100 }'; }
# The median: one round slowed by a neighbour on a shared machine does not move it.
median() {
  printf '%s\n' "$@" | sort -g |
    awk '{ v[NR] = $1 } END { printf "%.1f", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# Per mode: each round's requests/s, CPU us/request, and its loss and CPU increase against the
# same round's `off` (the modes of a round run back to back, so these ratios see the same machine).
declare -A rps cpu loss_of cpu_more
modes=(off default sampled traced)
for n in $(seq "$rounds"); do
  line="round $n:"
  for mode in "${modes[@]}"; do
    read -r r c <<<"$(round "$mode" "$n")"
    rps[$mode]+="$r " cpu[$mode]+="$c "
    if [ "$mode" = off ]; then
      off_r=$r off_c=$c
      line+=" off $r rps ($c us CPU/request)"
    else
      loss_of[$mode]+="$(loss "$r" "$off_r") " cpu_more[$mode]+="$(more "$c" "$off_c") "
      line+=", $mode $r ($c) $(loss "$r" "$off_r")%"
    fi
  done
  echo "$line"
  rm -f "$out"/server-*-"$n".log
done

describe() {
  case $1 in
    default) echo 'logs + metrics' ;;
    sampled) echo '+ OTLP, 1 request in 10 traced' ;;
    traced) echo '+ OTLP, every request traced' ;;
  esac
}
{
  printf '\nbench-telemetry: GET /api/users/{id}, %s connections, %s x %ss per mode; medians over rounds,\n' \
    "$clients" "$rounds" "$duration"
  printf 'loss and CPU against the same round'"'"'s off\n'
  # shellcheck disable=SC2086 # word splitting of the per-round lists is the point
  printf '  off:     %s rps, server CPU %s us/request\n' "$(median ${rps[off]})" "$(median ${cpu[off]})"
  for mode in default sampled traced; do
    # shellcheck disable=SC2086
    printf '  %-8s %s rps, loss %s%% (rounds: %s); CPU %s us/request (%s%%) - %s\n' "$mode:" \
      "$(median ${rps[$mode]})" "$(median ${loss_of[$mode]})" "${loss_of[$mode]% }" \
      "$(median ${cpu[$mode]})" "$(printf "%+.1f" "$(median ${cpu_more[$mode]})")" "$(describe "$mode")"
  done
  printf '  target: default loss <= 5%%\n'
} | tee "$out/summary.txt"
