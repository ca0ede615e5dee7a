//! What differs between invocations and plain HTTP, undone before the shared router sees a request:
//! the API Gateway stage in the path, where the request id comes from, and what the request log line
//! and the trace take from the invocation (Lambda request id, cold start, X-Ray trace header).

use std::sync::atomic::{AtomicBool, Ordering};

use axum::http::uri::{PathAndQuery, Uri};
use axum::http::{HeaderValue, Request, header::HeaderName};
use lambda_http::RequestExt;
use lambda_http::request::RequestContext;

/// The router's paths start at `/api`, whatever stage or mapping the event arrived through:
/// - REST API (v1): the event's `path` has no stage, but `lambda_http` prefixes one; use the raw path.
/// - HTTP API (v2) on a named stage: `rawPath` carries `/{stage}`; strip it. `$default` stages and
///   function URLs carry none.
/// - ALB: the path is the client's.
pub fn strip_stage<B>(mut request: Request<B>) -> Request<B> {
    let path = match request.request_context_ref() {
        Some(RequestContext::ApiGatewayV1(_)) => Some(request.raw_http_path().to_owned()),
        Some(RequestContext::ApiGatewayV2(context)) => match context.stage.as_deref() {
            Some(stage) if stage != "$default" => {
                let raw = request.raw_http_path();
                let prefix = format!("/{stage}");
                match raw.strip_prefix(&prefix) {
                    Some("") => Some("/".to_owned()),
                    Some(rest) if rest.starts_with('/') => Some(rest.to_owned()),
                    _ => Some(raw.to_owned()),
                }
            }
            _ => None,
        },
        _ => None,
    };
    if let Some(path) = path.filter(|p| !p.is_empty()) {
        set_path(&mut request, &path);
    }
    request
}

fn set_path<B>(request: &mut Request<B>, path: &str) {
    let path_and_query = match request.uri().query() {
        Some(query) => format!("{path}?{query}"),
        None => path.to_owned(),
    };
    let Ok(path_and_query) = path_and_query.parse::<PathAndQuery>() else {
        return;
    };
    let mut parts = request.uri().clone().into_parts();
    parts.path_and_query = Some(path_and_query);
    if let Ok(uri) = Uri::from_parts(parts) {
        *request.uri_mut() = uri;
    }
}

/// A request without a well-formed `x-request-id` takes the Lambda request id, so logs, responses
/// and the platform's own records share one id.
pub fn lambda_request_id<B>(mut request: Request<B>) -> Request<B> {
    let header = HeaderName::from_static(twinstack_http::REQUEST_ID_HEADER);
    let has_own = request
        .headers()
        .get(&header)
        .is_some_and(twinstack_http::is_well_formed_request_id);
    if !has_own {
        let from_lambda = request
            .lambda_context_ref()
            .and_then(|context| HeaderValue::from_str(&context.request_id).ok());
        if let Some(id) = from_lambda {
            request.headers_mut().insert(header, id);
        }
    }
    request
}

static COLD: AtomicBool = AtomicBool::new(true);

/// True for the process's first invocation only; each invocation asks once.
pub fn take_cold_start() -> bool {
    COLD.swap(false, Ordering::Relaxed)
}

/// The X-Ray trace header, as API Gateway and ALB send it.
pub const XRAY_HEADER: &str = "x-amzn-trace-id";

/// Puts the invocation's [`Invocation`](twinstack_http::telemetry::Invocation) (Lambda request id;
/// cold start, true for the process's first invocation only) in the request for its log line. When
/// tracing is on and the request has no `x-amzn-trace-id`, the invocation's X-Ray trace id (the one
/// Lambda also puts in `_X_AMZN_TRACE_ID`) becomes that header, so the X-Ray propagator makes it the
/// parent unless the caller sent a W3C `traceparent`.
pub fn invocation<B>(mut request: Request<B>) -> Request<B> {
    let Some(context) = request.lambda_context_ref() else {
        return request;
    };
    let invocation = twinstack_http::telemetry::Invocation {
        lambda_request_id: context.request_id.clone(),
        cold_start: take_cold_start(),
    };
    let xray = context
        .xray_trace_id
        .as_deref()
        .filter(|_| twinstack_telemetry::is_tracing())
        .and_then(|id| HeaderValue::from_str(id).ok());
    if let Some(xray) = xray
        && !request.headers().contains_key(XRAY_HEADER)
    {
        request
            .headers_mut()
            .insert(HeaderName::from_static(XRAY_HEADER), xray);
    }
    request.extensions_mut().insert(invocation);
    request
}
