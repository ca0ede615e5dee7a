//! twinstack's data-processing workload: order events (NDJSON) through five stages —
//! **extract** ([`extract`]) → **validate** ([`validate`]; every reject kept with its reason) →
//! **transform/enrich** ([`enrich`]: the catalogue join, line totals, UTC days) → **aggregate**
//! ([`ChunkAggregator`], [`Aggregates::merge`]) → **load** (a [`LoadTarget`]).
//!
//! No AWS or Kubernetes types: the orchestrations (in-process, `twinstack pipeline worker`
//! processes, `twinstack-pipeline-lambda`) wrap [`run_chunk`] and [`reduce`] + [`load`], each as a
//! [`ChunkRunner`] driven by [`fan_out`] or by their own engine. Objects (chunks, partials,
//! rejects) go through [`Objects`], one API over local directories and S3.
//!
//! The input is [`generate_chunk`]'s deterministic order events; [`DEFAULT_CHECKSUM`] is the
//! checksum of the final aggregates of the default input (1,000,000 records in 100 chunks).
//! Money is integer cents throughout.

mod aggregate;
mod catalogue;
mod chunk;
mod generate;
mod load;
mod objects;
mod record;
mod run;
mod settings;
mod summary;
mod transform;
mod validate;

pub use aggregate::{AggregateRow, Aggregates, ChunkAggregator, Dimension, Stats, day_key};
pub use catalogue::Catalogue;
pub use chunk::{ChunkOutput, ChunkReport, StageStats, Stages, process_chunk};
pub use generate::{
    DEFAULT_CHECKSUM, DEFAULT_CHUNKS, DEFAULT_RECORDS, DEFECT_ONE_IN, Defect, InputSpec,
    MANIFEST_KEY, ManifestEntry, chunk_key, generate_chunk,
};
pub use load::{AGGREGATES_KEY, LoadError, LoadTarget, ObjectsTarget};
pub use objects::{Listed, Objects, ObjectsError, S3Config};
pub use record::{CURRENCY, OrderEvent, STATUSES};
pub use run::{
    ChunkError, ChunkRunner, InProcess, PARTIALS, PipelineError, REJECTS, Totals, fan_out,
    generate_input, list_chunks, load, partial_key, reduce, rejects_key, run_chunk,
};
pub use settings::{DEFAULT_SETTINGS_JSON, RetryPolicy, Settings};
pub use summary::{ChunkFailure, RunSummary};
pub use transform::{Enriched, enrich};
pub use validate::{Reject, RejectReason, ValidEvent, extract, validate};
