//! `--via worker`: each chunk, and the reduce, in a `twinstack pipeline worker …` process of its
//! own, with the arguments the Argo WorkflowTemplate gives its pods.

use std::path::PathBuf;
use std::process::Output;

use anyhow::Context;
use tokio::process::Command;
use twinstack_pipeline::{ChunkError, ChunkRunner, RunSummary};

use super::target::TargetArgs;

/// Runs `twinstack pipeline worker chunk --in IN --chunk KEY --out OUT` per chunk.
pub struct WorkerProcess {
    pub exe: PathBuf,
    pub input: String,
    pub output: String,
}

impl ChunkRunner for WorkerProcess {
    async fn run_chunk(&self, chunk: &str) -> Result<(), ChunkError> {
        let output = Command::new(&self.exe)
            .args(["pipeline", "worker", "chunk", "--in", &self.input])
            .args(["--chunk", chunk, "--out", &self.output])
            // A cancelled run leaves no worker behind.
            .kill_on_drop(true)
            .output()
            .await
            .map_err(|err| ChunkError {
                chunk: chunk.to_owned(),
                reason: format!("starting {}: {err}", self.exe.display()),
            })?;
        if output.status.success() {
            return Ok(());
        }
        Err(ChunkError {
            chunk: chunk.to_owned(),
            reason: failure(&output),
        })
    }
}

/// Runs `twinstack pipeline worker reduce --partials OUT/partials [TARGET]` and reads its summary.
pub async fn reduce(
    exe: &PathBuf,
    output: &str,
    target: &TargetArgs,
) -> anyhow::Result<RunSummary> {
    let partials = format!("{output}/{}", twinstack_pipeline::PARTIALS);
    let out = Command::new(exe)
        .args(["pipeline", "worker", "reduce", "--partials", &partials])
        .args(target.to_args())
        .kill_on_drop(true)
        .output()
        .await
        .with_context(|| format!("starting {}", exe.display()))?;
    anyhow::ensure!(
        out.status.success(),
        "the reduce worker failed: {}",
        failure(&out)
    );
    serde_json::from_slice(&out.stdout).context("reading the reduce worker's summary")
}

/// How a worker failed: its exit status and the last lines it wrote to stderr.
fn failure(output: &Output) -> String {
    let stderr = String::from_utf8_lossy(&output.stderr);
    let tail: Vec<&str> = stderr.lines().rev().take(3).collect();
    let tail: Vec<&str> = tail.into_iter().rev().collect();
    format!("worker {}: {}", output.status, tail.join(" / "))
}
