//! Request ids: a client's well-formed `x-request-id` is kept, anything else is replaced by a fresh one.

use axum::extract::{MatchedPath, Request};
use axum::http::HeaderValue;
use tracing::Span;

pub const HEADER: &str = "x-request-id";
const MAX_LEN: usize = 128;

pub fn is_well_formed(value: &HeaderValue) -> bool {
    let bytes = value.as_bytes();
    !bytes.is_empty()
        && bytes.len() <= MAX_LEN
        && bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.:/+=".contains(b))
}

/// Runs before the id is set, so a malformed id is regenerated rather than echoed.
pub async fn drop_malformed(mut request: Request) -> Request {
    let malformed = request.headers().get_all(HEADER).iter().count() > 1
        || request
            .headers()
            .get(HEADER)
            .is_some_and(|value| !is_well_formed(value));
    if malformed {
        request.headers_mut().remove(HEADER);
    }
    request
}

/// The request span: method, matched route (never the raw path) and request id, with the
/// OpenTelemetry HTTP server attributes; its parent is the caller's trace context when tracing is on.
/// With tracing on, a request the sampler leaves out gets no span (nor do its store calls).
pub fn span(request: &Request) -> Span {
    let parent = crate::telemetry::caller_context(request);
    if parent
        .as_ref()
        .is_some_and(|parent| !twinstack_telemetry::sample(parent))
    {
        return Span::none();
    }
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(MatchedPath::as_str)
        .unwrap_or(crate::metrics::UNMATCHED_ROUTE);
    let request_id = request
        .headers()
        .get(HEADER)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let method = request.method().as_str();
    let span = tracing::info_span!(
        "request",
        method,
        route,
        request_id,
        otel.name = format_args!("{method} {route}"),
        otel.kind = "server",
        otel.status_code = tracing::field::Empty,
        http.request.method = method,
        http.route = route,
        url.path = request.uri().path(),
        url.scheme = "http",
        http.response.status_code = tracing::field::Empty,
    );
    if let Some(parent) = parent {
        crate::telemetry::adopt_parent(&span, parent);
    }
    span
}
