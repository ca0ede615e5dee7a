//! The OpenAPI document served at `GET /api/openapi.json`: the contract both twins implement.

use axum::Json;
use serde::Serialize;
use twinstack_core::{
    MonthlyTotal, Order, OrderItem, OrderPage, OrderStatus, Product, Summary, TopProduct, User,
};
use utoipa::{OpenApi, ToSchema};

use crate::routes::{health, orders, products, users};

/// The error envelope every non-2xx response carries.
#[derive(Serialize, ToSchema)]
pub struct ErrorResponse {
    pub error: ErrorBody,
}

#[derive(Serialize, ToSchema)]
pub struct ErrorBody {
    /// One of malformed_json, validation_failed, invalid_id, invalid_query, unsupported_media_type,
    /// payload_too_large, not_found, method_not_allowed, email_taken, user_has_orders,
    /// invalid_transition, idempotency_key_reused, unavailable, internal.
    pub code: String,
    pub message: String,
    /// Sorted by field path, such as `items[2].qty`; may be empty.
    pub details: Vec<ErrorDetail>,
}

#[derive(Serialize, ToSchema)]
pub struct ErrorDetail {
    pub field: String,
    pub message: String,
}

/// Name: trimmed, 1–100 characters, no control characters. Email: trimmed and lower-cased, at most
/// 254 characters, one `@`, a dot in the domain; unique.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateUserRequest {
    #[schema(min_length = 1, max_length = 100)]
    pub name: String,
    #[schema(format = Email, max_length = 254)]
    pub email: String,
}

/// At least one field; the same rules as on create.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(min_properties = 1)]
pub struct UpdateUserRequest {
    #[schema(min_length = 1, max_length = 100)]
    pub name: Option<String>,
    #[schema(format = Email, max_length = 254)]
    pub email: Option<String>,
}

/// 1–50 lines with unique, known skus; prices come from the catalogue.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct CreateOrderRequest {
    #[schema(minimum = 1)]
    pub user_id: i64,
    #[schema(min_items = 1, max_items = 50)]
    pub items: Vec<OrderLineRequest>,
}

#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrderLineRequest {
    #[schema(example = "PROD-001", pattern = "^[A-Za-z0-9_-]{1,64}$")]
    pub sku: String,
    #[schema(minimum = 1, maximum = 1000)]
    pub qty: u32,
}

/// Allowed: pending→paid, pending→cancelled, paid→shipped, paid→cancelled.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransitionRequest {
    pub status: OrderStatus,
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "twinstack",
        description = "One CRUD API for users and orders, served identically by a Lambda on DynamoDB and an axum server on Postgres. Money is integer cents; times are RFC 3339 UTC with milliseconds."
    ),
    paths(
        health::health,
        products::list,
        products::get,
        users::create,
        users::get,
        users::update,
        users::delete,
        users::summary,
        orders::create,
        orders::get,
        orders::list,
        orders::transition,
    ),
    components(schemas(
        ErrorResponse,
        ErrorBody,
        ErrorDetail,
        CreateUserRequest,
        UpdateUserRequest,
        CreateOrderRequest,
        OrderLineRequest,
        TransitionRequest,
        User,
        Product,
        Order,
        OrderItem,
        OrderStatus,
        OrderPage,
        Summary,
        TopProduct,
        MonthlyTotal,
        health::Health,
        products::ProductList,
    ))
)]
pub struct ApiDoc;

pub async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
