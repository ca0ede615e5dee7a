//! `--via lambda`: the plan as the PipelineStack's state machine runs it, on this machine. The
//! real `twinstack-pipeline-lambda` runs under `cargo lambda watch`; the chunks sit in a bucket
//! of moto's S3 server on loopback; this driver plays Step Functions: it lists the chunk objects
//! as the Distributed Map's S3 ItemReader does, invokes the function with each item as the
//! ItemSelector shapes it (the settings' retry policy, at most the settings' `maxConcurrency`),
//! then sends the reduce event, which loads into DynamoDB (DynamoDB Local unless `--dynamodb`).

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use anyhow::{Context, bail};
use serde::Serialize;
use twinstack_local_stack::{DynamoDbLocal, LambdaEmulator, LambdaInvoker, MotoS3, Profile};
use twinstack_pipeline::{
    ChunkError, ChunkRunner, InputSpec, MANIFEST_KEY, Objects, ObjectsError, PARTIALS, REJECTS,
    RunSummary, S3Config, Settings, fan_out, generate_input, list_chunks,
};
use twinstack_pipeline_lambda::{
    BUCKET_ENV, ChunkDone, ChunkEvent, Event, ListedObject, ReduceEvent, ResultWriterDetails,
};

use super::generate::cores;
use super::run::RunArgs;

const FUNCTION: &str = "twinstack-pipeline-lambda";
const BUCKET: &str = "twinstack-pipeline";
/// The execution input's two prefixes (`{"input": …, "output": …}`).
const INPUT_PREFIX: &str = "runs/local/input";
const OUTPUT_PREFIX: &str = "runs/local/output";
/// Where the ResultWriter would put this map run's manifest (`MAP_RESULTS_PREFIX` in the stack).
const MAP_RUN_MANIFEST: &str = "map-runs/local/manifest.json";
/// What the Distributed Map's S3 ItemReader is given: `States.Format('{}/chunk-', $.input)`.
const CHUNK_KEY_PREFIX: &str = "chunk-";
const TABLE: &str = "twinstack-pipeline";
const REGION: &str = "us-east-1";
/// moto accepts any credentials.
const LOCAL_KEY: &str = "testing";

/// What the run did that a bill counts, from the requests it made.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LambdaPlan {
    /// Chunk events sent, retries included.
    pub chunk_invocations: u64,
    pub reduce_invocations: u64,
    /// Standard-workflow transitions: the parent's Map state and each reduce attempt; each child
    /// execution's task attempts, and its `ChunkFailed` state when it gave up.
    pub state_transitions: u64,
    /// Requests the S3 server answered from the ItemReader's listing to the reduce's last read,
    /// by operation (`LIST`, `GET`, `PUT`, …); the ResultWriter's own writes are not made here.
    pub s3_requests: BTreeMap<String, u64>,
    /// The handler's time for each chunk that succeeded, in milliseconds (its `ChunkDone`).
    pub chunk_millis: Vec<f64>,
    /// Chunk invocations in flight at once: the function instances the emulator ran.
    pub concurrency: usize,
    /// From the ItemReader's listing to the reduce's answer, in milliseconds: the run without
    /// the local set-up (S3 and DynamoDB servers, the emulator, the input's upload).
    pub wall_ms: f64,
}

pub struct LambdaRun {
    pub summary: RunSummary,
    pub plan: LambdaPlan,
    pub chunks: usize,
}

