//! Idempotency records: written by the order transaction (see `orders`), read here.

use aws_sdk_dynamodb::types::ReturnConsumedCapacity;
use twinstack_core::{IdempotencyKey, IdempotencyRecord, StoreError, Timestamp};

use crate::capacity::{self, Kind};
use crate::error::classify;
use crate::keys::Key;
use crate::{DynamoStore, items};

/// The record under `key` if it is live at `now`. TTL deletes expired records only eventually,
/// so expiry is judged here, from the exact `expiresAt`.
pub(crate) async fn find(
    store: &DynamoStore,
    key: &IdempotencyKey,
    now: Timestamp,
) -> Result<Option<IdempotencyRecord>, StoreError> {
    let output = store
        .client
        .get_item()
        .table_name(&*store.table)
        .set_key(Some(Key::idempotency(key).to_item()))
        .consistent_read(true)
        .return_consumed_capacity(ReturnConsumedCapacity::Total)
        .send()
        .await
        .map_err(|err| classify("GetItem", err))?;
    capacity::record(Kind::Read, output.consumed_capacity());
    let Some(item) = output.item else {
        return Ok(None);
    };
    let record = items::read_idempotency_record(key, item)?;
    Ok(record.is_live(now).then_some(record))
}
