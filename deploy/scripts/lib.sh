# shellcheck shell=bash
# What the scripts in deploy/scripts share; sourced, never run. Callers work from the repository
# root (`cd "$(dirname "$0")/../.."`), and so do these.

# Installs Debian packages; `apt-get update` runs once per script.
apt_updated=0
apt_install() {
  if [ "$apt_updated" = 0 ]; then
    apt-get update -qq
    apt_updated=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# A free loopback port.
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Stops each process given by pid (empty ones are skipped) and waits for it.
stop_pids() {
  local pid
  for pid in "$@"; do
    [ -n "$pid" ] || continue
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
}

# Migrates the Postgres database at URL and seeds USERS users into it, with the release binaries
# (`make release`).
migrate_and_seed() {
  local url=$1 users=$2
  DATABASE_URL=$url target/release/twinstack-server migrate
  target/release/twinstack seed --postgres "$url" --users "$users" >/dev/null
}

# Waits up to 10 s for twinstack-server on 127.0.0.1:PORT to be ready.
wait_ready() {
  local port=$1
  for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.1; done
}

# wrk on GET /api/users/{id}, ids drawn from USERS seeded users, against 127.0.0.1:PORT with CLIENTS
# connections; then wrk's own options (-d…, --latency).
wrk_get_user() {
  local port=$1 clients=$2 users=$3
  shift 3
  USERS=$users wrk -t2 -c"$clients" "$@" -s loadtest/wrk/get-user.lua "http://127.0.0.1:$port"
}
