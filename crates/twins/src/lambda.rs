//! The serverless twin: DynamoDB Local with a seeded table, and `twinstack-lambda` behind the real
//! Lambda runtime API (`cargo lambda watch`) with its emulated function URL.

use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::Duration;

use twinstack_conformance::Api;
use twinstack_local_stack::{DynamoDbLocal, LambdaEmulator};
use twinstack_store_dynamodb::DynamoSettings;

pub const REGION: &str = "us-east-1";

/// Creates `table` on the shared DynamoDB Local and loads the seed data into it.
pub async fn seeded_table(table: &str) -> DynamoSettings {
    seeded_table_on(&DynamoDbLocal::shared().endpoint(), table).await
}

/// Creates `table` on the DynamoDB at `endpoint` and loads the seed data into it.
pub async fn seeded_table_on(endpoint: &str, table: &str) -> DynamoSettings {
    let settings = DynamoSettings {
        // As the functions get below: a cold DynamoDB Local on a loaded machine is slow, not down.
        attempt_timeout: Duration::from_secs(30),
        operation_timeout: Duration::from_secs(60),
        ..DynamoSettings::local(endpoint, table)
    };
    let client = twinstack_store_dynamodb::client(&settings).await;
    twinstack_store_dynamodb::create_table(&client, table)
        .await
        .expect("create table");
    twinstack_store_dynamodb::load_data_set(&client, table, &crate::seed_data())
        .await
        .expect("seed");
    settings
}

/// The environment that points the function binary at `settings`' table on DynamoDB Local.
pub fn function_env(settings: &DynamoSettings) -> [(&'static str, String); 3] {
    [
        ("TABLE_NAME", settings.table.clone()),
        ("DYNAMODB_ENDPOINT", DynamoDbLocal::shared().endpoint()),
        ("AWS_REGION", REGION.to_owned()),
    ]
}

/// The function `binary` as Lambda starts a custom runtime, named `function`: Lambda's variables
/// and `env` only, talking to the Runtime API at `runtime_api`.
pub fn function_command(
    binary: &str,
    function: &str,
    runtime_api: std::net::SocketAddr,
    env: &[(&str, String)],
) -> std::process::Command {
    let mut command = std::process::Command::new(binary);
    command
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("AWS_LAMBDA_RUNTIME_API", runtime_api.to_string())
        .env("AWS_LAMBDA_FUNCTION_NAME", function)
        .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
        .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        .env(
            "AWS_LAMBDA_LOG_GROUP_NAME",
            format!("/aws/lambda/{function}"),
        )
        .env("AWS_LAMBDA_LOG_STREAM_NAME", "2026/11/27/[$LATEST]0000")
        .envs(env.iter().map(|(k, v)| (k, v)))
        .stdin(std::process::Stdio::null());
    command
}

/// Asserts that `trace_id` comes from X-Ray's id generator: its first 8 hex digits are the epoch
/// seconds of now (within the hour).
pub fn assert_xray_trace_id(trace_id: &str) {
    let started = u64::from_str_radix(&trace_id[..8], 16).unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    assert!(
        now.abs_diff(started) < 3600,
        "{trace_id} is not an X-Ray trace id of now"
    );
}

/// One emulator per test binary: starting it builds the function, so it is shared. Tests that use
/// it make their own users and keys, so one table serves them all.
static EMULATOR: OnceLock<LambdaEmulator> = OnceLock::new();

fn start_emulator() -> LambdaEmulator {
    let table = format!("twin-{}", std::process::id());
    // Seeding needs a runtime of its own: the calling test's runtime ends with that test.
    let seed_table = table.clone();
    std::thread::spawn(move || {
        tokio::runtime::Runtime::new()
            .unwrap()
            .block_on(seeded_table(&seed_table))
    })
    .join()
    .expect("seeding the table");
    api_emulator(&table)
}

/// `twinstack-lambda` under `cargo lambda watch`, on `table` of the shared DynamoDB Local.
pub fn api_emulator(table: &str) -> LambdaEmulator {
    api_emulator_on(&DynamoDbLocal::shared().endpoint(), table)
}

/// `twinstack-lambda` under `cargo lambda watch`, on `table` of the DynamoDB at `endpoint`.
pub fn api_emulator_on(endpoint: &str, table: &str) -> LambdaEmulator {
    let workspace = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let env = [
        ("TABLE_NAME", table),
        ("DYNAMODB_ENDPOINT", endpoint),
        ("AWS_REGION", REGION),
        ("RUST_LOG", "warn"),
        // DynamoDB Local runs transactions one at a time and a loaded 2-core machine makes it
        // slower still: give each call and the request room, so a queue is not mistaken for an outage.
        ("DYNAMODB_ATTEMPT_TIMEOUT_MS", "30000"),
        ("DYNAMODB_OPERATION_TIMEOUT_MS", "60000"),
        ("REQUEST_TIMEOUT_MS", "90000"),
    ];
    LambdaEmulator::start(&workspace, "twinstack-lambda", 4, &env).expect("cargo lambda watch")
}

/// `twinstack-lambda` through its function URL.
pub async fn spawn_lambda_twin() -> Api {
    let base = tokio::task::spawn_blocking(|| EMULATOR.get_or_init(start_emulator).function_url())
        .await
        .unwrap();
    let api = Api::new(base);
    // The first invocation waits for `cargo run` to build and start the function.
    twinstack_local_stack::wait_for_status(&api.url("/api/health"), 200, Duration::from_secs(300))
        .await
        .expect("the function answers");
    api
}
