//! The serverless real-time twin next to the bench's API function: `twinstack-realtime-lambda`
//! under its own `cargo lambda watch` on the bench's table, the local API Gateway WebSocket harness
//! in front of it (stage `live`, the CDK stack's routes), and the DynamoDB Streams poller harness
//! invoking it with the table's stream. Everything stops when it is dropped.

use std::path::Path;
use std::time::Duration;

use anyhow::Context;
use twinstack_local_stack::{
    BoundGateway, EventSourceMapping, GatewayRoutes, LambdaEmulator, LambdaInvoker, Profile,
    StreamPollerHarness, WebSocketGatewayHarness,
};

const BINARY: &str = "twinstack-realtime-lambda";
/// The stage the CDK stack deploys.
const STAGE: &str = "live";
/// The first connection waits for `cargo lambda watch` to build and start the function.
const STARTUP: Duration = Duration::from_secs(600);

pub struct ServerlessRealtime {
    pub ws_url: String,
    invoker: LambdaInvoker,
    // Dropped in order: nothing is routed to the function once it stops.
    _gateway: WebSocketGatewayHarness,
    _streams: StreamPollerHarness,
    _emulator: LambdaEmulator,
}

impl ServerlessRealtime {
    /// Starts it on the API function's table and settings (`api_env`, `KEY=VALUE`).
    pub async fn start(
        workspace: &Path,
        profile: Profile,
        concurrency: u32,
        api_env: &[String],
    ) -> anyhow::Result<Self> {
        let setting = |key: &str| {
            api_env
                .iter()
                .find_map(|pair| pair.strip_prefix(key)?.strip_prefix('='))
                .map(str::to_owned)
                .with_context(|| format!("the API function's {key}"))
        };
        let (table, endpoint, region) = (
            setting("TABLE_NAME")?,
            setting("DYNAMODB_ENDPOINT")?,
            setting("AWS_REGION")?,
        );
        let gateway = BoundGateway::bind(STAGE).await?;
        let mut env = api_env.to_vec();
        env.extend([
            format!("CONNECTIONS_ENDPOINT={}", gateway.connections_endpoint()),
            // The management client takes credentials from the environment only, as in Lambda.
            "AWS_ACCESS_KEY_ID=local".to_owned(),
            "AWS_SECRET_ACCESS_KEY=local".to_owned(),
        ]);
        let workspace = workspace.to_owned();
        eprintln!("starting cargo lambda watch ({profile:?} build) for {BINARY}");
        let emulator = tokio::task::spawn_blocking(move || {
            let pairs: Vec<(&str, &str)> =
                env.iter().filter_map(|pair| pair.split_once('=')).collect();
            LambdaEmulator::start_with(&workspace, BINARY, concurrency, &pairs, profile)
        })
        .await??;
        // One invoker for the gateway and the stream poller: its count is every invocation.
        let invoker = emulator.invoker();
        let actions = ["subscribe", "unsubscribe", "ping"]
            .map(str::to_owned)
            .to_vec();
        let gateway = gateway.start(
            invoker.clone(),
            GatewayRoutes {
                route_keys: actions.clone(),
                two_way: actions,
            },
        );
        let ws_url = gateway.ws_url();
        wait_until_accepting(&ws_url).await?;
        let streams = StreamPollerHarness::start(
            &endpoint,
            &region,
            &table,
            invoker.clone(),
            EventSourceMapping::default(),
        )
        .await?;
        Ok(ServerlessRealtime {
            ws_url,
            invoker,
            _gateway: gateway,
            _streams: streams,
            _emulator: emulator,
        })
    }

    /// Invocations of the function so far, from the gateway and the stream poller.
    pub fn invocations(&self) -> u64 {
        self.invoker.invocations()
    }
}

/// Connects until `$connect` succeeds: the first one waits for the function's build.
async fn wait_until_accepting(ws_url: &str) -> anyhow::Result<()> {
    let deadline = tokio::time::Instant::now() + STARTUP;
    loop {
        match tokio_tungstenite::connect_async(ws_url).await {
            Ok(_) => return Ok(()),
            Err(error) if tokio::time::Instant::now() > deadline => {
                anyhow::bail!("{BINARY} did not accept a connection through the gateway: {error}")
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(500)).await,
        }
    }
}