pub async fn run(args: &RunArgs, settings: &Settings) -> anyhow::Result<LambdaRun> {
    if args.target.store.is_some() {
        bail!(
            "--via lambda loads into DynamoDB, as the deployed function does: give --dynamodb ENDPOINT --table T, or neither for a DynamoDB Local of its own"
        );
    }
    let workspace = std::env::current_dir()?;
    if !workspace
        .join("crates/pipeline-lambda/Cargo.toml")
        .is_file()
    {
        bail!(
            "--via lambda builds {FUNCTION} from source with cargo lambda watch: run it at the repository root, not {}",
            workspace.display()
        );
    }
    let moto = tokio::task::spawn_blocking(MotoS3::start).await??;
    moto.create_bucket(BUCKET)?;
    let s3 = S3Config {
        region: Some(REGION.into()),
        endpoint: Some(moto.endpoint()),
        access_key_id: Some(LOCAL_KEY.into()),
        secret_access_key: Some(LOCAL_KEY.into()),
        session_token: None,
    };
    let bucket = Objects::open_with(&format!("s3://{BUCKET}"), &s3)?;
    let input = bucket.child(INPUT_PREFIX);
    let output = bucket.child(OUTPUT_PREFIX);
    match &args.input {
        Some(url) => copy_input(&Objects::open(url)?, &input).await?,
        None => {
            let spec = InputSpec {
                records: args.records,
                chunks: args.chunks,
            };
            generate_input(&input, spec, cores()).await?;
        }
    }

    let (_own_dynamodb, endpoint, table) = match (&args.target.dynamodb, &args.target.table) {
        (Some(endpoint), Some(table)) => (None, endpoint.clone(), table.clone()),
        _ => {
            let dynamodb = tokio::task::spawn_blocking(DynamoDbLocal::start).await??;
            let endpoint = dynamodb.endpoint();
            let client = crate::dynamodb::batch_client(&endpoint, TABLE, None).await?;
            twinstack_store_dynamodb::create_table(&client, TABLE).await?;
            (Some(dynamodb), endpoint, TABLE.to_owned())
        }
    };

    let concurrency = args
        .concurrency
        .map_or_else(cores, |n| n as usize)
        .min(settings.max_concurrency as usize)
        .max(1);
    let env = function_env(
        &moto.endpoint(),
        &endpoint,
        &table,
        args.target.region.as_deref(),
    );
    let emulator = start_emulator(&workspace, concurrency, env).await?;
    let invoker = emulator.invoker();

    let before = moto.requests_served()?;
    let started = Instant::now();
    let items = item_reader(&input).await?;
    if items.is_empty() {
        bail!("{}: no {CHUNK_KEY_PREFIX}* objects to run", input.url());
    }
    let chunks: Vec<String> = items.keys().cloned().collect();
    let runner = Arc::new(LambdaChunks {
        invoker: invoker.clone(),
        events: items,
        invocations: AtomicU64::new(0),
        millis: Mutex::new(Vec::new()),
    });
    let failed = fan_out(Arc::clone(&runner), &chunks, concurrency, &settings.retry).await;
    let (mut summary, reduce_invocations) = reduce(&invoker, settings).await?;
    let wall_ms = started.elapsed().as_secs_f64() * 1000.0;
    let after = moto.requests_served()?;

    if let Some(url) = &args.out {
        copy_output(&output, &Objects::open(url)?).await?;
    }
    let chunk_invocations = runner.invocations.load(Ordering::Relaxed);
    let plan = LambdaPlan {
        chunk_invocations,
        reduce_invocations,
        state_transitions: 1 + reduce_invocations + chunk_invocations + failed.len() as u64,
        s3_requests: difference(&after, &before),
        chunk_millis: runner.millis.lock().expect("never poisoned").clone(),
        concurrency,
        wall_ms,
    };
    summary.failed_chunks = failed;
    Ok(LambdaRun {
        summary,
        plan,
        chunks: chunks.len(),
    })
}

/// What the CDK stack sets (`TABLE_NAME`, the bucket) and Lambda sets (region, credentials),
/// with the endpoints pointed at loopback.
fn function_env(
    s3: &str,
    dynamodb: &str,
    table: &str,
    region: Option<&str>,
) -> Vec<(String, String)> {
    [
        (BUCKET_ENV, BUCKET),
        ("TABLE_NAME", table),
        ("AWS_REGION", region.unwrap_or(REGION)),
        ("AWS_ENDPOINT_URL_S3", s3),
        ("DYNAMODB_ENDPOINT", dynamodb),
        ("AWS_ACCESS_KEY_ID", LOCAL_KEY),
        ("AWS_SECRET_ACCESS_KEY", LOCAL_KEY),
        // DynamoDB Local queues a load's batches; a batch job's room, as the CLI gives itself.
        ("DYNAMODB_ATTEMPT_TIMEOUT_MS", "20000"),
        ("DYNAMODB_OPERATION_TIMEOUT_MS", "60000"),
    ]
    .into_iter()
    .map(|(key, value)| (key.to_owned(), value.to_owned()))
    .collect()
}

/// The function built with this binary's profile, `concurrency` instances.
async fn start_emulator(
    workspace: &Path,
    concurrency: usize,
    env: Vec<(String, String)>,
) -> anyhow::Result<LambdaEmulator> {
    let profile = if cfg!(debug_assertions) {
        Profile::Debug
    } else {
        Profile::Release
    };
    let workspace = workspace.to_owned();
    eprintln!(
        "starting cargo lambda watch ({profile:?} build of {FUNCTION}) --concurrency {concurrency}"
    );
    tokio::task::spawn_blocking(move || {
        let pairs: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        LambdaEmulator::start_with(&workspace, FUNCTION, concurrency as u32, &pairs, profile)
    })
    .await?
}

