"""Checks a CycloneDX SBOM against the crates its binary links (make sbom).

Usage: sbom_check.py SBOM.json BINARY CRATES.txt, where CRATES.txt is `cargo tree`'s list of the
binary's package and its normal dependencies ("name vX.Y.Z" a line). The SBOM must be CycloneDX JSON
describing BINARY and list every one of those crates, each with its version and a package URL.
It may list more: cargo-cyclonedx does not apply feature resolution to a proc-macro's own
dependencies (sqlx's macros name the MySQL and SQLite drivers the build never compiles), so those
extras are printed as a note, and an SBOM that over-reports is still a truthful inventory.
"""

import json
import re
import sys


def main(sbom_path: str, binary: str, crates_path: str) -> int:
    with open(sbom_path, encoding="utf-8") as f:
        sbom = json.load(f)
    problems = []
    if sbom.get("bomFormat") != "CycloneDX":
        problems.append(f"bomFormat is {sbom.get('bomFormat')!r}, not CycloneDX")
    subject = sbom.get("metadata", {}).get("component", {})
    described = {subject.get("name")} | {c.get("name") for c in subject.get("components", [])}
    if binary not in described:
        problems.append(f"the SBOM describes {sorted(n for n in described if n)}, not {binary}")
    listed = set()
    for component in sbom.get("components", []):
        name, version = component.get("name"), component.get("version")
        if not component.get("purl", "").startswith("pkg:cargo/"):
            problems.append(f"{name} {version}: no cargo package URL")
        listed.add((name, version))
    linked = set()
    with open(crates_path, encoding="utf-8") as f:
        for line in f:
            match = re.match(r"^(\S+) v(\S+)", line)
            if match:
                linked.add((match[1], match[2]))
    # The binary's own package is the SBOM's subject, not one of its components.
    linked = {c for c in linked if c[0] != subject.get("name")}
    for name, version in sorted(linked - listed):
        problems.append(f"{name} {version}: linked but not in the SBOM")
    extras = sorted(listed - linked)
    if extras:
        named = ", ".join(f"{name} {version}" for name, version in extras)
        print(f"{sbom_path}: note: {len(extras)} listed but not linked: {named}")
    for problem in problems:
        print(f"{sbom_path}: {problem}", file=sys.stderr)
    if not problems:
        print(f"{sbom_path}: CycloneDX {sbom.get('specVersion')}, {binary}, {len(linked)} linked crates all listed")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
