"""The files under deploy/ that users apply or run: the cluster add-ons' manifests and values
(deploy/addons/, deploy/velero/: core kinds with kubernetes-validate, custom resources against their
published CRD schemas, each tied to what the KubernetesStack creates), the monitoring values, and
what the compose file promises (its syntax is checked
by `docker-compose config` in validate-deployables.sh)."""

from __future__ import annotations

import re

import kubernetes_validate
import pytest
import yaml
from conftest import KUBERNETES_VERSIONS, REPO, server_env_vars
from k8s_schema import is_custom, validate_core, validate_custom

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


def test_compose_runs_the_serverless_real_time_twin_behind_the_local_harness():
    services = load("docker-compose.yml")["services"]
    function = services["realtime-lambda"]
    gateway = services["realtime-gateway"]

    assert function["build"]["target"] == "realtime-lambda"
    environment = function["environment"]
    assert environment["AWS_LAMBDA_RUNTIME_API"] == "http://lambda-emulator:9000/.rt/twinstack-realtime-lambda"
    assert environment["TABLE_NAME"] == "twinstack"
    assert environment["DYNAMODB_ENDPOINT"] == "http://dynamodb:8000"
    # The function posts to the harness's @connections, on the stage and port the harness serves.
    assert environment["CONNECTIONS_ENDPOINT"] == "http://realtime-gateway:8090/live"
    command = gateway["command"]
    assert gateway["entrypoint"] == ["/usr/local/bin/twinstack"]
    assert command[0] == "realtime-harness"
    flags = dict(zip(command[1::2], command[2::2]))
    assert flags == {
        "--listen": "0.0.0.0:8090",
        "--stage": "live",
        "--lambda": "http://lambda-emulator:9000",
        "--function": "twinstack-realtime-lambda",
        "--dynamodb": "http://dynamodb:8000",
        "--table": environment["TABLE_NAME"],
    }
    assert gateway["ports"] == ["127.0.0.1:8090:8090"]
    # Both start after the table (and its stream) exists.
    for service in (function, gateway):
        assert service["depends_on"]["seed-dynamodb"]["condition"] == "service_completed_successfully"


def test_compose_sets_every_server_env_var():
    environment = load("docker-compose.yml")["services"]["server"]["environment"]

    assert set(server_env_vars()) <= set(environment)


def test_compose_services_run_read_only_without_capabilities():
    services = load("docker-compose.yml")["services"]

    for name in ("seed-postgres", "seed-dynamodb", "server", "lambda-emulator", "lambda", "realtime-lambda", "realtime-gateway"):
        assert services[name]["read_only"] is True, name
        assert services[name]["cap_drop"] == ["ALL"], name


# --- the cluster add-ons deploy-kubernetes.sh applies (deploy/addons/, deploy/velero/) ----------

# What deploy-kubernetes.sh substitutes from the KubernetesStack's outputs.
STACK_OUTPUTS = {
    "CLUSTER_NAME": "twinstack",
    "REGION": "us-east-1",
    "KARPENTER_NODE_ROLE": "KubernetesStack-KarpenterNodeRole-AbC123",
    "VELERO_BUCKET": "kubernetesstack-velerobucket-abc123",
}
MANIFESTS = ["addons/storageclass-gp3.yaml", "addons/cluster-secret-store.yaml", "addons/karpenter-nodes.yaml", "velero/backup-storage-location.yaml", "velero/schedule.yaml"]
INFRA = REPO / "infra" / "lib"


def substituted(path: str) -> list[dict]:
    text = (DEPLOY / path).read_text(encoding="utf-8")
    placeholders = set(re.findall(r"\$\{([A-Z_]+)\}", text))
    assert placeholders <= set(STACK_OUTPUTS), f"{path}: {placeholders - set(STACK_OUTPUTS)} has no value in deploy-kubernetes.sh"
    for name, value in STACK_OUTPUTS.items():
        text = text.replace("${" + name + "}", value)
    return [d for d in yaml.safe_load_all(text) if d]


@pytest.mark.parametrize("path", MANIFESTS)
def test_addon_manifests_validate_strictly(path):
    for doc in substituted(path):
        if is_custom(doc):
            validate_custom(doc)
        else:
            for version in KUBERNETES_VERSIONS:
                try:
                    validate_core(doc, version)
                except kubernetes_validate.ValidationError as error:
                    pytest.fail(f"{path} {doc['kind']} on {version}: {error}")


def test_the_deploy_script_substitutes_every_placeholder():
    script = (DEPLOY / "deploy-kubernetes.sh").read_text(encoding="utf-8")
    for name in STACK_OUTPUTS:
        assert f"{name}=" in script, name


