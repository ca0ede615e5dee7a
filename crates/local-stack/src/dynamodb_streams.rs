//! A local event source mapping, as a test and bench harness: polls a table's stream on DynamoDB
//! Local (which implements the DynamoDB Streams API) and invokes a function with the batches
//! Lambda's mapping would send (`aws_lambda_events::dynamodb::Event`, the shape of AWS's documented
//! example, `tests/fixtures/dynamodb-stream-event.json`).
//!
//! As Lambda's mapping does: one poller per shard, records in shard order, at most `batch_size`
//! per invocation, a shard's next batch only after the previous one succeeded, starting at
//! `LATEST` (shards that appear later from their start); with `ReportBatchItemFailures`, a
//! response's `batchItemFailures` makes it read again from the lowest failed sequence number, and
//! a failed invocation repeats the batch. After `max_retry_attempts` the failing record is
//! skipped and recorded ([`StreamPollerHarness::discarded`]), as an on-failure destination would.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::Context;
use aws_lambda_events::dynamodb::{Event, EventRecord, StreamRecord, StreamViewType};
use aws_sdk_dynamodbstreams::Client;
use aws_sdk_dynamodbstreams::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_dynamodbstreams::error::DisplayErrorContext;
use aws_sdk_dynamodbstreams::types::{Record, ShardIteratorType};
use aws_smithy_http_client::tls;
use serde_json::Value;
#[cfg(test)]
use serde_json::json;

use crate::lambda_invoke::{LambdaInvoker, without_absent_fields};

/// Lambda polls a stream's shards about four times a second.
const POLL_INTERVAL: Duration = Duration::from_millis(250);
/// How often new shards (a split, or a rolled-over shard) are looked for.
const DISCOVERY_INTERVAL: Duration = Duration::from_secs(1);

/// The event source mapping's settings the harness honours.
#[derive(Clone, Copy, Debug)]
pub struct EventSourceMapping {
    pub batch_size: i32,
    pub max_retry_attempts: u32,
}

impl Default for EventSourceMapping {
    /// The CDK stack's settings.
    fn default() -> Self {
        EventSourceMapping {
            batch_size: 100,
            max_retry_attempts: 5,
        }
    }
}

pub struct StreamPollerHarness {
    discarded: Arc<Mutex<Vec<String>>>,
    task: tokio::task::JoinHandle<()>,
}

impl StreamPollerHarness {
    /// Finds `table`'s stream on the DynamoDB Local at `endpoint`, positions every open shard at
    /// `LATEST` (so every write after this returns is delivered) and starts polling.
    pub async fn start(
        endpoint: &str,
        region: &str,
        table: &str,
        function: LambdaInvoker,
        mapping: EventSourceMapping,
    ) -> anyhow::Result<Self> {
        // The SDK is built without its default HTTPS client: this one, as the store's.
        let http = aws_smithy_http_client::Builder::new()
            .tls_provider(tls::Provider::Rustls(
                tls::rustls_provider::CryptoMode::Ring,
            ))
            .build_https();
        let config = aws_sdk_dynamodbstreams::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .http_client(http)
            .region(Region::new(region.to_owned()))
            .credentials_provider(Credentials::new("local", "local", None, None, "local"))
            .endpoint_url(endpoint)
            .build();
        let client = Client::from_conf(config);
        let stream_arn = client
            .list_streams()
            .table_name(table)
            .send()
            .await
            .map_err(|error| anyhow::anyhow!("ListStreams: {}", DisplayErrorContext(error)))?
            .streams()
            .first()
            .and_then(|stream| stream.stream_arn().map(str::to_owned))
            .with_context(|| format!("table {table} has no stream"))?;
        let source = Arc::new(Source {
            client,
            stream_arn,
            region: region.to_owned(),
            function,
            mapping,
            discarded: Arc::default(),
        });
        let mut known = HashSet::new();
        let mut shards = Vec::new();
        for shard in source.shards().await? {
            known.insert(shard.id.clone());
            if shard.open {
                let iterator = source
                    .iterator(&shard.id, ShardIteratorType::Latest, None)
                    .await?;
                shards.push((shard.id, iterator));
            }
        }
        let discarded = source.discarded.clone();
        let task = tokio::spawn(async move {
            for (shard, iterator) in shards {
                tokio::spawn(source.clone().poll_shard(shard, iterator));
            }
            loop {
                tokio::time::sleep(DISCOVERY_INTERVAL).await;
                let Ok(found) = source.shards().await else {
                    continue;
                };
                for shard in found {
                    if known.insert(shard.id.clone())
                        && let Ok(iterator) = source
                            .iterator(&shard.id, ShardIteratorType::TrimHorizon, None)
                            .await
                    {
                        tokio::spawn(source.clone().poll_shard(shard.id, iterator));
                    }
                }
            }
        });
        Ok(StreamPollerHarness { discarded, task })
    }

