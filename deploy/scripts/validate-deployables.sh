#!/usr/bin/env bash
# Every offline check of the deployables (`make validate-deployables`); exits non-zero if any fails.
#
#   hadolint         deploy/Dockerfile
#   compose          docker-compose -f deploy/docker-compose.yml config -q (Debian's docker-compose)
#   shell-lint       shellcheck -x over deploy/*.sh and deploy/scripts/*.sh (sourced files followed)
#   lambda-zip       the real x86_64 function zips: cargo lambda build --release --output-format zip
#                    (twinstack-lambda, twinstack-realtime-lambda beside it, twinstack-pipeline-lambda)
#   helm             helm/tests (pytest): lint and render with helm-python-sdk, kubernetes-validate
#                    --strict for 1.33/1.34/1.35, CRD schemas, checkov, assertions; deploy/ manifests
#                    and add-ons against their CRD schemas; deploy/sql/database-roles.sql on Postgres
#   cdk-typecheck    tsc --noEmit over infra/
#   cdk-tests        node --test (tsx) over infra/test: aws-cdk-lib/assertions, cdk-nag AwsSolutions
#   cdk-synth        cdk synth of every stack (both twins, their standbys, the failover records, the
#                    pipeline) with the zips above and -c lambdaArchitecture=x86_64
#   asl              the PipelineStack's state machine definition, out of that synth, through
#                    asl-validator (infra/package-lock.json)
#
# Tools are pinned and installed on first use: deploy/scripts/requirements-*.txt into
# target/twinstack/venv and venv-checkov, infra/package-lock.json into infra/node_modules,
# Debian's shellcheck and docker-compose, and cargo-lambda through install-deps.sh.
# Tools that may phone home (the CDK CLI, checkov, the tests) run in a loopback-only network
# namespace (unshare -n, so as root). TWINSTACK_LAMBDA_ZIP=PATH uses that x86_64 zip instead of
# building one (and ../twinstack-realtime-lambda/bootstrap.zip beside its directory);
# TWINSTACK_PIPELINE_LAMBDA_ZIP=PATH likewise for twinstack-pipeline-lambda.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
# shellcheck source=deploy/scripts/lib.sh
. deploy/scripts/lib.sh
started=$(date +%s)
state="$root/target/twinstack"
work="$state/validate"
venv="$state/venv"
venv_checkov="$state/venv-checkov"
rm -rf "$work"
mkdir -p "$work"

export CDK_DISABLE_CLI_TELEMETRY=true
export PIP_DISABLE_PIP_VERSION_CHECK=1
# No __pycache__ in the work tree from the chart tests.
export PYTHONDONTWRITEBYTECODE=1

log() { printf '\n==> %s\n' "$*"; }

# --- tools ---------------------------------------------------------------------------------------


# A venv from a requirements file, rebuilt only when the file changes.
ensure_venv() {
  local dir="$1" requirements="$2"
  local digest
  digest="$(sha256sum "$requirements" | cut -d' ' -f1)"
  if [ "$(cat "$dir/.requirements-sha256" 2>/dev/null)" != "$digest" ]; then
    log "installing $(basename "$requirements") into ${dir#"$root"/}"
    rm -rf "$dir"
    python3 -m venv "$dir"
    "$dir/bin/pip" install -q --no-deps -r "$requirements"
    "$dir/bin/pip" check >/dev/null
    echo "$digest" >"$dir/.requirements-sha256"
  fi
}

