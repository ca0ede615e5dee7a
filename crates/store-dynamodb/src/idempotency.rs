//! Idempotency records: written by the order transaction (see `orders`), read here.

use twinstack_core::{IdempotencyKey, IdempotencyRecord, StoreError, Timestamp};

use crate::keys::Key;
use crate::{DynamoStore, get, items};

/// The record under `key` if it is live at `now`. TTL deletes expired records only eventually,
/// so expiry is judged here, from the exact `expiresAt`.
pub(crate) async fn find(
    store: &DynamoStore,
    key: &IdempotencyKey,
    now: Timestamp,
) -> Result<Option<IdempotencyRecord>, StoreError> {
    let Some(item) = get::consistent(store, Key::idempotency(key)).await? else {
        return Ok(None);
    };
    let record = items::read_idempotency_record(key, item)?;
    Ok(record.is_live(now).then_some(record))
}
