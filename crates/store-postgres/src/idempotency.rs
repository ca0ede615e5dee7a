//! Idempotency records: claimed atomically with the order they describe.

use sqlx::types::Json;
use sqlx::{PgConnection, PgExecutor};
use twinstack_core::{IdempotencyKey, IdempotencyRecord, StoreError, Timestamp};

use crate::documents::StoredOrder;
use crate::error::classify;
use crate::rows::{IdempotencyRow, fetch_optional};

/// The live record under `key`, if any.
pub(crate) async fn find<'e>(
    executor: impl PgExecutor<'e>,
    key: &IdempotencyKey,
    now: Timestamp,
) -> Result<Option<IdempotencyRecord>, StoreError> {
    let query = sqlx::query_as::<_, IdempotencyRow>(
        "SELECT key, fingerprint, response, expires_at FROM idempotency_keys \
         WHERE key = $1 AND expires_at > $2",
    )
    .bind(key.as_str())
    .bind(now.to_datetime());
    fetch_optional(executor, query).await
}

/// Writes `record` unless a record live at `now` holds its key; `false` when one does.
///
/// An expired record is overwritten in place. A concurrent claim of the same key blocks on the
/// first transaction's row lock until it ends: if it committed, this claim conflicts; if it rolled
/// back, this one proceeds.
pub(crate) async fn claim(
    conn: &mut PgConnection,
    record: &IdempotencyRecord,
    now: Timestamp,
) -> Result<bool, StoreError> {
    let claimed = sqlx::query_scalar::<_, String>(
        "INSERT INTO idempotency_keys (key, fingerprint, response, expires_at) \
         VALUES ($1, $2, $3, $4) \
         ON CONFLICT (key) DO UPDATE SET fingerprint = EXCLUDED.fingerprint, \
         response = EXCLUDED.response, expires_at = EXCLUDED.expires_at \
         WHERE idempotency_keys.expires_at <= $5 \
         RETURNING key",
    )
    .bind(record.key.as_str())
    .bind(record.fingerprint.as_str())
    .bind(Json(StoredOrder::from(&record.order)))
    .bind(record.expires_at.to_datetime())
    .bind(now.to_datetime())
    .fetch_optional(conn)
    .await
    .map_err(classify)?;
    Ok(claimed.is_some())
}

/// Deletes the records expired at `now`, returning how many.
pub(crate) async fn delete_expired(
    conn: &mut PgConnection,
    now: Timestamp,
) -> Result<u64, StoreError> {
    let done = sqlx::query("DELETE FROM idempotency_keys WHERE expires_at <= $1")
        .bind(now.to_datetime())
        .execute(conn)
        .await
        .map_err(classify)?;
    Ok(done.rows_affected())
}
