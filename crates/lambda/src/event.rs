//! Every invocation answers. `lambda_http` panics while turning some events API Gateway really sends
//! into a request (the console's test event: Host `1234567890.execute-api.{dns_suffix}`), and fails
//! the invocation for an event it cannot classify; either way API Gateway would answer 502. Here such
//! an event answers 400 `malformed_request` in the error envelope, in the shape its origin reads;
//! every other event goes through `lambda_http`'s own adapter unchanged.

use std::convert::Infallible;
use std::future::{Future, ready};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Instant;

use axum::http::{HeaderValue, header::HeaderName};
use axum::response::{IntoResponse, Response};
use lambda_http::request::{LambdaRequest, RequestOrigin};
use lambda_http::{Adapter, Error, LambdaEvent, Service, TransformResponse};
use serde_json::value::RawValue;
use twinstack_http::ApiError;

type Request = lambda_http::http::Request<lambda_http::Body>;

/// What the adapter makes of a response, for whichever origin the event came from.
type Answer = TransformResponse<'static, Response, Infallible>;

/// The function's handler: `app` behind `lambda_http`'s adapter, answering every event.
pub struct EveryEvent<S> {
    adapter: Adapter<'static, Response, S>,
}

impl<S> EveryEvent<S>
where
    S: Service<Request, Response = Response, Error = Infallible>,
    S::Future: Send + 'static,
{
    pub fn new(app: S) -> Self {
        EveryEvent {
            adapter: Adapter::from(app),
        }
    }

    /// The event through the adapter, or the 400 when it is not a request.
    fn answer(&mut self, event: LambdaEvent<Box<RawValue>>) -> Answer {
        let started = Instant::now();
        let LambdaEvent { payload, context } = event;
        let request = match serde_json::from_str::<LambdaRequest>(payload.get()) {
            Ok(request) => request,
            // The shape REST, HTTP API, function URLs and ALB all read status, headers and body from.
            Err(error) => {
                return malformed(
                    RequestOrigin::ApiGatewayV2,
                    &context.request_id,
                    error.to_string(),
                    started,
                );
            }
        };
        let origin = request.request_origin();
        let request_id = context.request_id.clone();
        let adapter = &mut self.adapter;
        match catch_unwind(AssertUnwindSafe(|| {
            adapter.call(LambdaEvent::new(request, context))
        })) {
            Ok(answer) => answer,
            Err(panic) => malformed(origin, &request_id, panic_message(&*panic), started),
        }
    }
}

impl<S> Service<LambdaEvent<Box<RawValue>>> for EveryEvent<S>
where
    S: Service<Request, Response = Response, Error = Infallible>,
    S::Future: Send + 'static,
{
    /// The adapter's own, which the runtime serialises as it stands.
    type Response =
        <Adapter<'static, Response, S> as Service<LambdaEvent<LambdaRequest>>>::Response;
    type Error = Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        self.adapter.poll_ready(cx).map_err(Error::from)
    }

    fn call(&mut self, event: LambdaEvent<Box<RawValue>>) -> Self::Future {
        let answer = self.answer(event);
        Box::pin(async move { Ok(answer.await?) })
    }
}

/// The 400 for an event that is not a request, with its log line and its request metrics (an EMF
/// line, as for every answer); the Lambda request id is its `x-request-id`, as for every request
/// that brings none.
fn malformed(
    origin: RequestOrigin,
    lambda_request_id: &str,
    reason: String,
    started: Instant,
) -> Answer {
    let mut response = ApiError::MalformedRequest(reason.clone()).into_response();
    if let Ok(id) = HeaderValue::from_str(lambda_request_id) {
        response.headers_mut().insert(
            HeaderName::from_static(twinstack_http::REQUEST_ID_HEADER),
            id,
        );
    }
    let elapsed = started.elapsed();
    twinstack_http::metrics::record_unrouted(response.status(), elapsed);
    tracing::info!(
        target: twinstack_telemetry::REQUEST_LOG_TARGET,
        request_id = lambda_request_id,
        status = response.status().as_u16(),
        latency_ms = elapsed.as_secs_f64() * 1000.0,
        lambda_request_id,
        cold_start = crate::adapt::take_cold_start(),
        error = reason,
        "request"
    );
    TransformResponse::Request(origin, Box::pin(ready(Ok(response))))
}

fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
        .unwrap_or_else(|| "the event could not be turned into a request".to_owned())
}
