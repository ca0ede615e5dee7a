//! The request's log line and its trace context (see `twinstack-telemetry` for the set-up).
//!
//! - [`RequestLine`]: one JSON line per completed request, target `twinstack::request`, fields
//!   `request_id`, `method`, `route` (the matched path, never the raw one), `status`, `latency_ms`;
//!   when the twin put an [`Invocation`] in the request (Lambda), also `lambda_request_id` and
//!   `cold_start`.
//! - The request span ([`crate::request_id::span`]) takes the caller's context (`traceparent`, or on
//!   Lambda X-Ray's header) as its parent; [`record_status`] adds the status when the response is
//!   ready, and [`traceparent`] returns the server span's own `traceparent` in the response, so a
//!   caller without a tracing backend of its own can still find the trace. Store calls are child
//!   spans (see [`crate::server_timing::TimedStore`]). The stores make no outgoing HTTP calls of
//!   their own that would carry context (sqlx speaks the Postgres protocol; the DynamoDB SDK's
//!   requests are not traced here), so context goes out in the response only.
//!
//! All of the trace work is skipped unless tracing is on ([`twinstack_telemetry::is_tracing`]).

use std::time::Duration;

use axum::extract::Request;
use axum::http::{HeaderName, Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use tracing::Span;
use tracing_opentelemetry::OpenTelemetrySpanExt;
use twinstack_telemetry::REQUEST_LOG_TARGET;

/// What a Lambda twin knows about the invocation, put in the request's extensions before routing.
#[derive(Clone, Debug)]
pub struct Invocation {
    pub lambda_request_id: String,
    /// True for the process's first invocation only.
    pub cold_start: bool,
}

pub const TRACEPARENT: HeaderName = HeaderName::from_static("traceparent");

/// What the request's log line says, written by [`crate::observe`] when the response is ready.
pub(crate) struct RequestLine<'a> {
    pub request_id: &'a str,
    pub method: &'a Method,
    pub route: &'a str,
    pub status: StatusCode,
    pub latency: Duration,
    pub invocation: Option<&'a Invocation>,
}

impl RequestLine<'_> {
    pub(crate) fn write(self) {
        let RequestLine {
            request_id,
            method,
            route,
            status,
            latency,
            invocation,
        } = self;
        let status = status.as_u16();
        let latency_ms = millis(latency);
        // A `None` field is left out of the line: the server's lines have no Lambda fields.
        tracing::info!(
            target: REQUEST_LOG_TARGET,
            request_id,
            method = method.as_str(),
            route,
            status,
            latency_ms,
            lambda_request_id = invocation.map(|invocation| invocation.lambda_request_id.as_str()),
            cold_start = invocation.map(|invocation| invocation.cold_start),
            "request"
        );
    }
}

fn millis(duration: Duration) -> f64 {
    (duration.as_secs_f64() * 1_000_000.0).round() / 1000.0
}

/// The caller's trace context, when tracing is on.
pub(crate) fn caller_context(request: &Request) -> Option<opentelemetry::Context> {
    twinstack_telemetry::is_tracing().then(|| twinstack_telemetry::extract(request.headers()))
}

/// Makes the caller's trace context the parent of the request span.
pub(crate) fn adopt_parent(span: &Span, parent: opentelemetry::Context) {
    if !span.is_disabled() {
        let _ = span.set_parent(parent);
    }
}

/// `on_response` of the trace layer: the status on the request span, and an error status on 5xx.
pub fn record_status<B>(response: &axum::http::Response<B>, _latency: Duration, span: &Span) {
    let status = response.status();
    span.record("http.response.status_code", status.as_u16());
    if status.is_server_error() {
        span.record("otel.status_code", "ERROR");
    }
}

/// The request span's `traceparent` on the response (inside the trace layer, so the span is current).
pub async fn traceparent(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    if twinstack_telemetry::is_tracing()
        && let Some(value) = twinstack_telemetry::traceparent(&Span::current().context())
    {
        response.headers_mut().insert(TRACEPARENT, value);
    }
    response
}
