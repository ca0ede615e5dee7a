//! The catalogue.

use axum::Json;
use axum::extract::State;
use twinstack_core::Store;

use crate::dto::product::{ProductBody, ProductList};
use crate::error::{ApiError, ErrorResponse};
use crate::extract::SkuParam;
use crate::state::AppState;

#[utoipa::path(get, path = "/api/products", tag = "products",
    responses(
        (status = 200, description = "Every product, by sku", body = ProductList),
        (status = 503, description = "Store unavailable", body = ErrorResponse),
    ))]
pub async fn list<S: Store>(
    State(state): State<AppState<S>>,
) -> Result<Json<ProductList>, ApiError> {
    let products = state.service.list_products().await?;
    Ok(Json(ProductList {
        items: products.into_iter().map(ProductBody::from).collect(),
    }))
}

#[utoipa::path(get, path = "/api/products/{sku}", tag = "products",
    params(("sku" = String, Path, description = "A sku such as PROD-001")),
    responses(
        (status = 200, description = "The product", body = ProductBody),
        (status = 404, description = "No such product", body = ErrorResponse),
        (status = 503, description = "Store unavailable", body = ErrorResponse),
    ))]
pub async fn get<S: Store>(
    State(state): State<AppState<S>>,
    SkuParam(sku): SkuParam,
) -> Result<Json<ProductBody>, ApiError> {
    Ok(Json(state.service.get_product(&sku).await?.into()))
}
