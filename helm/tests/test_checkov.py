"""checkov over the rendered chart (`--framework kubernetes --skip-download`): no failed check, and
every skipped check carries its reason in the chart.

checkov lives in its own venv (its pins clash with pytest's): $CHECKOV, or the one
deploy/scripts/validate-deployables.sh installs.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import REPO, SCENARIOS

# The checks the chart skips, and where (the test pod has its own reasons). Adding one means
# writing its reason into the chart and here.
EXPECTED_SKIPS = {
    "CKV_K8S_35": {"Deployment", "Job"},  # DATABASE_URL is read from the environment only
    "CKV_K8S_15": {"Deployment", "Job", "Pod"},  # IfNotPresent with immutable tags
    "CKV_K8S_43": {"Deployment", "Job", "Pod"},  # only while image.digest is unset (and the test image)
    "CKV_K8S_8": {"Pod"},  # the one-shot test pod has no liveness to probe
    "CKV_K8S_9": {"Pod"},  # nor readiness
}


def checkov_binary() -> str:
    candidates = [os.environ.get("CHECKOV"), str(REPO / "target/twinstack/venv-checkov/bin/checkov"), shutil.which("checkov")]
    for candidate in candidates:
        if candidate and Path(candidate).exists():
            return candidate
    pytest.fail("checkov not found: run deploy/scripts/validate-deployables.sh, or set CHECKOV")


@pytest.fixture(scope="module")
def report(render, tmp_path_factory):
    """One checkov run over every scenario's manifests (a file per scenario)."""
    directory = tmp_path_factory.mktemp("rendered")
    for scenario, values in SCENARIOS.items():
        rendered = render(values)
        text = "".join(f"---\n# Source: {t}\n{v}\n" for t, v in rendered.files.items() if t.endswith(".yaml") and v.strip())
        (directory / f"{scenario}.yaml").write_text(text, encoding="utf-8")
    result = subprocess.run(
        [checkov_binary(), "-d", str(directory), "--framework", "kubernetes", "--skip-download", "--output", "json"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    # checkov exits 1 when a check fails; the JSON says which.
    assert result.returncode in (0, 1), result.stderr[-2000:]
    parsed = json.loads(result.stdout)
    return parsed[0] if isinstance(parsed, list) else parsed


def test_no_check_fails(report):
    failed = [f"{c['check_id']} {c['check_name']} on {c['resource']} ({c['file_path']})" for c in report["results"]["failed_checks"]]

    assert failed == []
    assert report["summary"]["parsing_errors"] == 0
    assert report["summary"]["passed"] > 100


def test_every_skip_is_justified_in_the_chart(report):
    skipped = report["results"]["skipped_checks"]

    assert skipped, "the chart's skip annotations were not read"
    for check in skipped:
        reason = check["check_result"].get("suppress_comment") or ""
        assert len(reason) >= 40, f"{check['check_id']} on {check['resource']}: no reason given"
        kind = check["resource"].split(".")[0]
        assert kind in EXPECTED_SKIPS.get(check["check_id"], set()), f"unexpected skip {check['check_id']} on {check['resource']}"
