//! `twinstack pipeline`: generate, run in-process, via worker processes and via the Lambda
//! function, the worker steps, and the faults — defective records, failed chunks under the retry
//! policy, a killed worker.

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use serde_json::Value;
use twinstack_local_stack::{DynamoDbLocal, MotoS3};
use twinstack_pipeline::{LoadTarget, RunSummary};
use twinstack_pipeline_stores::PgTarget;

/// At the repository root, where `--via lambda` runs: `cargo lambda watch` builds the function there.
fn twinstack(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_twinstack"))
        .args(args)
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
        .output()
        .expect("twinstack runs")
}

fn succeed(args: &[&str]) -> Output {
    let output = twinstack(args);
    assert!(
        output.status.success(),
        "{args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

fn summary(output: &Output) -> RunSummary {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|err| {
        panic!(
            "not a summary ({err}): {}\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

/// The rejected records a run wrote under `out/rejects/`.
fn rejects_written(out: &Path) -> u64 {
    std::fs::read_dir(out.join("rejects"))
        .unwrap()
        .map(|entry| {
            std::fs::read_to_string(entry.unwrap().path())
                .unwrap()
                .lines()
                .count() as u64
        })
        .sum()
}

fn path(dir: &Path, name: &str) -> String {
    dir.join(name).display().to_string()
}

/// Retries at once, tolerating `tolerated` percent of failed chunks.
fn settings(dir: &Path, tolerated: u32) -> String {
    let file = dir.join(format!("settings-{tolerated}.json"));
    let text = format!(
        r#"{{"maxConcurrency": 1000, "parallelism": 3,
            "retry": {{"maxAttempts": 2, "intervalSeconds": 0, "backoffRate": 2.0}},
            "toleratedFailurePercentage": {tolerated}}}"#
    );
    std::fs::write(&file, text).unwrap();
    file.display().to_string()
}

fn generate(out: &str, records: &str, chunks: &str) {
    succeed(&[
        "pipeline",
        "generate",
        "--records",
        records,
        "--chunks",
        chunks,
        "--out",
        out,
    ]);
}

#[test]
fn generating_twice_writes_the_same_chunks_and_a_manifest_listing_them() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (path(dir.path(), "a"), path(dir.path(), "b"));

    generate(&a, "2500", "3");
    generate(&b, "2500", "3");

    let manifest: Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("a/manifest.json")).unwrap())
            .unwrap();
    assert_eq!(
        manifest,
        serde_json::json!([
            {"chunk": "chunk-00000.ndjson", "records": 834},
            {"chunk": "chunk-00001.ndjson", "records": 833},
            {"chunk": "chunk-00002.ndjson", "records": 833},
        ])
    );
    for chunk in [
        "chunk-00000.ndjson",
        "chunk-00001.ndjson",
        "chunk-00002.ndjson",
    ] {
        assert_eq!(
            std::fs::read(dir.path().join("a").join(chunk)).unwrap(),
            std::fs::read(dir.path().join("b").join(chunk)).unwrap()
        );
    }
}

#[test]
fn in_process_and_worker_runs_give_the_same_checksum_and_every_record_is_counted() {
    let dir = tempfile::tempdir().unwrap();
    let input = path(dir.path(), "in");
    generate(&input, "6000", "4");

    let in_process = summary(&succeed(&[
        "pipeline",
        "run",
        "--in",
        &input,
        "--out",
        &path(dir.path(), "a"),
        "--json",
    ]));
    let via_worker = summary(&succeed(&[
        "pipeline",
        "run",
        "--in",
        &input,
        "--out",
        &path(dir.path(), "b"),
        "--via",
        "worker",
        "--json",
    ]));

    assert_eq!(in_process.checksum, via_worker.checksum);
    assert_eq!(in_process.records_in, 6000);
    assert_eq!(
        in_process.records_in,
        in_process.loaded + in_process.rejected
    );
    assert!(in_process.rejected > 0, "the input has defective records");
    assert_eq!(
        (
            via_worker.records_in,
            via_worker.loaded,
            via_worker.rejected
        ),
        (
            in_process.records_in,
            in_process.loaded,
            in_process.rejected
        )
    );
    assert_eq!(in_process.stages.extract.records_in, 6000);
    assert_eq!(
        rejects_written(&dir.path().join("b")),
        via_worker.rejected,
        "every reject is written out"
    );
}

