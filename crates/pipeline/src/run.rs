//! Running the stages over objects: one chunk ([`run_chunk`]), the fan-out over chunks with
//! bounded concurrency and retries ([`fan_out`], any [`ChunkRunner`]), and the fan-in
//! ([`reduce`], then [`load`]). Every orchestration — in-process, worker processes, Lambda —
//! is a [`ChunkRunner`] plus these.
//!
//! Layout of a run's output location: `partials/<chunk stem>.json` (a [`ChunkReport`]),
//! `rejects/<chunk stem>.ndjson` (one [`Reject`](crate::Reject) a line), and whatever the load
//! target writes (`aggregates.json` for [`ObjectsTarget`](crate::ObjectsTarget)).

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;
use std::time::Instant;

use futures::{StreamExt, TryStreamExt};
use tokio::task::JoinSet;

use crate::aggregate::Aggregates;
use crate::catalogue::Catalogue;
use crate::chunk::{ChunkReport, Stages, process_chunk};
use crate::generate::{InputSpec, MANIFEST_KEY, ManifestEntry, generate_chunk};
use crate::load::LoadTarget;
use crate::objects::{Objects, ObjectsError};
use crate::settings::RetryPolicy;
use crate::summary::{ChunkFailure, RunSummary};

pub const PARTIALS: &str = "partials";
pub const REJECTS: &str = "rejects";
/// Partials read at once by [`reduce`].
const REDUCE_IN_FLIGHT: usize = 8;

/// Why a chunk could not be processed (not a rejected record: those are data, counted).
#[derive(Debug, thiserror::Error)]
#[error("chunk {chunk}: {reason}")]
pub struct ChunkError {
    pub chunk: String,
    pub reason: String,
}

/// Why a run could not finish.
#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    #[error(transparent)]
    Objects(#[from] ObjectsError),
    #[error("{url}: not a chunk report: {reason}")]
    BadPartial { url: String, reason: String },
    #[error("{url}: not a manifest: {reason}")]
    BadManifest { url: String, reason: String },
    #[error("loading into {target}: {reason}")]
    Load { target: String, reason: String },
    #[error("the counts do not add up: {0}")]
    Counts(String),
}

/// The partial's key for chunk `chunk`: `chunk-00001.ndjson` → `chunk-00001.json`.
pub fn partial_key(chunk: &str) -> String {
    format!("{}.json", chunk_stem(chunk))
}

/// The rejects' key for chunk `chunk`: `chunk-00001.ndjson` → `chunk-00001.ndjson`.
pub fn rejects_key(chunk: &str) -> String {
    format!("{}.ndjson", chunk_stem(chunk))
}

fn chunk_stem(chunk: &str) -> &str {
    chunk.strip_suffix(".ndjson").unwrap_or(chunk)
}

/// Writes `spec`'s input to `out`: the chunks, then the manifest (so a manifest means a
/// complete input). Chunks are generated `concurrency` at a time, never all at once.
pub async fn generate_input(
    out: &Objects,
    spec: InputSpec,
    concurrency: usize,
) -> Result<Vec<ManifestEntry>, PipelineError> {
    let catalogue = Arc::new(Catalogue::seed());
    let manifest = spec.manifest();
    futures::stream::iter(manifest.iter().enumerate())
        .map(|(index, entry)| {
            let catalogue = Arc::clone(&catalogue);
            let records = entry.records;
            async move {
                let bytes = tokio::task::spawn_blocking(move || {
                    generate_chunk(&catalogue, index as u32, records)
                })
                .await
                .expect("generating a chunk does not panic");
                out.put(&entry.chunk, bytes).await
            }
        })
        .buffer_unordered(concurrency.max(1))
        .try_collect::<Vec<()>>()
        .await?;
    let json = serde_json::to_vec_pretty(&manifest).expect("a manifest serialises");
    out.put(MANIFEST_KEY, json).await?;
    Ok(manifest)
}

/// The chunk keys of the input at `input`: its manifest's, or, without one, every `.ndjson`
/// object there.
pub async fn list_chunks(input: &Objects) -> Result<Vec<String>, PipelineError> {
    match input.get(MANIFEST_KEY).await {
        Ok(bytes) => {
            let entries: Vec<ManifestEntry> =
                serde_json::from_slice(&bytes).map_err(|err| PipelineError::BadManifest {
                    url: input.url_of(MANIFEST_KEY),
                    reason: err.to_string(),
                })?;
            Ok(entries.into_iter().map(|e| e.chunk).collect())
        }
        Err(ObjectsError::NotFound { .. }) => Ok(input.list(".ndjson").await?),
        Err(err) => Err(err.into()),
    }
}

/// Stages 1–4 on one chunk: reads `input/chunk`, writes `output/rejects/…` and then
/// `output/partials/…` (the partial last, so a partial means a finished chunk), and returns the
/// report. Running it again on the same chunk rewrites the same objects.
pub async fn run_chunk(
    input: &Objects,
    chunk: &str,
    output: &Objects,
    catalogue: &Catalogue,
) -> Result<ChunkReport, ChunkError> {
    let error = |err: ObjectsError| ChunkError {
        chunk: chunk.to_owned(),
        reason: err.to_string(),
    };
    let bytes = input.get(chunk).await.map_err(error)?;
    let processed = process_chunk(chunk, &bytes, catalogue);
    drop(bytes);
    let mut rejects = Vec::new();
    for reject in &processed.rejects {
        serde_json::to_writer(&mut rejects, reject).expect("a reject serialises");
        rejects.push(b'\n');
    }
    output
        .child(REJECTS)
        .put(&rejects_key(chunk), rejects)
        .await
        .map_err(error)?;
    let partial = serde_json::to_vec(&processed.report).expect("a report serialises");
    output
        .child(PARTIALS)
        .put(&partial_key(chunk), partial)
        .await
        .map_err(error)?;
    Ok(processed.report)
}