install_tools() {
  command -v shellcheck >/dev/null || apt_install shellcheck
  command -v docker-compose >/dev/null || apt_install docker-compose
  command -v ip >/dev/null || apt_install iproute2
  python3 -c 'import ensurepip, venv' 2>/dev/null || apt_install python3-venv
  command -v node >/dev/null || { echo "validate-deployables.sh: Node.js 20+ is needed" >&2; exit 1; }
  ensure_venv "$venv" deploy/scripts/requirements-validate.txt
  ensure_venv "$venv_checkov" deploy/scripts/requirements-checkov.txt
  local lock
  lock="$(sha256sum infra/package-lock.json | cut -d' ' -f1)"
  if [ "$(cat infra/node_modules/.package-lock-sha256 2>/dev/null)" != "$lock" ]; then
    log "npm ci (infra/)"
    (cd infra && npm ci --no-audit --no-fund --loglevel=error)
    echo "$lock" >infra/node_modules/.package-lock-sha256
  fi
  if [ -z "${TWINSTACK_LAMBDA_ZIP:-}" ] || [ -z "${TWINSTACK_PIPELINE_LAMBDA_ZIP:-}" ]; then
    deploy/scripts/install-deps.sh cargo-lambda
  fi
  # Loopback only: anything that tries to phone home fails instead.
  unshare -n true 2>/dev/null || {
    echo "validate-deployables.sh: needs \`unshare -n\` (root) to keep the CDK CLI and checkov off the network" >&2
    exit 1
  }
}

offline() {
  unshare -n sh -c 'ip link set lo up && exec "$@"' offline "$@"
}

# --- steps ---------------------------------------------------------------------------------------

names=()
outcomes=()
seconds=()

# step NAME COMMAND...: runs it, records the outcome, and carries on with the next step.
step() {
  local name="$1"
  shift
  log "$name: $*"
  local t0 status
  t0=$(date +%s)
  set +e
  "$@"
  status=$?
  set -e
  names+=("$name")
  seconds+=($(($(date +%s) - t0)))
  if [ "$status" = 0 ]; then
    outcomes+=(passed)
  else
    outcomes+=("FAILED ($status)")
    echo "validate-deployables.sh: $name FAILED (exit $status)" >&2
  fi
}

# function_zip BINARY ZIP GIVEN: the given zip (an environment variable's value), or a fresh build.
function_zip() {
  local binary="$1" zip="$2" given="$3"
  if [ -n "$given" ]; then
    [ -f "$given" ] || { echo "$binary: the zip $given does not exist" >&2; return 1; }
    echo "using $given for $binary"
    return 0
  fi
  # Not the arm64 default path (target/lambda/): an x86_64 zip there would be deployed as arm64.
  cargo lambda build --release --output-format zip --bin "$binary" --locked \
    --lambda-dir target/twinstack/lambda-x86_64
  python3 -c 'import sys, zipfile; assert "bootstrap" in zipfile.ZipFile(sys.argv[1]).namelist(), "no bootstrap in the zip"' "$zip"
  echo "$zip ($(du -h "$zip" | cut -f1))"
}

lambda_zip_step() {
  function_zip twinstack-lambda "$lambda_zip" "${TWINSTACK_LAMBDA_ZIP:-}" || return 1
  # The stack takes the real-time function's zip from beside the API's (infra/lib/realtime.ts): a
  # given API zip brings its own.
  function_zip twinstack-realtime-lambda "$realtime_lambda_zip" "${TWINSTACK_LAMBDA_ZIP:+$realtime_lambda_zip}" || return 1
  function_zip twinstack-pipeline-lambda "$pipeline_lambda_zip" "${TWINSTACK_PIPELINE_LAMBDA_ZIP:-}"
}

helm_step() {
  offline env CHECKOV="$venv_checkov/bin/checkov" "$venv/bin/python" -m pytest -p no:cacheprovider helm/tests
}

