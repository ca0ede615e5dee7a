//! Load shedding: past `MAX_IN_FLIGHT_REQUESTS` requests at once, a request answers 503
//! `unavailable` with `Retry-After` at once instead of queueing behind the others; probes are never
//! shed, so an overloaded pod is neither restarted nor taken out of the Service for it.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tokio::sync::Semaphore;
use twinstack_http::ApiError;

/// The in-flight slots shared by every route.
#[derive(Clone)]
pub struct InFlight(Arc<Semaphore>);

impl InFlight {
    pub fn new(max: usize) -> Self {
        Self(Arc::new(Semaphore::new(max)))
    }
}

/// Runs the request in a free slot, or sheds it.
pub async fn shed(State(in_flight): State<InFlight>, request: Request, next: Next) -> Response {
    if matches!(request.uri().path(), "/healthz" | "/readyz") {
        return next.run(request).await;
    }
    match in_flight.0.try_acquire() {
        Ok(_slot) => next.run(request).await,
        Err(_) => ApiError::Unavailable(None).into_response(),
    }
}
