//! Request ids: a client's well-formed `x-request-id` is kept, anything else is replaced by a fresh one
//! ([`crate::observe`] does both and echoes the id on the response).

use axum::extract::{MatchedPath, Request};
use axum::http::{HeaderMap, HeaderValue};
use tracing::Span;
use uuid::fmt::Hyphenated;

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

/// The request's id: its own when there is one and it is well-formed, else a fresh one, which
/// replaces whatever `headers` held, so the layers inside see the id the response will carry.
pub(crate) fn adopt_or_generate(headers: &mut HeaderMap) -> HeaderValue {
    let mut own = headers.get_all(HEADER).iter();
    if let (Some(id), None) = (own.next(), own.next())
        && is_well_formed(id)
    {
        return id.clone();
    }
    let id = generate();
    headers.insert(HEADER, id.clone());
    id
}

/// A UUID v4 from the thread's random generator, seeded from the OS and kept in user space, so an id
/// costs no system call.
fn generate() -> HeaderValue {
    let uuid = uuid::Builder::from_random_bytes(rand::random()).into_uuid();
    let mut text = [0; Hyphenated::LENGTH];
    HeaderValue::from_str(uuid.hyphenated().encode_lower(&mut text))
        .expect("hex digits and hyphens are a valid header value")
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_single_well_formed_id_is_kept() {
        let mut headers = HeaderMap::new();
        headers.insert(HEADER, HeaderValue::from_static("trace-abc-123"));

        assert_eq!(adopt_or_generate(&mut headers), "trace-abc-123");
        assert_eq!(headers[HEADER], "trace-abc-123");
    }

    #[test]
    fn a_missing_malformed_or_repeated_id_is_replaced_by_a_fresh_uuid() {
        let mut repeated = HeaderMap::new();
        repeated.append(HEADER, HeaderValue::from_static("one"));
        repeated.append(HEADER, HeaderValue::from_static("two"));
        let mut malformed = HeaderMap::new();
        malformed.insert(HEADER, HeaderValue::from_static("has space"));

        for mut headers in [HeaderMap::new(), repeated, malformed] {
            let id = adopt_or_generate(&mut headers);

            let text = id.to_str().unwrap();
            let uuid = uuid::Uuid::try_parse(text).unwrap();
            assert_eq!(uuid.get_version_num(), 4, "{text}");
            assert_eq!(headers.get_all(HEADER).iter().collect::<Vec<_>>(), [&id]);
        }
        assert_ne!(generate(), generate());
    }
}
