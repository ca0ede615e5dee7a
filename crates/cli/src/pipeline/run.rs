//! `twinstack pipeline run`: the whole plan on this machine — generate (unless --in), fan out over
//! the chunks with the settings' retry policy, reduce, load, print the summary. `--via lambda`
//! is its own driver (`via_lambda.rs`): the function under an emulator, its chunks in S3.

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context, bail};
use clap::{Args, ValueEnum};
use serde::Serialize;
use twinstack_pipeline::{
    Catalogue, DEFAULT_CHUNKS, DEFAULT_RECORDS, InProcess, InputSpec, Objects, PARTIALS,
    RunSummary, Settings, fan_out, generate_input, list_chunks, load, reduce,
};

use super::generate::cores;
use super::target::TargetArgs;
use super::via_lambda::{self, LambdaPlan};
use super::worker_runner::{self, WorkerProcess};

/// How the chunks run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Via {
    /// Tasks in this process, one per core.
    InProcess,
    /// `twinstack pipeline worker` processes, as Argo's pods run them (settings' `parallelism` at once).
    Worker,
    /// `twinstack-pipeline-lambda` under `cargo lambda watch` (run at the repository root), sent
    /// the events Step Functions sends, its chunks in moto's S3 on loopback, loading DynamoDB.
    Lambda,
}

#[derive(Args)]
pub struct RunArgs {
    /// An existing input (a directory or s3://BUCKET/PREFIX with a manifest.json, or .ndjson
    /// objects); without it, the input is generated into the output location's input/.
    #[arg(long = "in", value_name = "URL", conflicts_with_all = ["records", "chunks"])]
    pub input: Option<String>,

    /// Records to generate.
    #[arg(long, default_value_t = DEFAULT_RECORDS, value_parser = clap::value_parser!(u64).range(1..))]
    pub records: u64,

    /// Chunks to generate.
    #[arg(long, default_value_t = DEFAULT_CHUNKS, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub chunks: u32,

    /// The run's output location (partials/, rejects/, aggregates.json); default: a scratch
    /// directory, deleted afterwards. Via lambda: where the partials and rejects are copied
    /// from the bucket at the end (default: nowhere).
    #[arg(long, value_name = "URL")]
    pub out: Option<String>,

    #[arg(long, value_enum, default_value_t = Via::InProcess)]
    pub via: Via,

    /// The settings file (retry, tolerated failures, parallelism); default: the built-in copy of
    /// deploy/pipeline/settings.json.
    #[arg(long, value_name = "FILE")]
    pub settings: Option<PathBuf>,

    /// Chunks at once; default: one per core in-process, the settings' parallelism via worker,
    /// via lambda one per core up to the settings' maxConcurrency.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
    pub concurrency: Option<u32>,

    #[command(flatten)]
    pub target: TargetArgs,

    /// Print the summary as JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

pub async fn run(args: RunArgs) -> anyhow::Result<()> {
    let settings = match &args.settings {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("reading {}", path.display()))?;
            Settings::parse(&text).map_err(|err| anyhow::anyhow!("{}: {err}", path.display()))?
        }
        None => Settings::default(),
    };
    let (mut summary, plan, chunks, scratch) = match args.via {
        Via::Lambda => {
            let run = via_lambda::run(&args, &settings).await?;
            (run.summary, Some(run.plan), run.chunks, None)
        }
        Via::InProcess | Via::Worker => {
            let (summary, chunks, scratch) = run_here(&args, &settings).await?;
            (summary, None, chunks, scratch)
        }
    };
    summary.failed_chunks.sort_by(|a, b| a.chunk.cmp(&b.chunk));
    print(&summary, plan.as_ref(), args.json)?;
    // The summary names files under the scratch directory, which is gone once this returns.
    if let Some(scratch) = &scratch {
        eprintln!(
            "{} was a scratch directory, removed as the run ends: pass --out DIR to keep the run's files",
            scratch.0.display()
        );
    }
    if !settings.tolerates(summary.failed_chunks.len(), chunks) {
        bail!(
            "{} of {} chunks failed, above the tolerated {}%",
            summary.failed_chunks.len(),
            chunks,
            settings.tolerated_failure_percentage
        );
    }
    Ok(())
}

