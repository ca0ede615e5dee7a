#!/usr/bin/env bash
# make test's supply-chain checks, offline: `cargo deny check` (advisories, licences, bans, sources:
# deny.toml) and `cargo audit`, both reading the RustSec advisory snapshot at
# ../shared/data/rustsec-advisory-db beside the repository (CI has it; RUSTSEC_ADVISORY_DB=DIR
# names another). Without a snapshot the advisory checks are skipped, saying so, and cargo deny
# still checks licences, bans and sources. Nothing is fetched.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
export PATH="$root/target/twinstack/tools/bin:$PATH"
snapshot="${RUSTSEC_ADVISORY_DB:-$root/../shared/data/rustsec-advisory-db}"

if [ ! -d "$snapshot/crates" ]; then
  echo "supply-chain.sh: no RustSec advisory snapshot at $snapshot: advisories NOT checked (cargo deny: licences, bans, sources only; cargo audit skipped)"
  cargo deny --offline check licenses bans sources
  exit 0
fi

# cargo deny reads its databases as git repositories under db-path (deny.toml), in a directory
# named after the URL (this one is the default RustSec URL's). The snapshot is plain files, so it is
# committed into a repository there, rebuilt only when the snapshot changes; the snapshot's own date
# is printed below, as cargo deny's staleness check sees only the commit.
dbs="$root/target/twinstack/advisory-dbs"
db="$dbs/advisory-db-3157b0e258782691"
stamp="$(cat "$snapshot/SNAPSHOT" 2>/dev/null || find "$snapshot" -type f -printf '%P %s\n' | sort | sha256sum)"
if [ "$(cat "$db/.git/twinstack-snapshot" 2>/dev/null)" != "$stamp" ]; then
  rm -rf "$db"
  mkdir -p "$dbs"
  cp -R "$snapshot" "$db"
  chmod -R u+w "$db"
  git -C "$db" init -q
  git -C "$db" add -A
  git -C "$db" -c user.name=twinstack -c user.email=twinstack@localhost commit -q -m "$stamp"
  echo "$stamp" >"$db/.git/twinstack-snapshot"
fi
echo "supply-chain.sh: advisories from $snapshot (${stamp})"
TWINSTACK_ADVISORY_DBS="$dbs" cargo deny --offline check
# The same exceptions as cargo deny's, each with its reason in deny.toml.
mapfile -t ignores < <(python3 -c 'import tomllib
for entry in tomllib.load(open("deny.toml", "rb"))["advisories"]["ignore"]:
    print("--ignore=" + entry["id"])')
cargo audit --no-fetch --db "$db" --deny warnings "${ignores[@]}"
