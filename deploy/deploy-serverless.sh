#!/usr/bin/env bash
# Deploys the serverless twin: builds twinstack-lambda with cargo-lambda into a zip, then
# `cdk deploy` (infra/) of ServerlessStack (the global table's home region, AWS_REGION) and
# ServerlessStandbyStack (the function and API on the table's replica in the standby region), each
# region's API behind serverless.DOMAIN with a Route 53 failover record (deploy/DR.md).
# Re-running it on the same commit is a no-op deploy.
#
# Usage: deploy/deploy-serverless.sh (--domain NAME --hosted-zone-id Z… | --no-failover) [options] [-- CDK ARGS...]
#   --domain NAME --hosted-zone-id Z…  the Route 53 zone serverless.NAME fails over in
#   --no-failover  no custom domain, health check or failover records (-c domainName=none)
#   --no-standby   the primary region only: no replica, no standby stack (-c drRegion=none)
#   --dr-region R  the standby region (default us-west-2)
#   --x86-64       build and deploy for x86_64 (default arm64: Graviton, what the stack defaults to)
#   --http-api     API Gateway HTTP API instead of the REST API proxy
#   --memory MB    the function's memory (default 128)
#   --bootstrap    run `cdk bootstrap` first (once per account, in both regions)
#   --dry-run      print every command instead of running it
#   CDK ARGS       passed to `cdk deploy`, e.g. --require-approval never, --profile NAME,
#                  -c apiThrottleRate=50 -c lambdaReservedConcurrency=20
#
# Needs: cargo and cargo-lambda (deploy/scripts/install-deps.sh cargo-lambda), Node.js 20+, and AWS
# credentials for the target account (the usual AWS_PROFILE / AWS_REGION environment).
# Building for arm64 needs the aarch64 Rust standard library (added here with `rustup target add
# aarch64-unknown-linux-gnu` when missing); cargo-lambda cross-links it with zig.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=deploy/scripts/deploy-common.sh
. "$root/deploy/scripts/deploy-common.sh"
domain=""
zone_id=""
failover=true
standby=true
dr_region=us-west-2
arch=arm64
http_api=false
memory=128
bootstrap=false
cdk_args=()

usage() { sed -n '2,27p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

while [ $# -gt 0 ]; do
  case "$1" in
    --domain) [ $# -ge 2 ] || { echo "deploy-serverless.sh: --domain needs a value" >&2; exit 2; }; domain="$2"; shift ;;
    --hosted-zone-id) [ $# -ge 2 ] || { echo "deploy-serverless.sh: --hosted-zone-id needs a value" >&2; exit 2; }; zone_id="$2"; shift ;;
    --no-failover) failover=false ;;
    --no-standby) standby=false ;;
    --dr-region) [ $# -ge 2 ] || { echo "deploy-serverless.sh: --dr-region needs a value" >&2; exit 2; }; dr_region="$2"; shift ;;
    --dry-run) dry_run=true ;;
    --x86-64) arch=x86_64 ;;
    --http-api) http_api=true ;;
    --memory)
      [ $# -ge 2 ] || { echo "deploy-serverless.sh: --memory needs a value" >&2; exit 2; }
      memory="$2"
      shift
      ;;
    --bootstrap) bootstrap=true ;;
    -h | --help) usage; exit 0 ;;
    --) shift; cdk_args=("$@"); break ;;
    *) echo "deploy-serverless.sh: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
  esac
  shift
done

if [ "$failover" = true ] && { [ -z "$domain" ] || [ -z "$zone_id" ]; }; then
  echo "deploy-serverless.sh: give --domain and --hosted-zone-id (the failover name's zone), or --no-failover" >&2
  exit 2
fi
primary_region="${AWS_REGION:-${AWS_DEFAULT_REGION:-}}"
[ -n "$primary_region" ] || [ "$dry_run" = true ] || { echo "deploy-serverless.sh: set AWS_REGION to the primary region" >&2; exit 2; }
primary_region="${primary_region:-<AWS_REGION>}"

cd "$root"
command -v node >/dev/null || { echo "deploy-serverless.sh: Node.js 20+ is needed for the CDK" >&2; exit 1; }
cargo lambda --version >/dev/null 2>&1 || run deploy/scripts/install-deps.sh cargo-lambda

# The zip lands where the stack looks by default for arm64; x86_64 goes elsewhere so that an
# x86_64 zip is never picked up as the arm64 default.
if [ "$arch" = arm64 ]; then
  lambda_dir=target/lambda
  if command -v rustup >/dev/null && ! rustup target list --installed | grep -qx aarch64-unknown-linux-gnu; then
    run rustup target add aarch64-unknown-linux-gnu
  fi
  run cargo lambda build --release --arm64 --output-format zip --bin twinstack-lambda --locked
else
  lambda_dir=target/lambda-x86_64
  run cargo lambda build --release --x86-64 --output-format zip --bin twinstack-lambda --locked --lambda-dir "$lambda_dir"
fi
zip="$root/$lambda_dir/twinstack-lambda/bootstrap.zip"
if [ "$dry_run" = false ]; then
  [ -f "$zip" ] || { echo "deploy-serverless.sh: cargo-lambda wrote no $zip" >&2; exit 1; }
  echo "deploy-serverless.sh: $zip ($arch, $(du -h "$zip" | cut -f1))"
fi

cd infra
run npm ci --no-audit --no-fund --loglevel=error
export CDK_DISABLE_CLI_TELEMETRY=true
context=(-c stacks=serverless -c "lambdaArchitecture=$arch" -c "lambdaZip=$zip" -c "httpApi=$http_api" -c "lambdaMemoryMb=$memory"
  -c "primaryRegion=$primary_region")
stacks=(ServerlessStack)
if [ "$standby" = true ]; then
  context+=(-c "drRegion=$dr_region")
  stacks+=(ServerlessStandbyStack)
else
  context+=(-c drRegion=none)
fi
if [ "$failover" = true ]; then
  context+=(-c "domainName=$domain" -c "hostedZoneId=$zone_id")
else
  context+=(-c domainName=none)
fi
if [ "$bootstrap" = true ]; then
  run npx cdk bootstrap --no-notices "${context[@]}"
fi
outputs="$root/target/twinstack/cdk-outputs-serverless.json"
mkdir -p "$(dirname "$outputs")"
# Both regions in one run: the standby's function needs the replica the primary's table creates.
run npx cdk deploy "${stacks[@]}" --no-notices "${context[@]}" --outputs-file "$outputs" "${cdk_args[@]}"

api_url="$(output "$outputs" ServerlessStack ApiUrl)"
cat <<MSG

${stacks[*]} deployed (outputs in $outputs). Try:
  curl -s ${api_url%/}/api/health
  curl -s ${api_url%/}/api/products
Seed the (empty) table; the seeder takes credentials from the environment only:
  eval "\$(aws configure export-credentials --format env)"
  target/release/twinstack seed --dynamodb "https://dynamodb.\$AWS_REGION.amazonaws.com" --table twinstack
MSG
