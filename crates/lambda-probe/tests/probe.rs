//! The probe against real function binaries: the bare `lambda_http` hello-world (the `bare_hello`
//! example of `twinstack-lambda`) and `twinstack-lambda` itself on a seeded DynamoDB Local table.
//! Counts, status accounting and the shape of the figures are checked; timings never are (a busy
//! machine makes any threshold flaky).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use serde_json::Value;
use twinstack_core::seed::DataSet;
use twinstack_local_stack::DynamoDbLocal;
use twinstack_store_dynamodb::DynamoSettings;

const PROBE: &str = env!("CARGO_BIN_EXE_twinstack-lambda-probe");
const FIXTURE_COUNT: u64 = 7;
const PROBE_EVENT_COUNT: u64 = 4;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn fixtures() -> String {
    workspace()
        .join("crates/lambda/tests/fixtures")
        .display()
        .to_string()
}

fn probe_events() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("events")
        .display()
        .to_string()
}

struct Functions {
    bare_hello: PathBuf,
    twinstack_lambda: PathBuf,
}

/// Builds both function binaries once per test binary (cargo reports where it put them). A
/// dependency cannot hand its binaries or examples to our tests, so cargo is asked directly.
fn functions() -> &'static Functions {
    static FUNCTIONS: OnceLock<Functions> = OnceLock::new();
    FUNCTIONS.get_or_init(|| {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
        let output = Command::new(cargo)
            .args([
                "build",
                "--quiet",
                "--message-format=json",
                "-p",
                "twinstack-lambda",
                "--bin",
                "twinstack-lambda",
                "--example",
                "bare_hello",
            ])
            .current_dir(workspace())
            .output()
            .expect("running cargo");
        assert!(
            output.status.success(),
            "building the functions failed:\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let executable = |name: &str| -> PathBuf {
            String::from_utf8_lossy(&output.stdout)
                .lines()
                .filter_map(|line| serde_json::from_str::<Value>(line).ok())
                .filter(|m| m["reason"] == "compiler-artifact" && m["target"]["name"] == name)
                .find_map(|m| m["executable"].as_str().map(PathBuf::from))
                .unwrap_or_else(|| panic!("cargo built no executable named {name}"))
        };
        Functions {
            bare_hello: executable("bare_hello"),
            twinstack_lambda: executable("twinstack-lambda"),
        }
    })
}

/// A run of the probe with `--json` into a fresh file: its exit, output and JSON report.
struct Run {
    output: Output,
    report: Value,
}

fn probe(name: &str, args: &[&str]) -> Run {
    let json = std::env::temp_dir().join(format!(
        "twinstack-probe-test-{}-{name}.json",
        std::process::id()
    ));
    let _ = std::fs::remove_file(&json);
    let output = Command::new(PROBE)
        .args(args)
        .arg("--json")
        .arg(&json)
        .output()
        .expect("running the probe");
    let report = std::fs::read_to_string(&json)
        .ok()
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or_else(|| {
            panic!(
                "no JSON report; stdout:\n{}\nstderr:\n{}",
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            )
        });
    let _ = std::fs::remove_file(&json);
    Run { output, report }
}

fn succeeded(run: &Run) {
    assert!(
        run.output.status.success(),
        "the probe failed:\n{}{}",
        String::from_utf8_lossy(&run.output.stdout),
        String::from_utf8_lossy(&run.output.stderr)
    );
}

/// Percentiles in µs: nonzero, and each at most the next.
fn assert_ordered(summary: &Value) {
    let field = |name: &str| {
        summary[name]
            .as_u64()
            .unwrap_or_else(|| panic!("no {name} in {summary}"))
    };
    let (min, p50, p90, p99, max) = (
        field("min"),
        field("p50"),
        field("p90"),
        field("p99"),
        field("max"),
    );
    assert!(min > 0, "{summary}");
    assert!(
        min <= p50 && p50 <= p90 && p90 <= p99 && p99 <= max,
        "{summary}"
    );
}

fn event<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["events"]
        .as_array()
        .expect("an events array")
        .iter()
        .find(|e| e["name"] == name)
        .unwrap_or_else(|| panic!("no event named {name} in {report}"))
}

fn path(p: &Path) -> &str {
    p.to_str().expect("a UTF-8 path")
}

#[test]
fn init_times_every_fresh_start_of_the_bare_hello_world() {
    let bare = &functions().bare_hello;

    let run = probe("init-bare", &["init", "--bin", path(bare), "--starts", "5"]);

    succeeded(&run);
    assert_eq!(run.report["starts"], 5);
    assert_eq!(run.report["init_us"]["count"], 5);
    assert_ordered(&run.report["init_us"]);
    let table = String::from_utf8_lossy(&run.output.stdout);
    assert!(table.contains("p50") && table.contains("p99"), "{table}");
}

/// `invoke` of the bare hello-world over the Lambda fixtures, each named by its file, plus `extra`.
fn invoke_bare_hello_with_fixtures(name: &str, requests: u64, extra: &[&str]) -> Run {
    let bare = &functions().bare_hello;
    let requests = requests.to_string();
    let fixtures = fixtures();
    let args = [
        "invoke",
        "--bin",
        path(bare),
        "--events",
        &fixtures,
        "--name-from-path",
        "--requests",
        &requests,
    ];
    probe(name, &[&args[..], extra].concat())
}

