# Shared by deploy/deploy-*.sh and deploy/teardown.sh (sourced, not run): dry runs and stack outputs.
# shellcheck shell=bash

dry_run=false

# run CMD ARGS...: runs it, or with --dry-run prints it (shell-quoted) instead.
run() {
  if [ "$dry_run" = true ]; then
    printf '+'
    printf ' %q' "$@"
    printf '\n'
  else
    "$@"
  fi
}

# dry_print TEXT: what a pipeline would run, printed instead of run under --dry-run.
dry_print() {
  printf '+ %s\n' "$*"
}

# stack_outputs STACK REGION FILE: the stack's outputs as {"STACK": {key: value}} in FILE
# (with --dry-run, a placeholder `<key>` for any key).
stack_outputs() {
  local stack="$1" region="$2" file="$3"
  if [ "$dry_run" = true ]; then
    echo '{}' >"$file"
    return
  fi
  aws cloudformation describe-stacks --stack-name "$stack" --region "$region" --output json |
    node -e '
      let text = ""; process.stdin.on("data", (d) => (text += d)).on("end", () => {
        const stack = JSON.parse(text).Stacks[0];
        const outputs = Object.fromEntries((stack.Outputs ?? []).map((o) => [o.OutputKey, o.OutputValue]));
        process.stdout.write(JSON.stringify({ [process.argv[1]]: outputs }, null, 2));
      });' "$stack" >"$file"
}

# output FILE STACK KEY: one value from an outputs file (cdk deploy --outputs-file writes the same shape).
output() {
  if [ "$dry_run" = true ]; then
    printf '<%s>' "$3"
    return
  fi
  # shellcheck disable=SC2016 # JavaScript, not shell: ${...} is a template literal.
  node -e 'const v = (require(process.argv[1])[process.argv[2]] ?? {})[process.argv[3]];
    if (v === undefined) { console.error(`no output ${process.argv[3]} of ${process.argv[2]}`); process.exit(1); }
    process.stdout.write(String(v));' "$1" "$2" "$3"
}

# The caller's IAM principal, as an ARN an EKS access entry takes (an assumed role's session ARN
# becomes the role's ARN).
caller_principal_arn() {
  if [ "$dry_run" = true ]; then
    printf '<caller ARN>'
    return
  fi
  local caller
  caller="$(aws sts get-caller-identity --query Arn --output text)"
  case "$caller" in
    arn:*:sts::*:assumed-role/*)
      aws iam get-role --role-name "$(echo "$caller" | cut -d/ -f2)" --query Role.Arn --output text
      ;;
    *) printf '%s' "$caller" ;;
  esac
}
