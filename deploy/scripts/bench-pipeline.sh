#!/usr/bin/env bash
# `make bench-pipeline`: the data-processing workload's default input (1,000,000 order events in 100
# chunks) through the five stages on this machine, in-process (every core) and via worker processes
# (`twinstack pipeline worker`, the settings' parallelism), each under GNU time: wall time, peak RSS
# (the largest process), CPU per chunk, and per-stage throughput in records/s per core (a stage's
# records over the time it took, summed over chunks, each chunk on one core). Both runs must give
# the checksum pinned in crates/pipeline/src/generate.rs (DEFAULT_CHECKSUM).
# Writes target/twinstack/bench-pipeline/{summary.md,results.json}.
# Knobs: RECORDS (1000000), CHUNKS (100), TWINSTACK (target/release/twinstack).
set -euo pipefail
cd "$(dirname "$0")/../.."

bin=${TWINSTACK:-target/release/twinstack}
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

expected=$(grep -A1 '^pub const DEFAULT_CHECKSUM' crates/pipeline/src/generate.rs | grep -o '[0-9a-f]\{64\}')
python3 - "$scratch" "$out" "$records" "$chunks" "$expected" "$(nproc)" <<'PY'
import json, re, sys
scratch, out, records, chunks, expected, cores = sys.argv[1:]
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
for name in ["in-process", "worker"]:
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
lines += ["", f"checksum: {checksums.pop() if len(checksums) == 1 else 'DIFFERENT: ' + ', '.join(sorted(checksums))}"]
if default_input:
    lines.append(f"equals DEFAULT_CHECKSUM: {results['checksum_matches_default']}")
open(f"{out}/summary.md", "w").write("\n".join(lines) + "\n")
print("\n".join(lines))
ok = results["checksums_equal"] and results["checksum_matches_default"] is not False
sys.exit(0 if ok else 1)
PY
