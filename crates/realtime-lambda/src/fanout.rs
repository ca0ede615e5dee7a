//! The stream handler: each order item the table's stream shows created (`INSERT`) or moved on
//! (`MODIFY`: only status changes modify an order item) becomes one `order` frame, posted to every
//! connection following the order's user. Other items (users, subscriptions…) pass by.
//!
//! Records are handled in stream order, which for one user (one partition) is commit order. At the
//! first record that cannot be delivered the batch stops and reports that record alone as failed
//! (`ReportBatchItemFailures`): Lambda retries from it, so no later event overtakes it and earlier
//! ones are not sent again.

use aws_lambda_events::dynamodb::{Event, EventRecord};
use aws_lambda_events::streams::{DynamoDbBatchItemFailure, DynamoDbEventResponse};
use futures::StreamExt;
use serde::Deserialize;
use twinstack_realtime::{OrderEvent, OrderEventKind, ServerFrame};

use crate::Realtime;
use crate::management::Delivery;

/// Posts in flight at once for one event.
const POSTS_IN_FLIGHT: usize = 16;

const ORDER_PREFIX: &str = "ORDER#";
const USER_PREFIX: &str = "USER#";

#[derive(Deserialize)]
struct Keys {
    #[serde(rename = "PK")]
    pk: String,
    #[serde(rename = "SK")]
    sk: String,
}

pub async fn handle(realtime: &Realtime, batch: Event) -> DynamoDbEventResponse {
    let mut response = DynamoDbEventResponse::default();
    for record in batch.records {
        if let Err(error) = deliver(realtime, &record).await {
            tracing::error!(
                error,
                sequence_number = record.change.sequence_number.as_deref(),
                "order event not delivered; Lambda retries from it"
            );
            let mut failure = DynamoDbBatchItemFailure::default();
            failure.item_identifier = record.change.sequence_number.clone();
            response.batch_item_failures.push(failure);
            break;
        }
    }
    response
}

/// Which order event `record` is, if it is one.
pub fn order_event_kind(record: &EventRecord) -> Option<OrderEventKind> {
    let keys: Keys = serde_dynamo::from_item(record.change.keys.clone()).ok()?;
    if !keys.pk.starts_with(USER_PREFIX) || !keys.sk.starts_with(ORDER_PREFIX) {
        return None;
    }
    match record.event_name.as_str() {
        "INSERT" => Some(OrderEventKind::Created),
        "MODIFY" => Some(OrderEventKind::StatusChanged),
        _ => None,
    }
}

async fn deliver(realtime: &Realtime, record: &EventRecord) -> Result<(), String> {
    let Some(kind) = order_event_kind(record) else {
        return Ok(());
    };
    let order = twinstack_store_dynamodb::order_from_stream_image(record.change.new_image.clone())
        .map_err(|error| error.to_string())?;
    let user = order.user_id;
    let frame = ServerFrame::from(OrderEvent { kind, order }).to_text();
    let subscribers = realtime
        .connections
        .subscribers(user)
        .await
        .map_err(|error| error.to_string())?;
    let frame = &frame;
    let deliveries: Vec<_> = futures::stream::iter(&subscribers)
        .map(|connection| async move {
            (
                connection,
                realtime.management.post(connection, frame).await,
            )
        })
        .buffer_unordered(POSTS_IN_FLIGHT)
        .collect()
        .await;
    let mut failed = None;
    for (connection, delivery) in deliveries {
        match delivery {
            Ok(Delivery::Sent) => {}
            Ok(Delivery::Gone) => realtime
                .connections
                .forget(connection)
                .await
                .map_err(|error| error.to_string())?,
            Err(error) => failed = Some(error.to_string()),
        }
    }
    failed.map_or(Ok(()), Err)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn record(event_name: &str, pk: &str, sk: &str) -> EventRecord {
        serde_json::from_value(json!({
            "eventID": "1",
            "eventName": event_name,
            "eventSource": "aws:dynamodb",
            "awsRegion": "us-east-1",
            "dynamodb": {
                "Keys": {"PK": {"S": pk}, "SK": {"S": sk}},
                "SequenceNumber": "100",
                "SizeBytes": 26,
                "StreamViewType": "NEW_AND_OLD_IMAGES"
            }
        }))
        .unwrap()
    }

    #[test]
    fn order_items_inserted_or_modified_are_order_events() {
        let order = |name| record(name, "USER#42", "ORDER#01KHJM5T0D49SDFHRGYMMJBAW7");

        assert_eq!(
            order_event_kind(&order("INSERT")),
            Some(OrderEventKind::Created)
        );
        assert_eq!(
            order_event_kind(&order("MODIFY")),
            Some(OrderEventKind::StatusChanged)
        );
        assert_eq!(order_event_kind(&order("REMOVE")), None);
    }

    #[test]
    fn every_other_item_passes_by() {
        for (pk, sk) in [
            ("USER#42", "PROFILE"),
            ("ORDER#01KHJM5T0D49SDFHRGYMMJBAW7", "ORDER"),
            ("SUBSCRIBERS#42", "CONNECTION#abc"),
            ("CONNECTION#abc", "SUBSCRIPTION#42"),
            ("IDEMPOTENCY#k", "IDEMPOTENCY"),
        ] {
            assert_eq!(
                order_event_kind(&record("INSERT", pk, sk)),
                None,
                "{pk} {sk}"
            );
        }
    }
}
