#!/usr/bin/env bash
# `make bench-db`: GET /api/users/{id} over HTTP (wrk) from twinstack-server and from its floor —
# twinstack-bench-floor, the same route and JSON from hyper and tokio-postgres alone
# (crates/bench-floor) — next to `pgbench -S -M prepared`, all on the same database, with the same
# client count and duration, in the same run. The server and the floor run one after the other
# (they share the cores with wrk and Postgres). Ends with one summary line: the three figures,
# server/floor (what the server's own layers cost) and server/pgbench.
# Knobs: CLIENTS (32), DURATION seconds (20), USERS (10000), DATABASE_MAX_CONNECTIONS (10, the
# server's pool and the floor's connections alike).
set -euo pipefail
cd "$(dirname "$0")/../.."

bin=target/release
clients=${CLIENTS:-32}
duration=${DURATION:-20}
users=${USERS:-10000}
connections=${DATABASE_MAX_CONNECTIONS:-10}
pg_port=${PG_PORT:-55433}
port=${PORT:-18080}
floor_port=${FLOOR_PORT:-18081}
pg_dir=$(mktemp -d /tmp/twinstack-bench-XXXXXX)
out=target/twinstack/bench-db
mkdir -p "$out"
rm -f "$out"/*.txt

http_pid=
stop_http() {
  if [ -n "$http_pid" ]; then
    kill "$http_pid" 2>/dev/null || true
    wait "$http_pid" 2>/dev/null || true
  fi
  http_pid=
}
cleanup() {
  stop_http
  deploy/scripts/pg-throwaway.sh stop "$pg_dir" >/dev/null 2>&1 || true
}
trap cleanup EXIT

# Waits until URL answers 2xx (10 s at most).
wait_for() {
  for _ in $(seq 100); do curl -fs "$1" >/dev/null && return; sleep 0.1; done
  echo "bench-db: $1 did not answer" >&2
  exit 1
}

# Warms up, then measures GET /api/users/{id} on PORT with wrk into OUTPUT; prints requests/s.
measure() {
  local name=$1 target=http://127.0.0.1:$2 output=$3
  echo "== warm-up $name (5 s)" >&2
  USERS=$users wrk -t2 -c"$clients" -d5s -s loadtest/wrk/get-user.lua "$target" >/dev/null
  echo "== wrk: $name GET /api/users/{id}, $clients connections, ${duration}s" >&2
  USERS=$users wrk -t2 -c"$clients" -d"${duration}s" --latency -s loadtest/wrk/get-user.lua "$target" |
    tee "$output" >&2
  if grep -q 'Non-2xx' "$output"; then
    echo "bench-db: $name answered errors; the figure is not a throughput" >&2
    exit 1
  fi
  awk '/^Requests\/sec/ {print $2}' "$output"
}

database_url=$(deploy/scripts/pg-throwaway.sh start "$pg_dir" "$pg_port")
DATABASE_URL=$database_url "$bin/twinstack-server" migrate
"$bin/twinstack" seed --postgres "$database_url" --users "$users" >/dev/null

DATABASE_URL=$database_url HOST=127.0.0.1 PORT=$port DATABASE_MAX_CONNECTIONS=$connections \
  RUST_LOG=error "$bin/twinstack-server" serve &
http_pid=$!
wait_for "http://127.0.0.1:$port/readyz"
wait_for "http://127.0.0.1:$port/api/users/1"
server_rps=$(measure twinstack-server "$port" "$out/wrk-server.txt")
stop_http

DATABASE_URL=$database_url "$bin/twinstack-bench-floor" --listen "127.0.0.1:$floor_port" \
  --connections "$connections" >/dev/null &
http_pid=$!
wait_for "http://127.0.0.1:$floor_port/api/users/1"
floor_rps=$(measure twinstack-bench-floor "$floor_port" "$out/wrk-floor.txt")
stop_http

echo "== pgbench -S -M prepared, $clients clients, ${duration}s (same database)"
pgbench -i -q -s 1 "$database_url" >/dev/null 2>&1
pgbench -S -M prepared -c "$clients" -j 2 -T "$duration" "$database_url" 2>/dev/null | tee "$out/pgbench.txt"
pg_tps=$(awk '/^tps/ {print $3; exit}' "$out/pgbench.txt")

echo
awk -v server="$server_rps" -v floor="$floor_rps" -v pg="$pg_tps" 'BEGIN {
  printf "bench-db: server %.0f rps; floor %.0f rps; pgbench %.0f tps; server/floor %.2fx; server/pgbench %.2fx\n",
    server, floor, pg, server / floor, server / pg
}' | tee "$out/summary.txt"