/// In-process or via worker: the summary, the number of chunks, and the scratch directory the
/// run's files are in when no `--out` was given.
async fn run_here(
    args: &RunArgs,
    settings: &Settings,
) -> anyhow::Result<(RunSummary, usize, Option<Scratch>)> {
    let scratch = match &args.out {
        Some(_) => None,
        None => Some(Scratch::new()?),
    };
    let out_url = match (&args.out, &scratch) {
        (Some(url), _) => url.trim_end_matches('/').to_owned(),
        (None, Some(scratch)) => scratch.0.display().to_string(),
        (None, None) => unreachable!("a scratch directory exists without --out"),
    };
    let output = Objects::open(&out_url)?;
    let input = match &args.input {
        Some(url) => Objects::open(url)?,
        None => {
            let input = output.child("input");
            let spec = InputSpec {
                records: args.records,
                chunks: args.chunks,
            };
            generate_input(&input, spec, cores()).await?;
            input
        }
    };
    let chunks = list_chunks(&input).await?;
    if chunks.is_empty() {
        bail!(
            "{}: no chunks (no manifest.json and no .ndjson objects)",
            input.url()
        );
    }

    let summary = if args.via == Via::Worker {
        let exe = std::env::current_exe().context("finding the twinstack binary")?;
        let concurrency = args.concurrency.unwrap_or(settings.parallelism) as usize;
        let runner = WorkerProcess {
            exe: exe.clone(),
            input: input.url().to_owned(),
            output: out_url.clone(),
        };
        let failed = fan_out(Arc::new(runner), &chunks, concurrency, &settings.retry).await;
        let mut summary = worker_runner::reduce(&exe, &out_url, &args.target).await?;
        summary.failed_chunks = failed;
        summary
    } else {
        let concurrency = args.concurrency.map_or_else(cores, |n| n as usize);
        let runner = InProcess {
            input: input.clone(),
            output: output.clone(),
            catalogue: Arc::new(Catalogue::seed()),
        };
        let failed = fan_out(Arc::new(runner), &chunks, concurrency, &settings.retry).await;
        let target = args.target.target(&output).await?;
        let mut summary = load(reduce(&output.child(PARTIALS)).await?, &target).await?;
        summary.failed_chunks = failed;
        summary
    };
    Ok((summary, chunks.len(), scratch))
}

/// The summary (as JSON: its fields, and via lambda a `lambda` object beside them).
fn print(summary: &RunSummary, plan: Option<&LambdaPlan>, json: bool) -> anyhow::Result<()> {
    #[derive(Serialize)]
    struct WithPlan<'a> {
        #[serde(flatten)]
        summary: &'a RunSummary,
        #[serde(skip_serializing_if = "Option::is_none")]
        lambda: Option<&'a LambdaPlan>,
    }
    if json {
        let output = WithPlan {
            summary,
            lambda: plan,
        };
        println!("{}", serde_json::to_string(&output)?);
        return Ok(());
    }
    println!("{summary}");
    if let Some(plan) = plan {
        let s3: Vec<String> = plan
            .s3_requests
            .iter()
            .map(|(operation, n)| format!("{operation} {n}"))
            .collect();
        println!(
            "lambda      {} chunk and {} reduce invocations ({} at once), {} state transitions, S3 requests: {}",
            plan.chunk_invocations,
            plan.reduce_invocations,
            plan.concurrency,
            plan.state_transitions,
            s3.join(", ")
        );
    }
    Ok(())
}

/// A scratch output directory, deleted when the run ends.
struct Scratch(PathBuf);

impl Scratch {
    fn new() -> anyhow::Result<Scratch> {
        let dir = std::env::temp_dir().join(format!("twinstack-pipeline-{}", std::process::id()));
        std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        Ok(Scratch(dir))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
