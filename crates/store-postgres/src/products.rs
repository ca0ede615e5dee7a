//! The catalogue: read-only at run time, written by the seed.

use sqlx::PgConnection;
use twinstack_core::{Product, Sku, StoreError};

use crate::rows::{ProductRow, fetch_all, fetch_optional};

/// Every product, by sku: also what the seed reads back.
pub(crate) const ALL: &str = "SELECT sku, name, price_cents FROM products ORDER BY sku";

pub(crate) async fn list(conn: &mut PgConnection) -> Result<Vec<Product>, StoreError> {
    fetch_all(conn, sqlx::query_as::<_, ProductRow>(ALL)).await
}

pub(crate) async fn get(conn: &mut PgConnection, sku: &Sku) -> Result<Option<Product>, StoreError> {
    let query = sqlx::query_as::<_, ProductRow>(
        "SELECT sku, name, price_cents FROM products WHERE sku = $1",
    );
    fetch_optional(conn, query.bind(sku.as_str())).await
}

/// One round trip for the whole order: the array binds as a single `text[]` parameter.
pub(crate) async fn by_sku(
    conn: &mut PgConnection,
    skus: &[Sku],
) -> Result<Vec<Product>, StoreError> {
    let skus: Vec<&str> = skus.iter().map(Sku::as_str).collect();
    let query = sqlx::query_as::<_, ProductRow>(
        "SELECT sku, name, price_cents FROM products WHERE sku = ANY($1)",
    );
    fetch_all(conn, query.bind(skus)).await
}
