//! A tiny HTTP server in the shape of the twins' API, recording what the load generator sent.
//!
//! Served under `/` and under a path prefix (as a function URL would be), with routes that fail on purpose:
//! `/boom` answers 500 and `/hang` never answers in time.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{Value, json};

pub const PREFIX: &str = "/lambda-url/twinstack-lambda";

/// What the server saw.
#[derive(Debug, Default)]
pub struct Seen {
    /// `userId` of each order, as sent (its JSON type matters).
    pub order_user_ids: Vec<Value>,
    /// `userId` query parameter of each order listing.
    pub listed_user_ids: Vec<String>,
    /// Requests that arrived under [`PREFIX`].
    pub prefixed: u64,
}

pub type Shared = Arc<Mutex<Seen>>;

/// Starts the server on a loopback port; it lives as long as the test's runtime.
pub async fn spawn() -> (SocketAddr, Shared) {
    let seen = Shared::default();
    let api = Router::new()
        .route("/api/health", get(health))
        .route("/api/users/{id}", get(user))
        .route("/api/users/{id}/summary", get(summary))
        .route("/api/orders", post(create_order).get(list_orders))
        .route(
            "/boom",
            get(|| async {
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    Json(json!({"error": "boom"})),
                )
            }),
        )
        .route("/hang", get(hang))
        .with_state(seen.clone());
    let counted = seen.clone();
    let prefixed = api.clone().layer(axum::middleware::from_fn(
        move |request: axum::extract::Request, next: axum::middleware::Next| {
            counted.lock().unwrap().prefixed += 1;
            next.run(request)
        },
    ));
    let app = Router::new().merge(api).nest(PREFIX, prefixed);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (address, seen)
}

fn timed(app_ms: f64, db_ms: f64, body: Value) -> impl IntoResponse {
    (
        [("server-timing", format!("app;dur={app_ms}, db;dur={db_ms}"))],
        Json(body),
    )
}

async fn health() -> impl IntoResponse {
    (
        [("server-timing", "app;dur=0.1")],
        Json(json!({"status": "ok"})),
    )
}

async fn user(Path(id): Path<u64>) -> impl IntoResponse {
    (
        // As the serverless twin reports a strongly consistent read of one small item.
        [("x-dynamodb-consumed-capacity", "read=1, write=0")],
        timed(1.0, 0.4, json!({"id": id, "name": format!("user {id}")})),
    )
}

async fn summary(Path(id): Path<u64>) -> impl IntoResponse {
    timed(3.0, 2.0, json!({"userId": id, "orderCount": 0}))
}

async fn create_order(State(seen): State<Shared>, Json(order): Json<Value>) -> impl IntoResponse {
    seen.lock()
        .unwrap()
        .order_user_ids
        .push(order["userId"].clone());
    (
        StatusCode::CREATED,
        timed(
            2.0,
            1.0,
            json!({"id": "01J0000000000000000000000", "userId": order["userId"]}),
        ),
    )
}

async fn list_orders(
    State(seen): State<Shared>,
    Query(query): Query<HashMap<String, String>>,
) -> impl IntoResponse {
    seen.lock()
        .unwrap()
        .listed_user_ids
        .push(query.get("userId").cloned().unwrap_or_default());
    timed(1.5, 1.0, json!({"items": [], "nextCursor": null}))
}

async fn hang() -> impl IntoResponse {
    tokio::time::sleep(Duration::from_secs(30)).await;
    Json(json!({"late": true}))
}
