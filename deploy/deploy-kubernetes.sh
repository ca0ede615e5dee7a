#!/usr/bin/env bash
# Deploys the Kubernetes twin: `cdk deploy KubernetesStack` (VPC, EKS and its add-ons, RDS, ECR,
# the controllers' roles, Velero's bucket), the image to ECR, the cluster add-ons (AWS Load
# Balancer Controller, External Secrets Operator, Karpenter, Velero; deploy/addons/, deploy/velero/),
# the database roles (deploy/sql/database-roles.sql), then `helm upgrade --install` helm/twinstack.
# Re-running it on the same commit redeploys without pushing the image again.
#
# Usage: deploy/deploy-kubernetes.sh [options] [-- CDK ARGS...]
#   --standby                 the disaster-recovery copy in the standby region (KubernetesStandbyStack;
#                             the image arrives by ECR replication); deploy the primary first
#   --failover-records        only (re)deploy KubernetesFailoverStack: Route 53 failover between the
#                             two regions' load balancers, read from both clusters' Ingresses
#   --dr-region REGION        the standby region (default us-west-2; run everything with the primary
#                             as AWS_REGION)
#   --api-cidr CIDR           who may reach the EKS API (default: this machine's public address /32)
#   --domain NAME --hosted-zone-id Z…
#                             the Route 53 zone of the failover names (deploy/DR.md); the Ingress then
#                             answers kubernetes.NAME and kubernetes-REGION.NAME
#   --skip-infra              the stack is deployed already: read its outputs, skip `cdk deploy`
#   --tag TAG                 image tag (default: the commit, 12 hex digits, plus a timestamp when
#                             the work tree has changes; ECR tags are immutable)
#   --monitoring              also install deploy/monitoring/ (Prometheus, Grafana, Loki, Alloy)
#   --pipeline                also install the Argo Workflows controller and the release's pipeline
#                             WorkflowTemplate (pipeline.enabled, S3 through the stack's IRSA role)
#   --bootstrap               run `cdk bootstrap` first (once per account and region)
#   --test                    run `helm test` after the upgrade
#   --helm-arg ARG            passed to `helm upgrade twinstack` (repeatable), e.g. --helm-arg --set=replicaCount=5
#   --dry-run                 print every command instead of running it
#   CDK ARGS                  passed to `cdk deploy`, e.g. --require-approval never, --profile NAME
#
# Needs: AWS CLI v2 and credentials, Node.js 20+, docker (with buildx for another platform),
# kubectl and helm 3.8+.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=deploy/scripts/deploy-common.sh
. "$root/deploy/scripts/deploy-common.sh"
# Charts the Kubernetes twin's cluster runs (chart versions, not app versions), each a published release.
LOAD_BALANCER_CONTROLLER_CHART=3.2.2 # AWS Load Balancer Controller v3.2.2, the policy infra/lib/cluster-addons.ts grants
EXTERNAL_SECRETS_CHART=2.9.0
KARPENTER_CHART=1.14.1             # the CRDs helm/tests/crd-schemas/ validates against
VELERO_CHART=12.1.0                # Velero 1.18.1; velero.values.yaml's plugin v1.14.0 is the AWS plugin for 1.18
KUBE_PROMETHEUS_STACK_CHART=88.5.3
LOKI_CHART=6.29.0                  # Loki 3.4
ALLOY_CHART=0.12.5                 # Alloy 1.7
ARGO_WORKFLOWS_CHART=1.0.18        # Argo Workflows v4.0.6, the WorkflowTemplate CRD helm/tests/crd-schemas/ validates against
# psql for deploy/sql/database-roles.sql, the same major version as the RDS instance.
POSTGRES_CLIENT_IMAGE=postgres:17.6-alpine

standby=false
failover_only=false
dr_region=us-west-2
api_cidr=""
domain=""
zone_id=""
skip_infra=false
tag=""
monitoring=false
pipeline=false
bootstrap=false
run_tests=false
helm_args=()
cdk_args=()

