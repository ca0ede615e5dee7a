"""helm/twinstack: lint, schema, and what the rendered manifests must say, for default and
non-default values."""

from __future__ import annotations

import json

import helm_python
import pytest
from conftest import CHART, DIGEST, NAMESPACE, OWNER_SECRET_ARN, REQUIRED, ROLE_ARN, SCENARIOS, SECRET_ARN, deep_merge, server_env_vars


# --- lint -------------------------------------------------------------------------------------


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_lint_finds_no_error_and_no_warning(scenario):
    report = helm_python.lint(str(CHART), deep_merge(REQUIRED, SCENARIOS[scenario]), namespace=NAMESPACE, kube_version="v1.35.0")

    assert report["errors"] == []
    # Severity 2 is a warning, 3 an error; 1 (info) is only "icon is recommended".
    assert [m for m in report["messages"] if m["severity"] >= 2] == []


# --- values.schema.json -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "values, message",
    [
        ({"bogus": 1}, "additional properties 'bogus' not allowed"),
        ({"autoscaling": {"maxReplicas": "twenty"}}, "/autoscaling/maxReplicas"),
        ({"server": {"requestTimeoutMs": 50}}, "/server/requestTimeoutMs"),
        ({"securityContext": {"allowPrivilegeEscalation": True}}, "/securityContext/allowPrivilegeEscalation"),
        ({"securityContext": {"privileged": True}}, "/securityContext/privileged"),
        ({"podSecurityContext": {"runAsNonRoot": False}}, "/podSecurityContext/runAsNonRoot"),
        ({"image": {"digest": "latest"}}, "/image/digest"),
        ({"probes": {"liveness": {"path": "healthz"}}}, "/probes/liveness/path"),
        ({"externalSecret": {"secretStoreRef": {"kind": "Vault", "name": "x"}}}, "/externalSecret/secretStoreRef/kind"),
    ],
)
def test_the_values_schema_refuses_bad_values(render, values, message):
    with pytest.raises(helm_python.HelmValuesError) as error:
        render(values)

    assert message in str(error.value)


def test_the_schema_documents_the_connection_rule():
    schema = json.loads((CHART / "values.schema.json").read_text())
    description = schema["properties"]["database"]["properties"]["maxConnections"]["description"]

    assert "max_connections" in description and "HPA maximum" in description


def test_the_values_docs_tell_replicas_times_pool_must_fit_max_connections():
    values = (CHART / "values.yaml").read_text()
    readme = (CHART / "README.md").read_text()

    for text in (values, readme):
        assert "max_connections" in text
        assert "maxReplicas" in text
        assert "DATABASE_MAX_CONNECTIONS" in text


# --- defaults ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def default(render):
    return render()


def test_every_resource_is_in_the_release_namespace(default):
    for doc in default.docs:
        assert doc.body["metadata"].get("namespace") == NAMESPACE, doc.name


