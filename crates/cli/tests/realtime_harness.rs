//! `twinstack realtime-harness`, the process docker compose runs in front of the serverless
//! real-time twin: the real function under `cargo lambda watch`, DynamoDB Local with the seeded
//! table's stream, and the harness as a child process of its own, held to the real-time contract.

use std::process::Stdio;
use std::time::Duration;

use twinstack_conformance::Api;
use twinstack_conformance::realtime::{RealtimeTwin, checks};
use twinstack_local_stack::{DynamoDbLocal, free_port};
use twinstack_twins::lambda::{api_emulator, seeded_table};
use twinstack_twins::realtime_lambda::{STAGE, realtime_emulator};

#[tokio::test]
async fn the_harness_subcommand_serves_the_serverless_feed_end_to_end() {
    // Arrange: the table, both functions, and the harness on a port the function posts back to.
    let table = format!("harness-{}", std::process::id());
    seeded_table(&table).await;
    let endpoint = DynamoDbLocal::shared().endpoint();
    let port = free_port();
    let connections = format!("http://127.0.0.1:{port}/{STAGE}");
    let (api_table, realtime_table, realtime_endpoint) =
        (table.clone(), table.clone(), endpoint.clone());
    let api = tokio::task::spawn_blocking(move || api_emulator(&api_table));
    let realtime = tokio::task::spawn_blocking(move || {
        realtime_emulator(&realtime_table, &realtime_endpoint, &connections)
    });
    let (api, realtime) = (api.await.unwrap(), realtime.await.unwrap());
    let listen = format!("127.0.0.1:{port}");
    let lambda = format!("http://127.0.0.1:{}", realtime.port());
    let _harness = tokio::process::Command::new(env!("CARGO_BIN_EXE_twinstack"))
        .args(["realtime-harness", "--listen", &listen, "--stage", STAGE])
        .args([
            "--lambda",
            &lambda,
            "--dynamodb",
            &endpoint,
            "--table",
            &table,
        ])
        .env("AWS_REGION", "us-east-1")
        .stdin(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("twinstack realtime-harness starts");
    let twin = RealtimeTwin {
        api: Api::new(api.function_url()),
        ws_url: format!("ws://{listen}/{STAGE}"),
    };
    // The first invocations wait for `cargo run` to build and start each function.
    twinstack_local_stack::wait_for_status(
        &format!("{}/api/health", api.function_url()),
        200,
        Duration::from_secs(300),
    )
    .await
    .expect("the API function answers");
    assert!(twin.wait_until_accepting(Duration::from_secs(60)).await);

    // Act and Assert: a route's answer through the gateway, and writes through the stream.
    checks::ping_is_answered_with_pong(&twin).await;
    checks::created_and_status_changed_arrive_once_in_commit_order(&twin).await;
}
