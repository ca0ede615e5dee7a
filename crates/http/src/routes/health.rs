//! Health (API), liveness and readiness. None of them touches the store.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Serialize;
use twinstack_core::Store;

use crate::state::AppState;

#[derive(Serialize, utoipa::ToSchema)]
pub struct Health {
    /// `ok`
    pub status: &'static str,
}

#[utoipa::path(get, path = "/api/health", tag = "health",
    responses((status = 200, description = "The API process is up", body = Health)))]
pub async fn health() -> Json<Health> {
    Json(Health { status: "ok" })
}

/// Liveness: the process answers.
pub async fn healthz() -> Json<Health> {
    Json(Health { status: "ok" })
}

/// Readiness: 503 until the store has been reached once, and from the moment shutdown begins.
pub async fn readyz<S: Store>(State(state): State<AppState<S>>) -> (StatusCode, Json<Health>) {
    if state.readiness.is_ready() {
        (StatusCode::OK, Json(Health { status: "ok" }))
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(Health {
                status: "unavailable",
            }),
        )
    }
}
