#!/usr/bin/env bash
# Installs what a make target needs and this machine lacks; a warm machine stays fast.
# Usage: install-deps.sh postgres|wrk ...
set -euo pipefail

apt_updated=0
apt_install() {
  if [ "$apt_updated" = 0 ]; then
    apt-get update -qq
    apt_updated=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

have_postgres() {
  compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null && command -v pgbench >/dev/null && command -v psql >/dev/null
}

for need in "$@"; do
  case "$need" in
    postgres) have_postgres || apt_install postgresql postgresql-contrib ;;
    wrk) command -v wrk >/dev/null || apt_install wrk ;;
    *) echo "install-deps.sh: unknown dependency '$need'" >&2; exit 2 ;;
  esac
done
