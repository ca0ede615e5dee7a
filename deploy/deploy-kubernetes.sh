#!/usr/bin/env bash
# Deploys the Kubernetes twin: `cdk deploy KubernetesStack` (VPC, EKS, RDS, ECR, IRSA role), then
# builds the image (deploy/Dockerfile) and pushes it to the stack's ECR repository, then
# `helm upgrade --install` helm/twinstack with values from the stack's outputs.
#
# Usage: deploy/deploy-kubernetes.sh [--skip-infra] [--tag TAG] [--external-secrets STORE]
#                                    [--bootstrap] [--test] [-- HELM ARGS...]
#   --skip-infra              the stack is deployed already: read its outputs, skip `cdk deploy`
#   --tag TAG                 image tag (default: the commit, 12 hex digits, plus a timestamp when
#                             the work tree has changes; ECR tags are immutable)
#   --external-secrets STORE  DATABASE_URL through External Secrets Operator and the named
#                             ClusterSecretStore, instead of a Secret created here
#   --bootstrap               run `cdk bootstrap` first (once per account and region)
#   --test                    run `helm test` after the upgrade
#   HELM ARGS                 passed to `helm upgrade`, e.g. --set ingress.className=alb
#
# Needs: AWS CLI v2 and credentials, Node.js 20+, docker (with buildx for another platform),
# kubectl and helm 3.8+.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
skip_infra=false
tag=""
secret_store=""
bootstrap=false
run_tests=false
helm_args=()

usage() { sed -n '2,19p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

while [ $# -gt 0 ]; do
  case "$1" in
    --skip-infra) skip_infra=true ;;
    --tag)
      [ $# -ge 2 ] || { echo "deploy-kubernetes.sh: --tag needs a value" >&2; exit 2; }
      tag="$2"
      shift
      ;;
    --external-secrets)
      [ $# -ge 2 ] || { echo "deploy-kubernetes.sh: --external-secrets needs a store name" >&2; exit 2; }
      secret_store="$2"
      shift
      ;;
    --bootstrap) bootstrap=true ;;
    --test) run_tests=true ;;
    -h | --help) usage; exit 0 ;;
    --) shift; helm_args=("$@"); break ;;
    *) echo "deploy-kubernetes.sh: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
  esac
  shift
done

for tool in aws node docker kubectl helm; do
  command -v "$tool" >/dev/null || { echo "deploy-kubernetes.sh: $tool is needed" >&2; exit 1; }
done
cd "$root"

outputs="$root/target/twinstack/cdk-outputs-kubernetes.json"
mkdir -p "$(dirname "$outputs")"
export CDK_DISABLE_CLI_TELEMETRY=true
# Whoever runs this gets cluster-admin through an EKS access entry (the stack's own deployment
# role has it anyway); an assumed role's session ARN is turned into the role's ARN.
caller="$(aws sts get-caller-identity --query Arn --output text)"
case "$caller" in
  arn:*:sts::*:assumed-role/*)
    role_name="$(echo "$caller" | cut -d/ -f2)"
    admin_arn="$(aws iam get-role --role-name "$role_name" --query Role.Arn --output text)"
    ;;
  *) admin_arn="$caller" ;;
esac

if [ "$skip_infra" = false ]; then
  (
    cd infra
    npm ci --no-audit --no-fund --loglevel=error
    if [ "$bootstrap" = true ]; then
      npx cdk bootstrap --no-notices -c stacks=kubernetes -c "clusterAdminArn=$admin_arn"
    fi
    npx cdk deploy KubernetesStack --no-notices -c stacks=kubernetes -c "clusterAdminArn=$admin_arn" \
      --outputs-file "$outputs"
  )
else
  aws cloudformation describe-stacks --stack-name KubernetesStack --output json |
    node -e '
      let text = ""; process.stdin.on("data", (d) => (text += d)).on("end", () => {
        const stack = JSON.parse(text).Stacks[0];
        const outputs = Object.fromEntries(stack.Outputs.map((o) => [o.OutputKey, o.OutputValue]));
        process.stdout.write(JSON.stringify({ KubernetesStack: outputs }, null, 2));
      });' >"$outputs"
fi

output() {
  # shellcheck disable=SC2016 # JavaScript, not shell: ${...} is a template literal.
  node -e 'const v = require(process.argv[1]).KubernetesStack[process.argv[2]];
    if (v === undefined) { console.error(`no output ${process.argv[2]}`); process.exit(1); }
    process.stdout.write(String(v));' "$outputs" "$1"
}
cluster="$(output ClusterName)"
region="$(output Region)"
repository="$(output RepositoryUri)"
secret_arn="$(output DatabaseSecretArn)"
role_arn="$(output ServiceAccountRoleArn)"
namespace="$(output Namespace)"
service_account="$(output ServiceAccountName)"
registry="${repository%%/*}"

if [ -z "$tag" ]; then
  tag="$(git rev-parse --short=12 HEAD)"
  if [ -n "$(git status --porcelain)" ]; then
    tag="$tag-dirty-$(date -u +%Y%m%d%H%M%S)"
  fi
fi

echo "deploy-kubernetes.sh: $repository:$tag (linux/amd64: the t3.medium nodes are x86_64)"
aws ecr get-login-password --region "$region" | docker login --username AWS --password-stdin "$registry"
docker buildx build --platform linux/amd64 -f deploy/Dockerfile -t "$repository:$tag" --push .

aws eks update-kubeconfig --name "$cluster" --region "$region"
kubectl create namespace "$namespace" --dry-run=client -o yaml | kubectl apply -f -

values=(
  --set "image.repository=$repository"
  --set-string "image.tag=$tag"
  --set "serviceAccount.name=$service_account"
  --set-string "serviceAccount.annotations.eks\.amazonaws\.com/role-arn=$role_arn"
)
if [ -n "$secret_store" ]; then
  values+=(
    --set externalSecret.enabled=true
    --set "externalSecret.secretStoreRef.name=$secret_store"
    --set-string "externalSecret.remoteKey=$secret_arn"
  )
else
  # DATABASE_URL from the RDS secret, written to a private temp file (never on a command line).
  url_file="$(mktemp)"
  trap 'rm -f "$url_file"' EXIT
  chmod 600 "$url_file"
  # shellcheck disable=SC2016 # JavaScript, not shell: ${...} is a template literal.
  aws secretsmanager get-secret-value --secret-id "$secret_arn" --region "$region" --query SecretString --output text |
    node -e '
      let text = ""; process.stdin.on("data", (d) => (text += d)).on("end", () => {
        const s = JSON.parse(text);
        const user = encodeURIComponent(s.username), password = encodeURIComponent(s.password);
        process.stdout.write(`postgres://${user}:${password}@${s.host}:${s.port}/${s.dbname}?sslmode=require`);
      });' >"$url_file"
  kubectl -n "$namespace" create secret generic twinstack-database \
    --from-file=DATABASE_URL="$url_file" --dry-run=client -o yaml | kubectl apply -f -
fi

helm upgrade --install twinstack helm/twinstack --namespace "$namespace" \
  --wait --timeout 15m "${values[@]}" "${helm_args[@]}"

if [ "$run_tests" = true ]; then
  helm test twinstack --namespace "$namespace"
fi

cat <<MSG

twinstack is deployed to $cluster, namespace $namespace ($repository:$tag).
  kubectl -n $namespace get pods,hpa,ingress
  kubectl -n $namespace port-forward svc/twinstack 8080:80 &  curl -s http://127.0.0.1:8080/api/health
MSG
