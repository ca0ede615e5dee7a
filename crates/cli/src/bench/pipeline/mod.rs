//! The bench's pipeline section (issue 11): the data pipeline's input generated once, then run by
//! each via in [`VIAS`] as a child process of the bench (`twinstack pipeline run --json`, this
//! same binary), one at a time, with the child's process tree sampled from /proc. What it records
//! is in [`results`], the report's tables in [`report`].

mod report;
mod results;

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use clap::Args;
use twinstack_pipeline::{DEFAULT_CHUNKS, DEFAULT_RECORDS, RunSummary};

use super::procs::{Sampler, Select, Usage};

pub use report::tables;
pub use results::PipelineBench;

/// The vias the section runs, in this order: each is `twinstack pipeline run --via NAME`.
pub const VIAS: &[&str] = &["in-process", "worker", "lambda"];

/// How often the child's processes are sampled: a 1M-record run lasts seconds.
const SAMPLE_EVERY: Duration = Duration::from_millis(100);

#[derive(Args, Debug, Clone)]
pub struct PipelineBenchArgs {
    /// Records the pipeline section generates and runs (its default input: 1,000,000).
    #[arg(long, default_value_t = DEFAULT_RECORDS, value_parser = clap::value_parser!(u64).range(1..))]
    pub pipeline_records: u64,
    /// Chunks the pipeline section's input is split into.
    #[arg(long, default_value_t = DEFAULT_CHUNKS, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub pipeline_chunks: u32,
    /// Leave the pipeline section out (it runs after both twins, in local runs only).
    #[arg(long)]
    pub skip_pipeline: bool,
}

impl PipelineBenchArgs {
    /// The flags that differ from the defaults, for the report's command line.
    pub fn flags(&self) -> String {
        if self.skip_pipeline {
            return " --skip-pipeline".to_owned();
        }
        let mut flags = String::new();
        if self.pipeline_records != DEFAULT_RECORDS {
            flags += &format!(" --pipeline-records {}", self.pipeline_records);
        }
        if self.pipeline_chunks != DEFAULT_CHUNKS {
            flags += &format!(" --pipeline-chunks {}", self.pipeline_chunks);
        }
        flags
    }
}

/// Generates the input into a scratch directory, runs every via over it, and sums them up.
pub async fn run(args: &PipelineBenchArgs) -> anyhow::Result<PipelineBench> {
    let exe = std::env::current_exe().context("finding the twinstack binary")?;
    let scratch = Scratch::new()?;
    let input = scratch.0.join("input").display().to_string();
    let records = args.pipeline_records.to_string();
    let chunks = args.pipeline_chunks.to_string();
    eprintln!(
        "\npipeline: generating {records} records in {chunks} chunks ({})",
        scratch.0.display()
    );
    let generate = [
        "pipeline",
        "generate",
        "--records",
        &records,
        "--chunks",
        &chunks,
        "--out",
        &input,
    ];
    let generated = measure(&exe, &generate).await?;
    if let Some(error) = generated.error {
        bail!("generating the pipeline's input: {error}");
    }
    let mut runs = Vec::new();
    for &via in VIAS {
        let out = scratch.0.join(via).display().to_string();
        let command = [
            "pipeline", "run", "--in", &input, "--out", &out, "--json", "--via", via,
        ];
        eprintln!("pipeline: {via} (twinstack {})", command.join(" "));
        let measured = measure(&exe, &command).await?;
        let summary = match (
            &measured.error,
            serde_json::from_slice::<RunSummary>(&measured.stdout),
        ) {
            (None, Ok(summary)) => Some(summary),
            _ => None,
        };
        let error = match (&summary, measured.error) {
            (Some(_), _) => None,
            (None, Some(error)) => Some(error),
            (None, None) => Some("the run printed no JSON summary".to_owned()),
        };
        runs.push(results::ViaRun::new(
            via,
            &command,
            measured.wall,
            measured.usage,
            summary,
            error,
            args.pipeline_chunks,
            handler_ms_per_chunk(&measured.stdout),
        ));
    }
    Ok(PipelineBench::new(
        args.pipeline_records,
        args.pipeline_chunks,
        generated.wall,
        runs,
    ))
}

