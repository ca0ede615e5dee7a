#!/usr/bin/env bash
# Every offline check of the deployables (`make validate-deployables`); exits non-zero if any fails.
#
#   hadolint         deploy/Dockerfile
#   compose          docker-compose -f deploy/docker-compose.yml config -q (Debian's docker-compose)
#   shell-lint       shellcheck -x over deploy/*.sh and deploy/scripts/*.sh (sourced files followed)
#   lambda-zip       the real x86_64 function zips (the API's and the real-time feed's, side by side):
#                    cargo lambda build --release --output-format zip
#   helm             helm/tests (pytest): lint and render with helm-python-sdk, kubernetes-validate
#                    --strict for 1.33/1.34/1.35, CRD schemas, checkov, assertions; deploy/ manifests
#                    and add-ons against their CRD schemas; deploy/sql/database-roles.sql on Postgres
#   cdk-typecheck    tsc --noEmit over infra/
#   cdk-tests        node --test (tsx) over infra/test: aws-cdk-lib/assertions, cdk-nag AwsSolutions
#   cdk-synth        cdk synth of every stack (both twins, their standbys, the failover records) with
#                    the zip above and -c lambdaArchitecture=x86_64
#
# Tools are pinned and installed on first use: deploy/scripts/requirements-*.txt into
# target/twinstack/venv and venv-checkov, infra/package-lock.json into infra/node_modules,
# Debian's shellcheck and docker-compose, and cargo-lambda through install-deps.sh.
# Tools that may phone home (the CDK CLI, checkov, the tests) run in a loopback-only network
# namespace (unshare -n, so as root). TWINSTACK_LAMBDA_ZIP=PATH uses that x86_64 zip instead of
# building one (and ../twinstack-realtime-lambda/bootstrap.zip beside its directory).
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
  if [ -z "${TWINSTACK_LAMBDA_ZIP:-}" ]; then
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

lambda_zip_step() {
  if [ -n "${TWINSTACK_LAMBDA_ZIP:-}" ]; then
    [ -f "$TWINSTACK_LAMBDA_ZIP" ] || { echo "TWINSTACK_LAMBDA_ZIP=$TWINSTACK_LAMBDA_ZIP does not exist" >&2; return 1; }
    echo "using TWINSTACK_LAMBDA_ZIP=$TWINSTACK_LAMBDA_ZIP"
    return 0
  fi
  # Not the arm64 default path (target/lambda/): an x86_64 zip there would be deployed as arm64.
  cargo lambda build --release --output-format zip --bin twinstack-lambda --locked \
    --lambda-dir target/twinstack/lambda-x86_64
  # The stack takes the real-time function's zip from beside the API's (infra/lib/realtime.ts).
  cargo lambda build --release --output-format zip --bin twinstack-realtime-lambda --locked \
    --lambda-dir target/twinstack/lambda-x86_64
  for zip in "$lambda_zip" "$(dirname "$(dirname "$lambda_zip")")/twinstack-realtime-lambda/bootstrap.zip"; do
    python3 -c 'import sys, zipfile; assert "bootstrap" in zipfile.ZipFile(sys.argv[1]).namelist(), "no bootstrap in the zip"' "$zip"
    echo "$zip ($(du -h "$zip" | cut -f1))"
  done
}

helm_step() {
  offline env CHECKOV="$venv_checkov/bin/checkov" "$venv/bin/python" -m pytest -p no:cacheprovider helm/tests
}

cdk_tests_step() {
  (cd infra && offline node --import tsx --test --test-reporter=spec test/*.test.ts)
}

cdk_synth_step() {
  local zip="$lambda_zip"
  if [ ! -f "$zip" ]; then
    # Only so that synth still says something about the stacks: the lambda-zip step has failed.
    local placeholders
    placeholders="$(mktemp -d "$work/placeholder-XXXXXX")"
    zip="$placeholders/twinstack-lambda/bootstrap.zip"
    for binary in twinstack-lambda twinstack-realtime-lambda; do
      mkdir -p "$placeholders/$binary"
      printf 'placeholder, not a function\n' >"$placeholders/$binary/bootstrap.zip"
    done
    printf '\n!!! NO REAL LAMBDA ZIP: synthesising with a PLACEHOLDER (%s).\n!!! The lambda-zip step failed; this run fails.\n\n' "$zip" >&2
  fi
  (cd infra && offline npx cdk synth --no-notices --quiet --output "$work/cdk.out" \
    -c "lambdaZip=$zip" -c lambdaArchitecture=x86_64) &&
    for stack in ServerlessStack ServerlessStandbyStack KubernetesStack KubernetesStandbyStack KubernetesFailoverStack; do
      test -s "$work/cdk.out/$stack.template.json" || { echo "no $stack in the synth" >&2; return 1; }
    done &&
    # Disaster recovery is validated like the rest: a global table, health checks, both failover records.
    grep -q '"AWS::DynamoDB::GlobalTable"' "$work/cdk.out/ServerlessStack.template.json" &&
    grep -q '"Failover": "PRIMARY"' "$work/cdk.out/ServerlessStack.template.json" &&
    grep -q '"Failover": "SECONDARY"' "$work/cdk.out/ServerlessStandbyStack.template.json" &&
    test "$(grep -c '"AWS::Route53::HealthCheck"' "$work/cdk.out/KubernetesFailoverStack.template.json")" = 2 &&
    echo "synthesised: $(cd "$work/cdk.out" && echo ./*.template.json)"
}

install_tools
lambda_zip="${TWINSTACK_LAMBDA_ZIP:-$root/target/twinstack/lambda-x86_64/twinstack-lambda/bootstrap.zip}"

step hadolint "$venv/bin/hadolint" deploy/Dockerfile
step compose docker-compose -f deploy/docker-compose.yml config -q
step shell-lint shellcheck -x deploy/*.sh deploy/scripts/*.sh
step lambda-zip lambda_zip_step
step helm helm_step
step cdk-typecheck sh -c 'cd infra && npx tsc --noEmit -p .'
step cdk-tests cdk_tests_step
step cdk-synth cdk_synth_step

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
