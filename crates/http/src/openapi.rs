//! The OpenAPI document served at `GET /api/openapi.json`: the contract both twins implement.

use axum::Json;
use utoipa::OpenApi;

use crate::dto::order::{
    CreateOrderRequest, OrderBody, OrderItemBody, OrderLineRequest, Status, TransitionRequest,
};
use crate::dto::order_page::OrderPageBody;
use crate::dto::product::{ProductBody, ProductList};
use crate::dto::summary::{MonthlyTotalBody, SummaryBody, TopProductBody};
use crate::dto::user::{CreateUserRequest, UpdateUserRequest, UserBody};
use crate::error::{ErrorBody, ErrorCode, ErrorDetail, ErrorResponse};
use crate::routes::{health, orders, products, users};

/// The API in a sentence, then the real-time feed, which OpenAPI has no paths for.
const DESCRIPTION: &str = concat!(
    "One CRUD API for users and orders, served identically by a Lambda on DynamoDB and an axum server on Postgres. Money is integer cents; times are RFC 3339 UTC with milliseconds.\n\n",
    include_str!("realtime.md")
);

#[derive(OpenApi)]
#[openapi(
    info(
        title = "twinstack",
        description = DESCRIPTION
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
        ErrorCode,
        CreateUserRequest,
        UpdateUserRequest,
        CreateOrderRequest,
        OrderLineRequest,
        TransitionRequest,
        UserBody,
        ProductBody,
        OrderBody,
        OrderItemBody,
        Status,
        OrderPageBody,
        SummaryBody,
        TopProductBody,
        MonthlyTotalBody,
        health::Health,
        ProductList,
    ))
)]
pub struct ApiDoc;

pub async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
