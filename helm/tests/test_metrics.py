"""The metrics of the Kubernetes twin: METRICS_PORT ↔ the container port ↔ the Service port, the
ServiceMonitor (off by default), the NetworkPolicy rule for Prometheus, and the Grafana dashboard
ConfigMap, whose queries may use only the metrics twinstack-server exports."""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import helm_python
import pytest
from conftest import CHART, NAMESPACE, SCENARIOS

# What twinstack-server exports (Prometheus names; the histogram's series carry _bucket/_sum/_count).
COUNTERS_AND_GAUGES = {
    "http_server_requests_total",
    "http_server_requests_in_flight",
    "db_pool_connections",
    "db_pool_connections_max",
    "websocket_connections",
}
HISTOGRAMS = {"http_server_request_duration_seconds"}
EXPORTED = COUNTERS_AND_GAUGES | {f"{h}{suffix}" for h in HISTOGRAMS for suffix in ("_bucket", "_sum", "_count")}
# The labels they carry, plus what a ServiceMonitor's targets add.
LABELS = {"method", "route", "status", "state", "le", "namespace", "job", "pod", "instance", "service"}

# PromQL words that are not metric names.
PROMQL_WORDS = {
    "sum", "rate", "irate", "increase", "histogram_quantile", "max", "min", "avg", "count", "topk",
    "clamp_min", "clamp_max", "by", "without", "or", "and", "unless", "on", "ignoring", "group_left",
    "group_right", "label_values", "vector", "scalar", "bool", "offset",
}


@pytest.fixture(scope="module")
def default(render):
    return render()


@pytest.fixture(scope="module")
def monitored(render):
    return render(SCENARIOS["gateway-externalsecret"])


def server_container(rendered) -> dict:
    return rendered.one("Deployment").body["spec"]["template"]["spec"]["containers"][0]


# --- METRICS_PORT, containerPort and Service ---------------------------------------------------


@pytest.mark.parametrize("scenario, port", [("default", 9090), ("gateway-externalsecret", 9100)])
def test_metrics_port_is_wired_env_to_container_port_to_service(render, scenario, port):
    rendered = render(SCENARIOS[scenario])
    env = rendered.one("ConfigMap", "twinstack").body["data"]
    container = server_container(rendered)
    service = rendered.one("Service").body["spec"]

    assert env["METRICS_PORT"] == str(port)
    assert {"configMapRef": {"name": "twinstack"}} in container["envFrom"]
    (container_port,) = [p for p in container["ports"] if p["name"] == "metrics"]
    assert container_port == {"name": "metrics", "containerPort": port, "protocol": "TCP"}
    (service_port,) = [p for p in service["ports"] if p["name"] == "metrics"]
    assert service_port == {"name": "metrics", "port": port, "targetPort": "metrics", "protocol": "TCP"}
    # The API stays where it was: probes, Ingress and HTTPRoute use the http port, never metrics.
    assert [p["name"] for p in service["ports"]] == ["http", "metrics"]
    assert all(container[probe]["httpGet"]["port"] == "http" for probe in ("livenessProbe", "readinessProbe", "startupProbe"))


def test_metrics_off_means_metrics_port_0_and_no_port_anywhere(render):
    rendered = render({"metrics": {"enabled": False}})

    assert rendered.one("ConfigMap", "twinstack").body["data"]["METRICS_PORT"] == "0"
    assert [p["name"] for p in server_container(rendered)["ports"]] == ["http"]
    assert [p["name"] for p in rendered.one("Service").body["spec"]["ports"]] == ["http"]
    assert rendered.one("NetworkPolicy", "twinstack").body["spec"]["ingress"] == [{"ports": [{"port": "http", "protocol": "TCP"}]}]
    assert "Metrics are off" in rendered.notes
    with pytest.raises(helm_python.HelmRenderError, match="need metrics.enabled"):
        render({"metrics": {"enabled": False, "serviceMonitor": {"enabled": True}}})


def test_metrics_port_must_differ_from_the_api_port(render):
    with pytest.raises(helm_python.HelmRenderError, match="metrics.port .* must differ from server.port"):
        render({"metrics": {"port": 8080}})


@pytest.mark.parametrize(
    "values, message",
    [
        ({"metrics": {"port": 0}}, "/metrics/port"),
        ({"metrics": {"serviceMonitor": {"interval": "30 seconds"}}}, "/metrics/serviceMonitor/interval"),
        ({"metrics": {"serviceMonitor": {"scrape": True}}}, "additional properties 'scrape' not allowed"),
        ({"metrics": {"grafanaDashboard": {"labelKey": "not a label"}}}, "/metrics/grafanaDashboard/labelKey"),
        ({"networkPolicy": {"metricsFrom": "monitoring"}}, "/networkPolicy/metricsFrom"),
    ],
)
def test_the_values_schema_refuses_bad_metrics_values(render, values, message):
    with pytest.raises(helm_python.HelmValuesError) as error:
        render(values)

    assert message in str(error.value)


