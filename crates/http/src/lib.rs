//! The one HTTP layer: both twins serve exactly this router over their own store.
//!
//! Routes, the API's request and response shapes ([`dto`]: core's types never go on the wire
//! themselves), extractors that answer every rejection in the error envelope, request ids, the body
//! limit, load shedding (the server's), the request timeout, tracing spans, `Server-Timing`
//! (`app;dur=…, db;dur=…`, see [`server_timing`]) on every response, request metrics through the
//! `metrics` facade (see [`metrics`]), and the OpenAPI document at `GET /api/openapi.json`.

pub mod dto;
pub mod error;
pub mod extract;
pub mod field;
pub mod load_shed;
pub mod metrics;
mod observe;
pub mod openapi;
mod request_id;
mod request_timeout;
pub mod routes;
pub mod server_timing;
pub mod state;
pub mod telemetry;
mod walk;

use std::time::Duration;

use axum::Router;
use axum::error_handling::HandleErrorLayer;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::routing::get;
use tower::ServiceBuilder;
use tower::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;
use twinstack_core::{Service, Store};

use crate::metrics::RequestMetrics;
use crate::server_timing::TimedStore;

pub use error::ApiError;
pub use load_shed::LoadShed;
pub use request_id::{HEADER as REQUEST_ID_HEADER, is_well_formed as is_well_formed_request_id};
pub use request_timeout::{InvalidRequestTimeout, RequestTimeout};
pub use state::{AppState, Readiness};

/// Bodies at most 64 KiB.
pub const BODY_LIMIT_BYTES: usize = 64 * 1024;

#[derive(Clone, Debug)]
pub struct Settings {
    /// A request still running after this answers 503 `unavailable`.
    pub request_timeout: Duration,
    pub readiness: Readiness,
    /// Past this many requests at once, more answer 503 `unavailable` at once (see [`load_shed`]);
    /// `None` sheds nothing.
    pub load_shed: Option<LoadShed>,
}

/// The API router over `service`'s store.
pub fn router<S: Store>(service: Service<S>, settings: Settings) -> Router {
    // The same service (the system clock is the only one `Service<S>` has) over the same store,
    // each call timed for `Server-Timing`'s `db`.
    let state = AppState {
        service: Service::new(TimedStore(service.store().clone())),
        readiness: settings.readiness,
    };
    api(state)
        .layer(DefaultBodyLimit::max(BODY_LIMIT_BYTES))
        .layer(
            ServiceBuilder::new()
                // Gives each request its id, times, counts and logs it: outside the timeout and the
                // load shedding, so their 503s are included.
                .layer(axum::middleware::from_fn_with_state(
                    RequestMetrics::default(),
                    observe::layer,
                ))
                .layer(
                    TraceLayer::new_for_http()
                        .make_span_with(request_id::span)
                        .on_response(telemetry::record_status),
                )
                .layer(axum::middleware::from_fn(telemetry::traceparent))
                // Its extractors named: in an optional layer, axum cannot infer them.
                .option_layer(settings.load_shed.map(|slots| {
                    axum::middleware::from_fn_with_state::<_, _, (State<LoadShed>, Request)>(
                        slots,
                        load_shed::layer,
                    )
                }))
                .layer(HandleErrorLayer::new(|_: tower::BoxError| async {
                    ApiError::Unavailable(None)
                }))
                .layer(TimeoutLayer::new(settings.request_timeout)),
        )
}

/// Every route and fallback, before the layers every response goes through.
fn api<S: Store>(state: AppState<S>) -> Router {
    Router::new()
        .route("/api/health", get(routes::health::health))
        .route("/api/openapi.json", get(openapi::document))
        .route("/api/products", get(routes::products::list::<S>))
        .route("/api/products/{sku}", get(routes::products::get::<S>))
        .route(
            "/api/users",
            axum::routing::post(routes::users::create::<S>),
        )
        .route(
            "/api/users/{id}",
            get(routes::users::get::<S>)
                .patch(routes::users::update::<S>)
                .delete(routes::users::delete::<S>),
        )
        .route("/api/users/{id}/summary", get(routes::users::summary::<S>))
        .route(
            "/api/orders",
            get(routes::orders::list::<S>).post(routes::orders::create::<S>),
        )
        .route(
            "/api/orders/{id}",
            get(routes::orders::get::<S>).patch(routes::orders::transition::<S>),
        )
        .route("/healthz", get(routes::health::healthz))
        .route("/readyz", get(routes::health::readyz::<S>))
        .fallback(|| async { ApiError::NotFound("route".into()) })
        // After the routes: every method router answers 405 in our envelope; axum adds `Allow`.
        .method_not_allowed_fallback(|| async { ApiError::MethodNotAllowed })
        .with_state(state)
}
