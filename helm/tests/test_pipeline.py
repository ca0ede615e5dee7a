"""The pipeline's WorkflowTemplate (pipeline.enabled): the same concurrency and retry policy as the
PipelineStack's state machine (one settings file), the DAG list → chunks → reduce, the pods' commands,
and the ServiceAccount's IRSA annotation and minimal RBAC."""

from __future__ import annotations

import json
import shutil

import helm_python
import jsonschema
import pytest
from conftest import CHART, PIPELINE_ROLE_ARN, REPO, SCENARIOS, deep_merge, REQUIRED
from k8s_schema import validate_custom

SETTINGS_FILE = REPO / "deploy" / "pipeline" / "settings.json"
CHART_SETTINGS_FILE = CHART / "files" / "pipeline-settings.json"
PIPELINE = SCENARIOS["pipeline"]


@pytest.fixture(scope="module")
def settings():
    return json.loads(SETTINGS_FILE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def rendered(render):
    return render(PIPELINE)


@pytest.fixture(scope="module")
def workflow(rendered):
    return rendered.one("WorkflowTemplate", "twinstack-pipeline").body


def templates(workflow) -> dict:
    return {t["name"]: t for t in workflow["spec"]["templates"]}


def test_the_chart_reads_a_byte_identical_copy_of_the_settings_file():
    assert CHART_SETTINGS_FILE.read_bytes() == SETTINGS_FILE.read_bytes(), (
        "helm/twinstack/files/pipeline-settings.json differs from deploy/pipeline/settings.json: copy it over"
    )


def test_parallelism_is_the_settings_files(workflow, settings):
    assert workflow["spec"]["parallelism"] == settings["parallelism"]


def test_every_pod_retries_with_the_settings_files_backoff(workflow, settings):
    retry = settings["retry"]
    expected = {
        "limit": retry["maxAttempts"],
        "retryPolicy": "Always",
        "backoff": {"duration": f"{retry['intervalSeconds']}s", "factor": retry["backoffRate"]},
    }

    for name in ("list-chunks", "chunk", "reduce"):
        assert templates(workflow)[name]["retryStrategy"] == expected, name


def test_the_dag_lists_the_chunks_fans_out_over_them_then_reduces(workflow):
    dag = templates(workflow)["pipeline"]["dag"]["tasks"]
    tasks = {t["name"]: t for t in dag}

    assert workflow["spec"]["entrypoint"] == "pipeline"
    assert list(tasks) == ["list-chunks", "chunk", "reduce"]
    assert tasks["chunk"]["depends"] == "list-chunks"
    assert tasks["chunk"]["withParam"] == "{{tasks.list-chunks.outputs.result}}"
    assert tasks["chunk"]["arguments"]["parameters"] == [{"name": "chunk", "value": "{{item}}"}]
    assert tasks["reduce"]["depends"] == "chunk"


def test_the_pods_run_the_worker_subcommands_from_the_servers_image(workflow, rendered):
    server_image = rendered.one("Deployment").body["spec"]["template"]["spec"]["containers"][0]["image"]
    by_name = templates(workflow)

    for name in ("list-chunks", "chunk", "reduce"):
        container = by_name[name]["container"]
        assert container["image"] == server_image
        assert container["command"] == ["/usr/local/bin/twinstack"]
        assert container["securityContext"]["readOnlyRootFilesystem"] is True
    # The arguments `twinstack pipeline run --via worker` gives its worker processes
    # (crates/cli/src/pipeline/worker_runner.rs), with the input and output as workflow parameters.
    assert by_name["list-chunks"]["container"]["args"] == ["pipeline", "worker", "list", "--in", "{{workflow.parameters.input}}"]
    assert by_name["chunk"]["container"]["args"] == [
        "pipeline", "worker", "chunk",
        "--in", "{{workflow.parameters.input}}", "--chunk", "{{inputs.parameters.chunk}}", "--out", "{{workflow.parameters.output}}",
    ]
    assert by_name["reduce"]["container"]["args"] == [
        "pipeline", "worker", "reduce", "--partials", "{{workflow.parameters.output}}/partials", "--store", "$(DATABASE_URL)",
    ]
    assert by_name["reduce"]["container"]["env"][0]["name"] == "DATABASE_URL"
    assert workflow["spec"]["arguments"]["parameters"] == [
        {"name": "input", "value": PIPELINE["pipeline"]["input"]},
        {"name": "output", "value": PIPELINE["pipeline"]["output"]},
    ]


def test_its_own_service_account_carries_the_irsa_role_and_only_the_executors_rbac(rendered, workflow):
    account = rendered.one("ServiceAccount", "twinstack-pipeline")
    role = rendered.one("Role", "twinstack-pipeline").body
    binding = rendered.one("RoleBinding", "twinstack-pipeline").body

    assert workflow["spec"]["serviceAccountName"] == "twinstack-pipeline"
    assert account.annotations == {"eks.amazonaws.com/role-arn": PIPELINE_ROLE_ARN}
    assert rendered.one("ServiceAccount", "twinstack").annotations != account.annotations
    assert role["rules"] == [{"apiGroups": ["argoproj.io"], "resources": ["workflowtaskresults"], "verbs": ["create", "patch"]}]
    assert binding["roleRef"] == {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "twinstack-pipeline"}
    assert binding["subjects"] == [{"kind": "ServiceAccount", "name": "twinstack-pipeline", "namespace": "twinstack"}]


def test_nothing_of_the_pipeline_renders_by_default(render):
    rendered = render()

    assert not rendered.has("WorkflowTemplate")
    assert [d.name for d in rendered.kinds("ServiceAccount")] == ["twinstack"]
    assert not rendered.has("Role")


def test_the_crd_schema_catches_a_misspelt_retry_field(workflow):
    broken = json.loads(json.dumps(workflow))
    broken["spec"]["templates"][1]["retryStrategy"]["backof"] = {"duration": "2s"}

    with pytest.raises(jsonschema.ValidationError):
        validate_custom(broken)


def test_a_fractional_backoff_rate_fails_the_render_with_its_reason(tmp_path, settings):
    chart_copy = tmp_path / "twinstack"
    shutil.copytree(CHART, chart_copy)
    (chart_copy / "files" / "pipeline-settings.json").write_text(
        json.dumps({**settings, "retry": {**settings["retry"], "backoffRate": 1.5}}), encoding="utf-8"
    )
    chart = helm_python.Chart.load(str(chart_copy))
    try:
        with pytest.raises(Exception, match="backoffRate 1.5 must be a whole number"):
            chart.render(deep_merge(REQUIRED, PIPELINE), name="twinstack", namespace="twinstack", is_install=True, is_upgrade=False)
    finally:
        chart.close()


def test_the_stacks_irsa_role_trusts_the_service_account_the_chart_renders(rendered):
    account = rendered.one("ServiceAccount", "twinstack-pipeline")
    irsa = (REPO / "infra" / "lib" / "pipeline-irsa.ts").read_text(encoding="utf-8")

    assert f"export const PIPELINE_SERVICE_ACCOUNT = '{account.name}';" in irsa


def test_the_worker_runner_and_the_template_give_a_chunk_pod_the_same_arguments():
    runner = (REPO / "crates" / "cli" / "src" / "pipeline" / "worker_runner.rs").read_text(encoding="utf-8")

    assert '.args(["pipeline", "worker", "chunk", "--in", &self.input])' in runner
    assert '.args(["--chunk", chunk, "--out", &self.output])' in runner
    assert '.args(["pipeline", "worker", "reduce", "--partials", &partials])' in runner
