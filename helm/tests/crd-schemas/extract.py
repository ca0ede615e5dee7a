#!/usr/bin/env python3
"""Extracts one served version's openAPIV3Schema from a published CRD, without descriptions.

    extract.py CRD.yaml VERSION SOURCE > NAME.json

SOURCE (repository, tag, path) is recorded in the output. Descriptions are dropped to keep the
file small; every structural keyword (types, properties, required, enums, patterns, limits) stays.
"""
import json
import sys

import yaml


def strip(node):
    if isinstance(node, dict):
        return {k: strip(v) for k, v in node.items() if k != "description"}
    if isinstance(node, list):
        return [strip(v) for v in node]
    return node


def main() -> None:
    crd_file, version, source = sys.argv[1:4]
    with open(crd_file, encoding="utf-8") as f:
        crd = yaml.safe_load(f)
    (entry,) = [v for v in crd["spec"]["versions"] if v["name"] == version]
    if not entry.get("served"):
        raise SystemExit(f"{version} is not served by {crd['metadata']['name']}")
    out = {
        "source": source,
        "group": crd["spec"]["group"],
        "kind": crd["spec"]["names"]["kind"],
        "version": version,
        "openAPIV3Schema": strip(entry["schema"]["openAPIV3Schema"]),
    }
    json.dump(out, sys.stdout, indent=1, sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