# --- ServiceMonitor ----------------------------------------------------------------------------


def test_no_service_monitor_and_no_dashboard_by_default(default):
    assert not default.has("ServiceMonitor")
    assert sorted(d.name for d in default.kinds("ConfigMap")) == ["twinstack", "twinstack-migrate"]
    assert "set metrics.serviceMonitor.enabled=true" in default.notes


def test_the_service_monitor_scrapes_the_metrics_port_of_the_service(monitored):
    monitor = monitored.one("ServiceMonitor").body
    service = monitored.one("Service").body
    endpoint = monitor["spec"]["endpoints"]

    assert monitor["apiVersion"] == "monitoring.coreos.com/v1"
    assert monitor["metadata"]["namespace"] == NAMESPACE
    assert endpoint == [{"port": "metrics", "path": "/metrics", "scheme": "http", "interval": "15s", "scrapeTimeout": "5s"}]
    assert endpoint[0]["port"] in {p["name"] for p in service["spec"]["ports"]}
    # It selects the chart's Service, in the release namespace, and nothing else the chart makes.
    selector = monitor["spec"]["selector"]["matchLabels"]
    assert selector.items() <= service["metadata"]["labels"].items()
    assert monitor["spec"]["namespaceSelector"] == {"matchNames": [NAMESPACE]}
    assert [d.name for d in monitored.kinds("Service") if selector.items() <= d.body["metadata"]["labels"].items()] == ["twinstack"]
    # Its Service's endpoints are the server's pods, which carry the metrics container port.
    assert service["spec"]["selector"].items() <= monitored.one("Deployment").body["spec"]["template"]["metadata"]["labels"].items()
    assert monitor["metadata"]["labels"]["release"] == "kube-prometheus-stack"
    assert "ServiceMonitor twinstack" in monitored.notes


# --- NetworkPolicy -----------------------------------------------------------------------------


def test_only_the_given_peers_reach_the_metrics_port(render):
    peers = [{"podSelector": {"matchLabels": {"app": "vmagent"}}}]
    policy = render({"networkPolicy": {"metricsFrom": peers}}).one("NetworkPolicy", "twinstack").body["spec"]

    metrics_rules = [r for r in policy["ingress"] if {"port": "metrics", "protocol": "TCP"} in r["ports"]]
    assert metrics_rules == [{"ports": [{"port": "metrics", "protocol": "TCP"}], "from": peers}]
    # The HTTP rule does not open the metrics port.
    assert [p["port"] for p in policy["ingress"][0]["ports"]] == ["http"]


def test_without_metrics_peers_nothing_reaches_the_metrics_port(render):
    policy = render({"networkPolicy": {"metricsFrom": []}}).one("NetworkPolicy", "twinstack").body["spec"]

    assert policy["ingress"] == [{"ports": [{"port": "http", "protocol": "TCP"}]}]


# --- the Grafana dashboard ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def dashboard_map(monitored):
    return monitored.one("ConfigMap", "twinstack-dashboard").body


@pytest.fixture(scope="module")
def dashboard(dashboard_map):
    return json.loads(dashboard_map["data"]["twinstack.json"])


def queries(dashboard: dict) -> list[str]:
    """Every PromQL expression: panel targets and query variables."""
    found = [t["expr"] for p in dashboard["panels"] for t in p.get("targets", [])]
    found += [v["query"]["query"] for v in dashboard["templating"]["list"] if v["type"] == "query"]
    return found


def metric_names(expr: str) -> set[str]:
    """The metric names an expression reads: identifiers that are not PromQL words, labels
    (selectors, `by (…)`), strings, numbers, durations or Grafana variables."""
    text = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)  # strings
    text = re.sub(r"\{[^}]*\}", "{}", text)  # label matchers
    text = re.sub(r"\[[^\]]*\]", "[]", text)  # range selectors
    text = re.sub(r"\b(by|without|on|ignoring)\s*\([^)]*\)", " ", text)  # grouping labels
    text = re.sub(r"\$\w+", " ", text)  # Grafana variables
    identifiers = set(re.findall(r"[A-Za-z_:][A-Za-z0-9_:]*", text))
    return identifiers - PROMQL_WORDS - LABELS