/// The lambda via's mean handler time per chunk (its `lambda.chunkMillis`): that run's process
/// tree also holds the emulator, the S3 server and DynamoDB Local, so its CPU is no chunk's cost.
fn handler_ms_per_chunk(stdout: &[u8]) -> Option<f64> {
    let summary: serde_json::Value = serde_json::from_slice(stdout).ok()?;
    let millis: Vec<f64> = summary["lambda"]["chunkMillis"]
        .as_array()?
        .iter()
        .filter_map(serde_json::Value::as_f64)
        .collect();
    (!millis.is_empty()).then(|| millis.iter().sum::<f64>() / millis.len() as f64)
}

/// What one child run gave: its wall time, its process tree's usage, its stdout, and why it
/// failed, if it did.
struct Measured {
    wall: Duration,
    usage: Usage,
    stdout: Vec<u8>,
    error: Option<String>,
}

/// Runs `exe args…` as a child, sampling its process tree until it exits.
async fn measure(exe: &Path, args: &[&str]) -> anyhow::Result<Measured> {
    let started = Instant::now();
    let mut child = std::process::Command::new(exe)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .with_context(|| format!("starting {}", exe.display()))?;
    let pid = child.id();
    let sampler = Sampler::start(vec![("run".to_owned(), Select::Tree(pid))], SAMPLE_EVERY);
    let mut stdout = child.stdout.take().expect("stdout is piped");
    let mut stderr = child.stderr.take().expect("stderr is piped");
    let (status, cpu_seconds, stdout, stderr) = tokio::task::spawn_blocking(move || {
        let err = std::thread::spawn(move || read_all(&mut stderr));
        let out = read_all(&mut stdout);
        let (status, cpu_seconds) = wait_for(pid)?;
        anyhow::Ok((status, cpu_seconds, out, err.join().unwrap_or_default()))
    })
    .await??;
    let wall = started.elapsed();
    let mut usage = sampler.finish().remove("run").unwrap_or_default();
    // Sampling misses what a process spends before its first sample and after its last (every
    // worker process lives a fraction of a second); the child's own account, its reaped
    // descendants included, does not.
    usage.cpu_seconds = cpu_seconds;
    let error = (!status.success()).then(|| {
        let stderr = String::from_utf8_lossy(&stderr);
        let tail: Vec<&str> = stderr.lines().rev().take(3).collect();
        let tail: Vec<&str> = tail.into_iter().rev().collect();
        format!("{status}: {}", tail.join(" / "))
    });
    Ok(Measured {
        wall,
        usage,
        stdout,
        error,
    })
}

fn read_all(pipe: &mut impl std::io::Read) -> Vec<u8> {
    let mut bytes = Vec::new();
    let _ = pipe.read_to_end(&mut bytes);
    bytes
}

/// Reaps `pid` and returns its exit status and the user + system CPU seconds it and its reaped
/// descendants used (`wait4`: this child's account alone, not every child's of the bench).
fn wait_for(pid: u32) -> anyhow::Result<(std::process::ExitStatus, f64)> {
    use std::os::unix::process::ExitStatusExt;
    let mut status = 0;
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    let pid = libc::pid_t::try_from(pid)?;
    // SAFETY: wait4 writes an int and a whole rusage into the pointers it is given.
    let (reaped, usage) = unsafe {
        let reaped = libc::wait4(pid, &mut status, 0, usage.as_mut_ptr());
        (reaped, usage.assume_init())
    };
    if reaped != pid {
        bail!(
            "waiting for the pipeline run: {}",
            std::io::Error::last_os_error()
        );
    }
    let seconds = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    let cpu = seconds(usage.ru_utime) + seconds(usage.ru_stime);
    Ok((std::process::ExitStatus::from_raw(status), cpu))
}

/// The section's input and outputs, deleted when it ends.
struct Scratch(PathBuf);

impl Scratch {
    fn new() -> anyhow::Result<Scratch> {
        let dir =
            std::env::temp_dir().join(format!("twinstack-bench-pipeline-{}", std::process::id()));
        std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        Ok(Scratch(dir))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
