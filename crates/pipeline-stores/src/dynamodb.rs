//! Aggregates into DynamoDB: one item per row in the app's table, written with BatchWriteItem.

use std::time::Duration;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::{AttributeValue, PutRequest, WriteRequest};
use futures::{StreamExt, TryStreamExt};
use serde::{Deserialize, Serialize};
use twinstack_pipeline::{AggregateRow, Aggregates, Dimension, LoadError, LoadTarget, Stats};

/// BatchWriteItem's limit.
const BATCH: usize = 25;
const IN_FLIGHT: usize = 8;
/// Rounds of asking again for unprocessed items before giving up.
const UNPROCESSED_ROUNDS: u32 = 8;
const PK_PREFIX: &str = "PIPELINE#";

/// The pipeline's items in one table.
#[derive(Clone, Debug)]
pub struct DynamoTarget {
    client: Client,
    table: String,
}

/// An item's stored form.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct StoredRow {
    #[serde(rename = "PK")]
    pk: String,
    #[serde(rename = "SK")]
    sk: String,
    count: u64,
    sum_cents: u64,
    min_cents: u64,
    max_cents: u64,
}

impl DynamoTarget {
    /// A target on `table`, which exists (`twinstack_store_dynamodb::create_table`, or the CDK stack).
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        DynamoTarget {
            client,
            table: table.into(),
        }
    }

    async fn write_batch(&self, batch: &[AggregateRow]) -> Result<(), LoadError> {
        let mut pending = batch
            .iter()
            .map(|row| {
                let item = serde_dynamo::to_item(StoredRow {
                    pk: partition(row.dimension),
                    sk: row.key.clone(),
                    count: row.stats.count,
                    sum_cents: row.stats.sum_cents,
                    min_cents: row.stats.min_cents,
                    max_cents: row.stats.max_cents,
                })
                .map_err(|err| LoadError(format!("item for {}: {err}", row.key)))?;
                let put = PutRequest::builder()
                    .set_item(Some(item))
                    .build()
                    .map_err(|err| LoadError(err.to_string()))?;
                Ok(WriteRequest::builder().put_request(put).build())
            })
            .collect::<Result<Vec<_>, LoadError>>()?;
        for round in 0..UNPROCESSED_ROUNDS {
            let output = self
                .client
                .batch_write_item()
                .request_items(&self.table, pending)
                .send()
                .await
                .map_err(|err| {
                    LoadError(format!("BatchWriteItem: {}", err.into_service_error()))
                })?;
            pending = output
                .unprocessed_items
                .and_then(|mut tables| tables.remove(&self.table))
                .unwrap_or_default();
            if pending.is_empty() {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(50 << round)).await;
        }
        Err(LoadError(format!(
            "BatchWriteItem left {} items unprocessed after {UNPROCESSED_ROUNDS} rounds",
            pending.len()
        )))
    }

    async fn read_dimension(&self, dimension: Dimension) -> Result<Vec<AggregateRow>, LoadError> {
        let pages = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("PK = :pk")
            .expression_attribute_values(":pk", AttributeValue::S(partition(dimension)))
            .consistent_read(true)
            .into_paginator()
            .items()
            .send();
        let items: Vec<_> = pages
            .try_collect()
            .await
            .map_err(|err| LoadError(format!("Query: {}", err.into_service_error())))?;
        items
            .into_iter()
            .map(|item| {
                let stored: StoredRow = serde_dynamo::from_item(item)
                    .map_err(|err| LoadError(format!("a {} item: {err}", dimension.as_str())))?;
                Ok(AggregateRow {
                    dimension,
                    key: stored.sk,
                    stats: Stats {
                        count: stored.count,
                        sum_cents: stored.sum_cents,
                        min_cents: stored.min_cents,
                        max_cents: stored.max_cents,
                    },
                })
            })
            .collect()
    }
}

fn partition(dimension: Dimension) -> String {
    format!("{PK_PREFIX}{}", dimension.as_str())
}

impl LoadTarget for DynamoTarget {
    fn describe(&self) -> String {
        format!("dynamodb table {}", self.table)
    }

    async fn load(&self, aggregates: &Aggregates) -> Result<(), LoadError> {
        let rows: Vec<AggregateRow> = aggregates.rows().collect();
        // Owned batches: a stream of futures borrowing slices of `rows` would not be `Send`.
        let batches: Vec<Vec<AggregateRow>> = rows.chunks(BATCH).map(<[_]>::to_vec).collect();
        futures::stream::iter(batches)
            .map(|batch| async move { self.write_batch(&batch).await })
            .buffer_unordered(IN_FLIGHT)
            .try_collect()
            .await
    }

    async fn read(&self) -> Result<Aggregates, LoadError> {
        let mut rows = Vec::new();
        for dimension in Dimension::ALL {
            rows.extend(self.read_dimension(dimension).await?);
        }
        Aggregates::from_rows(rows).map_err(LoadError)
    }
}
