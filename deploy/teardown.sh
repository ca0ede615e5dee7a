#!/usr/bin/env bash
# Removes what deploy-serverless.sh and deploy-kubernetes.sh created, in both regions, waiting for
# each step it starts to finish.
#
# Usage: deploy/teardown.sh [--serverless] [--kubernetes] [--dr-region R] [--purge] [--yes] [--dry-run]
#   --serverless / --kubernetes  only that twin (default: both)
#   --dr-region R                the standby region (default us-west-2); the primary is AWS_REGION
#   --purge                      also delete what the stacks keep on purpose: the global table (its
#                                replica first) and the ECR repositories (and their images)
#   --yes                        do not ask for confirmation (needed without a terminal)
#   --dry-run                    print every command instead of running it
#
# Kubernetes, per region: the Ingresses and LoadBalancer Services go first and the script waits
# until the AWS Load Balancer Controller has deleted their load balancers; then the PVCs (the EBS
# CSI driver deletes their volumes) and Karpenter's NodePools (Karpenter terminates its nodes);
# then the releases; the database's deletion protection is lifted and the script waits for RDS to
# apply it; then the stack. The stacks are deleted through CloudFormation, so no Lambda zip or CDK
# build is needed. Kept even with --purge: the RDS final snapshot and Velero's backup bucket (what a
# restore needs, deploy/DR.md); the script prints how to delete them.
# Needs: AWS CLI v2 and credentials; kubectl and helm for the Kubernetes twin's releases.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=deploy/scripts/deploy-common.sh
. "$root/deploy/scripts/deploy-common.sh"
serverless=false
kubernetes=false
dr_region=us-west-2
purge=false
yes=false

usage() { sed -n '2,20p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

while [ $# -gt 0 ]; do
  case "$1" in
    --serverless) serverless=true ;;
    --kubernetes) kubernetes=true ;;
    --dr-region) [ $# -ge 2 ] || { echo "teardown.sh: --dr-region needs a value" >&2; exit 2; }; dr_region="$2"; shift ;;
    --purge) purge=true ;;
    --yes) yes=true ;;
    --dry-run) dry_run=true ;;
    -h | --help) usage; exit 0 ;;
    *) echo "teardown.sh: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
  esac
  shift
done
if [ "$serverless" = false ] && [ "$kubernetes" = false ]; then
  serverless=true
  kubernetes=true
fi
primary_region="${AWS_REGION:-${AWS_DEFAULT_REGION:-}}"
[ -n "$primary_region" ] || [ "$dry_run" = true ] || { echo "teardown.sh: set AWS_REGION to the primary region" >&2; exit 2; }
primary_region="${primary_region:-<AWS_REGION>}"
[ "$dry_run" = true ] || command -v aws >/dev/null || { echo "teardown.sh: the AWS CLI is needed" >&2; exit 1; }

if [ "$yes" = false ] && [ "$dry_run" = false ]; then
  [ -t 0 ] || { echo "teardown.sh: no terminal to confirm on; pass --yes" >&2; exit 2; }
  extra=""
  [ "$purge" = true ] && extra=" and, with --purge, the retained table and repositories"
  read -r -p "Delete the twinstack stacks in $primary_region and $dr_region$extra in account $(aws sts get-caller-identity --query Account --output text)? [y/N] " answer
  [ "$answer" = y ] || [ "$answer" = Y ] || { echo "teardown.sh: nothing done"; exit 1; }
fi

# stack_exists STACK REGION
stack_exists() {
  [ "$dry_run" = true ] || aws cloudformation describe-stacks --stack-name "$1" --region "$2" >/dev/null 2>&1
}

# value STACK REGION KEY: a stack output, or nothing.
value() {
  if [ "$dry_run" = true ]; then
    printf '<%s>' "$3"
    return
  fi
  aws cloudformation describe-stacks --stack-name "$1" --region "$2" \
    --query "Stacks[0].Outputs[?OutputKey=='$3'].OutputValue" --output text 2>/dev/null || true
}

delete_stack() {
  if ! stack_exists "$1" "$2"; then
    echo "teardown.sh: $1 ($2) does not exist"
    return
  fi
  echo "teardown.sh: deleting $1 in $2 (this takes a while)"
  run aws cloudformation delete-stack --stack-name "$1" --region "$2"
  run aws cloudformation wait stack-delete-complete --stack-name "$1" --region "$2"
}

# wait_until_gone DESCRIPTION COMMAND...: polls (10 s, up to 15 min) until COMMAND prints nothing.
wait_until_gone() {
  local what="$1"
  shift
  if [ "$dry_run" = true ]; then
    dry_print "until [ -z \"\$($*)\" ]; do sleep 10; done   # $what"
    return
  fi
  for _ in $(seq 90); do
    [ -n "$("$@" 2>/dev/null | tr -d '[:space:]')" ] || return 0
    sleep 10
  done
  echo "teardown.sh: $what still there after 15 minutes" >&2
  return 1
}

