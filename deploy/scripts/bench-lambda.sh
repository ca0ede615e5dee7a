#!/usr/bin/env bash
# `make bench-lambda`: the Lambda twin's figures from issue 3, each next to its baseline, in one run.
#
#   1. init duration (spawn → first runtime-API `next`) of release twinstack-lambda, DynamoDB client
#      built, over STARTS fresh starts, next to the bare lambda_http hello-world (bare_hello example)
#   2. VmRSS of twinstack-lambda after REQUESTS invocations of mixed events on seeded DynamoDB Local
#   3. size of `cargo lambda build --release --output-format zip` (x86_64; arm64 cannot be built here)
#   4. GET /api/health through `cargo lambda watch --release`, wrk -c1 -t1, next to bare_hello on
#      tokio's multi-thread runtime (the canonical hello-world) and on the current-thread one
#      twinstack-lambda uses
#      (alternating rounds)
#   5. warm handler time per endpoint type (the probe, DynamoDB Local) next to twinstack-server's
#      latency for the same requests on Postgres (wrk -c1 -t1, one Lua script parameterised per
#      endpoint from the same event files)
#
# Run by `make bench-lambda`, after `make release`. Writes everything to
# target/twinstack/bench-lambda/, the table to summary.md. Nothing runs at the
# same time as something it is compared with. Everything started here is stopped on exit.
# Knobs: STARTS (20), REQUESTS (10000), USERS (1000), WRK_DURATION (10), ROUNDS (2),
# SERVER_DURATION (5).
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=deploy/scripts/lib.sh
. deploy/scripts/lib.sh

cargo=${CARGO:-cargo}
starts=${STARTS:-20}
requests=${REQUESTS:-10000}
users=${USERS:-1000}
wrk_duration=${WRK_DURATION:-10}
server_duration=${SERVER_DURATION:-5}
rounds=${ROUNDS:-2}
region=us-east-1
table=twinstack-bench
bin=target/release
probe=$bin/twinstack-lambda-probe
events=crates/lambda-probe/events
fixtures=crates/lambda/tests/fixtures
out=target/twinstack/bench-lambda
ddb_home=$PWD/target/twinstack/deps/dynamodb-local
# Endpoint types in the article's words, and the event each one is measured with (both twins).
endpoint_types=("Simple GET" "GET with DB query" "POST with validation" "Complex aggregation")
endpoint_events=(health get-user create-order user-summary)

began=$(date +%s)
say() { printf '\n== %s\n' "$*"; }
die() { printf 'bench-lambda: %s\n' "$*" >&2; exit 1; }

# --- what was started, and how it is stopped ------------------------------------------------------
ddb_pid='' ddb_dir='' server_pid='' pg_dir=''
watch_pids=()

# Each `cargo lambda watch` runs in a session of its own (setsid), so its whole group goes: the
# emulator and `cargo run`. The function instances sit in sessions of their own as its children, so
# those are stopped by pid too.
stop_watches() {
  local pid children
  for pid in "${watch_pids[@]}"; do
    children=$(pgrep -P "$pid" || true)
    kill -TERM -- "-$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 -- "-$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    for child in $children; do kill -KILL "$child" 2>/dev/null || true; done
  done
  watch_pids=()
}

stop_dynamodb() {
  stop_pids "$ddb_pid"
  ddb_pid=''
  if [ -n "$ddb_dir" ]; then rm -rf "$ddb_dir"; fi
  ddb_dir=''
}