usage() { sed -n '2,32p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }
need_value() { [ "$2" -ge 2 ] || { echo "deploy-kubernetes.sh: $1 needs a value" >&2; exit 2; }; }

while [ $# -gt 0 ]; do
  case "$1" in
    --standby) standby=true ;;
    --failover-records) failover_only=true ;;
    --dr-region) need_value "$1" $#; dr_region="$2"; shift ;;
    --api-cidr) need_value "$1" $#; api_cidr="$2"; shift ;;
    --domain) need_value "$1" $#; domain="$2"; shift ;;
    --hosted-zone-id) need_value "$1" $#; zone_id="$2"; shift ;;
    --skip-infra) skip_infra=true ;;
    --tag) need_value "$1" $#; tag="$2"; shift ;;
    --monitoring) monitoring=true ;;
    --pipeline) pipeline=true ;;
    --bootstrap) bootstrap=true ;;
    --test) run_tests=true ;;
    --helm-arg) need_value "$1" $#; helm_args+=("$2"); shift ;;
    --dry-run) dry_run=true ;;
    -h | --help) usage; exit 0 ;;
    --) shift; cdk_args=("$@"); break ;;
    *) echo "deploy-kubernetes.sh: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
  esac
  shift
done
if [ -n "$domain" ] && [ -z "$zone_id" ] || [ -z "$domain" ] && [ -n "$zone_id" ]; then
  echo "deploy-kubernetes.sh: --domain and --hosted-zone-id go together" >&2
  exit 2
fi

if [ "$dry_run" = false ]; then
  for tool in aws node docker kubectl helm; do
    command -v "$tool" >/dev/null || { echo "deploy-kubernetes.sh: $tool is needed" >&2; exit 1; }
  done
fi
cd "$root"
export CDK_DISABLE_CLI_TELEMETRY=true
state="$root/target/twinstack"
mkdir -p "$state"
primary_region="${AWS_REGION:-${AWS_DEFAULT_REGION:-}}"
[ -n "$primary_region" ] || [ "$dry_run" = true ] || { echo "deploy-kubernetes.sh: set AWS_REGION to the primary region" >&2; exit 2; }
primary_region="${primary_region:-<AWS_REGION>}"
context=(-c stacks=kubernetes -c "primaryRegion=$primary_region" -c "drRegion=$dr_region")
if [ -n "$domain" ]; then
  context+=(-c "domainName=$domain" -c "hostedZoneId=$zone_id")
fi

cdk() {
  (cd infra && run npx cdk "$@" --no-notices "${context[@]}")
}

# The name each region's Ingress answers and Route 53 health-checks (infra/lib/kubernetes-failover-stack.ts).
regional_name() { printf 'kubernetes-%s.%s' "$1" "$domain"; }

# The hostname of the ALB behind a cluster's twinstack Ingress, once the controller has made it.
ingress_address() {
  local context_name="$1" namespace="$2"
  if [ "$dry_run" = true ]; then
    dry_print "kubectl --context $context_name -n $namespace get ingress twinstack -o jsonpath={.status.loadBalancer.ingress[0].hostname}" >&2
    printf '<ALB of %s>' "$context_name"
    return
  fi
  local address="" tries=0
  while [ -z "$address" ] && [ "$tries" -lt 60 ]; do
    address="$(kubectl --context "$context_name" -n "$namespace" get ingress twinstack \
      -o jsonpath='{.status.loadBalancer.ingress[0].hostname}' 2>/dev/null || true)"
    [ -n "$address" ] || { sleep 10; tries=$((tries + 1)); }
  done
  [ -n "$address" ] || { echo "deploy-kubernetes.sh: the Ingress in $context_name got no address in 10 minutes" >&2; exit 1; }
  printf '%s' "$address"
}

if [ "$dry_run" = false ]; then
  (cd infra && npm ci --no-audit --no-fund --loglevel=error)
else
  dry_print "(cd infra && npm ci --no-audit --no-fund --loglevel=error)"
fi

if [ "$failover_only" = true ]; then
  [ -n "$domain" ] || { echo "deploy-kubernetes.sh: --failover-records needs --domain and --hosted-zone-id" >&2; exit 2; }
  for region in "$primary_region" "$dr_region"; do
    run aws eks update-kubeconfig --name twinstack --region "$region" --alias "twinstack-$region"
  done
  primary_alb="$(ingress_address "twinstack-$primary_region" twinstack)"
  standby_alb="$(ingress_address "twinstack-$dr_region" twinstack)"
  cdk deploy KubernetesFailoverStack -c "kubernetesPrimaryAlb=$primary_alb" -c "kubernetesStandbyAlb=$standby_alb" "${cdk_args[@]}"
  echo "deploy-kubernetes.sh: http://kubernetes.$domain fails over from $primary_region to $dr_region"
  exit 0
fi

stack=KubernetesStack
stack_region="$primary_region"
outputs="$state/cdk-outputs-kubernetes.json"
if [ "$standby" = true ]; then
  stack=KubernetesStandbyStack
  stack_region="$dr_region"
  outputs="$state/cdk-outputs-kubernetes-standby.json"
fi

