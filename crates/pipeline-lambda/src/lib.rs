//! `twinstack-pipeline-lambda`: the pipeline's serverless orchestration. Step Functions'
//! Distributed Map invokes it once per chunk object with a [`ChunkEvent`] (stages 1–4 of
//! `twinstack-pipeline` on that chunk; its partial and rejects go to S3), then once with a
//! [`ReduceEvent`] (every partial merged, the result loaded into the app's DynamoDB table).
//!
//! Configuration is the environment ([`PipelineFunction::from_env`]); a failed invocation is a
//! function error whose type names what failed ([`FunctionError`]), which the state machine
//! retries and then catches.

pub mod events;
mod function;

pub use events::{ChunkDone, ChunkEvent, Event, ListedObject, ReduceEvent, ResultWriterDetails};
pub use function::{BUCKET_ENV, ConfigError, FunctionError, PipelineFunction};
