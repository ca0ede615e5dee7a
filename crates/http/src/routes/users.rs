//! Users: create, read, update, delete, and the order summary.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use twinstack_core::Store;

use super::created;
use crate::dto::summary::SummaryBody;
use crate::dto::user::{CreateUserRequest, UpdateUserRequest, UserBody};
use crate::error::{ApiError, ErrorResponse};
use crate::extract::{JsonBody, UserIdParam};
use crate::state::AppState;

#[utoipa::path(post, path = "/api/users", tag = "users",
    request_body = CreateUserRequest,
    responses(
        (status = 201, description = "Created; Location is relative: users/{id}", body = UserBody,
            headers(("location" = String, description = "users/{id}"))),
        (status = 400, description = "Malformed JSON", body = ErrorResponse),
        (status = 409, description = "Email taken", body = ErrorResponse),
        (status = 413, description = "Body over 64 KiB", body = ErrorResponse),
        (status = 415, description = "Not application/json", body = ErrorResponse),
        (status = 422, description = "Validation failed", body = ErrorResponse),
        (status = 503, description = "Store unavailable", body = ErrorResponse),
    ))]
pub async fn create<S: Store>(
    State(state): State<AppState<S>>,
    JsonBody(body): JsonBody,
) -> Result<Response, ApiError> {
    let command = CreateUserRequest::parse(&body).map_err(ApiError::validation)?;
    let user = state.service.create_user(command).await?;
    Ok(created(format!("users/{}", user.id), UserBody::from(user)))
}

#[utoipa::path(get, path = "/api/users/{id}", tag = "users",
    params(("id" = i64, Path, minimum = 1)),
    responses(
        (status = 200, description = "The user", body = UserBody),
        (status = 400, description = "Not a positive integer", body = ErrorResponse),
        (status = 404, description = "No such user", body = ErrorResponse),
        (status = 503, description = "Store unavailable", body = ErrorResponse),
    ))]
pub async fn get<S: Store>(
    State(state): State<AppState<S>>,
    UserIdParam(id): UserIdParam,
) -> Result<Json<UserBody>, ApiError> {
    Ok(Json(state.service.get_user(id).await?.into()))
}

#[utoipa::path(patch, path = "/api/users/{id}", tag = "users",
    params(("id" = i64, Path, minimum = 1)),
    request_body = UpdateUserRequest,
    responses(
        (status = 200, description = "The updated user", body = UserBody),
        (status = 400, description = "Bad id or malformed JSON", body = ErrorResponse),
        (status = 404, description = "No such user", body = ErrorResponse),
        (status = 409, description = "Email taken", body = ErrorResponse),
        (status = 413, description = "Body over 64 KiB", body = ErrorResponse),
        (status = 415, description = "Not application/json", body = ErrorResponse),
        (status = 422, description = "Validation failed (or no field given)", body = ErrorResponse),
        (status = 503, description = "Store unavailable", body = ErrorResponse),
    ))]
pub async fn update<S: Store>(
    State(state): State<AppState<S>>,
    UserIdParam(id): UserIdParam,
    JsonBody(body): JsonBody,
) -> Result<Json<UserBody>, ApiError> {
    let changes = UpdateUserRequest::parse(&body).map_err(ApiError::validation)?;
    Ok(Json(state.service.update_user(id, changes).await?.into()))
}

#[utoipa::path(delete, path = "/api/users/{id}", tag = "users",
    params(("id" = i64, Path, minimum = 1)),
    responses(
        (status = 204, description = "Deleted"),
        (status = 400, description = "Not a positive integer", body = ErrorResponse),
        (status = 404, description = "No such user", body = ErrorResponse),
        (status = 409, description = "The user has orders", body = ErrorResponse),
        (status = 503, description = "Store unavailable", body = ErrorResponse),
    ))]
pub async fn delete<S: Store>(
    State(state): State<AppState<S>>,
    UserIdParam(id): UserIdParam,
) -> Result<StatusCode, ApiError> {
    state.service.delete_user(id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/users/{id}/summary", tag = "users",
    params(("id" = i64, Path, minimum = 1)),
    responses(
        (status = 200, description = "Totals without cancelled orders; 12 months ending with the current UTC month", body = SummaryBody),
        (status = 400, description = "Not a positive integer", body = ErrorResponse),
        (status = 404, description = "No such user", body = ErrorResponse),
        (status = 503, description = "Store unavailable", body = ErrorResponse),
    ))]
pub async fn summary<S: Store>(
    State(state): State<AppState<S>>,
    UserIdParam(id): UserIdParam,
) -> Result<Json<SummaryBody>, ApiError> {
    Ok(Json(state.service.user_summary(id).await?.into()))
}
