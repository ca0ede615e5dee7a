//! The serverless twin for tests: DynamoDB Local with a seeded table, and either the real Lambda
//! runtime API (`cargo lambda watch`) in front of the binary, or the Lambda app in-process.

#![allow(dead_code)] // each test binary uses part of this

use std::path::PathBuf;
use std::sync::OnceLock;

use twinstack_conformance::Api;
use twinstack_core::seed::DataSet;
use twinstack_store_dynamodb::DynamoSettings;
use twinstack_testkit::{DynamoDbLocal, LambdaEmulator};

pub const SEED_USERS: u32 = 20;
pub const SEED_ORDERS_PER_USER: u32 = 2;
pub const REGION: &str = "us-east-1";

/// Creates `table` on the shared DynamoDB Local and loads the small data set into it.
pub async fn seeded_table(table: &str) -> DynamoSettings {
    let settings = DynamoSettings::local(DynamoDbLocal::shared().endpoint(), table);
    let client = twinstack_store_dynamodb::client(&settings).await;
    twinstack_store_dynamodb::create_table(&client, table)
        .await
        .expect("create table");
    twinstack_store_dynamodb::load_data_set(
        &client,
        table,
        &DataSet::generate(SEED_USERS, SEED_ORDERS_PER_USER),
    )
    .await
    .expect("seed");
    settings
}

struct EmulatedTwin {
    emulator: LambdaEmulator,
}

/// One `cargo lambda watch` per test binary, on one seeded table: starting it builds the binary, so
/// it is shared. The conformance checks make their own users and keys, so they can share a table.
static TWIN: OnceLock<EmulatedTwin> = OnceLock::new();

fn start_emulated_twin() -> EmulatedTwin {
    let table = format!("conformance-{}", std::process::id());
    // Seeding needs a runtime of its own: the calling test's runtime ends with that test.
    let seed_table = table.clone();
    std::thread::spawn(move || {
        tokio::runtime::Runtime::new()
            .unwrap()
            .block_on(seeded_table(&seed_table));
    })
    .join()
    .expect("seeding the table");
    let endpoint = DynamoDbLocal::shared().endpoint();
    let workspace = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let env = [
        ("TABLE_NAME", table.as_str()),
        ("DYNAMODB_ENDPOINT", endpoint.as_str()),
        ("AWS_REGION", REGION),
        ("RUST_LOG", "warn"),
    ];
    let emulator =
        LambdaEmulator::start(&workspace, "twinstack-lambda", 4, &env).expect("cargo lambda watch");
    EmulatedTwin { emulator }
}

/// The Lambda binary behind the real runtime API, through its emulated function URL.
pub async fn spawn_lambda_twin() -> Api {
    let base = tokio::task::spawn_blocking(|| {
        TWIN.get_or_init(start_emulated_twin)
            .emulator
            .function_url()
    })
    .await
    .unwrap();
    let api = Api::new(base);
    // The first invocation waits for `cargo run` to build and start the function.
    twinstack_testkit::wait_for_status(
        &api.url("/api/health"),
        200,
        std::time::Duration::from_secs(900),
    )
    .await
    .expect("the function answers");
    api
}
