//! `twinstack realtime-harness`: the serverless real-time twin's AWS parts, stood in for locally —
//! a test and bench harness, not a deployment. It serves API Gateway's WebSocket API (routes,
//! Lambda proxy events, `@connections`) and polls the table's DynamoDB stream as Lambda's event
//! source mapping would, invoking `twinstack-realtime-lambda` through a Lambda emulator's Invoke
//! API (`cargo lambda watch`). docker compose runs it next to the emulator and the function.

use std::net::SocketAddr;

use anyhow::Context;
use clap::Args;
use twinstack_local_stack::{
    BoundGateway, EventSourceMapping, GatewayRoutes, LambdaInvoker, StreamPollerHarness,
};
use twinstack_realtime::ClientFrame;

#[derive(Args)]
pub struct RealtimeHarnessArgs {
    /// Where the gateway listens: clients connect to ws://ADDRESS/STAGE, and the function's
    /// CONNECTIONS_ENDPOINT is http://ADDRESS/STAGE (as this host is reached from the function).
    #[arg(long, default_value = "127.0.0.1:8090")]
    pub listen: SocketAddr,

    /// The stage, as the CDK stack names it.
    #[arg(long, default_value = "live")]
    pub stage: String,

    /// The Lambda emulator whose Invoke API runs the function (`cargo lambda watch`).
    #[arg(long, value_name = "URL", default_value = "http://127.0.0.1:9000")]
    pub lambda: String,

    /// The function the gateway's routes and the stream invoke.
    #[arg(long, default_value = "twinstack-realtime-lambda")]
    pub function: String,

    /// DynamoDB Local's endpoint; the table's stream is polled there.
    #[arg(long, value_name = "ENDPOINT")]
    pub dynamodb: String,

    /// The table (created with its stream by `twinstack seed --dynamodb`).
    #[arg(long, value_name = "T")]
    pub table: String,

    /// The region the stream client signs for (DynamoDB Local accepts any).
    #[arg(long, env = "AWS_REGION", default_value = "us-east-1")]
    pub region: String,
}

pub async fn run(args: RealtimeHarnessArgs) -> anyhow::Result<()> {
    let function = LambdaInvoker::at(&args.lambda, &args.function);
    let bound = BoundGateway::bind_to(args.listen, &args.stage).await?;
    let streams = StreamPollerHarness::start(
        &args.dynamodb,
        &args.region,
        &args.table,
        function.clone(),
        EventSourceMapping::default(),
    )
    .await
    .with_context(|| format!("polling the stream of table {}", args.table))?;
    let gateway = bound.start(function, GatewayRoutes::all_two_way(&ClientFrame::ACTIONS));
    eprintln!(
        "local harness (not API Gateway): WebSocket clients on {}, @connections on {}, stream of {} polled",
        gateway.ws_url(),
        gateway.connections_endpoint(),
        args.table
    );
    shutdown().await;
    drop(gateway);
    drop(streams);
    Ok(())
}

/// Ctrl-C or SIGTERM (docker stop).
async fn shutdown() {
    let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .expect("installing the SIGTERM handler");
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = terminate.recv() => {}
    }
}
