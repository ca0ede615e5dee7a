//! The catalogue on the wire.

use serde::Serialize;
use twinstack_core::Product;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = Product)]
pub struct ProductBody {
    #[schema(example = "PROD-001")]
    pub sku: String,
    pub name: String,
    pub price_cents: u64,
}

impl From<Product> for ProductBody {
    fn from(product: Product) -> Self {
        ProductBody {
            sku: product.sku.into(),
            name: product.name,
            price_cents: product.price_cents,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ProductList {
    pub items: Vec<ProductBody>,
}
