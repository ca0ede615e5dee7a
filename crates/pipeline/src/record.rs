//! An order event: one NDJSON line of the pipeline's input.

use serde::{Deserialize, Serialize};

/// The wire form of one input line. Money is in integer cents; `timestamp` is RFC 3339 in UTC.
/// Fields borrow from the line, so parsing a chunk allocates nothing per record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OrderEvent<'a> {
    pub order_id: &'a str,
    pub user_id: i64,
    pub sku: &'a str,
    pub qty: i64,
    pub unit_price_cents: i64,
    pub currency: &'a str,
    pub status: &'a str,
    pub timestamp: &'a str,
}

/// The only currency the catalogue prices in.
pub const CURRENCY: &str = "USD";

/// The order statuses the API knows (`twinstack_core::OrderStatus`).
pub const STATUSES: [&str; 4] = ["pending", "paid", "shipped", "cancelled"];