#[test]
fn a_chunk_of_defective_records_is_counted_in_rejects_with_line_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let input = path(dir.path(), "in");
    generate(&input, "3000", "3");
    let garbage = "not json\n{\"orderId\":1}\n\n\u{1F980}\n";
    std::fs::write(dir.path().join("in/chunk-00001.ndjson"), garbage).unwrap();

    let run = summary(&succeed(&[
        "pipeline",
        "run",
        "--in",
        &input,
        "--out",
        &path(dir.path(), "out"),
        "--json",
    ]));

    assert_eq!(run.records_in, 2000 + 4);
    assert_eq!(run.records_in, run.loaded + run.rejected);
    let rejects =
        std::fs::read_to_string(dir.path().join("out/rejects/chunk-00001.ndjson")).unwrap();
    let lines: Vec<Value> = rejects
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 4);
    for (n, reject) in lines.iter().enumerate() {
        assert_eq!(reject["chunk"], "chunk-00001.ndjson");
        assert_eq!(reject["line"], n as u64 + 1);
        assert_eq!(reject["reason"]["kind"], "badJson");
    }
}

#[test]
fn a_missing_chunk_is_retried_then_reported_and_fails_the_run_only_above_the_tolerated_share() {
    let dir = tempfile::tempdir().unwrap();
    let input = path(dir.path(), "in");
    generate(&input, "5000", "10");
    std::fs::remove_file(dir.path().join("in/chunk-00003.ndjson")).unwrap();

    let strict = twinstack(&[
        "pipeline",
        "run",
        "--in",
        &input,
        "--out",
        &path(dir.path(), "strict"),
        "--settings",
        &settings(dir.path(), 5),
        "--json",
    ]);
    let lenient = twinstack(&[
        "pipeline",
        "run",
        "--in",
        &input,
        "--out",
        &path(dir.path(), "lenient"),
        "--settings",
        &settings(dir.path(), 10),
        "--json",
    ]);

    assert!(!strict.status.success(), "1 of 10 chunks is above 5%");
    let stderr = String::from_utf8_lossy(&strict.stderr);
    assert!(
        stderr.contains("1 of 10 chunks failed, above the tolerated 5%"),
        "{stderr}"
    );
    assert!(lenient.status.success(), "1 of 10 chunks is within 10%");
    for output in [&strict, &lenient] {
        let run = summary(output);
        assert_eq!(run.chunks, 9, "the other chunks complete");
        assert_eq!(run.records_in, 4500);
        assert_eq!(run.failed_chunks.len(), 1);
        let failure = &run.failed_chunks[0];
        assert_eq!(failure.chunk, "chunk-00003.ndjson");
        assert_eq!(
            failure.attempts, 3,
            "the first attempt and maxAttempts = 2 retries"
        );
        assert!(
            failure
                .error
                .contains("chunk-00003.ndjson: object not found"),
            "{}",
            failure.error
        );
    }
}

#[test]
fn a_worker_on_a_missing_chunk_names_the_chunk_and_the_reason_without_panicking() {
    let dir = tempfile::tempdir().unwrap();
    let input = path(dir.path(), "in");
    generate(&input, "10", "1");

    let output = twinstack(&[
        "pipeline",
        "worker",
        "chunk",
        "--in",
        &input,
        "--chunk",
        "chunk-00042.ndjson",
        "--out",
        &path(dir.path(), "out"),
    ]);

    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(&format!(
            "chunk chunk-00042.ndjson: {input}/chunk-00042.ndjson: object not found"
        )),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn a_worker_killed_mid_chunk_and_run_again_gives_the_same_final_checksum() {
    let dir = tempfile::tempdir().unwrap();
    let input = path(dir.path(), "in");
    let out = path(dir.path(), "out");
    generate(&input, "300000", "2");
    let worker = |chunk: &str| {
        Command::new(env!("CARGO_BIN_EXE_twinstack"))
            .args([
                "pipeline", "worker", "chunk", "--in", &input, "--chunk", chunk, "--out", &out,
            ])
            .stderr(Stdio::null())
            .spawn()
            .unwrap()
    };
    let clean = summary(&succeed(&[
        "pipeline",
        "run",
        "--in",
        &input,
        "--out",
        &path(dir.path(), "clean"),
        "--json",
    ]));

    let mut doomed = worker("chunk-00000.ndjson");
    std::thread::sleep(Duration::from_millis(300));
    assert!(
        doomed.try_wait().unwrap().is_none(),
        "still working on its chunk"
    );
    doomed.kill().unwrap();
    doomed.wait().unwrap();
    for chunk in ["chunk-00000.ndjson", "chunk-00001.ndjson"] {
        assert!(worker(chunk).wait().unwrap().success());
    }
    let reduced = summary(&succeed(&[
        "pipeline",
        "worker",
        "reduce",
        "--partials",
        &format!("{out}/partials"),
    ]));

    assert_eq!(reduced.checksum, clean.checksum);
    assert_eq!(reduced.records_in, 300_000);
}

#[tokio::test]
async fn a_run_loads_into_postgres_and_loading_again_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let database = twinstack_local_stack::shared()
        .create_database("pipeline_cli")
        .unwrap();
    let input = path(dir.path(), "in");
    generate(&input, "4000", "2");
    let run = |via: &str| {
        summary(&succeed(&[
            "pipeline",
            "run",
            "--in",
            &input,
            "--out",
            &path(dir.path(), via),
            "--via",
            via,
            "--store",
            &database,
            "--json",
        ]))
    };

    let first = run("in-process");
    let again = run("worker");

    assert_eq!(first.checksum, again.checksum);
    let stored = PgTarget::connect(&database)
        .await
        .unwrap()
        .read()
        .await
        .unwrap();
    assert_eq!(stored.checksum(), first.checksum);
    assert_eq!(stored.rows().count() as u64, first.rows);
}

