#!/usr/bin/env bash
# A throwaway Postgres cluster for local runs and benchmarks (`make run`, `make bench-db`).
#
#   pg-throwaway.sh start DIR PORT   initialise DIR if needed, start the server on
#                                    127.0.0.1:PORT, print its URL on stdout
#   pg-throwaway.sh stop DIR         stop it (immediate mode) and delete DIR
#
# Same setup as the Rust test harness (crates/local-stack): Debian's newest
# /usr/lib/postgresql/*/bin, trust auth, superuser `postgres`, fsync off, Unix socket in
# DIR. Under root the server runs as the `postgres` user (initdb refuses root), so DIR
# should sit somewhere that user can reach, such as /tmp (not a checkout under /root).
# Only the URL goes to stdout, so `URL=$(pg-throwaway.sh start ...)` works; the tools'
# chatter goes to stderr and the server log to DIR/log.
set -euo pipefail

# Written into DIR on start; `stop` deletes only directories that carry it, so a wrong
# argument cannot make it `rm -rf` something else.
readonly MARKER=.pg-throwaway

die() {
  printf 'pg-throwaway: %s\n' "$*" >&2
  exit 1
}

usage() {
  printf 'usage: %s start DIR PORT | stop DIR\n' "${0##*/}" >&2
  exit 2
}

# The newest Postgres bin dir (version-sorted, so 10 beats 9.6).
pg_bindir() {
  local dir
  # `|| true`: a missing /usr/lib/postgresql must reach the message below, not trip `set -e`.
  dir=$(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -name bin -type d 2>/dev/null | sort -V | tail -n 1) || true
  [[ -n $dir && -x $dir/initdb && -x $dir/pg_ctl ]] ||
    die "no Postgres server binaries in /usr/lib/postgresql/*/bin; install postgresql: apt-get install -y postgresql"
  printf '%s\n' "$dir"
}

# Runs a server tool as the cluster owner: `postgres` under root, else the current user.
# From inside DIR, because the caller's cwd may be unreadable to `postgres`.
as_owner() {
  if [[ $EUID -eq 0 ]]; then
    (cd "$DIR" && runuser -u postgres -- "$@")
  else
    (cd "$DIR" && "$@")
  fi
}

# Absolute path without requiring it to exist yet (pg_ctl and -k need absolute paths).
absolute() {
  case $1 in
    /*) printf '%s\n' "$1" ;;
    *) printf '%s/%s\n' "$PWD" "$1" ;;
  esac
}

# The port a running postmaster listens on (line 4 of postmaster.pid), or nothing.
running_port() {
  local pidfile=$DIR/data/postmaster.pid
  if [[ -f $pidfile ]]; then
    sed -n 4p "$pidfile"
  fi
}

cmd_start() {
  local port=$1 bindir
  if ! [[ $port =~ ^[0-9]{1,5}$ ]] || ((10#$port < 1 || 10#$port > 65535)); then
    die "not a port: $port"
  fi
  port=$((10#$port))
  bindir=$(pg_bindir)

  mkdir -p "$DIR"
  chmod 700 "$DIR"
  touch "$DIR/$MARKER"
  if [[ $EUID -eq 0 ]]; then
    id postgres >/dev/null 2>&1 || die "user postgres missing; install postgresql: apt-get install -y postgresql"
    chown -R postgres:postgres "$DIR"
  fi

  if [[ ! -f $DIR/data/PG_VERSION ]]; then
    as_owner "$bindir/initdb" -D "$DIR/data" -A trust -U postgres --no-sync -E UTF8 --locale=C >&2
  fi

  if as_owner "$bindir/pg_ctl" -D "$DIR/data" status >/dev/null 2>&1; then
    local current
    current=$(running_port)
    [[ $current == "$port" ]] || die "already running in $DIR on port ${current:-?}, not $port"
  elif ! as_owner "$bindir/pg_ctl" -D "$DIR/data" \
    -o "-p $port -k $DIR -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" \
    -l "$DIR/log" -w start >&2; then
    tail -n 20 "$DIR/log" >&2 || true
    die "could not start postgres in $DIR on port $port (log: $DIR/log)"
  fi
  printf 'postgres://postgres@127.0.0.1:%s/postgres\n' "$port"
}

cmd_stop() {
  [[ -d $DIR ]] || return 0 # nothing to stop: keeps `make` cleanup targets idempotent
  [[ -f $DIR/$MARKER ]] || die "$DIR was not made by pg-throwaway.sh; not deleting it"
  if [[ -f $DIR/data/postmaster.pid ]]; then
    as_owner "$(pg_bindir)/pg_ctl" -D "$DIR/data" -m immediate -w stop >&2 ||
      printf 'pg-throwaway: pg_ctl stop failed; deleting %s anyway\n' "$DIR" >&2
  fi
  rm -rf -- "$DIR"
}

main() {
  (($# >= 2)) || usage
  local action=$1
  DIR=$(absolute "$2")
  [[ $DIR != / ]] || die "refusing to use / as the cluster dir"
  case $action in
    start) (($# == 3)) || usage; cmd_start "$3" ;;
    stop) (($# == 2)) || usage; cmd_stop ;;
    *) usage ;;
  esac
}

main "$@"
