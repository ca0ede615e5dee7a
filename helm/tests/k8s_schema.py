"""Validating manifests: core kinds with kubernetes-validate (its bundled OpenAPI schemas), custom
resources against the openAPIV3Schema of their published CRD (helm/tests/crd-schemas/)."""

from __future__ import annotations

import copy
import json
from functools import lru_cache
from pathlib import Path

import jsonschema
import kubernetes_validate

CRD_SCHEMAS = Path(__file__).resolve().parent / "crd-schemas"

# apiVersion group suffixes that are custom resources, not part of Kubernetes.
CUSTOM_GROUPS = ("gateway.networking.k8s.io", "external-secrets.io", "velero.io", "monitoring.coreos.com", "karpenter.sh", "karpenter.k8s.aws", "argoproj.io")


def is_custom(doc: dict) -> bool:
    group = doc["apiVersion"].split("/")[0] if "/" in doc["apiVersion"] else ""
    return group.endswith(CUSTOM_GROUPS)


def _strict(schema: dict) -> dict:
    """As `kubectl --validate=strict` treats a CRD: unknown fields are errors, except under
    x-kubernetes-preserve-unknown-fields; the x-kubernetes-* extensions are ignored otherwise
    (CEL rules are not evaluated here)."""
    if isinstance(schema, dict):
        out = {k: _strict(v) for k, v in schema.items()}
        if (
            out.get("type") == "object"
            and "properties" in out
            and "additionalProperties" not in out
            and not out.get("x-kubernetes-preserve-unknown-fields")
        ):
            out["additionalProperties"] = False
        if out.get("x-kubernetes-int-or-string"):
            out.pop("type", None)
            out["anyOf"] = [{"type": "integer"}, {"type": "string"}]
        return out
    if isinstance(schema, list):
        return [_strict(v) for v in schema]
    return schema


@lru_cache(maxsize=None)
def crd_schemas() -> dict[tuple[str, str], dict]:
    """(apiVersion, kind) -> strict schema, from every file in crd-schemas/."""
    out = {}
    for file in sorted(CRD_SCHEMAS.glob("*.json")):
        crd = json.loads(file.read_text(encoding="utf-8"))
        schema = _strict(copy.deepcopy(crd["openAPIV3Schema"]))
        # metadata is "type: object" in CRDs (the API server validates it as ObjectMeta).
        schema.setdefault("properties", {})["metadata"] = {"type": "object"}
        schema["required"] = sorted(set(schema.get("required", [])) | {"apiVersion", "kind", "metadata"})
        out[(f"{crd['group']}/{crd['version']}", crd["kind"])] = schema
    return out


def validate_custom(doc: dict) -> None:
    """Raises jsonschema.ValidationError (or KeyError for an unknown kind)."""
    key = (doc["apiVersion"], doc["kind"])
    if key not in crd_schemas():
        raise KeyError(f"no published CRD schema for {key} in {CRD_SCHEMAS}")
    jsonschema.Draft7Validator(crd_schemas()[key]).validate(doc)


def validate_core(doc: dict, version: str) -> None:
    """kubernetes-validate --strict -k VERSION; raises kubernetes_validate.ValidationError."""
    kubernetes_validate.validate(doc, version, strict=True)
