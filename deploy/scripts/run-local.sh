#!/usr/bin/env bash
# `make run`: a throwaway Postgres, migrated and seeded, behind twinstack-server on :8080.
# Ctrl-C stops the server and removes the database.
set -euo pipefail
cd "$(dirname "$0")/../.."

bin=target/release
pg_port=${PG_PORT:-55432}
port=${PORT:-8080}
pg_dir=$(mktemp -d /tmp/twinstack-run-XXXXXX)

cleanup() { deploy/scripts/pg-throwaway.sh stop "$pg_dir" >/dev/null 2>&1 || true; }
trap cleanup EXIT

database_url=$(deploy/scripts/pg-throwaway.sh start "$pg_dir" "$pg_port")
DATABASE_URL=$database_url "$bin/twinstack-server" migrate
echo "seeding (checksum follows)..."
"$bin/twinstack" seed --postgres "$database_url"

cat <<MSG

twinstack-server on http://127.0.0.1:$port (Postgres at $database_url). Try:
  curl -s http://127.0.0.1:$port/api/users/42
  curl -s -X POST http://127.0.0.1:$port/api/orders -H 'content-type: application/json' \\
       -d '{"userId": 42, "items": [{"sku": "PROD-001", "qty": 2}]}'
  curl -s 'http://127.0.0.1:$port/api/orders?userId=42&limit=10'
  curl -s http://127.0.0.1:$port/api/users/42/summary
  curl -s http://127.0.0.1:$port/api/openapi.json
Ctrl-C stops it.

MSG
DATABASE_URL=$database_url HOST=127.0.0.1 PORT=$port RUST_LOG=${RUST_LOG:-warn} "$bin/twinstack-server" serve
