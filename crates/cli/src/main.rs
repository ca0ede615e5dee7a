//! `twinstack`: tools around the twins.

mod bench;
mod cost;
mod dynamodb;
mod pipeline;
mod realtime_harness;
mod seed;
mod store_args;
mod verify;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(version, about = "twinstack: one workload, two stacks")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Load the deterministic data set into a store and print its checksum (Postgres: migrated
    /// first; DynamoDB: the table is created, and replaced on reseeding).
    Seed(seed::SeedArgs),
    /// Read everything a store holds and print its checksum (the one `seed` prints); writes nothing.
    Verify(verify::VerifyArgs),
    /// Monthly cost of each twin at the article's scale points, the crossover, and a chart
    /// (`--pipeline`: one run of the data pipeline on each stack; `--realtime`: the real-time feed
    /// a month by concurrent connections).
    Cost(cost::CostCommand),
    /// Replay an Artillery config against a target (open model) and report latency per request and phase.
    Load(twinstack_loadgen::LoadArgs),
    /// Both twins side by side on this machine (or deployed): load, cold starts, report, cost.
    Bench(bench::BenchArgs),
    /// The data-processing workload: generate its input, run it, or run one worker step.
    Pipeline(pipeline::PipelineArgs),
    /// A local harness, not a deployment: API Gateway's WebSocket API and the DynamoDB stream's
    /// event source mapping in front of twinstack-realtime-lambda under a Lambda emulator (for
    /// docker compose, tests and benchmarks; AWS runs the real ones).
    RealtimeHarness(realtime_harness::RealtimeHarnessArgs),
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    match Cli::parse().command {
        Command::Seed(args) => seed::run(args).await,
        Command::Verify(args) => verify::run(args).await,
        Command::Cost(args) => cost::run(args),
        Command::Load(args) => twinstack_loadgen::run_cli(args).await,
        Command::Bench(args) => bench::run(args).await,
        Command::Pipeline(args) => pipeline::run(args).await,
        Command::RealtimeHarness(args) => realtime_harness::run(args).await,
    }
}
