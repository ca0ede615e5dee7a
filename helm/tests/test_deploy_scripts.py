"""deploy/*.sh --dry-run: every command each script would run, printed without AWS, Docker, kubectl
or helm, and what that says about re-running them and passing arguments through."""

from __future__ import annotations

import os
import subprocess

import pytest
from conftest import REPO


def dry_run(script: str, *args: str) -> str:
    env = {**os.environ, "AWS_REGION": "eu-west-1"}
    result = subprocess.run(["bash", str(REPO / "deploy" / script), "--dry-run", *args], capture_output=True, text=True, env=env, cwd=REPO, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.fixture(scope="module")
def kubernetes():
    return dry_run("deploy-kubernetes.sh", "--domain", "example.org", "--hosted-zone-id", "Z0123", "--helm-arg", "--set=replicaCount=4", "--", "--require-approval", "never")


def test_cdk_arguments_after_the_double_dash_reach_cdk_deploy(kubernetes):
    deploy = next(line for line in kubernetes.splitlines() if "npx cdk deploy KubernetesStack" in line)

    assert "--require-approval never" in deploy
    assert "-c domainName=example.org -c hostedZoneId=Z0123" in deploy
    assert "-c primaryRegion=eu-west-1" in deploy


def test_the_image_is_looked_up_before_it_is_pushed(kubernetes):
    lines = kubernetes.splitlines()
    lookup = next(i for i, line in enumerate(lines) if "aws ecr describe-images" in line)
    push = next(i for i, line in enumerate(lines) if "docker buildx build" in line)

    assert lookup < push


def test_the_add_ons_are_pinned_and_installed_before_the_release(kubernetes):
    lines = kubernetes.splitlines()
    release = next(i for i, line in enumerate(lines) if "helm upgrade --install twinstack " in line)
    for chart in ("aws-load-balancer-controller", "external-secrets", "karpenter", "velero"):
        (install,) = [i for i, line in enumerate(lines) if f"helm upgrade --install {chart} " in line]
        assert "--version " in lines[install], chart
        assert install < release, chart
    assert "--set=replicaCount=4" in lines[release]
    # The failover name and the regional one the health check calls.
    assert "ingress.hosts\\[0\\].host=kubernetes.example.org" in lines[release]
    assert "ingress.hosts\\[1\\].host=kubernetes-\\<Region\\>.example.org" in lines[release]


def test_the_external_secrets_are_waited_for_before_the_release(kubernetes):
    lines = kubernetes.splitlines()
    wait = next(i for i, line in enumerate(lines) if "wait externalsecret --all --for=condition=Ready" in line)
    release = next(i for i, line in enumerate(lines) if "helm upgrade --install twinstack " in line)

    assert wait < release


def test_serverless_deploys_both_regions_with_the_failover_domain():
    output = dry_run("deploy-serverless.sh", "--x86-64", "--domain", "example.org", "--hosted-zone-id", "Z0123", "--", "--require-approval", "never")
    deploy = next(line for line in output.splitlines() if "npx cdk deploy" in line)

    assert "npx cdk deploy ServerlessStack ServerlessStandbyStack" in deploy
    assert "-c drRegion=us-west-2" in deploy and "-c domainName=example.org" in deploy
    assert deploy.rstrip().endswith("--require-approval never")


def test_serverless_without_a_domain_says_what_to_pass():
    result = subprocess.run(["bash", str(REPO / "deploy" / "deploy-serverless.sh"), "--dry-run"], capture_output=True, text=True, cwd=REPO)

    assert result.returncode == 2
    assert "--no-failover" in result.stderr


def test_teardown_waits_for_each_step_and_for_what_the_controllers_made():
    lines = dry_run("teardown.sh", "--purge").splitlines()

    def first(text: str) -> int:
        return next(i for i, line in enumerate(lines) if text in line)

    # Per region: load balancers gone before the releases, protection lifted and applied before the stack goes.
    assert first("delete ingress --all") < first("elbv2.k8s.aws/cluster") < first("uninstall twinstack")
    assert first("delete nodepools.karpenter.sh") < first("karpenter.sh/nodepool") < first("uninstall karpenter")
    assert first("--no-deletion-protection") < first("aws rds wait db-instance-available") < first("delete-stack --stack-name KubernetesStandbyStack")
    assert sum("aws cloudformation wait stack-delete-complete" in line for line in lines) == 5
    # The global table's replica goes before the table.
    assert first("--replica-updates") < first("aws dynamodb delete-table")


def test_pipeline_installs_the_pinned_argo_workflows_controller_before_the_release_that_enables_it():
    lines = dry_run("deploy-kubernetes.sh", "--pipeline").splitlines()
    (argo,) = [i for i, line in enumerate(lines) if "helm upgrade --install argo-workflows " in line]
    release = next(i for i, line in enumerate(lines) if "helm upgrade --install twinstack " in line)

    assert "--version 1.0.18" in lines[argo] and "--repo https://argoproj.github.io/argo-helm" in lines[argo]
    assert argo < release
    assert "--set pipeline.enabled=true" in lines[release]
    assert "pipeline.serviceAccount.annotations.eks\\\\.amazonaws\\\\.com/role-arn=\\<PipelineRoleArn\\>" in lines[release]


def test_without_pipeline_no_argo_workflows_and_the_chart_default_stands(kubernetes):
    assert "argo-workflows" not in kubernetes
    assert "pipeline.enabled" not in kubernetes