if [ -z "$api_cidr" ]; then
  if [ "$dry_run" = true ]; then
    dry_print "curl -fsS https://checkip.amazonaws.com"
    api_cidr="<this machine's address>/32"
  else
    api_cidr="$(curl -fsS https://checkip.amazonaws.com | tr -d '[:space:]')/32"
  fi
fi
admin_arn="$(caller_principal_arn)"
context+=(-c "clusterAdminArn=$admin_arn" -c "eksPublicAccessCidrs=$api_cidr")

if [ "$skip_infra" = false ]; then
  if [ "$bootstrap" = true ]; then
    cdk bootstrap
  fi
  cdk deploy "$stack" --outputs-file "$outputs" "${cdk_args[@]}"
else
  stack_outputs "$stack" "$stack_region" "$outputs"
fi

out() { output "$outputs" "$stack" "$1"; }
cluster="$(out ClusterName)"
region="$(out Region)"
vpc="$(out VpcId)"
repository="$(out RepositoryUri)"
namespace="$(out Namespace)"
registry="${repository%%/*}"

# --- the image: pushed once per tag (ECR tags are immutable); the standby gets it by replication ---

if [ -z "$tag" ]; then
  tag="$(git rev-parse --short=12 HEAD)"
  if [ -n "$(git status --porcelain)" ]; then
    tag="$tag-dirty-$(date -u +%Y%m%d%H%M%S)"
  fi
fi
image_exists() {
  aws ecr describe-images --region "$region" --repository-name "${repository#*/}" --image-ids "imageTag=$tag" >/dev/null 2>&1
}
if [ "$dry_run" = true ]; then
  dry_print "aws ecr describe-images --region $region --repository-name ${repository#*/} --image-ids imageTag=$tag"
  dry_print "aws ecr get-login-password --region $region | docker login --username AWS --password-stdin $registry"
  run docker buildx build --platform linux/amd64 -f deploy/Dockerfile -t "$repository:$tag" --push .
elif image_exists; then
  echo "deploy-kubernetes.sh: $repository:$tag is in ECR already; not pushing it again"
elif [ "$standby" = true ]; then
  echo "deploy-kubernetes.sh: waiting for ECR to replicate $repository:$tag from the primary"
  for _ in $(seq 60); do image_exists && break; sleep 10; done
  image_exists || { echo "deploy-kubernetes.sh: $repository:$tag never arrived: deploy the primary with this tag first" >&2; exit 1; }
else
  echo "deploy-kubernetes.sh: $repository:$tag (linux/amd64: the nodes are x86_64)"
  aws ecr get-login-password --region "$region" | docker login --username AWS --password-stdin "$registry"
  docker buildx build --platform linux/amd64 -f deploy/Dockerfile -t "$repository:$tag" --push .
fi

run aws eks update-kubeconfig --name "$cluster" --region "$region"

# --- cluster add-ons (their AWS roles come from the stack through EKS Pod Identity) ---------------

# apply FILE: the manifest with the stack's values in place of ${CLUSTER_NAME} and the like.
apply() {
  if [ "$dry_run" = true ]; then
    dry_print "sed (CLUSTER_NAME=$cluster REGION=$region KARPENTER_NODE_ROLE=… VELERO_BUCKET=…) $1 | kubectl apply -f -"
    return
  fi
  sed -e "s|\${CLUSTER_NAME}|$CLUSTER_NAME|g" -e "s|\${REGION}|$REGION|g" \
    -e "s|\${KARPENTER_NODE_ROLE}|$KARPENTER_NODE_ROLE|g" -e "s|\${VELERO_BUCKET}|$VELERO_BUCKET|g" "$1" |
    kubectl apply -f -
}
CLUSTER_NAME="$cluster"
REGION="$region"
KARPENTER_NODE_ROLE="$(out KarpenterNodeRoleName)"
VELERO_BUCKET="$(out VeleroBucket)"

run kubectl apply -f deploy/addons/storageclass-gp3.yaml
run helm upgrade --install aws-load-balancer-controller aws-load-balancer-controller \
  --repo https://aws.github.io/eks-charts --version "$LOAD_BALANCER_CONTROLLER_CHART" -n kube-system \
  -f deploy/addons/aws-load-balancer-controller.values.yaml \
  --set "clusterName=$cluster" --set "region=$region" --set "vpcId=$vpc" --wait
run helm upgrade --install external-secrets external-secrets \
  --repo https://charts.external-secrets.io --version "$EXTERNAL_SECRETS_CHART" -n external-secrets --create-namespace \
  -f deploy/addons/external-secrets.values.yaml --wait
