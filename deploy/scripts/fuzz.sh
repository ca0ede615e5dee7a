#!/usr/bin/env bash
# make fuzz: every cargo fuzz target in fuzz/ for FUZZ_SECONDS each (default 30), one after another.
# Corpora grow in target/twinstack/fuzz/corpus/<target> from run to run; the Lambda targets start
# from the HTTP event fixtures (aws_lambda_events' and crates/lambda/tests/fixtures). A crash stops
# the run, its input saved in target/twinstack/fuzz/artifacts/<target>/: reproduce it with
# `cargo fuzz run -s none <target> <file>` and keep it as a regression test in the crate's own tests.
# FUZZ_TARGETS="a b" runs only those.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
export PATH="$root/target/twinstack/tools/bin:$PATH"
# cargo fuzz passes nightly-only flags to rustc; this stable toolchain accepts them so.
export RUSTC_BOOTSTRAP=1
seconds="${FUZZ_SECONDS:-30}"
work="$root/target/twinstack/fuzz"
# No sanitizer: the workspace is safe Rust (a sanitizer would find nothing a panic does not, at a
# several-fold cost in executions). Release with debug assertions, as cargo fuzz builds by default.
fuzz=(cargo fuzz run --sanitizer none --target-dir "$work/build")
targets="${FUZZ_TARGETS:-$(cargo fuzz list)}"

# The aws_lambda_events fixtures of the version fuzz/Cargo.lock pins, found through Cargo.
lambda_fixtures() {
  cargo metadata --format-version 1 --locked --manifest-path fuzz/Cargo.toml |
    python3 -c 'import json, os, sys
packages = json.load(sys.stdin)["packages"]
print(next(os.path.join(os.path.dirname(p["manifest_path"]), "src", "fixtures") for p in packages if p["name"] == "aws_lambda_events"))'
}

for target in $targets; do
  corpus="$work/corpus/$target"
  mkdir -p "$corpus" "$work/artifacts/$target"
  if [[ "$target" == lambda_event_json ]]; then
    cp "$(lambda_fixtures)"/example-{apigw,alb,lambda-functionurl}-*.json crates/lambda/tests/fixtures/*.json "$corpus/"
  fi
  echo "==> $target: ${seconds} s"
  log="$work/$target.log"
  if ! "${fuzz[@]}" "$target" "$corpus" -- \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -artifact_prefix="$work/artifacts/$target/" -print_final_stats=1 >"$log" 2>&1; then
    tail -n 40 "$log" >&2
    echo "fuzz.sh: $target failed (log $log; a crash's input is in $work/artifacts/$target/)" >&2
    exit 1
  fi
  grep -E '^stat::(number_of_executed_units|new_units_added|peak_rss_mb)' "$log"
done