cdk_tests_step() {
  (cd infra && offline node --import tsx --test --test-reporter=spec test/*.test.ts)
}

# zip_or_placeholder ZIP: ZIP, or (only so that synth still says something about the stacks, when
# the lambda-zip step has failed) a placeholder, loudly.
zip_or_placeholder() {
  local zip="$1"
  if [ ! -f "$zip" ]; then
    # Side by side, as the stacks look for them (the real-time zip beside the API's).
    local placeholders binary
    placeholders="$(mktemp -d "$work/placeholder-XXXXXX")"
    for binary in twinstack-lambda twinstack-realtime-lambda twinstack-pipeline-lambda; do
      mkdir -p "$placeholders/$binary"
      printf 'placeholder, not a function\n' >"$placeholders/$binary/bootstrap.zip"
    done
    zip="$placeholders/$(basename "$(dirname "$zip")")/bootstrap.zip"
    printf '\n!!! NO REAL LAMBDA ZIP: synthesising with a PLACEHOLDER (%s).\n!!! The lambda-zip step failed; this run fails.\n\n' "$zip" >&2
  fi
  printf '%s' "$zip"
}

cdk_synth_step() {
  local zip pipeline_zip
  zip="$(zip_or_placeholder "$lambda_zip")"
  pipeline_zip="$(zip_or_placeholder "$pipeline_lambda_zip")"
  (cd infra && offline npx cdk synth --no-notices --quiet --output "$work/cdk.out" \
    -c "lambdaZip=$zip" -c "pipelineLambdaZip=$pipeline_zip" -c lambdaArchitecture=x86_64) &&
    for stack in ServerlessStack ServerlessStandbyStack KubernetesStack KubernetesStandbyStack KubernetesFailoverStack PipelineStack; do
      test -s "$work/cdk.out/$stack.template.json" || { echo "no $stack in the synth" >&2; return 1; }
    done &&
    # Disaster recovery is validated like the rest: a global table, health checks, both failover records.
    grep -q '"AWS::DynamoDB::GlobalTable"' "$work/cdk.out/ServerlessStack.template.json" &&
    grep -q '"Failover": "PRIMARY"' "$work/cdk.out/ServerlessStack.template.json" &&
    grep -q '"Failover": "SECONDARY"' "$work/cdk.out/ServerlessStandbyStack.template.json" &&
    test "$(grep -c '"AWS::Route53::HealthCheck"' "$work/cdk.out/KubernetesFailoverStack.template.json")" = 2 &&
    echo "synthesised: $(cd "$work/cdk.out" && echo ./*.template.json)"
}

asl_step() {
  local template="$work/cdk.out/PipelineStack.template.json"
  [ -s "$template" ] || { echo "no $template: the cdk-synth step failed" >&2; return 1; }
  (cd infra && node --import tsx bin/extract-asl.ts "$template" "$work/asl") || return 1
  local definition
  for definition in "$work"/asl/*.asl.json; do
    (cd infra && offline npx --no-install asl-validator --json-path "$definition") || return 1
  done
}

install_tools
lambda_zip="${TWINSTACK_LAMBDA_ZIP:-$root/target/twinstack/lambda-x86_64/twinstack-lambda/bootstrap.zip}"
realtime_lambda_zip="$(dirname "$(dirname "$lambda_zip")")/twinstack-realtime-lambda/bootstrap.zip"
pipeline_lambda_zip="${TWINSTACK_PIPELINE_LAMBDA_ZIP:-$root/target/twinstack/lambda-x86_64/twinstack-pipeline-lambda/bootstrap.zip}"

step hadolint "$venv/bin/hadolint" deploy/Dockerfile
step compose docker-compose -f deploy/docker-compose.yml config -q
step shell-lint shellcheck -x deploy/*.sh deploy/scripts/*.sh
step lambda-zip lambda_zip_step
step helm helm_step
step cdk-typecheck sh -c 'cd infra && npx tsc --noEmit -p .'
step cdk-tests cdk_tests_step
step cdk-synth cdk_synth_step
step asl asl_step

passed=0
failed=0
printf '\n%-14s %-12s %s\n' step outcome seconds
for i in "${!names[@]}"; do
  printf '%-14s %-12s %s\n' "${names[$i]}" "${outcomes[$i]}" "${seconds[$i]}"
  if [ "${outcomes[$i]}" = passed ]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
done
echo "wall time: $(($(date +%s) - started)) s"
echo "validate-deployables: $passed passed, $failed failed"
[ "$failed" = 0 ]
