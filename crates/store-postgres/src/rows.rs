//! Rows as Postgres returns them, and their checked conversion into core's types.
//!
//! Every conversion is fallible: a row the domain rejects becomes `StoreError::Internal`, never a
//! panic. Timestamps go through [`Timestamp::from_datetime`], which truncates Postgres's
//! microseconds to core's milliseconds.

use sqlx::postgres::PgRow;
use sqlx::query::QueryAs;
use sqlx::types::Json;
use sqlx::types::chrono::{DateTime, Utc};
use sqlx::{FromRow, IntoArguments, PgExecutor, Postgres};
use twinstack_core::{
    Email, IdempotencyKey, IdempotencyRecord, Order, OrderId, OrderStatus, Product, Sku,
    StoreError, Timestamp, User, UserId, UserName,
};

use crate::documents::{StoredOrder, StoredOrderItem, order_items};
use crate::error::{classify, corrupt};

#[derive(sqlx::FromRow)]
pub(crate) struct ProductRow {
    sku: String,
    name: String,
    price_cents: i64,
}

impl TryFrom<ProductRow> for Product {
    type Error = StoreError;

    fn try_from(row: ProductRow) -> Result<Self, StoreError> {
        Ok(Product {
            sku: Sku::parse(&row.sku).ok_or_else(|| corrupt(format!("sku {:?}", row.sku)))?,
            price_cents: u64::try_from(row.price_cents)
                .map_err(|_| corrupt(format!("price of {}", row.sku)))?,
            name: row.name,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct UserRow {
    id: i64,
    name: String,
    email: String,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl TryFrom<UserRow> for User {
    type Error = StoreError;

    fn try_from(row: UserRow) -> Result<Self, StoreError> {
        let id = UserId::new(row.id).ok_or_else(|| corrupt(format!("user id {}", row.id)))?;
        Ok(User {
            id,
            name: UserName::parse(&row.name)
                .map_err(|why| corrupt(format!("name of user {id}: {why}")))?,
            email: Email::parse(&row.email)
                .map_err(|why| corrupt(format!("email of user {id}: {why}")))?,
            created_at: Timestamp::from_datetime(row.created_at),
            updated_at: Timestamp::from_datetime(row.updated_at),
        })
    }
}

/// `items` decodes as its stored form (see [`crate::documents`]); a malformed document fails in
/// sqlx's decode, which [`crate::error::classify`] also reports as `Internal`.
#[derive(sqlx::FromRow)]
pub(crate) struct OrderRow {
    id: String,
    user_id: i64,
    items: Json<Vec<StoredOrderItem>>,
    total_cents: i64,
    status: String,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl TryFrom<OrderRow> for Order {
    type Error = StoreError;

    fn try_from(row: OrderRow) -> Result<Self, StoreError> {
        let id =
            OrderId::parse(&row.id).ok_or_else(|| corrupt(format!("order id {:?}", row.id)))?;
        Ok(Order {
            id,
            user_id: UserId::new(row.user_id)
                .ok_or_else(|| corrupt(format!("user id of order {id}")))?,
            items: order_items(row.items.0)?,
            total_cents: u64::try_from(row.total_cents)
                .map_err(|_| corrupt(format!("total of order {id}")))?,
            status: OrderStatus::parse(&row.status)
                .ok_or_else(|| corrupt(format!("status of order {id}: {:?}", row.status)))?,
            created_at: Timestamp::from_datetime(row.created_at),
            updated_at: Timestamp::from_datetime(row.updated_at),
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct IdempotencyRow {
    key: String,
    fingerprint: String,
    response: Json<StoredOrder>,
    expires_at: DateTime<Utc>,
}

impl TryFrom<IdempotencyRow> for IdempotencyRecord {
    type Error = StoreError;

    fn try_from(row: IdempotencyRow) -> Result<Self, StoreError> {
        Ok(IdempotencyRecord {
            key: IdempotencyKey::parse(row.key.as_bytes())
                .map_err(|why| corrupt(format!("idempotency key: {why}")))?,
            fingerprint: row.fingerprint,
            order: row.response.0.into_order()?,
            expires_at: Timestamp::from_datetime(row.expires_at),
        })
    }
}

/// Every row `query` returns, each checked into its domain value `T`.
pub(crate) async fn fetch_all<'q, 'c, R, A, T>(
    executor: impl PgExecutor<'c>,
    query: QueryAs<'q, Postgres, R, A>,
) -> Result<Vec<T>, StoreError>
where
    R: for<'r> FromRow<'r, PgRow> + Send + Unpin,
    A: IntoArguments<Postgres> + Send + 'q,
    T: TryFrom<R, Error = StoreError>,
{
    query
        .fetch_all(executor)
        .await
        .map_err(classify)?
        .into_iter()
        .map(T::try_from)
        .collect()
}

/// The row `query` returns, if any, checked into its domain value `T`.
pub(crate) async fn fetch_optional<'q, 'c, R, A, T>(
    executor: impl PgExecutor<'c>,
    query: QueryAs<'q, Postgres, R, A>,
) -> Result<Option<T>, StoreError>
where
    R: for<'r> FromRow<'r, PgRow> + Send + Unpin,
    A: IntoArguments<Postgres> + Send + 'q,
    T: TryFrom<R, Error = StoreError>,
{
    query
        .fetch_optional(executor)
        .await
        .map_err(classify)?
        .map(T::try_from)
        .transpose()
}

/// Money is `u64` in core and `BIGINT` here; a value above `i64::MAX` cannot be stored.
pub(crate) fn cents(value: u64) -> Result<i64, StoreError> {
    i64::try_from(value)
        .map_err(|_| StoreError::Internal(format!("{value} cents does not fit a BIGINT").into()))
}