apply deploy/addons/cluster-secret-store.yaml
run helm upgrade --install karpenter oci://public.ecr.aws/karpenter/karpenter --version "$KARPENTER_CHART" -n kube-system \
  -f deploy/addons/karpenter.values.yaml \
  --set "settings.clusterName=$cluster" --set "settings.interruptionQueue=$(out KarpenterInterruptionQueue)" --wait
apply deploy/addons/karpenter-nodes.yaml
run helm upgrade --install velero velero --repo https://vmware-tanzu.github.io/helm-charts --version "$VELERO_CHART" \
  -n velero --create-namespace -f deploy/velero/velero.values.yaml --wait
apply deploy/velero/backup-storage-location.yaml
run kubectl apply -f deploy/velero/schedule.yaml
if [ "$pipeline" = true ]; then
  run helm upgrade --install argo-workflows argo-workflows --repo https://argoproj.github.io/argo-helm \
    --version "$ARGO_WORKFLOWS_CHART" -n argo --create-namespace -f deploy/addons/argo-workflows.values.yaml \
    --set "controller.workflowNamespaces[0]=$namespace" --wait
fi

# --- database roles: the schema owner and the application role (the master user only here) -------

if [ "$dry_run" = true ]; then
  dry_print "kubectl create namespace $namespace --dry-run=client -o yaml | kubectl apply -f -"
else
  kubectl create namespace "$namespace" --dry-run=client -o yaml | kubectl apply -f -
fi
if [ "$standby" = false ]; then
  # The passwords go from Secrets Manager into a short-lived Secret, never onto a command line.
  secrets_dir="$(mktemp -d)"
  trap 'rm -rf "$secrets_dir"' EXIT
  field() { aws secretsmanager get-secret-value --region "$region" --secret-id "$1" --query SecretString --output text |
    node -e 'let t = ""; process.stdin.on("data", (d) => (t += d)).on("end", () => process.stdout.write(String(JSON.parse(t)[process.argv[1]])));' "$2"; }
  if [ "$dry_run" = true ]; then
    dry_print "aws secretsmanager get-secret-value (master, owner and app secrets) > $secrets_dir/*"
  else
    master_secret="$(out MasterSecretName)"
    field "$master_secret" password >"$secrets_dir/PGPASSWORD"
    field "$master_secret" username >"$secrets_dir/PGUSER"
    field "$master_secret" host >"$secrets_dir/PGHOST"
    field "$(out OwnerSecretName)" password >"$secrets_dir/OWNER_PASSWORD"
    field "$(out AppSecretName)" password >"$secrets_dir/APP_PASSWORD"
  fi
  cp deploy/sql/database-roles.sql "$secrets_dir/roles.sql"
  run kubectl -n "$namespace" create secret generic twinstack-database-roles --from-file="$secrets_dir"
  # shellcheck disable=SC2016 # $(cat …) runs in the container's shell, reading the mounted Secret.
  overrides='{"spec": {"restartPolicy": "Never", "automountServiceAccountToken": false,
    "securityContext": {"runAsNonRoot": true, "runAsUser": 70, "seccompProfile": {"type": "RuntimeDefault"}},
    "volumes": [{"name": "in", "secret": {"secretName": "twinstack-database-roles"}}],
    "containers": [{"name": "twinstack-database-roles", "image": "'"$POSTGRES_CLIENT_IMAGE"'",
      "command": ["sh", "-c", "PGPASSWORD=$(cat /in/PGPASSWORD) psql -h $(cat /in/PGHOST) -U $(cat /in/PGUSER) -d twinstack -v owner=twinstack_owner -v owner_password=$(cat /in/OWNER_PASSWORD) -v app=twinstack_app -v app_password=$(cat /in/APP_PASSWORD) -f /in/roles.sql"],
      "env": [{"name": "PGSSLMODE", "value": "require"}],
      "securityContext": {"allowPrivilegeEscalation": false, "capabilities": {"drop": ["ALL"]}},
      "volumeMounts": [{"name": "in", "mountPath": "/in", "readOnly": true}]}]}}'
  status=0
  run kubectl -n "$namespace" run twinstack-database-roles --rm -i --restart=Never --quiet \
    --image="$POSTGRES_CLIENT_IMAGE" --overrides="$overrides" || status=$?
  run kubectl -n "$namespace" delete secret twinstack-database-roles --ignore-not-found
  [ "$status" = 0 ] || { echo "deploy-kubernetes.sh: deploy/sql/database-roles.sql failed" >&2; exit 1; }
fi

# --- the release ----------------------------------------------------------------------------------

