//! `twinstack pipeline`: the data-processing workload (crate `twinstack-pipeline`) on this machine —
//! generate its input, run it in-process, as worker processes or through the real Lambda function
//! under `cargo lambda watch`, and the worker subcommands the Argo WorkflowTemplate's pods run.

mod generate;
mod run;
mod target;
mod via_lambda;
mod worker_chunk;
mod worker_list;
mod worker_reduce;
mod worker_runner;

use clap::{Args, Subcommand};

#[derive(Args)]
pub struct PipelineArgs {
    #[command(subcommand)]
    command: PipelineCommand,
}

#[derive(Subcommand)]
enum PipelineCommand {
    /// Write the deterministic input: NDJSON chunks and a manifest, to a directory or s3://BUCKET/PREFIX.
    Generate(generate::GenerateArgs),
    /// Run the whole pipeline here: in-process on every core, as worker processes, or via the Lambda function.
    Run(run::RunArgs),
    /// One step of a distributed run, as an orchestrator's pod runs it.
    #[command(subcommand)]
    Worker(WorkerCommand),
}

#[derive(Subcommand)]
enum WorkerCommand {
    /// The input's chunk keys as a JSON array (its manifest's, else every .ndjson object).
    List(worker_list::ListArgs),
    /// Stages 1–4 on one chunk: writes OUT/partials/<chunk>.json and OUT/rejects/<chunk>.ndjson.
    Chunk(worker_chunk::ChunkArgs),
    /// Merge every partial and load the result (stage 5); prints the run summary.
    Reduce(worker_reduce::ReduceArgs),
}

pub async fn run(args: PipelineArgs) -> anyhow::Result<()> {
    match args.command {
        PipelineCommand::Generate(args) => generate::run(args).await,
        PipelineCommand::Run(args) => run::run(args).await,
        PipelineCommand::Worker(WorkerCommand::List(args)) => worker_list::run(args).await,
        PipelineCommand::Worker(WorkerCommand::Chunk(args)) => worker_chunk::run(args).await,
        PipelineCommand::Worker(WorkerCommand::Reduce(args)) => worker_reduce::run(args).await,
    }
}
