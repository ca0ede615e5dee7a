//! `twinstack pipeline worker list`: what the WorkflowTemplate's `list-chunks` pod prints for
//! `withParam` — the input's chunk keys as one JSON array — and a clear failure on an empty input.

use std::process::{Command, Output};

fn twinstack(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_twinstack"))
        .args(args)
        .env_remove("RUST_BACKTRACE")
        .output()
        .expect("running twinstack")
}

#[test]
fn lists_the_generated_chunks_as_a_json_array() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("input");
    let input = input.to_str().unwrap();
    let generated = twinstack(&[
        "pipeline",
        "generate",
        "--records",
        "300",
        "--chunks",
        "3",
        "--out",
        input,
    ]);
    assert!(
        generated.status.success(),
        "{}",
        String::from_utf8_lossy(&generated.stderr)
    );

    let listed = twinstack(&["pipeline", "worker", "list", "--in", input]);

    assert!(
        listed.status.success(),
        "{}",
        String::from_utf8_lossy(&listed.stderr)
    );
    let chunks: Vec<String> = serde_json::from_slice(&listed.stdout).unwrap();
    assert_eq!(
        chunks,
        [
            "chunk-00000.ndjson",
            "chunk-00001.ndjson",
            "chunk-00002.ndjson"
        ]
    );
}

#[test]
fn an_input_without_chunks_fails_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().to_str().unwrap();

    let listed = twinstack(&["pipeline", "worker", "list", "--in", input]);

    assert!(!listed.status.success());
    assert!(listed.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&listed.stderr);
    assert!(
        stderr.contains(input) && stderr.contains("no chunks"),
        "{stderr}"
    );
}
