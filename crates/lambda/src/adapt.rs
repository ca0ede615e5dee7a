//! What differs between invocations and plain HTTP, undone before the shared router sees a request:
//! the API Gateway stage in the path, and where the request id comes from.

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
