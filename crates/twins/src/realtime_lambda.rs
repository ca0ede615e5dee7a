//! The serverless real-time twin, all local: `twinstack-lambda` (the HTTP API) and
//! `twinstack-realtime-lambda` under `cargo lambda watch` on one seeded DynamoDB Local table, the
//! WebSocket gateway harness in front of the realtime function, and the stream poller harness
//! feeding the table's stream to it.

use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::Duration;

use twinstack_conformance::Api;
use twinstack_conformance::realtime::RealtimeTwin;
use twinstack_local_stack::{
    BoundGateway, DynamoDbLocal, EventSourceMapping, GatewayRoutes, LambdaEmulator,
    StreamPollerHarness, WebSocketGatewayHarness,
};

use crate::lambda::{REGION, api_emulator, seeded_table};

/// The stage the harness serves, as the CDK stack names it.
pub const STAGE: &str = "live";

/// Where a running twin answers.
#[derive(Clone, Debug)]
struct RealtimeEndpoints {
    pub api_base: String,
    pub ws_url: String,
}

/// Everything one twin runs; kept for the life of the test process (the emulators' watchdogs stop
/// their processes when it ends).
struct Running {
    endpoints: RealtimeEndpoints,
    _api: LambdaEmulator,
    _realtime: LambdaEmulator,
    _gateway: WebSocketGatewayHarness,
    _streams: StreamPollerHarness,
}

static TWIN: OnceLock<RealtimeEndpoints> = OnceLock::new();

/// The API Gateway routes of the CDK stack: message routes by `action`, acknowledgements returned.
pub fn routes() -> GatewayRoutes {
    GatewayRoutes::all_two_way(&["subscribe", "unsubscribe", "ping"])
}

/// One twin per test binary (starting it builds two functions); tests make their own users.
pub async fn spawn_realtime_lambda_twin() -> RealtimeTwin {
    let endpoints = tokio::task::spawn_blocking(|| TWIN.get_or_init(start).clone())
        .await
        .unwrap();
    // The first invocation waits for `cargo run` to build and start the function.
    twinstack_local_stack::wait_for_status(
        &format!("{}/api/health", endpoints.api_base),
        200,
        Duration::from_secs(300),
    )
    .await
    .expect("the API function answers");
    RealtimeTwin {
        api: Api::new(endpoints.api_base),
        ws_url: endpoints.ws_url,
    }
}

/// Starts the twin on a runtime of its own, which outlives any one test's.
fn start() -> RealtimeEndpoints {
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Runtime::new().expect("a runtime for the harnesses");
        runtime.block_on(async move {
            let running = run().await;
            sender.send(running.endpoints.clone()).unwrap();
            // The harnesses serve from this runtime until the test process ends.
            std::future::pending::<()>().await;
            drop(running);
        });
    });
    receiver
        .recv()
        .expect("starting the serverless real-time twin")
}

async fn run() -> Running {
    let table = format!("realtime-{}", std::process::id());
    let settings = seeded_table(&table).await;
    let endpoint = DynamoDbLocal::shared().endpoint();
    let bound = BoundGateway::bind(STAGE)
        .await
        .expect("bind the gateway harness");
    let connections_endpoint = bound.connections_endpoint();
    let (api_table, realtime_table) = (table.clone(), table.clone());
    let api = tokio::task::spawn_blocking(move || api_emulator(&api_table));
    let realtime = tokio::task::spawn_blocking(move || {
        realtime_emulator(&realtime_table, &endpoint, &connections_endpoint)
    });
    let (api, realtime) = (api.await.unwrap(), realtime.await.unwrap());
    let gateway = bound.start(realtime.invoker(), routes());
    let streams = StreamPollerHarness::start(
        settings.endpoint.as_deref().expect("a local endpoint"),
        REGION,
        &table,
        realtime.invoker(),
        EventSourceMapping::default(),
    )
    .await
    .expect("poll the table's stream");
    Running {
        endpoints: RealtimeEndpoints {
            api_base: api.function_url(),
            ws_url: gateway.ws_url(),
        },
        _api: api,
        _realtime: realtime,
        _gateway: gateway,
        _streams: streams,
    }
}

/// `twinstack-realtime-lambda` under `cargo lambda watch`, posting to `connections_endpoint`.
pub fn realtime_emulator(
    table: &str,
    endpoint: &str,
    connections_endpoint: &str,
) -> LambdaEmulator {
    let workspace = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let env = [
        ("TABLE_NAME", table),
        ("DYNAMODB_ENDPOINT", endpoint),
        ("AWS_REGION", REGION),
        ("CONNECTIONS_ENDPOINT", connections_endpoint),
        // The management client takes credentials from the environment only, as in Lambda.
        ("AWS_ACCESS_KEY_ID", "local"),
        ("AWS_SECRET_ACCESS_KEY", "local"),
        ("RUST_LOG", "warn"),
        // DynamoDB Local runs transactions one at a time on a loaded machine: room, as for the API.
        ("DYNAMODB_ATTEMPT_TIMEOUT_MS", "30000"),
        ("DYNAMODB_OPERATION_TIMEOUT_MS", "60000"),
    ];
    LambdaEmulator::start(&workspace, "twinstack-realtime-lambda", 4, &env)
        .expect("cargo lambda watch")
}
