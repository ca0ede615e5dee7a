#!/usr/bin/env bash
# `make bench-db`: GET /api/users/{id} over HTTP (wrk) next to `pgbench -S -M prepared` on the same
# database, with the same client count, in the same run. Prints both and their ratio.
# Knobs: CLIENTS (32), DURATION seconds (20), USERS (10000), DATABASE_MAX_CONNECTIONS (10).
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=deploy/scripts/lib.sh
. deploy/scripts/lib.sh

bin=target/release
clients=${CLIENTS:-32}
duration=${DURATION:-20}
users=${USERS:-10000}
pg_port=${PG_PORT:-55433}
port=${PORT:-18080}
pg_dir=$(mktemp -d /tmp/twinstack-bench-XXXXXX)
out=target/twinstack/bench-db
mkdir -p "$out"

server_pid=
cleanup() {
  stop_pids "$server_pid"
  deploy/scripts/pg-throwaway.sh stop "$pg_dir" >/dev/null 2>&1 || true
}
trap cleanup EXIT

database_url=$(deploy/scripts/pg-throwaway.sh start "$pg_dir" "$pg_port")
migrate_and_seed "$database_url" "$users"

DATABASE_URL=$database_url HOST=127.0.0.1 PORT=$port RUST_LOG=error "$bin/twinstack-server" serve &
server_pid=$!
wait_ready "$port"
curl -fs "http://127.0.0.1:$port/api/users/1" >/dev/null

echo "== warm-up (5 s)"
wrk_get_user "$port" "$clients" "$users" -d5s >/dev/null

echo "== wrk: GET /api/users/{id}, $clients connections, ${duration}s"
wrk_get_user "$port" "$clients" "$users" -d"${duration}s" --latency | tee "$out/wrk.txt"
if grep -q 'Non-2xx' "$out/wrk.txt"; then
  echo "bench-db: the API answered errors; the figure is not a throughput" >&2
  exit 1
fi
http_rps=$(awk '/^Requests\/sec/ {print $2}' "$out/wrk.txt")

stop_pids "$server_pid"
server_pid=

echo "== pgbench -S -M prepared, $clients clients, ${duration}s (same database)"
pgbench -i -q -s 1 "$database_url" >/dev/null 2>&1
pgbench -S -M prepared -c "$clients" -j 2 -T "$duration" "$database_url" 2>/dev/null | tee "$out/pgbench.txt"
pg_tps=$(awk '/^tps/ {print $3; exit}' "$out/pgbench.txt")

ratio=$(awk -v a="$http_rps" -v b="$pg_tps" 'BEGIN {printf "%.2f", a / b}')
printf '\nbench-db: HTTP GET /api/users/{id} %s rps; pgbench -S -M prepared %s tps; ratio %sx (target >= 0.5x)\n' \
  "$http_rps" "$pg_tps" "$ratio" | tee "$out/summary.txt"
