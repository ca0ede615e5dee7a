//! The catalogue.

use axum::Json;
use axum::extract::State;
use serde::Serialize;
use twinstack_core::{Product, Store};

use crate::error::ApiError;
use crate::extract::SkuParam;
use crate::openapi::ErrorResponse;
use crate::state::AppState;

#[derive(Serialize, utoipa::ToSchema)]
pub struct ProductList {
    pub items: Vec<Product>,
}

#[utoipa::path(get, path = "/api/products", tag = "products",
    responses(
        (status = 200, description = "Every product, by sku", body = ProductList),
        (status = 503, description = "Store unavailable", body = ErrorResponse),
    ))]
pub async fn list<S: Store>(
    State(state): State<AppState<S>>,
) -> Result<Json<ProductList>, ApiError> {
    Ok(Json(ProductList {
        items: state.service.list_products().await?,
    }))
}

#[utoipa::path(get, path = "/api/products/{sku}", tag = "products",
    params(("sku" = String, Path, description = "A sku such as PROD-001")),
    responses(
        (status = 200, description = "The product", body = Product),
        (status = 404, description = "No such product", body = ErrorResponse),
        (status = 503, description = "Store unavailable", body = ErrorResponse),
    ))]
pub async fn get<S: Store>(
    State(state): State<AppState<S>>,
    SkuParam(sku): SkuParam,
) -> Result<Json<Product>, ApiError> {
    Ok(Json(state.service.get_product(&sku).await?))
}