values=(
  --set "image.repository=$repository"
  --set-string "image.tag=$tag"
  --set externalSecret.enabled=true
  --set-string "externalSecret.remoteKey=$(out AppSecretName)"
  --set-string "externalSecret.migrationRemoteKey=$(out OwnerSecretName)"
)
if [ -n "$domain" ]; then
  values+=(
    --set-string "ingress.hosts[0].host=kubernetes.$domain" --set-string "ingress.hosts[0].paths[0].path=/"
    --set-string "ingress.hosts[0].paths[0].pathType=Prefix"
    --set-string "ingress.hosts[1].host=$(regional_name "$region")" --set-string "ingress.hosts[1].paths[0].path=/"
    --set-string "ingress.hosts[1].paths[0].pathType=Prefix"
  )
fi

if [ "$pipeline" = true ]; then
  # The pipeline pods' S3 access: the stack's IRSA role on the chart's pipeline ServiceAccount.
  values+=(--set pipeline.enabled=true
    --set-string "pipeline.serviceAccount.annotations.eks\\.amazonaws\\.com/role-arn=$(out PipelineRoleArn)")
fi

# The ExternalSecrets first, on their own: a store or secret that does not answer fails here in two
# minutes with the operator's reason, rather than at the migration Job's deadline.
if [ "$dry_run" = true ]; then
  dry_print "helm template twinstack helm/twinstack -n $namespace ${values[*]} --show-only templates/externalsecret.yaml | kubectl apply -f -"
else
  helm template twinstack helm/twinstack -n "$namespace" "${values[@]}" --show-only templates/externalsecret.yaml |
    kubectl -n "$namespace" apply -f -
fi
if ! run kubectl -n "$namespace" wait externalsecret --all --for=condition=Ready --timeout=120s; then
  kubectl -n "$namespace" describe externalsecret >&2 || true
  echo "deploy-kubernetes.sh: External Secrets could not write DATABASE_URL (above: the operator's reason)" >&2
  exit 1
fi

run helm upgrade --install twinstack helm/twinstack --namespace "$namespace" \
  --wait --timeout 15m "${values[@]}" "${helm_args[@]}"

if [ "$run_tests" = true ]; then
  run helm test twinstack --namespace "$namespace"
fi

if [ "$monitoring" = true ]; then
  if [ "$dry_run" = false ]; then
    kubectl create namespace monitoring --dry-run=client -o yaml | kubectl apply -f -
    # Created once: a later run keeps the password Grafana already has.
    if ! kubectl -n monitoring get secret grafana-admin >/dev/null 2>&1; then
      kubectl -n monitoring create secret generic grafana-admin --from-literal=admin-user=admin \
        --from-literal=admin-password="$(head -c 24 /dev/urandom | base64)"
    fi
  else
    dry_print "kubectl create namespace monitoring --dry-run=client -o yaml | kubectl apply -f -"
    dry_print "kubectl -n monitoring create secret generic grafana-admin (random password, once)"
  fi
  run helm upgrade --install kube-prometheus-stack kube-prometheus-stack \
    --repo https://prometheus-community.github.io/helm-charts --version "$KUBE_PROMETHEUS_STACK_CHART" \
    -n monitoring -f deploy/monitoring/kube-prometheus-stack.values.yaml --wait
  run helm upgrade --install loki loki --repo https://grafana.github.io/helm-charts --version "$LOKI_CHART" \
    -n monitoring -f deploy/monitoring/loki.values.yaml --wait
  run helm upgrade --install alloy alloy --repo https://grafana.github.io/helm-charts --version "$ALLOY_CHART" \
    -n monitoring -f deploy/monitoring/alloy.values.yaml --wait
fi

current_context=current
[ "$dry_run" = true ] || current_context="$(kubectl config current-context)"
address="$(ingress_address "$current_context" "$namespace")"
cat <<MSG

twinstack is deployed to $cluster ($region), namespace $namespace ($repository:$tag).
  curl -s -H 'Host: $(if [ -n "$domain" ]; then echo "kubernetes.$domain"; else echo api.example.com; fi)' http://$address/api/health
  kubectl -n $namespace get pods,hpa,ingress
MSG
if [ "$pipeline" = true ]; then
  echo "  argo submit -n $namespace --from workflowtemplate/twinstack-pipeline -p input=s3://$(out PipelineBucket)/runs/R/input -p output=s3://$(out PipelineBucket)/runs/R/output"
fi
if [ -n "$domain" ] && [ "$standby" = true ]; then
  echo "  then: deploy/deploy-kubernetes.sh --failover-records --domain $domain --hosted-zone-id $zone_id"
fi
