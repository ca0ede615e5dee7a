//! Catalogue products.

use serde::{Deserialize, Serialize};

use crate::ids::Sku;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Product {
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "PROD-001"))]
    pub sku: Sku,
    pub name: String,
    pub price_cents: u64,
}
