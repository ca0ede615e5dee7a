#!/usr/bin/env bash
# make sbom: CycloneDX SBOMs (JSON) of the two deployables' binaries, from Cargo's resolution of the
# workspace for x86_64-unknown-linux-gnu (features unified over every package, as `make release` and
# the Dockerfile build them):
#   target/twinstack/sbom/twinstack-server.cdx.json   the server image's binary
#   target/twinstack/sbom/twinstack-lambda.cdx.json   the Lambda zip's bootstrap
# Each is then checked (deploy/scripts/sbom_check.py): it parses as CycloneDX, describes its binary and
# lists exactly the crates `cargo tree` says that binary links (normal dependencies, each version).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
export PATH="$root/target/twinstack/tools/bin:$PATH"
target=x86_64-unknown-linux-gnu
out="$root/target/twinstack/sbom"
rm -rf "$out"
mkdir -p "$out"

for binary in twinstack-server twinstack-lambda; do
  package="crates/${binary#twinstack-}"
  # cargo cyclonedx writes next to the package's Cargo.toml; moved out at once.
  cargo cyclonedx --manifest-path "$package/Cargo.toml" --format json --describe binaries \
    --target "$target" --override-filename "$binary.cdx" -q
  mv "$package/$binary.cdx.json" "$out/$binary.cdx.json"
  # Every root's whole tree (--no-dedupe: cargo tree shows a crate once per output, not per root).
  cargo tree --workspace --locked --offline --target "$target" -e normal --prefix depth --no-dedupe \
    -f "{p}" |
    awk -v root="$binary" '/^0/ { inside = ($0 ~ "^0" root " ") } inside { sub(/^[0-9]+/, ""); print }' |
    sort -u >"$out/$binary.crates.txt"
  python3 deploy/scripts/sbom_check.py "$out/$binary.cdx.json" "$binary" "$out/$binary.crates.txt"
done
