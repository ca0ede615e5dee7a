"""The files under deploy/ that users apply or run: the Velero schedule (against Velero's published
CRD schema), the monitoring values, and what the compose file promises (its syntax is checked
by `docker-compose config` in validate-deployables.sh)."""

from __future__ import annotations

import yaml
from conftest import REPO, server_env_vars
from k8s_schema import validate_custom

DEPLOY = REPO / "deploy"


def load(path):
    return yaml.safe_load((DEPLOY / path).read_text(encoding="utf-8"))


def test_grafanas_sidecar_finds_the_charts_dashboard_in_any_namespace():
    sidecar = load("monitoring/kube-prometheus-stack.values.yaml")["grafana"]["sidecar"]["dashboards"]
    chart = yaml.safe_load((REPO / "helm/twinstack/values.yaml").read_text(encoding="utf-8"))
    dashboard = chart["metrics"]["grafanaDashboard"]

    assert sidecar["enabled"] is True
    assert (sidecar["label"], sidecar["labelValue"]) == (dashboard["labelKey"], dashboard["labelValue"])
    assert sidecar["searchNamespace"] == "ALL"


def test_velero_schedule_is_a_valid_schedule_backing_up_twinstack_daily_for_30_days():
    schedule = load("velero/schedule.yaml")

    validate_custom(schedule)
    assert schedule["spec"]["schedule"] == "0 2 * * *"
    assert "twinstack" in schedule["spec"]["template"]["includedNamespaces"]
    assert schedule["spec"]["template"]["ttl"] == "720h0m0s"


def test_prometheus_keeps_30_days_on_a_50gi_volume_and_grafana_sees_loki():
    values = load("monitoring/kube-prometheus-stack.values.yaml")
    spec = values["prometheus"]["prometheusSpec"]

    assert spec["retention"] == "30d"
    assert spec["resources"]["requests"] == {"cpu": "500m", "memory": "1Gi"}
    assert spec["storageSpec"]["volumeClaimTemplate"]["spec"]["resources"]["requests"]["storage"] == "50Gi"
    assert values["grafana"]["persistence"] == {"enabled": True, "size": "10Gi"}
    assert [d["type"] for d in values["grafana"]["additionalDataSources"]] == ["loki"]


def test_loki_is_a_single_binary_on_a_50gi_volume():
    values = load("monitoring/loki.values.yaml")

    assert values["deploymentMode"] == "SingleBinary"
    assert values["singleBinary"]["persistence"] == {"enabled": True, "size": "50Gi"}
    assert all(values[target]["replicas"] == 0 for target in ("backend", "read", "write"))


def test_alloy_ships_the_twinstack_namespace_to_the_loki_gateway():
    values = load("monitoring/alloy.values.yaml")
    config = values["alloy"]["configMap"]["content"]
    loki = load("monitoring/kube-prometheus-stack.values.yaml")["grafana"]["additionalDataSources"][0]["url"]

    assert 'names = ["twinstack"]' in config
    assert f'url = "{loki}/loki/api/v1/push"' in config
    assert values["controller"] == {"type": "deployment", "replicas": 1}


def test_compose_runs_both_twins_and_seeds_both_stores():
    compose = load("docker-compose.yml")
    services = compose["services"]

    assert {"postgres", "dynamodb", "seed-postgres", "seed-dynamodb", "server", "lambda-emulator", "lambda"} <= set(services)
    dynamodb = services["dynamodb"]
    assert dynamodb["image"].startswith("amazon/dynamodb-local:")
    assert {"-inMemory", "-sharedDb", "-disableTelemetry"} <= set(dynamodb["command"])
    assert services["server"]["ports"] == ["127.0.0.1:8080:8080", "127.0.0.1:9090:9090"]
    assert services["lambda-emulator"]["ports"] == ["127.0.0.1:9000:9000"]
    assert services["seed-postgres"]["command"][:2] == ["seed", "--postgres"]
    assert services["seed-dynamodb"]["command"][:2] == ["seed", "--dynamodb"]
    # The twins start after their store is seeded.
    assert services["server"]["depends_on"]["seed-postgres"]["condition"] == "service_completed_successfully"
    assert services["lambda"]["depends_on"]["seed-dynamodb"]["condition"] == "service_completed_successfully"
    # The function polls the emulator's runtime API under the name the function URL uses.
    environment = services["lambda"]["environment"]
    assert environment["AWS_LAMBDA_RUNTIME_API"] == "http://lambda-emulator:9000/.rt/twinstack-lambda"
    assert environment["TABLE_NAME"] == "twinstack"
    assert environment["DYNAMODB_ENDPOINT"] == "http://dynamodb:8000"


def test_compose_sets_every_server_env_var():
    environment = load("docker-compose.yml")["services"]["server"]["environment"]

    assert set(server_env_vars()) <= set(environment)


def test_compose_services_run_read_only_without_capabilities():
    services = load("docker-compose.yml")["services"]

    for name in ("seed-postgres", "seed-dynamodb", "server", "lambda-emulator", "lambda"):
        assert services[name]["read_only"] is True, name
        assert services[name]["cap_drop"] == ["ALL"], name
