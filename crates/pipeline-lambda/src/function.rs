//! The handler: a chunk event runs stages 1–4 on its chunk ([`run_chunk`]); a reduce event merges
//! every partial and loads the result into DynamoDB ([`reduce`], [`load`]).

use std::time::Instant;

use lambda_runtime::Diagnostic;
use serde_json::Value;
use twinstack_pipeline::{
    Catalogue, ChunkError, Objects, ObjectsError, PARTIALS, PipelineError, load, reduce, run_chunk,
};
use twinstack_pipeline_stores::DynamoTarget;
use twinstack_store_dynamodb::{DynamoSettings, SettingsError};

use crate::events::{ChunkDone, ChunkEvent, Event, ReduceEvent};

/// The bucket the function reads and writes (the CDK stack sets it to the pipeline's bucket).
pub const BUCKET_ENV: &str = "PIPELINE_BUCKET";

/// Why the function cannot start: its configuration, named.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{BUCKET_ENV} is not set: the bucket of the chunks and partials")]
    NoBucket,
    #[error(transparent)]
    Objects(#[from] ObjectsError),
    #[error(transparent)]
    Table(#[from] SettingsError),
}

/// A failed invocation. Its `errorType` is one of these variants' names, each matched by the
/// state machine's `States.TaskFailed` retrier and `States.ALL` catcher (never `Lambda.*`, which
/// it keeps for the service's own errors).
#[derive(Debug, thiserror::Error)]
pub enum FunctionError {
    /// The event is not one this function can act on (another bucket, a key outside its input).
    #[error("{0}")]
    BadEvent(String),
    /// The chunk could not be read or its outputs written.
    #[error(transparent)]
    ChunkFailed(#[from] ChunkError),
    /// The partials could not be merged or the result loaded.
    #[error(transparent)]
    ReduceFailed(#[from] PipelineError),
}

impl FunctionError {
    pub fn error_type(&self) -> &'static str {
        match self {
            FunctionError::BadEvent(_) => "BadEvent",
            FunctionError::ChunkFailed(_) => "ChunkFailed",
            FunctionError::ReduceFailed(_) => "ReduceFailed",
        }
    }
}

impl From<FunctionError> for Diagnostic {
    fn from(error: FunctionError) -> Diagnostic {
        Diagnostic {
            error_type: error.error_type().to_owned(),
            error_message: error.to_string(),
        }
    }
}

/// What every invocation shares, built once at init: the bucket's client, the catalogue and the
/// table's client.
pub struct PipelineFunction {
    bucket: String,
    objects: Objects,
    catalogue: Catalogue,
    target: DynamoTarget,
}

impl PipelineFunction {
    /// From the environment: [`BUCKET_ENV`]; S3 as [`Objects::open`] reads it (`AWS_REGION`,
    /// `AWS_ENDPOINT_URL_S3`, the credentials Lambda sets); the table as the API's function reads
    /// it (`TABLE_NAME`, `DYNAMODB_ENDPOINT`). Nothing here asks instance metadata for anything.
    pub async fn from_env() -> Result<PipelineFunction, ConfigError> {
        let bucket = std::env::var(BUCKET_ENV)
            .ok()
            .filter(|name| !name.is_empty())
            .ok_or(ConfigError::NoBucket)?;
        let objects = Objects::open(&format!("s3://{bucket}"))?;
        let table = DynamoSettings::from_env()?;
        let client = twinstack_store_dynamodb::client(&table).await;
        Ok(PipelineFunction {
            bucket,
            objects,
            catalogue: Catalogue::seed(),
            target: DynamoTarget::new(client, table.table),
        })
    }

    /// Answers one event: a [`ChunkDone`] or the run's summary, as JSON.
    pub async fn handle(&self, event: Event) -> Result<Value, FunctionError> {
        let answer = match event {
            Event::Chunk(event) => serde_json::to_value(self.chunk(event).await?),
            Event::Reduce(event) => serde_json::to_value(self.reduce(event).await?),
        };
        Ok(answer.expect("answers serialise"))
    }

    async fn chunk(&self, event: ChunkEvent) -> Result<ChunkDone, FunctionError> {
        self.check_bucket(&event.bucket)?;
        let chunk = event.chunk_key().ok_or_else(|| {
            FunctionError::BadEvent(format!(
                "item {} is not a chunk under the input prefix {}",
                event.item.key, event.input
            ))
        })?;
        let started = Instant::now();
        let report = run_chunk(
            &self.objects.child(event.input.trim_matches('/')),
            chunk,
            &self.objects.child(event.output.trim_matches('/')),
            &self.catalogue,
        )
        .await?;
        Ok(ChunkDone {
            chunk: report.chunk,
            records_in: report.records_in,
            rejected: report.rejected,
            micros: started.elapsed().as_micros() as u64,
        })
    }

    async fn reduce(
        &self,
        event: ReduceEvent,
    ) -> Result<twinstack_pipeline::RunSummary, FunctionError> {
        self.check_bucket(&event.bucket)?;
        // The partials are the result; the map run's own result files only repeat what each
        // child answered.
        tracing::info!(map_run_manifest = %event.manifest.key, "reducing");
        let output = self.objects.child(event.output.trim_matches('/'));
        let totals = reduce(&output.child(PARTIALS)).await?;
        Ok(load(totals, &self.target).await?)
    }

    fn check_bucket(&self, bucket: &str) -> Result<(), FunctionError> {
        if bucket == self.bucket {
            return Ok(());
        }
        Err(FunctionError::BadEvent(format!(
            "the event names bucket {bucket}; this function serves {} ({BUCKET_ENV})",
            self.bucket
        )))
    }
}