    /// Sequence numbers of the records given up on after `max_retry_attempts`.
    pub fn discarded(&self) -> Vec<String> {
        self.discarded.lock().unwrap().clone()
    }
}

impl Drop for StreamPollerHarness {
    fn drop(&mut self) {
        self.task.abort();
    }
}

struct Source {
    client: Client,
    stream_arn: String,
    region: String,
    function: LambdaInvoker,
    mapping: EventSourceMapping,
    discarded: Arc<Mutex<Vec<String>>>,
}

struct Shard {
    id: String,
    open: bool,
}

impl Source {
    async fn shards(&self) -> anyhow::Result<Vec<Shard>> {
        let mut shards = Vec::new();
        let mut start = None;
        loop {
            let page = self
                .client
                .describe_stream()
                .stream_arn(&self.stream_arn)
                .set_exclusive_start_shard_id(start)
                .send()
                .await
                .map_err(|error| {
                    anyhow::anyhow!("DescribeStream: {}", DisplayErrorContext(error))
                })?;
            let description = page.stream_description();
            for shard in description.map(|d| d.shards()).unwrap_or_default() {
                shards.push(Shard {
                    id: shard.shard_id().unwrap_or_default().to_owned(),
                    open: shard
                        .sequence_number_range()
                        .is_none_or(|range| range.ending_sequence_number().is_none()),
                });
            }
            start = description
                .and_then(|d| d.last_evaluated_shard_id())
                .map(str::to_owned);
            if start.is_none() {
                return Ok(shards);
            }
        }
    }

    async fn iterator(
        &self,
        shard: &str,
        kind: ShardIteratorType,
        sequence_number: Option<&str>,
    ) -> anyhow::Result<Option<String>> {
        Ok(self
            .client
            .get_shard_iterator()
            .stream_arn(&self.stream_arn)
            .shard_id(shard)
            .shard_iterator_type(kind)
            .set_sequence_number(sequence_number.map(str::to_owned))
            .send()
            .await
            .map_err(|error| anyhow::anyhow!("GetShardIterator: {}", DisplayErrorContext(error)))?
            .shard_iterator)
    }

    /// One shard, batch after batch, until it is closed and read to its end.
    async fn poll_shard(self: Arc<Self>, shard: String, mut iterator: Option<String>) {
        let mut attempts = 0;
        while let Some(current) = iterator.take() {
            let page = match self
                .client
                .get_records()
                .shard_iterator(&current)
                .limit(self.mapping.batch_size)
                .send()
                .await
            {
                Ok(page) => page,
                Err(error) => {
                    tracing::warn!(error = %DisplayErrorContext(&error), shard, "GetRecords");
                    tokio::time::sleep(POLL_INTERVAL).await;
                    iterator = Some(current);
                    continue;
                }
            };
            let records = page.records();
            if records.is_empty() {
                iterator = page.next_shard_iterator;
                tokio::time::sleep(POLL_INTERVAL).await;
                continue;
            }
            let retry_from = match self.invoke(records).await {
                Ok(failed) => failed,
                Err(error) => {
                    tracing::warn!(%error, shard, "stream batch invocation failed; repeating it");
                    records[0]
                        .dynamodb()
                        .and_then(|r| r.sequence_number())
                        .map(str::to_owned)
                }
            };
            iterator = match retry_from {
                None => {
                    attempts = 0;
                    page.next_shard_iterator
                }
                Some(sequence_number) => {
                    attempts += 1;
                    let kind = if attempts > self.mapping.max_retry_attempts {
                        attempts = 0;
                        self.discarded.lock().unwrap().push(sequence_number.clone());
                        ShardIteratorType::AfterSequenceNumber
                    } else {
                        ShardIteratorType::AtSequenceNumber
                    };
                    match self.iterator(&shard, kind, Some(&sequence_number)).await {
                        Ok(next) => next,
                        Err(error) => {
                            tracing::warn!(%error, shard, "repositioning after a failure");
                            Some(current)
                        }
                    }
                }
            };
        }
    }

