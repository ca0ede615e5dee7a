//! Loading core's deterministic [`DataSet`] for `twinstack seed`, and reading it back for the
//! checksum.
//!
//! Rows go in as column arrays through `UNNEST`: one round trip per chunk, not per row.

use sqlx::postgres::PgBindIterExt;
use sqlx::types::Json;
use sqlx::{PgConnection, PgPool};
use twinstack_core::seed::DataSet;
use twinstack_core::{Order, Product, StoreError, User};

use crate::documents::stored_items;
use crate::error::classify;
use crate::rows::{OrderRow, ProductRow, UserRow, cents, fetch_all};
use crate::{orders, products, users};

/// Rows per statement: bounds a statement's parameter size whatever the data set's size.
const CHUNK: usize = 5_000;

/// Replaces everything stored (products, users, orders, idempotency keys) with `data` in one
/// transaction, then advances the user identity so the next created user gets max(id) + 1.
pub async fn load_data_set(pool: &PgPool, data: &DataSet) -> Result<(), StoreError> {
    let mut tx = pool.begin().await.map_err(classify)?;
    sqlx::query("TRUNCATE idempotency_keys, orders, users, products RESTART IDENTITY")
        .execute(&mut *tx)
        .await
        .map_err(classify)?;
    for chunk in data.products.chunks(CHUNK) {
        insert_products(&mut tx, chunk).await?;
    }
    for chunk in data.users.chunks(CHUNK) {
        insert_users(&mut tx, chunk).await?;
    }
    for chunk in data.orders.chunks(CHUNK) {
        insert_orders(&mut tx, chunk).await?;
    }
    // Explicit ids bypass the identity; `is_called = false` makes max + 1 the next value, and
    // also works for an empty table (setval refuses 0).
    sqlx::query(
        "SELECT setval(pg_get_serial_sequence('users', 'id'), COALESCE(max(id), 0) + 1, false) \
         FROM users",
    )
    .execute(&mut *tx)
    .await
    .map_err(classify)?;
    tx.commit().await.map_err(classify)
}

async fn insert_products(conn: &mut PgConnection, chunk: &[Product]) -> Result<(), StoreError> {
    let prices = chunk
        .iter()
        .map(|product| cents(product.price_cents))
        .collect::<Result<Vec<_>, _>>()?;
    sqlx::query(
        "INSERT INTO products (sku, name, price_cents) \
         SELECT * FROM UNNEST($1::text[], $2::text[], $3::bigint[])",
    )
    .bind(chunk.iter().map(|product| product.sku.as_str()).bind_iter())
    .bind(
        chunk
            .iter()
            .map(|product| product.name.as_str())
            .bind_iter(),
    )
    .bind(prices)
    .execute(conn)
    .await
    .map_err(classify)?;
    Ok(())
}

async fn insert_users(conn: &mut PgConnection, chunk: &[User]) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO users (id, name, email, created_at, updated_at) \
         SELECT * FROM UNNEST($1::bigint[], $2::text[], $3::text[], $4::timestamptz[], \
         $5::timestamptz[])",
    )
    .bind(chunk.iter().map(|user| user.id.get()).bind_iter())
    .bind(chunk.iter().map(|user| user.name.as_str()).bind_iter())
    .bind(chunk.iter().map(|user| user.email.as_str()).bind_iter())
    .bind(
        chunk
            .iter()
            .map(|user| user.created_at.to_datetime())
            .bind_iter(),
    )
    .bind(
        chunk
            .iter()
            .map(|user| user.updated_at.to_datetime())
            .bind_iter(),
    )
    .execute(conn)
    .await
    .map_err(classify)?;
    Ok(())
}

async fn insert_orders(conn: &mut PgConnection, chunk: &[Order]) -> Result<(), StoreError> {
    let totals = chunk
        .iter()
        .map(|order| cents(order.total_cents))
        .collect::<Result<Vec<_>, _>>()?;
    sqlx::query(
        "INSERT INTO orders (id, user_id, items, total_cents, status, created_at, updated_at) \
         SELECT * FROM UNNEST($1::text[], $2::bigint[], $3::jsonb[], $4::bigint[], $5::text[], \
         $6::timestamptz[], $7::timestamptz[])",
    )
    .bind(chunk.iter().map(|order| order.id.to_string()).bind_iter())
    .bind(chunk.iter().map(|order| order.user_id.get()).bind_iter())
    .bind(
        chunk
            .iter()
            .map(|order| Json(stored_items(order)))
            .bind_iter(),
    )
    .bind(totals)
    .bind(chunk.iter().map(|order| order.status.as_str()).bind_iter())
    .bind(
        chunk
            .iter()
            .map(|order| order.created_at.to_datetime())
            .bind_iter(),
    )
    .bind(
        chunk
            .iter()
            .map(|order| order.updated_at.to_datetime())
            .bind_iter(),
    )
    .execute(conn)
    .await
    .map_err(classify)?;
    Ok(())
}

/// Everything stored, read in one snapshot so the checksum describes a single moment.
pub async fn read_data_set(pool: &PgPool) -> Result<DataSet, StoreError> {
    let mut tx = pool
        .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        .await
        .map_err(classify)?;
    let products = fetch_all(&mut *tx, sqlx::query_as::<_, ProductRow>(products::ALL)).await?;
    let users = fetch_all(&mut *tx, sqlx::query_as::<_, UserRow>(users::ALL)).await?;
    let orders = fetch_all(&mut *tx, sqlx::query_as::<_, OrderRow>(orders::ALL)).await?;
    tx.commit().await.map_err(classify)?;
    Ok(DataSet {
        products,
        users,
        orders,
    })
}