/// The S3 ItemReader's items: every object under the input whose name starts `chunk-`, as
/// `s3:listObjectsV2` lists them, each made into its chunk event by the ItemSelector.
async fn item_reader(input: &Objects) -> anyhow::Result<BTreeMap<String, ChunkEvent>> {
    let listed = input
        .list_objects(|key| key.starts_with(CHUNK_KEY_PREFIX))
        .await?;
    Ok(listed
        .into_iter()
        .map(|object| {
            let event = ChunkEvent {
                bucket: BUCKET.into(),
                item: ListedObject {
                    key: format!("{INPUT_PREFIX}/{}", object.key),
                    etag: object.e_tag.unwrap_or_default(),
                    last_modified: object.last_modified.timestamp(),
                    size: object.size,
                    storage_class: "STANDARD".into(),
                },
                input: INPUT_PREFIX.into(),
                output: OUTPUT_PREFIX.into(),
            };
            (object.key, event)
        })
        .collect())
}

/// One chunk event per attempt, through the function's Invoke API.
struct LambdaChunks {
    invoker: LambdaInvoker,
    events: BTreeMap<String, ChunkEvent>,
    invocations: AtomicU64,
    millis: Mutex<Vec<f64>>,
}

impl ChunkRunner for LambdaChunks {
    async fn run_chunk(&self, chunk: &str) -> Result<(), ChunkError> {
        let error = |reason: String| ChunkError {
            chunk: chunk.to_owned(),
            reason,
        };
        let event = self
            .events
            .get(chunk)
            .ok_or_else(|| error("not an item of the listing".into()))?;
        self.invocations.fetch_add(1, Ordering::Relaxed);
        let answer = self
            .invoker
            .invoke(&serde_json::to_value(Event::Chunk(event.clone())).expect("events serialise"))
            .await
            .map_err(|err| error(format!("{err:#}")))?;
        let done: ChunkDone = serde_json::from_value(answer)
            .map_err(|err| error(format!("the function's answer is not a ChunkDone: {err}")))?;
        self.millis
            .lock()
            .expect("never poisoned")
            .push(done.micros as f64 / 1000.0);
        Ok(())
    }
}

/// The reduce task: one event, retried per the settings; the summary and the attempts made.
async fn reduce(invoker: &LambdaInvoker, settings: &Settings) -> anyhow::Result<(RunSummary, u64)> {
    let event = Event::Reduce(ReduceEvent {
        bucket: BUCKET.into(),
        output: OUTPUT_PREFIX.into(),
        manifest: ResultWriterDetails {
            bucket: BUCKET.into(),
            key: MAP_RUN_MANIFEST.into(),
        },
    });
    let event = serde_json::to_value(event).expect("events serialise");
    let attempts = AtomicU64::new(0);
    let answer = settings
        .retry
        .retry(|_| {
            attempts.fetch_add(1, Ordering::Relaxed);
            invoker.invoke(&event)
        })
        .await
        .map_err(|(err, attempts)| {
            err.context(format!("the reduce failed after {attempts} attempts"))
        })?;
    let summary =
        serde_json::from_value(answer).context("the reduce's answer is not a run summary")?;
    Ok((summary, attempts.into_inner()))
}

/// The input's chunks and manifest into the bucket.
async fn copy_input(from: &Objects, to: &Objects) -> anyhow::Result<()> {
    for key in list_chunks(from).await? {
        to.put(&key, from.get(&key).await?).await?;
    }
    match from.get(MANIFEST_KEY).await {
        Ok(manifest) => Ok(to.put(MANIFEST_KEY, manifest).await?),
        Err(ObjectsError::NotFound { .. }) => Ok(()),
        Err(err) => Err(err.into()),
    }
}

/// The run's partials and rejects out of the bucket, to where `--out` says.
async fn copy_output(from: &Objects, to: &Objects) -> anyhow::Result<()> {
    for dir in [PARTIALS, REJECTS] {
        let (from, to) = (from.child(dir), to.child(dir));
        for key in from.list("").await? {
            to.put(&key, from.get(&key).await?).await?;
        }
    }
    Ok(())
}

fn difference(
    after: &BTreeMap<String, u64>,
    before: &BTreeMap<String, u64>,
) -> BTreeMap<String, u64> {
    after
        .iter()
        .map(|(operation, n)| {
            (
                operation.clone(),
                n - before.get(operation).copied().unwrap_or(0),
            )
        })
        .filter(|(_, n)| *n > 0)
        .collect()
}
