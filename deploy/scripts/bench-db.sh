#!/usr/bin/env bash
# `make bench-db`: GET /api/users/{id} over HTTP (wrk) from twinstack-server and from its floor —
# twinstack-bench-floor, the same route and JSON from hyper and tokio-postgres alone
# (crates/bench-floor) — next to `pgbench -S -M prepared`, all on the same database, with the same
# client count and duration, in the same run. The server and the floor run one after the other
# (they share the cores with wrk and Postgres). Ends with one summary line: the three figures,
# server/floor (what the server's own layers cost) and server/pgbench.
# Before it, Postgres's CPU per request of each (its processes' user+system time over the measured
# run, /proc) next to pgbench's per transaction.
# Knobs: CLIENTS (32), DURATION seconds (20), USERS (10000), DATABASE_MAX_CONNECTIONS (10, the
# server's pool and the floor's connections alike), BENCH_DB_SERVER_BIN (the server binary,
# target/release/twinstack-server), BENCH_DB_BASELINE_BIN (another server binary, measured first
# in the same run for an A/B line).
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=deploy/scripts/lib.sh
. deploy/scripts/lib.sh

bin=target/release
server_bin=${BENCH_DB_SERVER_BIN:-$bin/twinstack-server}
baseline_bin=${BENCH_DB_BASELINE_BIN:-}
clients=${CLIENTS:-32}
duration=${DURATION:-20}
users=${USERS:-10000}
connections=${DATABASE_MAX_CONNECTIONS:-10}
pg_port=${PG_PORT:-55433}
port=${PORT:-18080}
floor_port=${FLOOR_PORT:-18081}
metrics_port=${METRICS_PORT:-18082}
pg_dir=$(mktemp -d /tmp/twinstack-bench-XXXXXX)
out=target/twinstack/bench-db
mkdir -p "$out"
rm -f "$out"/*.txt

http_pid=
cleanup() {
  stop_pids "$http_pid"
  deploy/scripts/pg-throwaway.sh stop "$pg_dir" >/dev/null 2>&1 || true
}
trap cleanup EXIT

# Waits until URL answers 2xx (10 s at most).
wait_for() {
  for _ in $(seq 100); do curl -fs "$1" >/dev/null && return; sleep 0.1; done
  echo "bench-db: $1 did not answer" >&2
  exit 1
}

# Postgres's CPU time so far in clock ticks: its live processes' and the exited ones the postmaster
# has reaped (/proc/PID/stat fields 14-17).
pg_cpu_ticks() {
  local postmaster child
  postmaster=$(head -n 1 "$pg_dir/data/postmaster.pid")
  {
    awk '{print $16 + $17}' "/proc/$postmaster/stat"
    for child in $(pgrep -P "$postmaster"); do
      awk '{print $14 + $15}' "/proc/$child/stat" 2>/dev/null || true
    done
  } | awk '{sum += $1} END {print sum}'
}

# Microseconds of CPU per operation from a tick count and an operation count.
cpu_us_per() {
  awk -v ticks="$1" -v ops="$2" -v hz="$(getconf CLK_TCK)" 'BEGIN {printf "%.1f", ticks / hz * 1e6 / ops}'
}

# Warms up, then measures GET /api/users/{id} on PORT with wrk into OUTPUT; sets rps (requests/s)
# and cpu (Postgres's CPU per request, microseconds).
measure() {
  local name=$1 port=$2 output=$3 ticks
  echo "== warm-up $name (5 s)" >&2
  wrk_get_user "$port" "$clients" "$users" -d5s >/dev/null
  echo "== wrk: $name GET /api/users/{id}, $clients connections, ${duration}s" >&2
  ticks=$(pg_cpu_ticks)
  wrk_get_user "$port" "$clients" "$users" -d"${duration}s" --latency | tee "$output" >&2
  ticks=$(($(pg_cpu_ticks) - ticks))
  if grep -q 'Non-2xx' "$output"; then
    echo "bench-db: $name answered errors; the figure is not a throughput" >&2
    exit 1
  fi
  rps=$(awk '/^Requests\/sec/ {print $2}' "$output")
  cpu=$(cpu_us_per "$ticks" "$(awk '/requests in/ {print $1}' "$output")")
}

# Serves on PORT from server binary BIN, measures it into OUTPUT and stops it; sets what measure sets.
measure_server() {
  local name=$1 server=$2 output=$3
  DATABASE_URL=$database_url HOST=127.0.0.1 PORT=$port METRICS_PORT=$metrics_port \
    DATABASE_MAX_CONNECTIONS=$connections RUST_LOG=error "$server" serve &
  http_pid=$!
  wait_for "http://127.0.0.1:$port/readyz"
  wait_for "http://127.0.0.1:$port/api/users/1"
  measure "$name" "$port" "$output"
  stop_pids "$http_pid"
  http_pid=
}

database_url=$(deploy/scripts/pg-throwaway.sh start "$pg_dir" "$pg_port")
migrate_and_seed "$database_url" "$users"

if [ -n "$baseline_bin" ]; then
  measure_server "baseline $baseline_bin" "$baseline_bin" "$out/wrk-baseline.txt"
  baseline_rps=$rps baseline_cpu=$cpu
fi
measure_server "twinstack-server $server_bin" "$server_bin" "$out/wrk-server.txt"
server_rps=$rps server_cpu=$cpu

DATABASE_URL=$database_url "$bin/twinstack-bench-floor" --listen "127.0.0.1:$floor_port" \
  --connections "$connections" >/dev/null &
http_pid=$!
wait_for "http://127.0.0.1:$floor_port/api/users/1"
measure twinstack-bench-floor "$floor_port" "$out/wrk-floor.txt"
floor_rps=$rps floor_cpu=$cpu
stop_pids "$http_pid"
http_pid=

echo "== pgbench -S -M prepared, $clients clients, ${duration}s (same database)"
pgbench -i -q -s 1 "$database_url" >/dev/null 2>&1
ticks=$(pg_cpu_ticks)
pgbench -S -M prepared -c "$clients" -j 2 -T "$duration" "$database_url" 2>/dev/null | tee "$out/pgbench.txt"
sleep 0.5 # the postmaster reaps pgbench's backends, adding their time to its children's
ticks=$(($(pg_cpu_ticks) - ticks))
pg_tps=$(awk '/^tps/ {print $3; exit}' "$out/pgbench.txt")
pg_cpu=$(cpu_us_per "$ticks" "$(awk '/transactions actually processed/ {print $NF}' "$out/pgbench.txt")")

echo
if [ -n "$baseline_bin" ]; then
  awk -v baseline="$baseline_rps" -v server="$server_rps" -v bcpu="$baseline_cpu" -v scpu="$server_cpu" 'BEGIN {
    printf "bench-db A/B: baseline %.0f rps, Postgres %s us/request; server %.0f rps, Postgres %s us/request; server/baseline %.2fx\n",
      baseline, bcpu, server, scpu, server / baseline
  }' | tee "$out/ab.txt"
fi
awk -v server="$server_cpu" -v floor="$floor_cpu" -v pg="$pg_cpu" 'BEGIN {
  printf "bench-db Postgres CPU: server %s us/request; floor %s us/request; pgbench %s us/transaction; server/pgbench %.2fx\n",
    server, floor, pg, server / pg
}' | tee "$out/postgres-cpu.txt"
awk -v server="$server_rps" -v floor="$floor_rps" -v pg="$pg_tps" 'BEGIN {
  printf "bench-db: server %.0f rps; floor %.0f rps; pgbench %.0f tps; server/floor %.2fx; server/pgbench %.2fx\n",
    server, floor, pg, server / floor, server / pg
}' | tee "$out/summary.txt"
