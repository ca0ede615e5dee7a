//! Routes, one file per resource.

pub mod health;
pub mod orders;
pub mod products;
pub mod users;

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// 201 with a `Location` relative to the request path, so it stays right behind API Gateway stages
/// and URL prefixes (`users/42` resolved against `/prod/api/users`).
fn created<T: Serialize>(location: String, body: T) -> Response {
    let mut response = (StatusCode::CREATED, Json(body)).into_response();
    if let Ok(value) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
}