def test_the_dashboard_config_map_carries_the_sidecar_label(dashboard_map, render):
    assert dashboard_map["metadata"]["labels"]["grafana_dashboard"] == "1"
    assert dashboard_map["metadata"]["namespace"] == NAMESPACE
    assert dashboard_map["metadata"]["annotations"] == {"grafana_folder": "twinstack"}
    assert list(dashboard_map["data"]) == ["twinstack.json"]

    custom = render(
        {"metrics": {"grafanaDashboard": {"enabled": True, "labelKey": "grafana.com/dashboard", "labelValue": "twinstack", "namespace": "monitoring"}}}
    ).one("ConfigMap", "twinstack-dashboard").body["metadata"]
    assert custom["labels"]["grafana.com/dashboard"] == "twinstack"
    assert "grafana_dashboard" not in custom["labels"]
    assert custom["namespace"] == "monitoring"


def test_the_dashboard_is_the_charts_json_file_unchanged(dashboard):
    assert dashboard == json.loads((CHART / "dashboards" / "twinstack.json").read_text(encoding="utf-8"))
    assert dashboard["uid"] == "twinstack-server"
    assert dashboard["schemaVersion"] >= 36


def test_the_dashboard_has_the_panels_of_both_twins(dashboard):
    titles = [p["title"] for p in dashboard["panels"]]

    assert titles == [
        "Request rate by route",
        "Error rate (5xx share) by route",
        "Latency p50 / p95 / p99",
        "Latency p99 by route",
        "In-flight requests",
        "Database pool connections",
        "WebSocket connections",
    ]
    by_title = {p["title"]: [t["expr"] for t in p["targets"]] for p in dashboard["panels"]}
    assert "by (method, route)" in by_title["Request rate by route"][0]
    assert 'status=~"5.."' in by_title["Error rate (5xx share) by route"][0]
    assert [re.match(r"histogram_quantile\((0\.\d+),", e).group(1) for e in by_title["Latency p50 / p95 / p99"]] == ["0.5", "0.95", "0.99"]
    assert all("http_server_request_duration_seconds_bucket" in e and "by (le" in e for e in by_title["Latency p50 / p95 / p99"])
    pool = " ".join(by_title["Database pool connections"])
    assert 'state="in_use"' in pool and 'state="idle"' in pool and "db_pool_connections_max" in pool
    # Every panel has a unique id and its own place on a 24-column grid.
    assert len({p["id"] for p in dashboard["panels"]}) == len(dashboard["panels"])
    places = {(p["gridPos"]["x"], p["gridPos"]["y"]) for p in dashboard["panels"]}
    assert len(places) == len(dashboard["panels"])
    assert all(p["gridPos"]["x"] + p["gridPos"]["w"] <= 24 for p in dashboard["panels"])


def test_the_dashboard_queries_only_metrics_twinstack_server_exports(dashboard):
    used = set()
    for expr in queries(dashboard):
        names = metric_names(expr)
        assert names, f"no metric in {expr!r}"
        assert names <= EXPORTED, f"{expr!r} reads {names - EXPORTED}"
        used |= names
    # …and shows every one of them.
    assert COUNTERS_AND_GAUGES <= used
    assert "http_server_request_duration_seconds_bucket" in used


def test_the_metric_name_check_catches_a_foreign_metric():
    assert metric_names('sum by (route) (rate(http_requests_total{job="$job"}[5m]))') == {"http_requests_total"}
    assert metric_names('histogram_quantile(0.99, sum by (le) (rate(http_server_request_duration_seconds_bucket{a="b"}[$__rate_interval])))') == {
        "http_server_request_duration_seconds_bucket"
    }


def test_every_panel_query_filters_on_the_dashboards_namespace_and_job(dashboard):
    variables = [v["name"] for v in dashboard["templating"]["list"]]

    assert variables == ["datasource", "namespace", "job"]
    for panel in dashboard["panels"]:
        assert panel["datasource"] == {"type": "prometheus", "uid": "${datasource}"}
        for target in panel["targets"]:
            for selector in re.findall(r"\{[^}]*\}", target["expr"]):
                assert 'namespace="$namespace"' in selector and 'job="$job"' in selector, target["expr"]


def test_every_query_parses_as_promql(dashboard, tmp_path):
    promtool = shutil.which("promtool")
    if promtool is None:
        pytest.skip("promtool (Debian's prometheus package) is not installed")
    rules = [
        {"record": f"twinstack:check_{i}", "expr": expr.replace("$__rate_interval", "5m").replace("$namespace", "twinstack").replace("$job", "twinstack")}
        for i, expr in enumerate(t["expr"] for p in dashboard["panels"] for t in p["targets"])
    ]
    file = tmp_path / "rules.json"
    file.write_text(json.dumps({"groups": [{"name": "dashboard", "rules": rules}]}), encoding="utf-8")

    result = subprocess.run([promtool, "check", "rules", str(file)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
