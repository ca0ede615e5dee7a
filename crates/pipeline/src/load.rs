//! Stage 5's port: where the final aggregates go. The pipeline owns the trait; the stores
//! implement it (`twinstack-pipeline-stores`: Postgres, DynamoDB), and [`ObjectsTarget`] writes
//! them to an object location for runs without a store.

use std::future::Future;

use crate::aggregate::Aggregates;
use crate::objects::Objects;

/// A load failure, with the store's own message.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct LoadError(pub String);

/// A store for the final aggregates. Loading is an upsert keyed by (dimension, key): loading the
/// same aggregates twice leaves the same rows.
pub trait LoadTarget: Send + Sync {
    /// Where the rows go, for the summary (`postgres`, `dynamodb TABLE`, a URL).
    fn describe(&self) -> String;

    /// Upserts every row of `aggregates`.
    fn load(&self, aggregates: &Aggregates) -> impl Future<Output = Result<(), LoadError>> + Send;

    /// Everything loaded so far, read back.
    fn read(&self) -> impl Future<Output = Result<Aggregates, LoadError>> + Send;
}

/// The aggregates as one JSON object, `aggregates.json`, at an object location.
pub struct ObjectsTarget {
    objects: Objects,
}

pub const AGGREGATES_KEY: &str = "aggregates.json";

impl ObjectsTarget {
    pub fn new(objects: Objects) -> Self {
        ObjectsTarget { objects }
    }
}

impl LoadTarget for ObjectsTarget {
    fn describe(&self) -> String {
        self.objects.url_of(AGGREGATES_KEY)
    }

    async fn load(&self, aggregates: &Aggregates) -> Result<(), LoadError> {
        let json = serde_json::to_vec(aggregates).map_err(|err| LoadError(err.to_string()))?;
        self.objects
            .put(AGGREGATES_KEY, json)
            .await
            .map_err(|err| LoadError(err.to_string()))
    }

    async fn read(&self) -> Result<Aggregates, LoadError> {
        let bytes = self
            .objects
            .get(AGGREGATES_KEY)
            .await
            .map_err(|err| LoadError(err.to_string()))?;
        serde_json::from_slice(&bytes)
            .map_err(|err| LoadError(format!("{}: {err}", self.objects.url_of(AGGREGATES_KEY))))
    }
}
