//! Load shedding: past so many requests at once, a request answers 503 `unavailable` with
//! `Retry-After` at once instead of queueing behind the others; probes are never shed, so an
//! overloaded pod is neither restarted nor taken out of the Service for it.
//!
//! The router applies it inside [`crate::observe`], so a shed request carries its `x-request-id`
//! and is counted, timed and logged like every other answer.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tokio::sync::Semaphore;

use crate::ApiError;

/// The in-flight slots shared by every route it is applied to.
#[derive(Clone, Debug)]
pub struct LoadShed(Arc<Semaphore>);

impl LoadShed {
    pub fn new(max_in_flight: usize) -> Self {
        Self(Arc::new(Semaphore::new(max_in_flight)))
    }
}

/// The middleware: runs the request in a free slot, or sheds it.
pub async fn layer(State(slots): State<LoadShed>, request: Request, next: Next) -> Response {
    if matches!(request.uri().path(), "/healthz" | "/readyz") {
        return next.run(request).await;
    }
    match slots.0.try_acquire() {
        Ok(_slot) => next.run(request).await,
        Err(_) => ApiError::Unavailable(None).into_response(),
    }
}