def test_gp3_is_the_default_storage_class_on_the_ebs_csi_driver():
    (storage_class,) = substituted("addons/storageclass-gp3.yaml")

    assert storage_class["metadata"]["annotations"]["storageclass.kubernetes.io/is-default-class"] == "true"
    assert storage_class["provisioner"] == "ebs.csi.aws.com"
    assert storage_class["parameters"] == {"type": "gp3", "encrypted": "true"}
    assert storage_class["volumeBindingMode"] == "WaitForFirstConsumer"


def test_the_secret_store_is_the_one_the_chart_names_and_only_twinstack_may_use_it():
    (store,) = substituted("addons/cluster-secret-store.yaml")
    chart = yaml.safe_load((REPO / "helm/twinstack/values.yaml").read_text(encoding="utf-8"))["externalSecret"]["secretStoreRef"]

    assert (store["kind"], store["metadata"]["name"]) == (chart["kind"], chart["name"])
    assert store["spec"]["provider"]["aws"] == {"service": "SecretsManager", "region": STACK_OUTPUTS["REGION"]}
    assert store["spec"]["conditions"] == [{"namespaces": ["twinstack"]}]


def test_karpenter_launches_into_the_subnets_the_stack_tags_with_the_stacks_node_role():
    node_class, node_pool = substituted("addons/karpenter-nodes.yaml")
    stack = (INFRA / "kubernetes-stack.ts").read_text(encoding="utf-8")

    assert node_class["spec"]["role"] == STACK_OUTPUTS["KARPENTER_NODE_ROLE"]
    assert node_class["spec"]["subnetSelectorTerms"] == [{"tags": {"karpenter.sh/discovery": "twinstack"}}]
    assert "export const KARPENTER_DISCOVERY_TAG = 'karpenter.sh/discovery';" in stack
    assert "export const CLUSTER_NAME = 'twinstack';" in stack
    assert node_class["spec"]["metadataOptions"]["httpTokens"] == "required"
    assert node_pool["spec"]["template"]["spec"]["nodeClassRef"]["name"] == node_class["metadata"]["name"]
    # Room for the HPA's 20 replicas of 250m.
    assert int(node_pool["spec"]["limits"]["cpu"]) * 1000 >= 20 * 250


def test_the_backup_storage_location_is_the_one_the_schedule_names_on_the_stacks_bucket():
    location, snapshots = substituted("velero/backup-storage-location.yaml")
    (schedule,) = substituted("velero/schedule.yaml")

    assert location["metadata"]["name"] == schedule["spec"]["template"]["storageLocation"]
    assert location["spec"]["objectStorage"]["bucket"] == STACK_OUTPUTS["VELERO_BUCKET"]
    assert location["spec"]["provider"] == snapshots["spec"]["provider"] == "aws"
    assert "export const BACKUP_STORAGE_LOCATION = 'aws-s3-backup';" in (INFRA / "velero.ts").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "values, account",
    [
        ("addons/aws-load-balancer-controller.values.yaml", "loadBalancerController: { namespace: 'kube-system', serviceAccount: 'aws-load-balancer-controller' }"),
        ("addons/external-secrets.values.yaml", "externalSecrets: { namespace: 'external-secrets', serviceAccount: 'external-secrets' }"),
        ("addons/karpenter.values.yaml", "karpenter: { namespace: 'kube-system', serviceAccount: 'karpenter' }"),
    ],
)
def test_each_controllers_service_account_is_the_one_its_pod_identity_role_trusts(values, account):
    name = load(values)["serviceAccount"]["name"]

    assert f"serviceAccount: '{name}'" in account
    assert account in (INFRA / "cluster-addons.ts").read_text(encoding="utf-8")


def test_velero_runs_the_aws_plugin_as_the_service_account_its_role_trusts():
    values = load("velero/velero.values.yaml")

    assert values["initContainers"][0]["image"].startswith("velero/velero-plugin-for-aws:v")
    assert values["serviceAccount"]["server"]["name"] == "velero"
    assert values["credentials"]["useSecret"] is False
    assert "velero: { namespace: 'velero', serviceAccount: 'velero' }" in (INFRA / "cluster-addons.ts").read_text(encoding="utf-8")


def test_grafanas_admin_password_comes_from_a_secret_and_lokis_compactor_applies_retention():
    grafana = load("monitoring/kube-prometheus-stack.values.yaml")["grafana"]
    loki = load("monitoring/loki.values.yaml")["loki"]

    assert grafana["admin"] == {"existingSecret": "grafana-admin", "userKey": "admin-user", "passwordKey": "admin-password"}
    assert "adminPassword" not in grafana
    assert loki["compactor"]["retention_enabled"] is True
    assert loki["compactor"]["delete_request_store"] == "filesystem"
    assert loki["limits_config"]["retention_period"] == "720h"