#[test]
fn invoke_checks_and_times_every_fixture_through_the_bare_hello_world() {
    let requests = FIXTURE_COUNT * 3;

    let run = invoke_bare_hello_with_fixtures("invoke-bare", requests, &["--warmup", "2"]);

    succeeded(&run);
    let report = &run.report;
    assert_eq!(report["requests"], requests);
    assert_eq!(report["ok"], requests);
    assert_eq!(report["unexpected"], 0);
    assert_eq!(report["handler_us"]["count"], requests);
    assert!(report["rss_kib"].as_u64().unwrap() > 0);
    assert!(report["throughput_rps"].as_f64().unwrap() > 0.0);
    assert_eq!(
        report["events"].as_array().unwrap().len() as u64,
        FIXTURE_COUNT
    );
    let summary = event(report, "alb-get-summary");
    assert_eq!(summary["count"], 3);
    assert_eq!(summary["statuses"]["200"], 3);
    assert_ordered(&summary["handler_us"]);
    assert_ordered(&report["handler_us"]);
}

#[test]
fn an_answer_with_an_unexpected_status_is_counted_apart_and_fails_the_run() {
    let run = invoke_bare_hello_with_fixtures(
        "invoke-unexpected",
        FIXTURE_COUNT * 2,
        &["--expect", "alb-get-summary=404"],
    );

    assert!(!run.output.status.success());
    let stderr = String::from_utf8_lossy(&run.output.stderr);
    assert!(stderr.contains("did not answer as expected"), "{stderr}");
    let summary = event(&run.report, "alb-get-summary");
    assert_eq!(summary["expected_status"], "404");
    assert_eq!((&summary["count"], &summary["ok"]), (&2.into(), &0.into()));
    assert_eq!(summary["unexpected"], 2);
    assert_eq!(summary["handler_us"]["count"], 0, "misses are not timed");
    assert_eq!(run.report["unexpected"], 2);
    assert_eq!(run.report["handler_us"]["count"], FIXTURE_COUNT * 2 - 2);
}

#[test]
fn a_function_that_exits_before_asking_for_work_is_reported() {
    let output = Command::new(PROBE)
        .args(["init", "--bin", "/bin/false", "--starts", "2"])
        .output()
        .unwrap();

    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("start 1 of 2") && stderr.contains("exited"),
        "{stderr}"
    );
}

/// A table of its own on the shared DynamoDB Local, holding the small data set.
fn seeded_table() -> (String, String) {
    let endpoint = DynamoDbLocal::shared().endpoint();
    let table = format!("probe-{}", std::process::id());
    let settings = DynamoSettings::local(&endpoint, &table);
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        let client = twinstack_store_dynamodb::client(&settings).await;
        twinstack_store_dynamodb::create_table(&client, &table)
            .await
            .expect("create table");
        twinstack_store_dynamodb::load_data_set(&client, &table, &DataSet::generate(20, 2))
            .await
            .expect("seed");
    });
    (endpoint, table)
}

#[test]
fn twinstack_lambda_starts_and_answers_every_event_on_dynamodb_local() {
    let lambda = &functions().twinstack_lambda;
    let (endpoint, table) = seeded_table();
    let table_env = format!("TABLE_NAME={table}");
    let endpoint_env = format!("DYNAMODB_ENDPOINT={endpoint}");
    let function = [
        "--bin",
        path(lambda),
        "--env",
        &table_env,
        "--env",
        &endpoint_env,
        "--env",
        "RUST_LOG=warn",
    ];
    let per_event = 3;
    let requests = (FIXTURE_COUNT + PROBE_EVENT_COUNT) * per_event;

    let init = probe(
        "init-lambda",
        &[&["init", "--starts", "3"][..], &function[..]].concat(),
    );
    let invoke = probe(
        "invoke-lambda",
        &[
            &[
                "invoke",
                "--events",
                &probe_events(),
                "--events",
                &fixtures(),
                "--name-from-path",
                "--expect",
                "rest-v1-post-invalid-order=422",
                "--expect",
                "http-v2-post-user-invalid-utf8=400",
                "--requests",
                &requests.to_string(),
                "--warmup",
                "11",
            ],
            &function[..],
        ]
        .concat(),
    );

    succeeded(&init);
    assert_eq!(init.report["init_us"]["count"], 3);
    assert_ordered(&init.report["init_us"]);
    succeeded(&invoke);
    let report = &invoke.report;
    assert_eq!(report["requests"], requests);
    assert_eq!(
        (&report["unexpected"], &report["function_errors"]),
        (&0.into(), &0.into())
    );
    assert_eq!(report["non_2xx"], 2 * per_event, "the two invalid fixtures");
    for (name, status) in [
        ("health", "200"),
        ("get-user", "200"),
        ("create-order", "201"),
        ("user-summary", "200"),
        ("alb-get-summary", "200"),
        ("rest-v1-post-invalid-order", "422"),
        ("http-v2-post-user-invalid-utf8", "400"),
    ] {
        let figures = event(report, name);
        assert_eq!(figures["count"], per_event, "{name}");
        assert_eq!(figures["statuses"][status], per_event, "{name}: {figures}");
        assert_ordered(&figures["handler_us"]);
    }
    assert!(report["rss_kib"].as_u64().unwrap() > 0);
}
