#!/usr/bin/env bash
# make sbom: CycloneDX SBOMs (JSON) of the two deployables' binaries, from Cargo's resolution of the
# workspace for x86_64-unknown-linux-gnu (features unified over every package, as `make release` and
# the Dockerfile build them):
#   target/twinstack/sbom/twinstack-server.cdx.json   the server image's binary
#   target/twinstack/sbom/twinstack-lambda.cdx.json   the Lambda zip's bootstrap
# Each is then checked (deploy/scripts/sbom_check.py): it parses as CycloneDX, describes its binary and
# lists every crate `cargo tree` says that binary links (normal dependencies, each version).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
export PATH="$root/target/twinstack/tools/bin:$PATH"
target=x86_64-unknown-linux-gnu
out="$root/target/twinstack/sbom"
rm -rf "$out"
mkdir -p "$out"

# cargo cyclonedx describes every binary of the workspace, each as BINARY_bin.cdx.json beside its
# package's Cargo.toml: the deployables' are moved out, the rest removed.
cargo cyclonedx --manifest-path Cargo.toml --format json --describe binaries --target "$target" \
  --no-build-deps -q
for binary in twinstack-server twinstack-lambda; do
  package="crates/${binary#twinstack-}"
  mv "$package/${binary}_bin.cdx.json" "$out/$binary.cdx.json"
done
find crates -maxdepth 2 -name '*_bin.cdx.json' -delete

for binary in twinstack-server twinstack-lambda; do
  # Every root's whole tree (--no-dedupe: cargo tree shows a crate once per output, not per root).
  cargo tree --workspace --locked --offline --target "$target" -e normal --prefix depth --no-dedupe \
    -f "{p}" |
    awk -v root="$binary" '/^0/ { inside = ($0 ~ "^0" root " ") } inside { sub(/^[0-9]+/, ""); print }' |
    sort -u >"$out/$binary.crates.txt"
  python3 deploy/scripts/sbom_check.py "$out/$binary.cdx.json" "$binary" "$out/$binary.crates.txt"
done