/// One way of running a chunk: in this process, in a worker process, in a Lambda function.
/// It must leave the chunk's partial and rejects where [`run_chunk`] does.
pub trait ChunkRunner: Send + Sync + 'static {
    fn run_chunk(&self, chunk: &str) -> impl Future<Output = Result<(), ChunkError>> + Send;
}

/// Runs chunks in this process, on the tokio runtime's worker threads.
pub struct InProcess {
    pub input: Objects,
    pub output: Objects,
    pub catalogue: Arc<Catalogue>,
}

impl ChunkRunner for InProcess {
    async fn run_chunk(&self, chunk: &str) -> Result<(), ChunkError> {
        run_chunk(&self.input, chunk, &self.output, &self.catalogue)
            .await
            .map(drop)
    }
}

/// Runs every chunk through `runner`, at most `concurrency` at once, retrying each per `retry`;
/// returns the chunks that failed every attempt. One chunk's failure never stops the others.
pub async fn fan_out<R: ChunkRunner>(
    runner: Arc<R>,
    chunks: &[String],
    concurrency: usize,
    retry: &RetryPolicy,
) -> Vec<ChunkFailure> {
    let semaphore = Arc::new(tokio::sync::Semaphore::new(concurrency.max(1)));
    let mut tasks = JoinSet::new();
    let mut chunk_of = HashMap::new();
    for chunk in chunks {
        let permit = Arc::clone(&semaphore)
            .acquire_owned()
            .await
            .expect("the semaphore is never closed");
        let runner = Arc::clone(&runner);
        let retry = retry.clone();
        let task_chunk = chunk.clone();
        let task = tasks.spawn(async move {
            let outcome = run_with_retries(runner.as_ref(), &task_chunk, &retry).await;
            drop(permit);
            outcome
        });
        chunk_of.insert(task.id(), chunk.clone());
    }
    let mut failures = Vec::new();
    while let Some(joined) = tasks.join_next_with_id().await {
        match joined {
            Ok((_, Ok(()))) => {}
            Ok((_, Err(failure))) => failures.push(failure),
            Err(err) => failures.push(ChunkFailure {
                chunk: chunk_of.get(&err.id()).cloned().unwrap_or_default(),
                attempts: 1,
                error: format!("the chunk's task failed: {err}"),
            }),
        }
    }
    failures.sort_by(|a, b| a.chunk.cmp(&b.chunk));
    failures
}

async fn run_with_retries<R: ChunkRunner>(
    runner: &R,
    chunk: &str,
    retry: &RetryPolicy,
) -> Result<(), ChunkFailure> {
    retry
        .retry(|_| runner.run_chunk(chunk))
        .await
        .map_err(|(err, attempts)| ChunkFailure {
            chunk: chunk.to_owned(),
            attempts,
            error: err.to_string(),
        })
}

/// The sum of some chunk reports: what a run has before it loads.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Totals {
    pub chunks: u64,
    pub records_in: u64,
    pub rejected: u64,
    pub stages: Stages,
    pub aggregates: Aggregates,
}

impl Totals {
    pub fn add(&mut self, report: &ChunkReport) {
        self.chunks += 1;
        self.records_in += report.records_in;
        self.rejected += report.rejected;
        self.stages.add(&report.stages);
        self.aggregates.merge(&report.aggregates);
    }
}

/// Merges every partial under `partials`, a few at a time, never all held at once.
pub async fn reduce(partials: &Objects) -> Result<Totals, PipelineError> {
    let keys = partials.list(".json").await?;
    let mut reports = futures::stream::iter(keys)
        .map(|key| async move {
            let bytes = partials.get(&key).await?;
            serde_json::from_slice::<ChunkReport>(&bytes).map_err(|err| PipelineError::BadPartial {
                url: partials.url_of(&key),
                reason: err.to_string(),
            })
        })
        .buffer_unordered(REDUCE_IN_FLIGHT);
    let mut totals = Totals::default();
    while let Some(report) = reports.next().await {
        totals.add(&report?);
    }
    Ok(totals)
}

/// Stage 5: loads `totals`' aggregates into `target` and sums the run up, checking that
/// records in = loaded + rejected.
pub async fn load<T: LoadTarget>(totals: Totals, target: &T) -> Result<RunSummary, PipelineError> {
    let loaded = totals.aggregates.records();
    if totals.records_in != loaded + totals.rejected {
        return Err(PipelineError::Counts(format!(
            "records in {} != loaded {loaded} + rejected {}",
            totals.records_in, totals.rejected
        )));
    }
    let rows = totals.aggregates.rows().count() as u64;
    let started = Instant::now();
    target
        .load(&totals.aggregates)
        .await
        .map_err(|err| PipelineError::Load {
            target: target.describe(),
            reason: err.to_string(),
        })?;
    let mut stages = totals.stages;
    stages.load.records_in = rows;
    stages.load.records_out = rows;
    stages.load.micros = started.elapsed().as_micros() as u64;
    Ok(RunSummary {
        chunks: totals.chunks,
        failed_chunks: Vec::new(),
        records_in: totals.records_in,
        loaded,
        rejected: totals.rejected,
        stages,
        rows,
        target: target.describe(),
        checksum: totals.aggregates.checksum(),
    })
}