    /// Invokes the function with one batch; the lowest sequence number it reports failed, if any.
    async fn invoke(&self, records: &[Record]) -> anyhow::Result<Option<String>> {
        let event = stream_event(records, &self.stream_arn, &self.region);
        let response = self.function.invoke(&event).await?;
        let failed = response["batchItemFailures"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|failure| failure["itemIdentifier"].as_str())
            .min_by_key(|sequence_number| sequence_number.parse::<u128>().unwrap_or(u128::MAX))
            .map(str::to_owned);
        Ok(failed)
    }
}

/// A batch's event, each record without the fields AWS leaves out (down to its `dynamodb`).
fn stream_event(records: &[Record], stream_arn: &str, region: &str) -> Value {
    let mut event = Event::default();
    event.records = records
        .iter()
        .map(|record| event_record(record, stream_arn, region))
        .collect();
    let mut event = serde_json::to_value(event).expect("the event type serialises");
    for record in event["Records"].as_array_mut().into_iter().flatten() {
        without_absent_fields(record, 2);
    }
    event
}

fn event_record(record: &Record, stream_arn: &str, region: &str) -> EventRecord {
    let mut change = StreamRecord::default();
    if let Some(stream) = record.dynamodb() {
        if let Some(at) = stream.approximate_creation_date_time() {
            change.approximate_creation_date_time =
                chrono::DateTime::from_timestamp(at.secs(), at.subsec_nanos()).unwrap_or_default();
        }
        change.keys = stream.keys().cloned().unwrap_or_default().into();
        change.new_image = stream.new_image().cloned().unwrap_or_default().into();
        change.old_image = stream.old_image().cloned().unwrap_or_default().into();
        change.sequence_number = stream.sequence_number().map(str::to_owned);
        change.size_bytes = stream.size_bytes().unwrap_or_default();
        change.stream_view_type = stream.stream_view_type().and_then(|view| {
            serde_json::from_value::<StreamViewType>(Value::from(view.as_str())).ok()
        });
    }
    let mut event = EventRecord::default();
    event.aws_region = region.to_owned();
    event.change = change;
    event.event_id = record.event_id().unwrap_or_default().to_owned();
    event.event_name = record
        .event_name()
        .map(|name| name.as_str().to_owned())
        .unwrap_or_default();
    event.event_source = Some("aws:dynamodb".to_owned());
    event.event_version = record.event_version().map(str::to_owned);
    event.event_source_arn = Some(stream_arn.to_owned());
    event
}

#[cfg(test)]
mod tests {
    use aws_sdk_dynamodbstreams::primitives::DateTime;
    use aws_sdk_dynamodbstreams::types::{
        AttributeValue, OperationType, StreamRecord as SdkStreamRecord,
        StreamViewType as SdkStreamViewType,
    };

    use super::*;
    use crate::lambda_invoke::shape;

    #[test]
    fn a_batch_has_the_shape_of_awss_documented_stream_event() {
        let keys = [
            ("PK".to_owned(), AttributeValue::S("USER#42".into())),
            (
                "SK".to_owned(),
                AttributeValue::S("ORDER#01KHJM5T0D49SDFHRGYMMJBAW7".into()),
            ),
        ];
        let record = Record::builder()
            .event_id("1")
            .event_name(OperationType::Insert)
            .event_version("1.1")
            .event_source("aws:dynamodb")
            .aws_region("us-east-1")
            .dynamodb(
                SdkStreamRecord::builder()
                    .approximate_creation_date_time(DateTime::from_secs(1_428_537_600))
                    .set_keys(Some(keys.clone().into()))
                    .set_new_image(Some(keys.into()))
                    .sequence_number("100")
                    .size_bytes(26)
                    .stream_view_type(SdkStreamViewType::NewImage)
                    .build(),
            )
            .build();
        let documented: Value =
            serde_json::from_str(include_str!("../tests/fixtures/dynamodb-stream-event.json"))
                .unwrap();

        let event = stream_event(
            &[record],
            "arn:aws:dynamodb:us-east-1:000000000000:table/t/stream/x",
            "us-east-1",
        );

        assert_eq!(
            shape(&event, &["Keys", "NewImage"]),
            shape(&documented, &["Keys", "NewImage"])
        );
        assert_eq!(
            event["Records"][0]["dynamodb"]["NewImage"]["PK"],
            json!({"S": "USER#42"})
        );
        assert_eq!(event["Records"][0]["dynamodb"]["SequenceNumber"], "100");
        assert_eq!(event["Records"][0]["eventName"], "INSERT");
        // The documented example reads as Lambda's event type.
        serde_json::from_value::<Event>(documented).unwrap();
    }
}
