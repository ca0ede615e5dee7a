#!/usr/bin/env bash
# `make bench-pipeline`: the data-processing workload's default input (1,000,000 order events in 100
# chunks) through the five stages on this machine, in-process (every core), via worker processes
# (`twinstack pipeline worker`, the settings' parallelism) and via lambda (twinstack-pipeline-lambda
# under `cargo lambda watch`, chunks in moto's S3, loading DynamoDB Local), each under GNU time: wall
# time, peak RSS (the largest process), CPU per chunk, and per-stage throughput in records/s per core
# (a stage's records over the time it took, summed over chunks, each chunk on one core). Every run
# must give the checksum pinned in crates/pipeline/src/generate.rs (DEFAULT_CHECKSUM).
# Then the Lambda's own figures: the zip's size (`cargo lambda build --release --output-format zip`,
# x86_64), its init duration over STARTS fresh starts (twinstack-lambda-probe, as make bench-lambda),
# and, from the via-lambda run, the state transitions, invocations and S3 requests it made and the
# GB-seconds its chunks' measured handler times imply at 128, 512 and 1024 MB.
# Writes target/twinstack/bench-pipeline/{summary.md,results.json}.
# Knobs: RECORDS (1000000), CHUNKS (100), TWINSTACK (target/release/twinstack), PIPELINE_LAMBDA
# (target/release/twinstack-pipeline-lambda), PROBE (target/release/twinstack-lambda-probe),
# STARTS (20), PIPELINE_LAMBDA_ZIP (an existing zip instead of building one).
set -euo pipefail
cd "$(dirname "$0")/../.."

bin=${TWINSTACK:-target/release/twinstack}
lambda_bin=${PIPELINE_LAMBDA:-target/release/twinstack-pipeline-lambda}
probe=${PROBE:-target/release/twinstack-lambda-probe}
starts=${STARTS:-20}
zip=${PIPELINE_LAMBDA_ZIP:-}
records=${RECORDS:-1000000}
chunks=${CHUNKS:-100}
out=target/twinstack/bench-pipeline
scratch=$(mktemp -d /tmp/twinstack-bench-pipeline-XXXXXX)
trap 'rm -rf "$scratch"' EXIT
mkdir -p "$out"

# Runs ARGS… under GNU time; the run's JSON summary goes to NAME.json, time's report to NAME.time.
timed() {
  local name=$1
  shift
  echo "== $name: twinstack $*" >&2
  /usr/bin/time -v -o "$scratch/$name.time" "$bin" "$@" >"$scratch/$name.json"
}

timed generate pipeline generate --records "$records" --chunks "$chunks" --out "$scratch/in"
timed in-process pipeline run --in "$scratch/in" --out "$scratch/in-process-out" --json
timed worker pipeline run --in "$scratch/in" --out "$scratch/worker-out" --via worker --json
# At the repository root (this script's working directory): the emulator builds the function from
# source, with the profile of $bin.
timed lambda pipeline run --in "$scratch/in" --out "$scratch/lambda-out" --via lambda --json

if [ -z "$zip" ]; then
  echo "== cargo lambda build --release --output-format zip --bin twinstack-pipeline-lambda (x86_64)" >&2
  cargo lambda build --release --locked --output-format zip --bin twinstack-pipeline-lambda >&2
  zip=target/lambda/twinstack-pipeline-lambda/bootstrap.zip
fi
stat -c %s "$zip" >"$scratch/zip-bytes"
# Init builds both clients from the environment Lambda and the stack give it; neither is called.
echo "== init: $starts fresh starts of $lambda_bin" >&2
"$probe" init --bin "$lambda_bin" --region us-east-1 --starts "$starts" --json "$scratch/init.json" \
  --env PIPELINE_BUCKET=twinstack-pipeline --env TABLE_NAME=twinstack \
  --env AWS_ACCESS_KEY_ID=bench --env AWS_SECRET_ACCESS_KEY=bench --env AWS_SESSION_TOKEN=bench >&2

expected=$(grep -A1 '^pub const DEFAULT_CHECKSUM' crates/pipeline/src/generate.rs | grep -o '[0-9a-f]\{64\}')
python3 - "$scratch" "$out" "$records" "$chunks" "$expected" "$(nproc)" "$zip" <<'PY'
import json, math, re, sys
scratch, out, records, chunks, expected, cores, zip_path = sys.argv[1:]
default_input = (records, chunks) == ("1000000", "100")

def gnu_time(name):
    text = open(f"{scratch}/{name}.time").read()
    field = lambda label: re.search(rf"{re.escape(label)}: (.*)", text).group(1).strip()
    wall = 0.0
    for part in field("Elapsed (wall clock) time (h:mm:ss or m:ss)").split(":"):
        wall = wall * 60 + float(part)
    return {
        "wall_s": wall,
        "cpu_s": float(field("User time (seconds)")) + float(field("System time (seconds)")),
        "peak_rss_mb": int(field("Maximum resident set size (kbytes)")) / 1024,
    }

results = {"records": int(records), "chunks": int(chunks), "cores": int(cores), "runs": {}}
results["generate"] = gnu_time("generate")
for name in ["in-process", "worker", "lambda"]:
    summary = json.load(open(f"{scratch}/{name}.json"))
    run = gnu_time(name)
    run["cpu_per_chunk_ms"] = run["cpu_s"] * 1000 / int(chunks)
    run["records_per_s"] = int(records) / run["wall_s"]
    run["stages"] = {
        stage: {
            "records_in": s["recordsIn"],
            "records_out": s["recordsOut"],
            "ms": s["micros"] / 1000,
            "records_per_s_per_core": s["recordsIn"] / (s["micros"] / 1e6) if s["micros"] else None,
        }
        for stage, s in summary["stages"].items()
    }
    for key in ["recordsIn", "loaded", "rejected", "checksum"]:
        run[key] = summary[key]
    run["failed_chunks"] = len(summary["failedChunks"])
    results["runs"][name] = run

