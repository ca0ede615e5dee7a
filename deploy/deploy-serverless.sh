#!/usr/bin/env bash
# Deploys the serverless twin: builds twinstack-lambda with cargo-lambda into a zip, then
# `cdk deploy ServerlessStack` (infra/) with that zip.
#
# Usage: deploy/deploy-serverless.sh [--x86-64] [--http-api] [--memory MB] [--bootstrap] [-- CDK ARGS...]
#   --x86-64     build and deploy for x86_64 (default arm64: Graviton, what the stack defaults to)
#   --http-api   API Gateway HTTP API instead of the REST API proxy
#   --memory MB  the function's memory (default 128)
#   --bootstrap  run `cdk bootstrap` first (once per account and region)
#   CDK ARGS     passed to `cdk deploy`, e.g. --require-approval never, --profile NAME
#
# Needs: cargo and cargo-lambda (deploy/scripts/install-deps.sh cargo-lambda), Node.js 20+, and AWS
# credentials for the target account (the usual AWS_PROFILE / AWS_REGION environment).
# Building for arm64 needs the aarch64 Rust standard library (added here with `rustup target add
# aarch64-unknown-linux-gnu` when missing); cargo-lambda cross-links it with zig.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
arch=arm64
http_api=false
memory=128
bootstrap=false
cdk_args=()

usage() { sed -n '2,16p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

while [ $# -gt 0 ]; do
  case "$1" in
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

cd "$root"
command -v node >/dev/null || { echo "deploy-serverless.sh: Node.js 20+ is needed for the CDK" >&2; exit 1; }
cargo lambda --version >/dev/null 2>&1 || deploy/scripts/install-deps.sh cargo-lambda

# The zip lands where the stack looks by default for arm64; x86_64 goes elsewhere so that an
# x86_64 zip is never picked up as the arm64 default.
if [ "$arch" = arm64 ]; then
  lambda_dir=target/lambda
  if command -v rustup >/dev/null && ! rustup target list --installed | grep -qx aarch64-unknown-linux-gnu; then
    rustup target add aarch64-unknown-linux-gnu
  fi
  cargo lambda build --release --arm64 --output-format zip --bin twinstack-lambda --locked
else
  lambda_dir=target/lambda-x86_64
  cargo lambda build --release --x86-64 --output-format zip --bin twinstack-lambda --locked --lambda-dir "$lambda_dir"
fi
zip="$root/$lambda_dir/twinstack-lambda/bootstrap.zip"
[ -f "$zip" ] || { echo "deploy-serverless.sh: cargo-lambda wrote no $zip" >&2; exit 1; }
echo "deploy-serverless.sh: $zip ($arch, $(du -h "$zip" | cut -f1))"

cd infra
npm ci --no-audit --no-fund --loglevel=error
export CDK_DISABLE_CLI_TELEMETRY=true
context=(-c stacks=serverless -c "lambdaArchitecture=$arch" -c "lambdaZip=$zip" -c "httpApi=$http_api" -c "lambdaMemoryMb=$memory")
if [ "$bootstrap" = true ]; then
  npx cdk bootstrap --no-notices "${context[@]}"
fi
outputs="$root/target/twinstack/cdk-outputs-serverless.json"
mkdir -p "$(dirname "$outputs")"
npx cdk deploy ServerlessStack --no-notices "${context[@]}" --outputs-file "$outputs" "${cdk_args[@]}"

api_url="$(node -e 'const o = require(process.argv[1]).ServerlessStack; process.stdout.write(o.ApiUrl)' "$outputs")"
cat <<MSG

ServerlessStack deployed (outputs in $outputs). Try:
  curl -s ${api_url%/}/api/health
  curl -s ${api_url%/}/api/products
Seed the (empty) table; the seeder takes credentials from the environment only:
  eval "\$(aws configure export-credentials --format env)"
  target/release/twinstack seed --dynamodb "https://dynamodb.\$AWS_REGION.amazonaws.com" --table twinstack
MSG