def test_hpa_scales_from_3_to_20_at_70_percent_cpu(default):
    hpa = default.one("HorizontalPodAutoscaler").body

    assert hpa["apiVersion"] == "autoscaling/v2"
    assert hpa["spec"]["minReplicas"] == 3
    assert hpa["spec"]["maxReplicas"] == 20
    assert hpa["spec"]["metrics"] == [
        {"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 70}}}
    ]
    assert hpa["spec"]["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": "twinstack"}


def test_the_deployment_leaves_the_replica_count_to_the_hpa(default):
    assert "replicas" not in default.one("Deployment").body["spec"]


def test_requests_and_limits_are_the_benchmarks(default):
    container = default.one("Deployment").body["spec"]["template"]["spec"]["containers"][0]

    assert container["resources"] == {
        "requests": {"cpu": "250m", "memory": "256Mi"},
        "limits": {"cpu": "500m", "memory": "512Mi"},
    }


def test_probes_are_healthz_and_readyz_on_the_http_port(default):
    container = default.one("Deployment").body["spec"]["template"]["spec"]["containers"][0]

    assert container["ports"] == [
        {"name": "http", "containerPort": 8080, "protocol": "TCP"},
        {"name": "metrics", "containerPort": 9090, "protocol": "TCP"},
    ]
    assert container["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
    assert container["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "http"}
    assert container["startupProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}


@pytest.mark.parametrize("kind", ["Deployment", "Job"])
def test_pods_run_restricted(default, kind):
    pod = default.one(kind).body["spec"]["template"]["spec"]
    container = pod["containers"][0]["securityContext"]

    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    assert pod["automountServiceAccountToken"] is False
    assert container["readOnlyRootFilesystem"] is True
    assert container["allowPrivilegeEscalation"] is False
    assert container["privileged"] is False
    assert container["capabilities"] == {"drop": ["ALL"]}
    assert container["runAsUser"] >= 10000


def test_the_read_only_root_has_a_writable_tmp(default):
    pod = default.one("Deployment").body["spec"]["template"]["spec"]

    assert pod["containers"][0]["volumeMounts"] == [{"name": "tmp", "mountPath": "/tmp"}]
    assert pod["volumes"][0]["name"] == "tmp" and "emptyDir" in pod["volumes"][0]


def test_every_server_env_var_is_set_and_database_url_comes_from_the_secret(default):
    config = default.one("ConfigMap", "twinstack").body["data"]
    container = default.one("Deployment").body["spec"]["template"]["spec"]["containers"][0]
    names = server_env_vars()

    # METRICS_PORT, the metrics listener's: test_metrics.py.
    assert set(names) - {"METRICS_PORT"} == {"DATABASE_URL", "HOST", "PORT", "DATABASE_MAX_CONNECTIONS", "REQUEST_TIMEOUT_MS", "SHUTDOWN_TIMEOUT_SECS", "WS_OUTBOX_FRAMES", "MAX_IN_FLIGHT_REQUESTS", "HEADER_READ_TIMEOUT_SECS", "KEEP_ALIVE_TIMEOUT_SECS", "MAX_HEADER_BYTES", "MAX_CONNECTIONS"}
    for name in set(names) - {"DATABASE_URL"}:
        assert name in config, name
    assert config["DATABASE_MAX_CONNECTIONS"] == "10"
    assert config["SHUTDOWN_TIMEOUT_SECS"] == "25"
    assert container["envFrom"] == [{"configMapRef": {"name": "twinstack"}}]
    assert container["env"][0] == {
        "name": "DATABASE_URL",
        "valueFrom": {"secretKeyRef": {"name": "twinstack-database", "key": "DATABASE_URL"}},
    }


def test_prestop_and_grace_period_follow_shutdown_timeout_secs(default):
    pod = default.one("Deployment").body["spec"]["template"]["spec"]
    shutdown = int(default.one("ConfigMap", "twinstack").body["data"]["SHUTDOWN_TIMEOUT_SECS"])
    sleep = pod["containers"][0]["lifecycle"]["preStop"]["sleep"]["seconds"]

    assert sleep == 5
    assert pod["terminationGracePeriodSeconds"] == sleep + shutdown + 5 == 35


def test_replicas_spread_over_zones_and_nodes(default):
    deployment = default.one("Deployment").body
    constraints = deployment["spec"]["template"]["spec"]["topologySpreadConstraints"]

    assert [c["topologyKey"] for c in constraints] == ["topology.kubernetes.io/zone", "kubernetes.io/hostname"]
    for c in constraints:
        assert c["labelSelector"]["matchLabels"] == deployment["spec"]["selector"]["matchLabels"]
        assert c["maxSkew"] == 1


def test_pdb_keeps_all_but_one_pod_of_the_server(default):
    pdb = default.one("PodDisruptionBudget").body
    deployment = default.one("Deployment").body

    assert pdb["spec"]["maxUnavailable"] == 1
    assert pdb["spec"]["selector"]["matchLabels"] == deployment["spec"]["selector"]["matchLabels"]


def test_the_service_selects_the_server_pods_only(default):
    selector = default.one("Service").body["spec"]["selector"]
    server_labels = default.one("Deployment").body["spec"]["template"]["metadata"]["labels"]
    job_labels = default.one("Job").body["spec"]["template"]["metadata"]["labels"]
    test_labels = default.one("Pod").body["metadata"]["labels"]

    assert selector.items() <= server_labels.items()
    assert not selector.items() <= job_labels.items()
    assert not selector.items() <= test_labels.items()


def test_ingress_is_served_by_the_aws_load_balancer_controller_by_default(default):
    ingress = default.one("Ingress").body

    assert ingress["spec"]["ingressClassName"] == "alb"
    assert ingress["metadata"]["annotations"] == {
        "alb.ingress.kubernetes.io/scheme": "internet-facing",
        "alb.ingress.kubernetes.io/target-type": "ip",
        "alb.ingress.kubernetes.io/healthcheck-path": "/readyz",
        "alb.ingress.kubernetes.io/load-balancer-attributes": "idle_timeout.timeout_seconds=3600",
    }
    assert ingress["spec"]["rules"][0]["host"] == "api.example.com"
    path = ingress["spec"]["rules"][0]["http"]["paths"][0]
    assert path["path"] == "/" and path["pathType"] == "Prefix"
    assert path["backend"]["service"] == {"name": "twinstack", "port": {"name": "http"}}
    assert not default.has("HTTPRoute")


def test_network_policy_lets_in_the_http_port_and_prometheus_and_out_dns_and_postgres(default):
    policy = default.one("NetworkPolicy", "twinstack").body["spec"]
    job_labels = default.one("Job").body["spec"]["template"]["metadata"]["labels"]
    server_labels = default.one("Deployment").body["spec"]["template"]["metadata"]["labels"]

    assert policy["policyTypes"] == ["Ingress", "Egress"]
    assert policy["ingress"] == [
        {"ports": [{"port": "http", "protocol": "TCP"}]},
        {
            "ports": [{"port": "metrics", "protocol": "TCP"}],
            "from": [
                {
                    "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "monitoring"}},
                    "podSelector": {"matchLabels": {"app.kubernetes.io/name": "prometheus"}},
                }
            ],
        },
    ]
    dns, database = policy["egress"]
    assert {p["port"] for p in dns["ports"]} == {53}
    assert database == {"to": [{"ipBlock": {"cidr": "10.0.0.0/16"}}], "ports": [{"port": 5432, "protocol": "TCP"}]}
    # The migration job needs the same egress, and gets it.
    assert policy["podSelector"]["matchLabels"].items() <= job_labels.items()
    assert policy["podSelector"]["matchLabels"].items() <= server_labels.items()


def test_the_helm_test_pod_has_its_own_policy_reaching_the_server(default):
    test_pod = default.one("Pod").body
    main = default.one("NetworkPolicy", "twinstack").body["spec"]
    own = default.one("NetworkPolicy", "twinstack-test").body["spec"]

    assert not main["podSelector"]["matchLabels"].items() <= test_pod["metadata"]["labels"].items()
    assert own["podSelector"]["matchLabels"].items() <= test_pod["metadata"]["labels"].items()
    assert own["egress"][0]["ports"] == [{"port": 8080, "protocol": "TCP"}]
    assert test_pod["metadata"]["annotations"]["helm.sh/hook"] == "test"


def test_service_account_has_no_token_and_no_irsa_role_by_default(default):
    account = default.one("ServiceAccount").body

    assert account["automountServiceAccountToken"] is False
    assert "annotations" not in account["metadata"]
    assert default.one("Deployment").body["spec"]["template"]["spec"]["serviceAccountName"] == "twinstack"


# --- the migration hook -----------------------------------------------------------------------


def test_migration_runs_before_install_and_upgrade(default):
    job = default.one("Job")

    assert job.hooks == {"pre-install", "pre-upgrade"}
    assert job.hook_weight == 0
    assert job.annotations["helm.sh/hook-delete-policy"] == "before-hook-creation,hook-succeeded"
    container = job.body["spec"]["template"]["spec"]["containers"][0]
    assert container["args"] == ["migrate"]
    assert job.body["spec"]["template"]["spec"]["restartPolicy"] == "Never"


def _job_reads(job) -> set[tuple[str, str]]:
    pod = job.body["spec"]["template"]["spec"]
    reads = {("ServiceAccount", pod.get("serviceAccountName", "default"))}
    for container in pod["containers"]:
        for source in container.get("envFrom", []):
            if "configMapRef" in source:
                reads.add(("ConfigMap", source["configMapRef"]["name"]))
            if "secretRef" in source:
                reads.add(("Secret", source["secretRef"]["name"]))
        for env in container.get("env", []):
            ref = env.get("valueFrom", {})
            if "secretKeyRef" in ref:
                reads.add(("Secret", ref["secretKeyRef"]["name"]))
            if "configMapKeyRef" in ref:
                reads.add(("ConfigMap", ref["configMapKeyRef"]["name"]))
    return reads


@pytest.mark.parametrize("scenario", ["default", "gateway-externalsecret"])
def test_whatever_the_job_reads_that_the_chart_makes_is_an_earlier_hook(render, scenario):
    rendered = render(SCENARIOS[scenario])
    job = rendered.one("Job")
    # Where each object the job reads comes from: the chart's documents, or an ExternalSecret target.
    made_by = {(d.kind, d.name): d for d in rendered.docs}
    for external in rendered.kinds("ExternalSecret"):
        made_by[("Secret", external.body["spec"]["target"]["name"])] = external

    checked = 0
    for read in _job_reads(job):
        source = made_by.get(read)
        if source is None:
            continue  # exists before the release (the existing Secret, the default ServiceAccount)
        checked += 1
        assert {"pre-install", "pre-upgrade"} <= source.hooks, f"{read} must be a pre-install/pre-upgrade hook"
        assert source.hook_weight < job.hook_weight, f"{read} must have a lower weight than the job"
        assert "hook-succeeded" not in source.annotations.get("helm.sh/hook-delete-policy", "")
    assert checked == (2 if scenario == "gateway-externalsecret" else 1)


def test_hook_weights_order_secrets_then_config_then_job(render):
    rendered = render(SCENARIOS["gateway-externalsecret"])
    order = sorted((d for d in rendered.docs if d.hooks & {"pre-install"}), key=lambda d: d.hook_weight)

    assert [(d.kind, d.hook_weight) for d in order] == [("ExternalSecret", -10), ("ExternalSecret", -10), ("ConfigMap", -5), ("Job", 0)]


def test_the_job_does_not_use_the_chart_service_account_which_is_not_a_hook(default):
    pod = default.one("Job").body["spec"]["template"]["spec"]

    assert pod["serviceAccountName"] == "default"
    assert not default.one("ServiceAccount").hooks


def test_the_job_gets_the_same_environment_as_the_server(default):
    assert default.one("ConfigMap", "twinstack-migrate").body["data"] == default.one("ConfigMap", "twinstack").body["data"]


def test_release_resources_are_not_hooks(default):
    for kind in ["Deployment", "Service", "HorizontalPodAutoscaler", "PodDisruptionBudget", "Ingress", "ServiceAccount"]:
        assert not default.one(kind).hooks, kind


def test_upgrade_renders_the_same_hooks(render):
    assert {(d.kind, d.name, d.hook_weight) for d in render(is_upgrade=True).docs if d.hooks} == {
        ("ConfigMap", "twinstack-migrate", -5),
        ("Job", "twinstack-migrate", 0),
        ("Pod", "twinstack-test-connection", 0),
    }


# --- non-default values -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def gateway(render):
    return render(SCENARIOS["gateway-externalsecret"])


def test_irsa_annotation_lands_on_the_service_account(gateway):
    assert gateway.one("ServiceAccount").annotations == {"eks.amazonaws.com/role-arn": ROLE_ARN}


def test_httproute_replaces_the_ingress(gateway):
    route = gateway.one("HTTPRoute").body

    assert not gateway.has("Ingress")
    assert route["apiVersion"] == "gateway.networking.k8s.io/v1"
    assert route["spec"]["parentRefs"] == [{"name": "public-gateway", "namespace": "gateway-system"}]
    assert route["spec"]["hostnames"] == ["api.example.org"]
    websocket, api = route["spec"]["rules"]
    assert api["backendRefs"] == [{"name": "twinstack", "port": 80}]
    assert api["matches"] == [{"path": {"type": "PathPrefix", "value": "/"}}]
    assert websocket == {
        "matches": [{"path": {"type": "Exact", "value": "/api/ws"}}],
        "timeouts": {"request": "0s"},
        "backendRefs": [{"name": "twinstack", "port": 80}],
    }


VERIFIED_URL = (
    "postgres://{{ .username }}:{{ .password | urlquery }}@{{ .host }}:{{ .port }}/{{ .dbname }}"
    "?sslmode=verify-full&sslrootcert=/etc/ssl/certs/rds-global-bundle.pem"
)


def test_the_server_connects_as_the_application_role_and_the_job_as_the_schema_owner(gateway):
    secrets = {d.body["spec"]["dataFrom"][0]["extract"]["key"]: d.body["spec"] for d in gateway.kinds("ExternalSecret")}
    server_env = gateway.one("Deployment").body["spec"]["template"]["spec"]["containers"][0]["env"][0]
    job_env = gateway.one("Job").body["spec"]["template"]["spec"]["containers"][0]["env"][0]

    assert sorted(secrets) == sorted([SECRET_ARN, OWNER_SECRET_ARN])
    assert server_env["valueFrom"]["secretKeyRef"]["name"] == secrets[SECRET_ARN]["target"]["name"] == "twinstack-database"
    assert job_env["valueFrom"]["secretKeyRef"]["name"] == secrets[OWNER_SECRET_ARN]["target"]["name"] == "twinstack-database-owner"
    for spec in secrets.values():
        assert spec["secretStoreRef"] == {"kind": "ClusterSecretStore", "name": "aws-secrets-manager"}
        assert spec["target"]["creationPolicy"] == "Orphan"
        # The RDS certificate and host name are checked against the CA bundle in the image.
        assert spec["target"]["template"]["data"]["DATABASE_URL"] == VERIFIED_URL


def test_a_restored_databases_host_overrides_the_secrets(render):
    values = deep_merge(SCENARIOS["gateway-externalsecret"], {"externalSecret": {"host": "twinstack.abc.us-west-2.rds.amazonaws.com"}})
    for external in render(values).kinds("ExternalSecret"):
        url = external.body["spec"]["target"]["template"]["data"]["DATABASE_URL"]
        assert "@twinstack.abc.us-west-2.rds.amazonaws.com:{{ .port }}/" in url


@pytest.mark.parametrize(
    "values, message",
    [
        ({"externalSecret": {"enabled": True}}, "externalSecret.remoteKey"),
        ({"externalSecret": {"enabled": True, "remoteKey": SECRET_ARN}}, "externalSecret.migrationRemoteKey"),
        ({"database": {"existingSecret": ""}}, "DATABASE_URL has no source"),
        ({"database": {"migrationExistingSecret": ""}}, "database.migrationExistingSecret"),
        ({"image": {"repository": "your-ecr-repo/twinstack"}}, "image.repository is still the placeholder"),
    ],
)
def test_a_missing_source_or_the_placeholder_image_fails_the_render_saying_what_to_set(render, values, message):
    with pytest.raises(helm_python.HelmRenderError, match=message):
        render(values)


def test_the_defaults_alone_do_not_render(render):
    with pytest.raises(helm_python.HelmRenderError, match="image.repository is still the placeholder"):
        render({}, required=False)


def test_without_a_migration_the_owner_secret_is_not_needed(render):
    render({"migration": {"enabled": False}, "database": {"migrationExistingSecret": ""}})


def test_without_autoscaling_the_replica_count_is_set_and_the_pdb_stays(gateway):
    assert not gateway.has("HorizontalPodAutoscaler")
    assert gateway.one("Deployment").body["spec"]["replicas"] == 2
    assert gateway.has("PodDisruptionBudget")


def test_a_single_replica_gets_no_pdb(render):
    assert not render({"autoscaling": {"enabled": False}, "replicaCount": 1}).has("PodDisruptionBudget")


def test_a_longer_shutdown_lengthens_the_grace_period(gateway):
    pod = gateway.one("Deployment").body["spec"]["template"]["spec"]
    data = gateway.one("ConfigMap", "twinstack").body["data"]

    assert data["SHUTDOWN_TIMEOUT_SECS"] == "40"
    assert data["REQUEST_TIMEOUT_MS"] == "5000"
    assert pod["terminationGracePeriodSeconds"] == 5 + 40 + 5


def test_a_digest_pins_the_image_and_drops_the_digest_skip(gateway, default):
    deployment = gateway.one("Deployment")

    assert deployment.body["spec"]["template"]["spec"]["containers"][0]["image"] == (
        f"123456789012.dkr.ecr.eu-west-1.amazonaws.com/twinstack:abc123@{DIGEST}"
    )
    assert not any(v.startswith("CKV_K8S_43=") for v in deployment.annotations.values())
    assert any(v.startswith("CKV_K8S_43=") for v in default.one("Deployment").annotations.values())


def test_network_policy_ingress_can_be_limited_to_given_peers(gateway):
    rule = gateway.one("NetworkPolicy", "twinstack").body["spec"]["ingress"][0]

    assert rule["from"][0] == {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "envoy-gateway-system"}}}
    assert rule["from"][1] == {"podSelector": {"matchLabels": {"app.kubernetes.io/instance": "twinstack", "app.kubernetes.io/component": "test"}}}


def test_ingress_class_is_configurable_and_nginx_remains_an_option(render):
    assert render({"ingress": {"className": "nginx", "annotations": {}}}).one("Ingress").body["spec"]["ingressClassName"] == "nginx"


def test_the_minimal_chart_is_a_deployment_a_service_and_its_config(render):
    minimal = render(SCENARIOS["minimal"])

    assert sorted(d.kind for d in minimal.docs) == ["ConfigMap", "Deployment", "Service", "ServiceAccount"]
    assert "topologySpreadConstraints" not in minimal.one("Deployment").body["spec"]["template"]["spec"]


# --- the connection budget (replicas × DATABASE_MAX_CONNECTIONS vs max_connections) ------------


def test_defaults_fit_the_budget_and_notes_say_the_peak(default):
    assert "21 pods × DATABASE_MAX_CONNECTIONS 10" in default.notes


@pytest.mark.parametrize(
    "values, peak",
    [
        ({"database": {"maxConnections": 20}}, 440),  # (20 + 1) × 20 + 20
        ({"autoscaling": {"maxReplicas": 40}}, 420),  # (40 + 1) × 10 + 10
        ({"strategy": {"maxSurge": "100%"}, "database": {"maxConnections": 9}}, 369),  # (20 + 20) × 9 + 9
    ],
)
def test_a_peak_over_the_budget_fails_the_render(render, values, peak):
    with pytest.raises(helm_python.HelmRenderError, match=f"holds {peak} connections"):
        render(values)


def test_the_budget_check_can_be_turned_off(render):
    render({"database": {"maxConnections": 50, "connectionBudget": 0}})


# --- keep-alive behind the load balancer --------------------------------------------------------


def test_the_server_keeps_idle_connections_longer_than_the_alb(default):
    keep_alive = int(default.one("ConfigMap", "twinstack").body["data"]["KEEP_ALIVE_TIMEOUT_SECS"])
    attributes = default.one("Ingress").body["metadata"]["annotations"]["alb.ingress.kubernetes.io/load-balancer-attributes"]
    idle = int(dict(pair.split("=") for pair in attributes.split(","))["idle_timeout.timeout_seconds"])

    assert keep_alive > idle


@pytest.mark.parametrize(
    "values, idle",
    [
        ({"server": {"keepAliveTimeoutSecs": 3600}}, 3600),
        # Without the attribute, the ALB's default idle timeout.
        ({"server": {"keepAliveTimeoutSecs": 60}, "ingress": {"annotations": {"alb.ingress.kubernetes.io/load-balancer-attributes": "deletion_protection.enabled=true"}}}, 60),
    ],
)
def test_a_keep_alive_not_above_the_albs_idle_timeout_fails_the_render(render, values, idle):
    with pytest.raises(helm_python.HelmRenderError, match=f"must exceed the ALB's idle timeout, {idle} s"):
        render(values)


def test_without_the_alb_the_keep_alive_is_the_operators_choice(render):
    config = render({"ingress": {"className": "nginx", "annotations": {}}, "server": {"keepAliveTimeoutSecs": 5}}).one("ConfigMap", "twinstack").body["data"]

    assert config["KEEP_ALIVE_TIMEOUT_SECS"] == "5"
