//! `twinstack pipeline run --via lambda`: the real `twinstack-pipeline-lambda` under
//! `cargo lambda watch`, sent the events Step Functions sends, its chunks in moto's S3, loading a
//! DynamoDB Local of its own — held to the same checksum as the other two orchestrations.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;
use twinstack_pipeline::RunSummary;

/// `cargo lambda watch` builds the function from the workspace, so `--via lambda` runs there.
fn workspace() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

fn run(args: &[&str]) -> Output {
    let output = Command::new(env!("CARGO_BIN_EXE_twinstack"))
        .args(args)
        .current_dir(workspace())
        .output()
        .expect("twinstack runs");
    assert!(
        output.status.success(),
        "{args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

fn run_via(input: &str, out: &Path, via: &str) -> Value {
    let out = out.join(via).display().to_string();
    let output = run(&[
        "pipeline", "run", "--in", input, "--out", &out, "--via", via, "--json",
    ]);
    serde_json::from_slice(&output.stdout).unwrap_or_else(|err| {
        panic!(
            "not JSON ({err}): {}",
            String::from_utf8_lossy(&output.stdout)
        )
    })
}

#[test]
fn in_process_worker_and_lambda_runs_give_the_same_checksum_and_count_every_record() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in").display().to_string();
    run(&[
        "pipeline",
        "generate",
        "--records",
        "6000",
        "--chunks",
        "4",
        "--out",
        &input,
    ]);

    let runs: Vec<(&str, Value)> = ["in-process", "worker", "lambda"]
        .into_iter()
        .map(|via| (via, run_via(&input, dir.path(), via)))
        .collect();

    let summaries: Vec<RunSummary> = runs
        .iter()
        .map(|(_, json)| serde_json::from_value(json.clone()).unwrap())
        .collect();
    for ((via, _), summary) in runs.iter().zip(&summaries) {
        assert_eq!(summary.checksum, summaries[0].checksum, "{via}");
        assert_eq!(summary.records_in, 6000, "{via}");
        assert_eq!(
            summary.records_in,
            summary.loaded + summary.rejected,
            "{via}"
        );
        assert!(summary.failed_chunks.is_empty(), "{via}");
    }
    let lambda = &summaries[2];
    assert_eq!(lambda.target, "dynamodb table twinstack-pipeline");
    let rejects: usize = std::fs::read_dir(dir.path().join("lambda/rejects"))
        .unwrap()
        .map(|entry| {
            std::fs::read_to_string(entry.unwrap().path())
                .unwrap()
                .lines()
                .count()
        })
        .sum();
    assert_eq!(rejects as u64, lambda.rejected, "every reject reaches S3");

    let plan = &runs[2].1["lambda"];
    assert_eq!(plan["chunkInvocations"], 4);
    assert_eq!(plan["reduceInvocations"], 1);
    assert_eq!(
        plan["stateTransitions"],
        2 + 4,
        "Map, reduce and one task per child"
    );
    assert_eq!(plan["chunkMillis"].as_array().unwrap().len(), 4);
    assert!(plan["wallMs"].as_f64().unwrap() > 0.0);
    let s3 = &plan["s3Requests"];
    assert_eq!(
        s3["PUT"],
        4 * 2,
        "each chunk writes its rejects and its partial"
    );
    assert_eq!(
        s3["GET"],
        4 + 4,
        "each chunk reads its object, the reduce each partial"
    );
    assert!(
        s3["LIST"].as_u64().unwrap() >= 2,
        "the ItemReader's and the reduce's listings: {s3}"
    );
    assert!(
        runs[0].1.get("lambda").is_none(),
        "only the lambda run has a plan"
    );
}
