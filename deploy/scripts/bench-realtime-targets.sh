#!/usr/bin/env bash
# Issue 12's real-time targets, as a benchmark (never a timed test): a release twinstack-server on a
# throwaway Postgres holds SUBSCRIBERS connections (10,000; memory per connection = its RSS growth
# over them) and delivers RATE orders/s to USERS users' subscribers (10/s × 100 followers each =
# 1,000 deliveries/s) for SECONDS_OF_ORDERS (60): delivery p50/p95/p99 from the POST's 201, lost and
# duplicated (both must be 0). It runs `twinstack bench` against the server as a deployed Kubernetes
# twin (a CRUD pass shrunk to seconds, then the real-time section) and writes OUT/results.json
# (`realtime`), report.md and report.html.
#
#   deploy/scripts/bench-realtime-targets.sh
#   SERVER_BIN=../main/target/release/twinstack-server deploy/scripts/bench-realtime-targets.sh
set -euo pipefail
cd "$(dirname "$0")/../.."

bin=${BIN:-target/release}
server_bin=${SERVER_BIN:-$bin/twinstack-server}
twinstack=${TWINSTACK_BIN:-$bin/twinstack}
subscribers=${SUBSCRIBERS:-10000}
users=${USERS:-100}
rate=${RATE:-10}
seconds=${SECONDS_OF_ORDERS:-60}
out=${OUT:-target/twinstack/realtime-targets}
pg_port=${PG_PORT:-55433}
port=${PORT:-18080}

# Every subscriber is a descriptor here and one in the server (which inherits this limit).
need=$((subscribers + 1024))
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt "$need" ]; then
  ulimit -n "$need" || {
    echo "bench-realtime-targets: $subscribers connections need ulimit -n $need (hard limit $(ulimit -Hn))" >&2
    exit 1
  }
fi

pg_dir=$(mktemp -d /tmp/twinstack-realtime-XXXXXX)
server_pid=
cleanup() {
  if [ -n "$server_pid" ]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  deploy/scripts/pg-throwaway.sh stop "$pg_dir" >/dev/null 2>&1 || true
}
trap cleanup EXIT

database_url=$(deploy/scripts/pg-throwaway.sh start "$pg_dir" "$pg_port")
DATABASE_URL=$database_url "$server_bin" migrate
"$twinstack" seed --postgres "$database_url" >&2
# The server's connection cap (2048 by default) above the subscribers; metrics off.
DATABASE_URL=$database_url HOST=127.0.0.1 PORT=$port METRICS_PORT=0 RUST_LOG=warn \
  MAX_CONNECTIONS=$need "$server_bin" serve &
server_pid=$!
for _ in $(seq 100); do
  curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
  sleep 0.1
done

"$twinstack" bench --kubernetes-url "http://127.0.0.1:$port" --realtime-server-pid "$server_pid" \
  --realtime-twins kubernetes --realtime-subscribers "$subscribers" --realtime-users "$users" \
  --realtime-rate "$rate" --realtime-seconds "$seconds" \
  --time-scale 0.001 --rate-scale 0.01 --warm-up 1 --out "$out"
