//! The catalogue: read-only at run time, written by the seed.

use sqlx::PgPool;
use twinstack_core::{Product, Sku, StoreError};

use crate::error::classify;
use crate::rows::ProductRow;

pub(crate) async fn list(pool: &PgPool) -> Result<Vec<Product>, StoreError> {
    sqlx::query_as::<_, ProductRow>("SELECT sku, name, price_cents FROM products ORDER BY sku")
        .fetch_all(pool)
        .await
        .map_err(classify)?
        .into_iter()
        .map(Product::try_from)
        .collect()
}

pub(crate) async fn get(pool: &PgPool, sku: &Sku) -> Result<Option<Product>, StoreError> {
    sqlx::query_as::<_, ProductRow>("SELECT sku, name, price_cents FROM products WHERE sku = $1")
        .bind(sku.as_str())
        .fetch_optional(pool)
        .await
        .map_err(classify)?
        .map(Product::try_from)
        .transpose()
}

/// One round trip for the whole order: the array binds as a single `text[]` parameter.
pub(crate) async fn by_sku(pool: &PgPool, skus: &[Sku]) -> Result<Vec<Product>, StoreError> {
    let skus: Vec<&str> = skus.iter().map(Sku::as_str).collect();
    sqlx::query_as::<_, ProductRow>(
        "SELECT sku, name, price_cents FROM products WHERE sku = ANY($1)",
    )
    .bind(skus)
    .fetch_all(pool)
    .await
    .map_err(classify)?
    .into_iter()
    .map(Product::try_from)
    .collect()
}
