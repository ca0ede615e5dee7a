//! schemathesis (PyPI) against each twin, reading the twin's own `/api/openapi.json`: every check
//! (server errors, status codes, content types, response schemas and headers, positive and negative
//! data, unsupported methods) and every phase (examples, coverage, fuzzing, stateful). The named
//! limits of the tool are in `schemathesis.toml` beside this crate's manifest.
//!
//! `deploy/scripts/install-deps.sh schemathesis` installs the pinned version (`make test` does).

use std::process::Stdio;
use std::time::Duration;

use tokio::process::Command;
use twinstack_conformance::Api;

/// Fixed, so a failure reproduces with the command the test prints.
const SEED: &str = "20261203";
/// Far above a run's length on a loaded machine (tens of seconds), so only a hang trips it.
const DEADLINE: Duration = Duration::from_secs(900);

/// `hooks`: a hooks file for this twin (see `schemathesis_emulator.py`), or none.
async fn schemathesis_passes_against(api: Api, hooks: Option<&str>) {
    let config = concat!(env!("CARGO_MANIFEST_DIR"), "/schemathesis.toml");
    let schema = api.url("/api/openapi.json");
    // The document's paths are absolute (`/api/...`); the base carries a function URL's prefix.
    let base = api.url("");
    let args = [
        "--config-file",
        config,
        "run",
        &schema,
        "--url",
        &base,
        "--checks",
        "all",
        "--seed",
        SEED,
    ];
    // Through the interpreter, so a fresh pip install needs no script on PATH.
    let mut command = Command::new("python3");
    command.args(["-m", "schemathesis.cli"]);
    if let Some(hooks) = hooks {
        command.env("SCHEMATHESIS_HOOKS", hooks);
    }
    let run = command
        // Its working files (.hypothesis/) go to the target directory, not the source tree.
        .current_dir(env!("CARGO_TARGET_TMPDIR"))
        .args(args)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .kill_on_drop(true)
        .output();
    let output = tokio::time::timeout(DEADLINE, run)
        .await
        .expect("schemathesis finishes")
        .expect("schemathesis runs (install it: deploy/scripts/install-deps.sh schemathesis)");
    let report = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "schemathesis {} failed:\n{report}\n{}",
        args.join(" "),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        generated(&report) > 0,
        "schemathesis ran no test case:\n{report}"
    );
}

/// The count in the summary's `N generated, N passed` line.
fn generated(report: &str) -> u64 {
    report
        .lines()
        .find_map(|line| line.trim().split_once(" generated,"))
        .and_then(|(count, _)| count.parse().ok())
        .unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread")]
async fn the_server_twin_conforms_to_its_openapi_document() {
    schemathesis_passes_against(twinstack_twins::postgres::spawn_postgres_twin().await, None).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_lambda_twin_conforms_to_its_openapi_document() {
    let hooks = concat!(env!("CARGO_MANIFEST_DIR"), "/schemathesis_emulator.py");
    schemathesis_passes_against(
        twinstack_twins::lambda::spawn_lambda_twin().await,
        Some(hooks),
    )
    .await;
}