cleanup() {
  stop_watches
  stop_pids "$server_pid"
  stop_dynamodb
  if [ -n "$pg_dir" ]; then deploy/scripts/pg-throwaway.sh stop "$pg_dir" >/dev/null 2>&1 || true; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Waits until URL answers STATUS (any HTTP answer when STATUS is "any"), for up to SECONDS.
wait_for() {
  local url=$1 status=$2 seconds=$3 code deadline
  deadline=$(($(date +%s) + seconds))
  while [ "$(date +%s)" -lt "$deadline" ]; do
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$url" || true)
    if [ "$status" = any ] && [ "$code" != 000 ]; then return 0; fi
    if [ "$code" = "$status" ]; then return 0; fi
    sleep 0.1
  done
  die "$url did not answer $status within ${seconds}s (last answer: $code)"
}

# A field of an event file: FILE EXPR (Python, `e` is the event).
event_field() {
  python3 -c 'import json, sys; e = json.load(open(sys.argv[1])); print(eval(sys.argv[2]) or "")' "$1" "$2"
}

# --- install and build ----------------------------------------------------------------------------
command -v python3 >/dev/null || die "python3 is needed (it also carries cargo-lambda)"
command -v curl >/dev/null || die "curl is needed"
deploy/scripts/install-deps.sh postgres wrk dynamodb-local cargo-lambda
mkdir -p "$out"
rm -f "$out"/*.json "$out"/*.txt "$out"/*.log "$out"/summary.md

# The release binaries come from `make release` (`make bench-lambda` runs it first), the one build
# `cargo lambda watch --release` below finds up to date. The example resolves the package's
# dev-dependencies too, so it is a build of its own, as its `cargo lambda watch` runs it.
for binary in twinstack twinstack-lambda twinstack-lambda-probe twinstack-server; do
  [ -x "$bin/$binary" ] || die "no $bin/$binary: run make bench-lambda (it builds with make release)"
done
say "release build of the baseline: bare_hello"
"$cargo" build --release --locked -p twinstack-lambda --example bare_hello

say "cargo lambda build --release --output-format zip --bin twinstack-lambda (x86_64)"
"$cargo" lambda build --release --locked --output-format zip --bin twinstack-lambda
zip=target/lambda/twinstack-lambda/bootstrap.zip
[ -f "$zip" ] || die "no $zip after cargo lambda build"
stat -c %s "$zip" >"$out/zip-bytes.txt"
built=$(date +%s)

# --- DynamoDB Local, seeded -----------------------------------------------------------------------
say "DynamoDB Local, seeded with $users users"
ddb_port=$(free_port)
ddb_endpoint=http://127.0.0.1:$ddb_port
# Its own temp dir: it writes a metadata file into its working directory.
ddb_dir=$(mktemp -d /tmp/twinstack-bench-lambda-ddb-XXXXXX)
(cd "$ddb_dir" && exec java -Djava.library.path="$ddb_home/DynamoDBLocal_lib" -jar "$ddb_home/DynamoDBLocal.jar" \
  -inMemory -sharedDb -disableTelemetry -port "$ddb_port" >"$ddb_dir/log" 2>&1) &
ddb_pid=$!
wait_for "$ddb_endpoint" any 120
AWS_REGION=$region "$bin/twinstack" seed --dynamodb "$ddb_endpoint" --table "$table" --users "$users" >/dev/null
lambda_env=(--env "TABLE_NAME=$table" --env "DYNAMODB_ENDPOINT=$ddb_endpoint")

# --- 1. init duration -----------------------------------------------------------------------------
say "1. init duration, $starts fresh starts each"
"$probe" init --bin "$bin/twinstack-lambda" --region "$region" "${lambda_env[@]}" --starts "$starts" \
  --json "$out/init-twinstack-lambda.json"
"$probe" init --bin "$bin/examples/bare_hello" --region "$region" --starts "$starts" \
  --json "$out/init-bare_hello.json"

# --- 2 and 5 (Lambda side). RSS and warm handler time ---------------------------------------------
say "2/5. $requests invocations of twinstack-lambda: 4 endpoint types + $(find "$fixtures" -name '*.json' | wc -l) event fixtures"
named_events=()
for i in "${!endpoint_types[@]}"; do
  named_events+=(--events "${endpoint_types[$i]}=$events/${endpoint_events[$i]}.json")
done
"$probe" invoke --bin "$bin/twinstack-lambda" --region "$region" "${lambda_env[@]}" \
  "${named_events[@]}" --events "$fixtures" --name-from-path \
  --expect rest-v1-post-invalid-order=422 --expect http-v2-post-user-invalid-utf8=400 \
  --requests "$requests" --warmup 110 --json "$out/invoke-twinstack-lambda.json"
say "bare_hello's handler time: the runtime's own floor"
"$probe" invoke --bin "$bin/examples/bare_hello" --region "$region" --events "Simple GET=$events/health.json" \
  --requests 2000 --warmup 100 --json "$out/invoke-bare_hello.json"

# --- 4. /api/health through cargo lambda watch ----------------------------------------------------
# /api/health touches no store: DynamoDB Local (its JVM busy after the run above) goes first, so it
# takes no CPU from the emulators. The function is still pointed at it and never calls it.
stop_dynamodb
# Both functions behind `cargo lambda watch --release`, each on its own port; wrk drives one at a
# time, alternating, so drift on a shared machine hits both alike. Its function-URL router only
# knows binaries, so the example is served as the package's default function (`/lambda-url/_/`):
# with `-p twinstack-lambda` there is one binary, and the default route runs
# `cargo run -p twinstack-lambda --release --example bare_hello`.
start_watch() {
  local port=$1 log=$2
  shift 2
  setsid "$cargo" lambda watch -A 127.0.0.1 -P "$port" --ignore-changes --release "$@" \
    --env-var "TABLE_NAME=$table" --env-var "DYNAMODB_ENDPOINT=$ddb_endpoint" --env-var "AWS_REGION=$region" \
    >"$log" 2>&1 &
  watch_pids+=("$!")
}
# bare_hello twice: as the canonical hello-world (multi-thread runtime) and on the current-thread
# runtime twinstack-lambda uses, which tells the layers' own cost from the runtime's.
say "4. GET /api/health through cargo lambda watch --release: $rounds alternating rounds of wrk -c1 -t1 -d${wrk_duration}s"
watched=(bare_hello bare_hello_current_thread twinstack-lambda)
bare_port=$(free_port)
start_watch "$bare_port" "$out/watch-bare_hello.log" -p twinstack-lambda --example bare_hello
bare_ct_port=$(free_port)
start_watch "$bare_ct_port" "$out/watch-bare_hello_current_thread.log" -p twinstack-lambda --example bare_hello \
  --env-var BARE_HELLO_RUNTIME=current_thread
lambda_port=$(free_port)
start_watch "$lambda_port" "$out/watch-twinstack-lambda.log" --bin twinstack-lambda
declare -A health_url=(
  [bare_hello]=http://127.0.0.1:$bare_port/lambda-url/_/
  [bare_hello_current_thread]=http://127.0.0.1:$bare_ct_port/lambda-url/_/
  [twinstack-lambda]=http://127.0.0.1:$lambda_port/lambda-url/twinstack-lambda/api/health
)
for name in "${watched[@]}"; do
  # The first invocation runs `cargo run --release`: a no-op build after the ones above.
  wait_for "${health_url[$name]}" 200 600
  wrk -t1 -c1 -d2s "${health_url[$name]}" >/dev/null
done
for round in $(seq "$rounds"); do
  for name in "${watched[@]}"; do
    printf -- '-- round %s, %s: %s\n' "$round" "$name" "${health_url[$name]}"
    wrk -t1 -c1 -d"${wrk_duration}s" "${health_url[$name]}" | tee "$out/watch-wrk-$name-$round.txt"
    if grep -q 'Non-2xx' "$out/watch-wrk-$name-$round.txt"; then die "$name answered errors through cargo lambda watch"; fi
  done
done
stop_watches

# --- 5 (server side). The same requests to twinstack-server on Postgres ---------------------------
say "5. twinstack-server on Postgres, seeded with $users users: wrk -c1 -t1 -d${server_duration}s per endpoint type"
pg_dir=$(mktemp -d /tmp/twinstack-bench-lambda-pg-XXXXXX)
database_url=$(deploy/scripts/pg-throwaway.sh start "$pg_dir" "$(free_port)")
migrate_and_seed "$database_url" "$users"
server_port=$(free_port)
DATABASE_URL=$database_url HOST=127.0.0.1 PORT=$server_port RUST_LOG=warn "$bin/twinstack-server" serve &
server_pid=$!
wait_for "http://127.0.0.1:$server_port/readyz" 200 60

# One request, from the environment; done() prints wrk's own figures in µs on one line.
lua=$out/wrk-request.lua
cat >"$lua" <<'LUA'
-- bench-lambda.sh: one request per endpoint type, from METHOD and BODY (the path is in the URL).
wrk.method = os.getenv("METHOD")
local body = os.getenv("BODY")
if body ~= nil and body ~= "" then
  wrk.body = body
  wrk.headers["Content-Type"] = "application/json"
end
done = function(summary, latency, requests)
  io.write(string.format("RESULT requests=%d non2xx=%d p50=%d p90=%d p99=%d max=%d\n",
    summary.requests, summary.errors.status, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max))
end
LUA
for i in "${!endpoint_types[@]}"; do
  event=$events/${endpoint_events[$i]}.json
  method=$(event_field "$event" 'e["requestContext"]["http"]["method"]')
  path=$(event_field "$event" 'e["rawPath"]')
  body=$(event_field "$event" 'e.get("body")')
  url=http://127.0.0.1:$server_port$path
  printf -- '-- %s: %s %s\n' "${endpoint_types[$i]}" "$method" "$path"
  METHOD=$method BODY=$body wrk -t1 -c1 -d2s -s "$lua" "$url" >/dev/null
  METHOD=$method BODY=$body wrk -t1 -c1 -d"${server_duration}s" -s "$lua" "$url" | tee "$out/server-wrk-${endpoint_events[$i]}.txt"
done
stop_pids "$server_pid"
server_pid=''

# --- summary ---------------------------------------------------------------------------------------
finished=$(date +%s)
BUILD_S=$((built - began)) MEASURE_S=$((finished - built)) STARTS=$starts REQUESTS=$requests USERS=$users \
  WRK_DURATION=$wrk_duration ROUNDS=$rounds SERVER_DURATION=$server_duration OUT=$out \
  COMMIT="$(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD 2>/dev/null || echo ' + uncommitted changes')" \
  CPU="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')" CORES="$(nproc)" \
  python3 - <<'PY'
import json, os, re, datetime

env = os.environ
out = env["OUT"]
load = lambda name: json.load(open(f"{out}/{name}"))
ms = lambda us: f"{us / 1000:.2f} ms"
verdict = lambda ok: "**pass**" if ok else "**miss**"

init_l, init_b = load("init-twinstack-lambda.json"), load("init-bare_hello.json")
inv_l, inv_b = load("invoke-twinstack-lambda.json"), load("invoke-bare_hello.json")
zip_bytes = int(open(f"{out}/zip-bytes.txt").read())

def rps(name):
    """Mean of the rounds, and each round."""
    rounds = [float(re.search(r"Requests/sec:\s+([\d.]+)", open(f"{out}/watch-wrk-{name}-{r}.txt").read()).group(1))
              for r in range(1, int(env["ROUNDS"]) + 1)]
    return sum(rounds) / len(rounds), rounds

def server(event):
    text = open(f"{out}/server-wrk-{event}.txt").read()
    return {k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", text.split("RESULT", 1)[1])}

def by_name(report, name):
    return next(e for e in report["events"] if e["name"] == name)

rss_bytes = inv_l["rss_kib"] * 1024
(rps_l, rounds_l), (rps_b, rounds_b) = rps("twinstack-lambda"), rps("bare_hello")
rps_c, rounds_c = rps("bare_hello_current_thread")
cost = 1 - rps_l / rps_b
own_cost = 1 - rps_l / rps_c
per_round = ", ".join(f"{l / b:.3f}" for l, b in zip(rounds_l, rounds_b))
per_round_c = ", ".join(f"{l / c:.3f}" for l, c in zip(rounds_l, rounds_c))
types = [("Simple GET", "health"), ("GET with DB query", "get-user"),
         ("POST with validation", "create-order"), ("Complex aggregation", "user-summary")]

lines = [
    f"# make bench-lambda — {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC",
    "",
    f"Commit {env['COMMIT']}; {env['CORES']} cores ({env['CPU']}), shared with other work; "
    f"builds {env['BUILD_S']} s, measurements {env['MEASURE_S']} s. Local figures: an emulated Runtime API "
    "(this probe, and `cargo lambda watch`) and DynamoDB Local, not AWS; compare within the run "
    "(ratios), not with production numbers. MB = 10^6 bytes.",
    "",
    "| # | Measure | twinstack-lambda | Baseline (same run) | Target | Result |",
    "|---|---|---|---|---|---|",
    f"| 1 | Init, spawn → first `next`, {init_l['starts']} fresh starts (DynamoDB client built) "
    f"| p50 {ms(init_l['init_us']['p50'])}, p99 {ms(init_l['init_us']['p99'])} "
    f"| bare_hello p50 {ms(init_b['init_us']['p50'])}, p99 {ms(init_b['init_us']['p99'])} "
    f"| p50 ≤ 15 ms | {verdict(init_l['init_us']['p50'] <= 15_000)} |",
    f"| 2 | VmRSS after {inv_l['requests']:,} invocations (+{inv_l['warmup']} warm-up), "
    f"{len(inv_l['events'])} mixed events, seeded DynamoDB Local "
    f"| {rss_bytes / 1e6:.1f} MB ({inv_l['rss_kib']:,} KiB) "
    f"| bare_hello {inv_b['rss_kib'] * 1024 / 1e6:.1f} MB after {inv_b['requests']:,} "
    f"| ≤ 32 MB | {verdict(rss_bytes <= 32e6)} |",
    f"| 3 | `cargo lambda build --release --output-format zip`, x86_64 bootstrap.zip "
    f"| {zip_bytes / 1e6:.2f} MB ({zip_bytes:,} B) | — | ≤ 5 MB | {verdict(zip_bytes <= 5e6)} |",
    f"| 4 | GET /api/health via `cargo lambda watch --release`, wrk -c1 -t1 -d{env['WRK_DURATION']}s, "
    f"mean of {env['ROUNDS']} alternating rounds "
    f"| {rps_l:,.0f} rps | bare_hello {rps_b:,.0f} rps (at `/lambda-url/_/`); ratio {rps_l / rps_b:.3f} "
    f"(per round {per_round}) "
    f"| layers cost ≤ 10% | {verdict(cost <= 0.10)} ({cost * 100:.1f}%) |",
    f"| 4b | the same, baseline on twinstack-lambda's runtime (current-thread): the layers' own cost "
    f"| {rps_l:,.0f} rps | bare_hello (`BARE_HELLO_RUNTIME=current_thread`) {rps_c:,.0f} rps; "
    f"ratio {rps_l / rps_c:.3f} (per round {per_round_c}) "
    f"| ≤ 10% | {verdict(own_cost <= 0.10)} ({own_cost * 100:.1f}%) |",
    "",
    "arm64 zip: not built — these machines have no aarch64 std for rustup to fetch; build it in CI "
    "(`cargo lambda build --release --arm64 --output-format zip`).",
    "",
    "## 5. Warm time per endpoint type (same run)",
    "",
    "| Endpoint type | Request | Lambda handler p50 / p90 / p99 (n) | Server p50 / p90 / p99 (n) | Lambda p50 / server p50 |",
    "|---|---|---|---|---|",
]
for label, event in types:
    l = by_name(inv_l, label)
    s = server(event)
    e = json.load(open(l["files"][0]))
    request = f"{e['requestContext']['http']['method']} {e['rawPath']}"
    if s["non2xx"]:
        raise SystemExit(f"bench-lambda: the server answered {s['non2xx']} errors to {request}")
    h = l["handler_us"]
    lines.append(
        f"| {label} | {request} | {ms(h['p50'])} / {ms(h['p90'])} / {ms(h['p99'])} ({l['ok']:,}) "
        f"| {ms(s['p50'])} / {ms(s['p90'])} / {ms(s['p99'])} ({s['requests']:,}) "
        f"| {h['p50'] / max(s['p50'], 1):.2f} |")
b = inv_b["handler_us"]
lines += [
    "",
    "Lambda: handler time measured by twinstack-lambda-probe (event delivered by `next` → response "
    f"posted), release twinstack-lambda on DynamoDB Local ({env['USERS']} users), one invocation at a "
    f"time, {inv_l['requests']:,} invocations cycling through the 4 events above and the "
    f"{len(inv_l['events']) - 4} fixtures of crates/lambda/tests/fixtures; {inv_l['unexpected']} unexpected "
    f"answers, {inv_l['function_errors']} function errors. Floor: bare_hello's handler time is "
    f"p50 {ms(b['p50'])} / p99 {ms(b['p99'])} (the runtime client's own round trip).",
    f"Server: twinstack-server on a throwaway Postgres ({env['USERS']} users, same data set), "
    f"wrk -c1 -t1 -d{env['SERVER_DURATION']}s per endpoint with one Lua script parameterised from the "
    "same event files: a full HTTP round trip over loopback, so it includes what the Lambda figure leaves "
    "out (HTTP parsing and the socket).",
]
text = "\n".join(lines) + "\n"
open(f"{out}/summary.md", "w").write(text)
print("\n" + text)
PY
printf 'bench-lambda: wall time %d s (builds %d s); results in %s/\n' \
  "$(($(date +%s) - began))" "$((built - began))" "$out"
