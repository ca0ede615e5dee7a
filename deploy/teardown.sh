#!/usr/bin/env bash
# Removes what deploy-serverless.sh and deploy-kubernetes.sh created.
#
# Usage: deploy/teardown.sh [--serverless] [--kubernetes] [--purge] [--yes]
#   --serverless / --kubernetes  only that twin (default: both)
#   --purge                      also delete what the stacks keep on purpose: the DynamoDB table
#                                (and its data) and the ECR repository (and its images)
#   --yes                        do not ask for confirmation (needed without a terminal)
#
# The stacks are deleted through CloudFormation directly, so no Lambda zip or CDK build is needed.
# Kept even with --purge: the RDS instance's final snapshot (the stack's removal policy takes one);
# the script prints how to delete it.
# Needs: AWS CLI v2 and credentials; kubectl and helm for the Kubernetes twin's release.
set -euo pipefail

serverless=false
kubernetes=false
purge=false
yes=false

usage() { sed -n '2,14p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

while [ $# -gt 0 ]; do
  case "$1" in
    --serverless) serverless=true ;;
    --kubernetes) kubernetes=true ;;
    --purge) purge=true ;;
    --yes) yes=true ;;
    -h | --help) usage; exit 0 ;;
    *) echo "teardown.sh: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
  esac
  shift
done
if [ "$serverless" = false ] && [ "$kubernetes" = false ]; then
  serverless=true
  kubernetes=true
fi
command -v aws >/dev/null || { echo "teardown.sh: the AWS CLI is needed" >&2; exit 1; }

stacks=()
[ "$serverless" = true ] && stacks+=(ServerlessStack)
[ "$kubernetes" = true ] && stacks+=(KubernetesStack)
if [ "$yes" = false ]; then
  [ -t 0 ] || { echo "teardown.sh: no terminal to confirm on; pass --yes" >&2; exit 2; }
  extra=""
  [ "$purge" = true ] && extra=" and, with --purge, the retained table/repository"
  read -r -p "Delete ${stacks[*]}${extra} in account $(aws sts get-caller-identity --query Account --output text)? [y/N] " answer
  [ "$answer" = y ] || [ "$answer" = Y ] || { echo "teardown.sh: nothing done"; exit 1; }
fi

# The value of a stack output, or nothing if the stack (or output) does not exist.
stack_output() {
  aws cloudformation describe-stacks --stack-name "$1" \
    --query "Stacks[0].Outputs[?OutputKey=='$2'].OutputValue" --output text 2>/dev/null || true
}

delete_stack() {
  if ! aws cloudformation describe-stacks --stack-name "$1" >/dev/null 2>&1; then
    echo "teardown.sh: $1 does not exist"
    return
  fi
  echo "teardown.sh: deleting $1 (this takes a while)"
  aws cloudformation delete-stack --stack-name "$1"
  aws cloudformation wait stack-delete-complete --stack-name "$1"
  echo "teardown.sh: $1 deleted"
}

if [ "$kubernetes" = true ]; then
  cluster="$(stack_output KubernetesStack ClusterName)"
  region="$(stack_output KubernetesStack Region)"
  namespace="$(stack_output KubernetesStack Namespace)"
  database="$(stack_output KubernetesStack DatabaseInstanceIdentifier)"
  repository="$(stack_output KubernetesStack RepositoryUri)"
  if [ -n "$cluster" ] && command -v helm >/dev/null && command -v kubectl >/dev/null; then
    # First the release: its Ingress owns a load balancer that would keep the VPC from being deleted.
    aws eks update-kubeconfig --name "$cluster" --region "$region" >/dev/null
    helm uninstall twinstack --namespace "$namespace" --wait || true
    kubectl delete namespace "$namespace" --ignore-not-found --wait=true || true
  fi
  if [ -n "$database" ]; then
    # The stack protects the database from deletion; a final snapshot is still taken.
    aws rds modify-db-instance --db-instance-identifier "$database" --no-deletion-protection \
      --apply-immediately >/dev/null
  fi
  delete_stack KubernetesStack
  if [ -n "$database" ]; then
    echo "teardown.sh: RDS kept a final snapshot; list it with"
    echo "  aws rds describe-db-snapshots --db-instance-identifier $database --snapshot-type manual"
  fi
  if [ "$purge" = true ] && [ -n "$repository" ]; then
    aws ecr delete-repository --repository-name "${repository#*/}" --force >/dev/null &&
      echo "teardown.sh: ECR repository ${repository#*/} deleted"
  fi
fi

if [ "$serverless" = true ]; then
  table="$(stack_output ServerlessStack TableName)"
  delete_stack ServerlessStack
  if [ "$purge" = true ] && [ -n "$table" ]; then
    aws dynamodb delete-table --table-name "$table" >/dev/null
    aws dynamodb wait table-not-exists --table-name "$table"
    echo "teardown.sh: DynamoDB table $table deleted"
  elif [ -n "$table" ]; then
    echo "teardown.sh: the DynamoDB table $table is kept (its data outlives the stack); --purge deletes it"
  fi
fi