# What the controllers made in the cluster, removed by the controllers while they still run.
empty_cluster() {
  local cluster="$1" region="$2"
  run aws eks update-kubeconfig --name "$cluster" --region "$region" --alias "teardown-$region"
  local k=(kubectl --context "teardown-$region")
  run "${k[@]}" delete ingress --all --all-namespaces --wait=true
  if [ "$dry_run" = true ]; then
    dry_print "${k[*]} get svc -A -o jsonpath=(type LoadBalancer) | xargs ${k[*]} delete svc --wait=true"
  else
    "${k[@]}" get svc --all-namespaces -o jsonpath='{range .items[?(@.spec.type=="LoadBalancer")]}{.metadata.namespace}{" "}{.metadata.name}{"\n"}{end}' |
      while read -r ns name; do "${k[@]}" -n "$ns" delete svc "$name" --wait=true; done
  fi
  wait_until_gone "load balancers of $cluster" aws resourcegroupstaggingapi get-resources --region "$region" \
    --tag-filters "Key=elbv2.k8s.aws/cluster,Values=$cluster" --resource-type-filters elasticloadbalancing:loadbalancer \
    --query 'ResourceTagMappingList[].ResourceARN' --output text
  for release in twinstack:twinstack alloy:monitoring loki:monitoring kube-prometheus-stack:monitoring; do
    run helm --kube-context "teardown-$region" uninstall "${release%%:*}" --namespace "${release#*:}" --wait --ignore-not-found
  done
  run "${k[@]}" delete pvc --all --all-namespaces --wait=true
  wait_until_gone "EBS volumes of $cluster's claims" aws ec2 describe-volumes --region "$region" \
    --filters "Name=tag:KubernetesCluster,Values=$cluster" --query 'Volumes[].VolumeId' --output text
  run "${k[@]}" delete nodepools.karpenter.sh --all --wait=true
  wait_until_gone "Karpenter's instances" aws ec2 describe-instances --region "$region" \
    --filters "Name=tag:karpenter.sh/nodepool,Values=*" "Name=tag:eks:eks-cluster-name,Values=$cluster" \
    "Name=instance-state-name,Values=pending,running,stopping,stopped,shutting-down" \
    --query 'Reservations[].Instances[].InstanceId' --output text
  for release in karpenter:kube-system velero:velero external-secrets:external-secrets aws-load-balancer-controller:kube-system; do
    run helm --kube-context "teardown-$region" uninstall "${release%%:*}" --namespace "${release#*:}" --wait --ignore-not-found
  done
}

teardown_kubernetes_region() {
  local stack="$1" region="$2"
  stack_exists "$stack" "$region" || { echo "teardown.sh: $stack ($region) does not exist"; return; }
  local cluster database
  cluster="$(value "$stack" "$region" ClusterName)"
  database="$(value "$stack" "$region" DatabaseInstanceIdentifier)"
  if [ -n "$cluster" ] && { [ "$dry_run" = true ] || { command -v helm >/dev/null && command -v kubectl >/dev/null; }; }; then
    empty_cluster "$cluster" "$region"
  fi
  if [ -n "$database" ] && { [ "$dry_run" = true ] || aws rds describe-db-instances --region "$region" --db-instance-identifier "$database" >/dev/null 2>&1; }; then
    # The stack protects the database from deletion; a final snapshot is still taken.
    run aws rds modify-db-instance --region "$region" --db-instance-identifier "$database" --no-deletion-protection --apply-immediately
    run aws rds wait db-instance-available --region "$region" --db-instance-identifier "$database"
  fi
  local bucket
  bucket="$(value "$stack" "$region" VeleroBucket)"
  delete_stack "$stack" "$region"
  echo "teardown.sh: kept Velero's bucket $bucket and RDS's final snapshot in $region; to delete them:"
  echo "  aws s3 rb s3://$bucket --force --region $region"
  echo "  aws rds describe-db-snapshots --region $region --db-instance-identifier ${database:-twinstack} --snapshot-type manual"
}

if [ "$kubernetes" = true ]; then
  delete_stack KubernetesFailoverStack "$primary_region"
  teardown_kubernetes_region KubernetesStandbyStack "$dr_region"
  repository="$(value KubernetesStack "$primary_region" RepositoryUri)"
  teardown_kubernetes_region KubernetesStack "$primary_region"
  if [ "$purge" = true ] && [ -n "$repository" ]; then
    for region in "$primary_region" "$dr_region"; do
      run aws ecr delete-repository --region "$region" --repository-name "${repository#*/}" --force || true
    done
  fi
fi

if [ "$serverless" = true ]; then
  table="$(value ServerlessStack "$primary_region" TableName)"
  delete_stack ServerlessStandbyStack "$dr_region"
  delete_stack ServerlessStack "$primary_region"
  if [ "$purge" = true ] && [ -n "$table" ]; then
    # A global table loses its replica first (DynamoDB refuses to delete a table that has one).
    if [ "$dry_run" = true ] || aws dynamodb describe-table --region "$dr_region" --table-name "$table" >/dev/null 2>&1; then
      run aws dynamodb update-table --region "$primary_region" --table-name "$table" \
        --replica-updates "[{\"Delete\": {\"RegionName\": \"$dr_region\"}}]"
      run aws dynamodb wait table-not-exists --region "$dr_region" --table-name "$table"
      wait_until_gone "the replica's removal" aws dynamodb describe-table --region "$primary_region" --table-name "$table" \
        --query "Table.Replicas[?ReplicaStatus!='ACTIVE'].RegionName" --output text
    fi
    run aws dynamodb delete-table --region "$primary_region" --table-name "$table"
    run aws dynamodb wait table-not-exists --region "$primary_region" --table-name "$table"
    echo "teardown.sh: DynamoDB table $table deleted"
  elif [ -n "$table" ]; then
    echo "teardown.sh: the DynamoDB global table $table is kept (its data outlives the stacks); --purge deletes it"
  fi
fi
