//! Orders: create (idempotently), read, list newest first, and status transitions.

use axum::Json;
use axum::extract::State;
use axum::response::Response;
use twinstack_core::Store;

use super::created;
use crate::dto::order::{CreateOrderRequest, OrderBody, TransitionRequest};
use crate::dto::order_page::{ListOrdersParams, OrderPageBody};
use crate::error::{ApiError, ErrorResponse};
use crate::extract::{IdempotencyKeyHeader, JsonBody, ListOrdersQuery, OrderIdParam};
use crate::state::AppState;

#[utoipa::path(post, path = "/api/orders", tag = "orders",
    request_body = CreateOrderRequest,
    params(("Idempotency-Key" = Option<String>, Header, description = "1–255 printable ASCII characters; kept 24 h")),
    responses(
        (status = 201, description = "Created (or replayed under the same Idempotency-Key); Location is relative: orders/{id}", body = OrderBody,
            headers(("location" = String, description = "orders/{id}"))),
        (status = 400, description = "Malformed JSON", body = ErrorResponse),
        (status = 409, description = "Idempotency-Key reused with another command", body = ErrorResponse),
        (status = 413, description = "Body over 64 KiB", body = ErrorResponse),
        (status = 415, description = "Not application/json", body = ErrorResponse),
        (status = 422, description = "Validation failed; unknown user or sku", body = ErrorResponse),
        (status = 503, description = "Store unavailable", body = ErrorResponse),
    ))]
pub async fn create<S: Store>(
    State(state): State<AppState<S>>,
    IdempotencyKeyHeader(key): IdempotencyKeyHeader,
    JsonBody(body): JsonBody,
) -> Result<Response, ApiError> {
    // Every check that needs no store is reported together: the header's and the body's.
    let (command, key) = match (CreateOrderRequest::parse(&body), key) {
        (Ok(command), Ok(key)) => (command, key),
        (command, key) => {
            let mut details = command.err().unwrap_or_default();
            details.extend(key.err());
            return Err(ApiError::validation(details));
        }
    };
    let order = state.service.create_order(command, key).await?;
    Ok(created(
        format!("orders/{}", order.id),
        OrderBody::from(order),
    ))
}

#[utoipa::path(get, path = "/api/orders/{id}", tag = "orders",
    params(("id" = String, Path, description = "A ULID", pattern = "^[0-7][0-9A-HJKMNP-TV-Za-hjkmnp-tv-z]{25}$")),
    responses(
        (status = 200, description = "The order", body = OrderBody),
        (status = 400, description = "Not a ULID", body = ErrorResponse),
        (status = 404, description = "No such order", body = ErrorResponse),
        (status = 503, description = "Store unavailable", body = ErrorResponse),
    ))]
pub async fn get<S: Store>(
    State(state): State<AppState<S>>,
    OrderIdParam(id): OrderIdParam,
) -> Result<Json<OrderBody>, ApiError> {
    Ok(Json(state.service.get_order(id).await?.into()))
}

#[utoipa::path(get, path = "/api/orders", tag = "orders",
    params(ListOrdersParams),
    responses(
        (status = 200, description = "Newest first; nextCursor is null on the last page", body = OrderPageBody),
        (status = 400, description = "Bad query", body = ErrorResponse),
        (status = 503, description = "Store unavailable", body = ErrorResponse),
    ))]
pub async fn list<S: Store>(
    State(state): State<AppState<S>>,
    ListOrdersQuery(query): ListOrdersQuery,
) -> Result<Json<OrderPageBody>, ApiError> {
    Ok(Json(state.service.list_orders(query).await?.into()))
}

#[utoipa::path(patch, path = "/api/orders/{id}", tag = "orders",
    params(("id" = String, Path, description = "A ULID", pattern = "^[0-7][0-9A-HJKMNP-TV-Za-hjkmnp-tv-z]{25}$")),
    request_body = TransitionRequest,
    responses(
        (status = 200, description = "The order in its new status", body = OrderBody),
        (status = 400, description = "Bad id or malformed JSON", body = ErrorResponse),
        (status = 404, description = "No such order", body = ErrorResponse),
        (status = 409, description = "Transition not allowed from the current status", body = ErrorResponse),
        (status = 413, description = "Body over 64 KiB", body = ErrorResponse),
        (status = 415, description = "Not application/json", body = ErrorResponse),
        (status = 422, description = "Validation failed", body = ErrorResponse),
        (status = 503, description = "Store unavailable", body = ErrorResponse),
    ))]
pub async fn transition<S: Store>(
    State(state): State<AppState<S>>,
    OrderIdParam(id): OrderIdParam,
    JsonBody(body): JsonBody,
) -> Result<Json<OrderBody>, ApiError> {
    let status = TransitionRequest::parse(&body).map_err(ApiError::validation)?;
    Ok(Json(
        state.service.transition_order(id, status).await?.into(),
    ))
}
