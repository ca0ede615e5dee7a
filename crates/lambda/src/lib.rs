//! The serverless twin: the shared router under `lambda_http`, on DynamoDB.
//!
//! Init does nothing but read the environment and build the SDK client (no I/O: the first DynamoDB
//! call opens the connection), so a cold start costs the process start and little else.
//!
//! Besides the shared router's headers (`Server-Timing` among them), every response carries
//! `x-dynamodb-consumed-capacity` (see [`consumed_capacity`]).
//!
//! Request metrics go to stdout as CloudWatch Embedded Metric Format lines (see [`emf`]).

pub mod adapt;
pub mod consumed_capacity;
pub mod emf;
pub mod event;
pub mod flush;

use axum::Router;
use tower::util::MapRequest;
use twinstack_core::Service;
use twinstack_http::{Readiness, RequestTimeout, Settings};
use twinstack_store_dynamodb::{DynamoSettings, DynamoStore};

type Request = lambda_http::http::Request<lambda_http::Body>;

/// The router as the Lambda runtime calls it: stage stripped and request id settled before routing.
pub type LambdaApp = MapRequest<MapRequest<Router, fn(Request) -> Request>, fn(Request) -> Request>;

/// Wraps `router` (rather than layering inside it) so the path is rewritten before routing.
pub fn lambda_app(router: Router) -> LambdaApp {
    let with_request_id = MapRequest::new(router, settle as fn(Request) -> Request);
    MapRequest::new(
        with_request_id,
        adapt::strip_stage as fn(Request) -> Request,
    )
}

/// Request id, then what the log line and the trace take from the invocation.
fn settle(request: Request) -> Request {
    adapt::invocation(adapt::lambda_request_id(request))
}

/// The shared router over DynamoDB, reporting each request's consumed capacity. There is no load
/// balancer probe to answer, so it is ready at once. Keep the function's own timeout above
/// `request_timeout`.
pub async fn router(settings: &DynamoSettings, request_timeout: RequestTimeout) -> Router {
    let client = twinstack_store_dynamodb::client(settings).await;
    let store = DynamoStore::new(client, &settings.table);
    twinstack_http::router(
        Service::new(store),
        Settings {
            request_timeout: request_timeout.duration(),
            readiness: Readiness::ready(),
            // An execution environment serves one request at a time; Lambda sheds with reserved
            // concurrency and the stage's throttling instead.
            load_shed: None,
        },
    )
    // Outside the shared router's own layers, so the meter sees every response, 404/405/503 too.
    .layer(axum::middleware::from_fn(consumed_capacity::layer))
}