#[tokio::test]
async fn a_worker_run_over_s3_loads_into_dynamodb_with_the_checksum_of_a_local_run() {
    let dir = tempfile::tempdir().unwrap();
    let moto = MotoS3::start().unwrap();
    moto.create_bucket("pipeline").unwrap();
    let endpoint = DynamoDbLocal::shared().endpoint();
    let table = "pipeline_cli";
    let client = twinstack_store_dynamodb::client(
        &twinstack_store_dynamodb::DynamoSettings::local(&endpoint, table),
    )
    .await;
    twinstack_store_dynamodb::create_table(&client, table)
        .await
        .unwrap();
    let with_s3 = |args: &[&str]| {
        let output = Command::new(env!("CARGO_BIN_EXE_twinstack"))
            .args(args)
            .env("AWS_ENDPOINT_URL_S3", moto.endpoint())
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .env("AWS_REGION", "us-east-1")
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        output
    };
    generate(&path(dir.path(), "in"), "3000", "3");
    with_s3(&[
        "pipeline",
        "generate",
        "--records",
        "3000",
        "--chunks",
        "3",
        "--out",
        "s3://pipeline/in",
    ]);

    let on_s3 = summary(&with_s3(&[
        "pipeline",
        "run",
        "--in",
        "s3://pipeline/in",
        "--out",
        "s3://pipeline/out",
        "--via",
        "worker",
        "--dynamodb",
        &endpoint,
        "--table",
        table,
        "--json",
    ]));
    let local = summary(&succeed(&[
        "pipeline",
        "run",
        "--in",
        &path(dir.path(), "in"),
        "--out",
        &path(dir.path(), "out"),
        "--json",
    ]));

    assert_eq!(on_s3.checksum, local.checksum);
    assert_eq!(on_s3.target, format!("dynamodb table {table}"));
    let stored = twinstack_pipeline_stores::DynamoTarget::new(client, table)
        .read()
        .await
        .unwrap();
    assert_eq!(stored.checksum(), local.checksum);
}

fn run_via(input: &str, out: &Path, via: &str) -> Value {
    let out = out.join(via).display().to_string();
    let output = succeed(&[
        "pipeline", "run", "--in", input, "--out", &out, "--via", via, "--json",
    ]);
    serde_json::from_slice(&output.stdout).unwrap_or_else(|err| {
        panic!(
            "not JSON ({err}): {}",
            String::from_utf8_lossy(&output.stdout)
        )
    })
}

/// The real `twinstack-pipeline-lambda` under `cargo lambda watch`, sent the events Step Functions
/// sends, its chunks in moto's S3, loading a DynamoDB Local of its own.
#[test]
fn in_process_worker_and_lambda_runs_give_the_same_checksum_and_count_every_record() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in").display().to_string();
    succeed(&[
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
    assert_eq!(
        rejects_written(&dir.path().join("lambda")),
        lambda.rejected,
        "every reject reaches S3"
    );

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
