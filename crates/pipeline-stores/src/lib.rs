//! The pipeline's [`LoadTarget`](twinstack_pipeline::LoadTarget) on each twin's store.
//!
//! - [`PgTarget`] (feature `postgres`): the table `pipeline_aggregates` (`sql/pipeline_aggregates.sql`,
//!   created by the loader if missing), one row per (dimension, key), upserted in one transaction.
//! - [`DynamoTarget`] (feature `dynamodb`): items in the app's single table, `PK = PIPELINE#<dimension>`,
//!   `SK = <key>`, attributes `count, sumCents, minCents, maxCents`; put in batches of 25. The
//!   API's items never start with `PIPELINE#`, and `twinstack verify` skips them as bookkeeping.
//!
//! Both upsert by key, so loading the same aggregates twice leaves the same rows.

#[cfg(feature = "dynamodb")]
mod dynamodb;
#[cfg(feature = "postgres")]
mod postgres;

#[cfg(feature = "dynamodb")]
pub use dynamodb::DynamoTarget;
#[cfg(feature = "postgres")]
pub use postgres::PgTarget;
