//! The one middleware that watches every request: its id ([`crate::request_id`]: kept or generated,
//! echoed on the response) and all three reports on it, `Server-Timing` ([`crate::server_timing`]),
//! the request metrics ([`crate::metrics`]) and the request's log line ([`crate::telemetry`]). One
//! clock reading at each end and one look at the request serve them all, so they report the same
//! duration, and a twin pays for one middleware instead of five.
//!
//! It sits outside the trace layer (whose span carries the id), the load shedding and the timeout,
//! so the duration covers the error, shed, timeout, 404 and 405 answers too.

use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;

use crate::metrics::{self, RequestMetrics};
use crate::telemetry::{Invocation, RequestLine};
use crate::{request_id, server_timing};

/// The middleware. Apply it with `Router::layer`, which runs it after routing, so [`MatchedPath`]
/// is known, on every route and the fallback.
pub async fn layer(
    State(request_metrics): State<RequestMetrics>,
    mut request: Request,
    next: Next,
) -> Response {
    let started = Instant::now();
    let route = request.extensions().get::<MatchedPath>().cloned();
    let method = request.method().clone();
    let request_id = request_id::adopt_or_generate(request.headers_mut());
    // Only the log line wants it.
    let invocation = request.extensions_mut().remove::<Invocation>();
    let in_flight = request_metrics.in_flight();

    let (mut response, db) = server_timing::scope(next.run(request)).await;

    let elapsed = started.elapsed();
    let route = route
        .as_ref()
        .map_or(metrics::UNMATCHED_ROUTE, MatchedPath::as_str);
    let status = response.status();
    server_timing::insert(response.headers_mut(), elapsed, db);
    let request_id = response
        .headers_mut()
        .entry(request_id::HEADER)
        .or_insert(request_id);
    request_metrics.record(route, &method, status, elapsed);
    drop(in_flight);
    RequestLine {
        request_id: request_id.to_str().unwrap_or(""),
        method: &method,
        route,
        status,
        latency: elapsed,
        invocation: invocation.as_ref(),
    }
    .write();
    response
}
