"""Shared by the chart tests: render helm/twinstack offline with helm-python-sdk (Helm v4's SDK).

Run through deploy/scripts/validate-deployables.sh, which installs the pinned tools into
target/twinstack/venv; or `pytest helm/tests` with them installed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import helm_python
import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
CHART = REPO / "helm" / "twinstack"
CRD_SCHEMAS = Path(__file__).resolve().parent / "crd-schemas"
RELEASE = "twinstack"
NAMESPACE = "twinstack"
KUBERNETES_VERSIONS = ["1.33.0", "1.34.0", "1.35.0"]
SECRET_ARN = "twinstack/database/app"
OWNER_SECRET_ARN = "twinstack/database/owner"
REPOSITORY = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/twinstack"
ROLE_ARN = "arn:aws:iam::123456789012:role/KubernetesStack-ServiceAccountRole"
DIGEST = "sha256:" + "ab" * 32
PIPELINE_ROLE_ARN = "arn:aws:iam::123456789012:role/twinstack-pipeline"

# What the chart cannot render without: the image and where each DATABASE_URL comes from.
REQUIRED: dict = {
    "image": {"repository": REPOSITORY},
    "database": {"existingSecret": "twinstack-database", "migrationExistingSecret": "twinstack-database-owner"},
}

# Value sets every suite renders: the defaults (with the required values), and two that turn on or
# off everything else.
SCENARIOS: dict[str, dict] = {
    "default": {},
    # What deploy-kubernetes.sh --external-secrets plus a Gateway would set, and more.
    "gateway-externalsecret": {
        "image": {"repository": "123456789012.dkr.ecr.eu-west-1.amazonaws.com/twinstack", "tag": "abc123", "digest": DIGEST},
        "serviceAccount": {"annotations": {"eks.amazonaws.com/role-arn": ROLE_ARN}},
        "ingress": {"enabled": False},
        "httpRoute": {"enabled": True, "hostnames": ["api.example.org"]},
        "externalSecret": {"enabled": True, "remoteKey": SECRET_ARN, "migrationRemoteKey": OWNER_SECRET_ARN},
        "autoscaling": {"enabled": False},
        "replicaCount": 2,
        "server": {"shutdownTimeoutSecs": 40, "requestTimeoutMs": 5000},
        "strategy": {"maxSurge": "25%"},
        "networkPolicy": {
            "ingressFrom": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "envoy-gateway-system"}}}]
        },
        # kube-prometheus-stack: the ServiceMonitor and the dashboard for Grafana's sidecar.
        "metrics": {
            "port": 9100,
            "serviceMonitor": {"enabled": True, "interval": "15s", "scrapeTimeout": "5s", "labels": {"release": "kube-prometheus-stack"}},
            "grafanaDashboard": {"enabled": True, "annotations": {"grafana_folder": "twinstack"}},
        },
    },
    # The Argo Workflows WorkflowTemplate of the data pipeline, its ServiceAccount (IRSA) and RBAC.
    "pipeline": {
        "pipeline": {
            "enabled": True,
            "input": "s3://twinstack-pipeline/runs/r1/input",
            "output": "s3://twinstack-pipeline/runs/r1/output",
            "serviceAccount": {"annotations": {"eks.amazonaws.com/role-arn": PIPELINE_ROLE_ARN}},
        },
    },
    # The least the chart can render.
    "minimal": {
        "autoscaling": {"enabled": False},
        "replicaCount": 1,
        "migration": {"enabled": False},
        "networkPolicy": {"enabled": False},
        "podDisruptionBudget": {"enabled": False},
        "topologySpread": {"enabled": False},
        "tests": {"enabled": False},
        "ingress": {"enabled": False},
    },
}


@dataclass
class Doc:
    template: str
    body: dict

    @property
    def kind(self) -> str:
        return self.body["kind"]

    @property
    def name(self) -> str:
        return self.body["metadata"]["name"]

    @property
    def annotations(self) -> dict:
        return self.body["metadata"].get("annotations") or {}

    @property
    def hook_weight(self) -> int:
        return int(self.annotations.get("helm.sh/hook-weight", "0"))

    @property
    def hooks(self) -> set[str]:
        value = self.annotations.get("helm.sh/hook")
        return {h.strip() for h in value.split(",")} if value else set()


class Rendered:
    def __init__(self, files: dict[str, str]):
        self.files = files
        self.docs: list[Doc] = []
        for template, text in files.items():
            if not template.endswith(".yaml"):
                continue
            for body in yaml.safe_load_all(text):
                if body:
                    self.docs.append(Doc(template, body))

    def kinds(self, kind: str) -> list[Doc]:
        return [d for d in self.docs if d.kind == kind]

    def one(self, kind: str, name: str | None = None) -> Doc:
        found = [d for d in self.kinds(kind) if name is None or d.name == name]
        assert len(found) == 1, f"expected one {kind} {name or ''}, found {[d.name for d in found]}"
        return found[0]

    def has(self, kind: str) -> bool:
        return bool(self.kinds(kind))

    @property
    def notes(self) -> str:
        return next(text for template, text in self.files.items() if template.endswith("NOTES.txt"))


def deep_merge(base: dict, extra: dict) -> dict:
    out = dict(base)
    for key, value in extra.items():
        out[key] = deep_merge(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


@pytest.fixture(scope="session")
def chart():
    loaded = helm_python.Chart.load(str(CHART))
    yield loaded
    loaded.close()


@pytest.fixture(scope="session")
def render(chart):
    """render(values, is_upgrade=False, required=True) -> Rendered, for release `twinstack` in namespace
    `twinstack`; `values` go over REQUIRED unless required=False."""

    def _render(values: dict | None = None, *, is_upgrade: bool = False, required: bool = True) -> Rendered:
        files = chart.render(
            deep_merge(REQUIRED, values or {}) if required else values or {},
            name=RELEASE,
            namespace=NAMESPACE,
            is_install=not is_upgrade,
            is_upgrade=is_upgrade,
        )
        return Rendered(files)

    return _render


def server_env_vars() -> list[str]:
    """The environment variables twinstack-server reads (clap `env = "…"` in its config)."""
    source = (REPO / "crates" / "server" / "src" / "config.rs").read_text(encoding="utf-8")
    return re.findall(r'env = "([A-Z_]+)"', source)
