"""Every rendered manifest is valid Kubernetes: core kinds with `kubernetes-validate --strict` for
1.33, 1.34 and 1.35; HTTPRoute, ExternalSecret, ServiceMonitor and WorkflowTemplate against their
published CRD schemas."""

from __future__ import annotations

import jsonschema
import kubernetes_validate
import pytest
from conftest import KUBERNETES_VERSIONS, SCENARIOS
from k8s_schema import is_custom, validate_core, validate_custom


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_core_kinds_validate_strictly(render, scenario, version):
    docs = [d for d in render(SCENARIOS[scenario]).docs if not is_custom(d.body)]
    assert docs

    failures = []
    for doc in docs:
        try:
            validate_core(doc.body, version)
        except (kubernetes_validate.ValidationError, kubernetes_validate.SchemaNotFoundError) as error:
            failures.append(f"{doc.template} {doc.kind}/{doc.name}: {error}")
    assert failures == []


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_custom_resources_validate_against_their_published_crds(render, scenario):
    docs = [d for d in render(SCENARIOS[scenario]).docs if is_custom(d.body)]

    for doc in docs:
        validate_custom(doc.body)
    if scenario == "gateway-externalsecret":
        assert sorted(d.kind for d in docs) == ["ExternalSecret", "ExternalSecret", "HTTPRoute", "ServiceMonitor"]
    if scenario == "pipeline":
        assert [d.kind for d in docs] == ["WorkflowTemplate"]


def test_strict_validation_catches_a_misspelt_field(render):
    deployment = render().one("Deployment").body
    deployment["spec"]["template"]["spec"]["containers"][0]["readinesProbe"] = {}

    with pytest.raises(kubernetes_validate.ValidationError):
        validate_core(deployment, "1.35.0")


def test_crd_validation_catches_a_misspelt_field_and_a_bad_value(render):
    rendered = render(SCENARIOS["gateway-externalsecret"])
    route = rendered.one("HTTPRoute").body
    route["spec"]["rules"][0]["backendRef"] = []
    external = rendered.kinds("ExternalSecret")[0].body
    external["spec"]["target"]["creationPolicy"] = "Sometimes"
    monitor = rendered.one("ServiceMonitor").body
    monitor["spec"]["endpoints"][0]["interval"] = "half a minute"

    with pytest.raises(jsonschema.ValidationError):
        validate_custom(route)
    with pytest.raises(jsonschema.ValidationError):
        validate_custom(external)
    with pytest.raises(jsonschema.ValidationError):
        validate_custom(monitor)