# The Lambda's figures. GB-seconds: each chunk's handler time, measured on one of this machine's
# cores, stretched by the CPU share Lambda gives the memory size (a full vCPU at 1769 MB, as
# crates/cost/src/lambda.rs), rounded up to the millisecond, times the GB.
plan = json.load(open(f"{scratch}/lambda.json"))["lambda"]
init = json.load(open(f"{scratch}/init.json"))
chunk_ms = sorted(plan["chunkMillis"])
# Below 1769 MB a CPU-bound chunk bills about the same GB-seconds at any size: less memory, longer.
billed_ms = {mb: [math.ceil(ms / min(1.0, mb / 1769)) for ms in chunk_ms] for mb in (128, 512, 1024)}
gb_seconds = {mb: sum(billed) * mb / 1024 / 1000 for mb, billed in billed_ms.items()}
results["lambda"] = {
    "zip_bytes": int(open(f"{scratch}/zip-bytes").read()),
    "zip": zip_path,
    "init_us": init["init_us"],
    "init_starts": init["starts"],
    "plan_wall_s": plan["wallMs"] / 1000,
    "concurrency": plan["concurrency"],
    "chunk_invocations": plan["chunkInvocations"],
    "reduce_invocations": plan["reduceInvocations"],
    "state_transitions": plan["stateTransitions"],
    "s3_requests": plan["s3Requests"],
    "chunk_ms": {"p50": chunk_ms[len(chunk_ms) // 2], "max": chunk_ms[-1], "sum": sum(chunk_ms)},
    "gb_seconds": gb_seconds,
    "billed_chunk_ms_p50": {mb: billed[len(billed) // 2] for mb, billed in billed_ms.items()},
}

checksums = {run["checksum"] for run in results["runs"].values()}
results["checksums_equal"] = len(checksums) == 1
results["checksum_matches_default"] = checksums == {expected} if default_input else None
json.dump(results, open(f"{out}/results.json", "w"), indent=2)

lines = [
    f"# make bench-pipeline: {records} records, {chunks} chunks, {cores} cores",
    "",
    f"generate: {results['generate']['wall_s']:.2f} s, peak RSS {results['generate']['peak_rss_mb']:.0f} MB",
    "",
    "| run | wall s | records/s | peak RSS MB | CPU s | CPU per chunk ms | records in | loaded | rejected |",
    "|---|---|---|---|---|---|---|---|---|",
]
for name, r in results["runs"].items():
    lines.append(
        f"| {name} | {r['wall_s']:.2f} | {r['records_per_s']:.0f} | {r['peak_rss_mb']:.0f} | {r['cpu_s']:.2f} "
        f"| {r['cpu_per_chunk_ms']:.1f} | {r['recordsIn']} | {r['loaded']} | {r['rejected']} |"
    )
lines += ["", "| stage (in-process) | records in | time ms (summed over chunks) | records/s per core |", "|---|---|---|---|"]
for stage, s in results["runs"]["in-process"]["stages"].items():
    rate = f"{s['records_per_s_per_core']:.0f}" if s["records_per_s_per_core"] else "-"
    lines.append(f"| {stage} | {s['records_in']} | {s['ms']:.1f} | {rate} |")
lam = results["lambda"]
lines += [
    "",
    "| twinstack-pipeline-lambda | measured | target |",
    "|---|---|---|",
    f"| zip (`cargo lambda build --release --output-format zip`, x86_64) | {lam['zip_bytes'] / 1e6:.2f} MB | ≤ 5 MB |",
    f"| init, spawn → first `next`, {lam['init_starts']} fresh starts | p50 {lam['init_us']['p50'] / 1000:.1f} ms, "
    f"p99 {lam['init_us']['p99'] / 1000:.1f} ms | p50 ≤ 20 ms |",
    f"| via lambda: listing → reduce answered, {lam['concurrency']} at once | {lam['plan_wall_s']:.2f} s | |",
    f"| chunk handler time | p50 {lam['chunk_ms']['p50']:.1f} ms, max {lam['chunk_ms']['max']:.1f} ms | |",
    f"| invocations | {lam['chunk_invocations']} chunk, {lam['reduce_invocations']} reduce | |",
    f"| Step Functions state transitions | {lam['state_transitions']} | |",
    "| S3 requests (moto's access log; the ResultWriter's own not made locally) | "
    + ", ".join(f"{op} {n}" for op, n in lam["s3_requests"].items()) + " | |",
    "| Lambda GB-seconds of the chunks (handler time ÷ CPU share, billed per ms; chunk p50) | "
    + ", ".join(f"{mb} MB: {gbs:.2f} ({lam['billed_chunk_ms_p50'][mb]} ms)" for mb, gbs in lam["gb_seconds"].items())
    + " | |",
    "",
    "The lambda row's wall time, CPU and peak RSS include its local servers (moto, DynamoDB Local's JVM) "
    "and the emulator; the run itself is the listing → reduce line.",
]
lines += ["", f"checksum: {checksums.pop() if len(checksums) == 1 else 'DIFFERENT: ' + ', '.join(sorted(checksums))}"]
if default_input:
    lines.append(f"equals DEFAULT_CHECKSUM: {results['checksum_matches_default']}")
open(f"{out}/summary.md", "w").write("\n".join(lines) + "\n")
print("\n".join(lines))
ok = results["checksums_equal"] and results["checksum_matches_default"] is not False
ok = ok and all(run["failed_chunks"] == 0 for run in results["runs"].values())
sys.exit(0 if ok else 1)
PY
