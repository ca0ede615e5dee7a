//! Catalogue products.

use crate::ids::Sku;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Product {
    pub sku: Sku,
    pub name: String,
    pub price_cents: u64,
}
