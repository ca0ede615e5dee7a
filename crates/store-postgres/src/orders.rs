//! Orders: keyed by ULID text, so `ORDER BY id` is creation order.

use sqlx::postgres::PgRow;
use sqlx::types::Json;
use sqlx::{Connection, FromRow, PgConnection, PgExecutor, Row};
use twinstack_core::{
    CreateOrderOutcome, IdempotencyRecord, Order, OrderId, OrderStatus, StoreError, Timestamp,
    UserId,
};

use crate::documents::stored_items;
use crate::error::{ORDERS_USER_ID_FKEY, ResultExt, classify};
use crate::idempotency;
use crate::rows::{OrderRow, cents, fetch_all, fetch_optional};

/// Every order, by id: what the seed reads back.
pub(crate) const ALL: &str = "SELECT id, user_id, items, total_cents, status, created_at, updated_at \
                              FROM orders ORDER BY id";

pub(crate) async fn create(
    conn: &mut PgConnection,
    order: &Order,
    record: Option<&IdempotencyRecord>,
) -> Result<CreateOrderOutcome, StoreError> {
    let Some(record) = record else {
        insert(conn, order).await?;
        return Ok(CreateOrderOutcome::Created);
    };
    // The order is created at the request's "now": the instant against which a held key is live.
    let now = order.created_at;
    let mut tx = conn.begin().await.map_err(classify)?;
    if !idempotency::claim(&mut tx, record, now).await? {
        // The holder has committed (the claim waited for it), so this read sees its record.
        let held = idempotency::find(&mut *tx, &record.key, now)
            .await?
            .ok_or_else(|| StoreError::Internal("a held idempotency key has no record".into()))?;
        tx.rollback().await.map_err(classify)?;
        return Ok(CreateOrderOutcome::KeyTaken(held));
    }
    // On error the dropped transaction rolls back, releasing the key.
    insert(&mut *tx, order).await?;
    tx.commit().await.map_err(classify)?;
    Ok(CreateOrderOutcome::Created)
}

async fn insert<'e>(executor: impl PgExecutor<'e>, order: &Order) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO orders (id, user_id, items, total_cents, status, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(order.id.to_string())
    .bind(order.user_id.get())
    .bind(Json(stored_items(order)))
    .bind(cents(order.total_cents)?)
    .bind(order.status.as_str())
    .bind(order.created_at.to_datetime())
    .bind(order.updated_at.to_datetime())
    .execute(executor)
    .await
    .on_constraint(ORDERS_USER_ID_FKEY, StoreError::UserNotFound)?;
    Ok(())
}

pub(crate) async fn get(conn: &mut PgConnection, id: OrderId) -> Result<Option<Order>, StoreError> {
    let query = sqlx::query_as::<_, OrderRow>(
        "SELECT id, user_id, items, total_cents, status, created_at, updated_at \
         FROM orders WHERE id = $1",
    );
    fetch_optional(conn, query.bind(id.to_string())).await
}

/// Two statements rather than one with `($2 IS NULL OR id < $2)`: once Postgres switches to a
/// generic plan, that OR can only filter, so later pages would scan every newer order first.
/// Separately, `id < $2` is a range condition on `orders_user_id_id_idx`.
pub(crate) async fn list(
    conn: &mut PgConnection,
    user_id: UserId,
    after: Option<OrderId>,
    limit: usize,
) -> Result<Vec<Order>, StoreError> {
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let query = match after {
        None => sqlx::query_as::<_, OrderRow>(
            "SELECT id, user_id, items, total_cents, status, created_at, updated_at \
             FROM orders WHERE user_id = $1 ORDER BY id DESC LIMIT $2",
        )
        .bind(user_id.get())
        .bind(limit),
        Some(after) => sqlx::query_as::<_, OrderRow>(
            "SELECT id, user_id, items, total_cents, status, created_at, updated_at \
             FROM orders WHERE user_id = $1 AND id < $2 ORDER BY id DESC LIMIT $3",
        )
        .bind(user_id.get())
        .bind(after.to_string())
        .bind(limit),
    };
    fetch_all(conn, query).await
}

/// Compare-and-set in one statement: the row lock serialises racing transitions, and the loser's
/// re-checked `status = $2` no longer matches.
pub(crate) async fn set_status(
    conn: &mut PgConnection,
    id: OrderId,
    from: OrderStatus,
    to: OrderStatus,
    now: Timestamp,
) -> Result<Option<Order>, StoreError> {
    let query = sqlx::query_as::<_, OrderRow>(
        "UPDATE orders SET status = $3, updated_at = $4 WHERE id = $1 AND status = $2 \
         RETURNING id, user_id, items, total_cents, status, created_at, updated_at",
    )
    .bind(id.to_string())
    .bind(from.as_str())
    .bind(to.as_str())
    .bind(now.to_datetime());
    fetch_optional(conn, query).await
}

/// One statement, hence one snapshot and one round trip: no rows means no user; a single row of
/// NULLs (the LEFT JOIN's filler) means a user without orders.
pub(crate) async fn of_user(
    conn: &mut PgConnection,
    user_id: UserId,
) -> Result<Option<Vec<Order>>, StoreError> {
    let rows: Vec<PgRow> = sqlx::query(
        "SELECT o.id, o.user_id, o.items, o.total_cents, o.status, o.created_at, o.updated_at \
         FROM users u LEFT JOIN orders o ON o.user_id = u.id \
         WHERE u.id = $1 ORDER BY o.id DESC",
    )
    .bind(user_id.get())
    .fetch_all(conn)
    .await
    .map_err(classify)?;
    if rows.is_empty() {
        return Ok(None);
    }
    let mut orders = Vec::with_capacity(rows.len());
    for row in &rows {
        if row
            .try_get::<Option<String>, _>("id")
            .map_err(classify)?
            .is_some()
        {
            orders.push(OrderRow::from_row(row).map_err(classify)?.try_into()?);
        }
    }
    Ok(Some(orders))
}
