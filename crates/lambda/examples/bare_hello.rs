//! The bare `lambda_http` hello-world: no router, no store, no tracing. It is the baseline that
//! `make bench-lambda` compares `twinstack-lambda` with (init duration, and `/api/health` through
//! `cargo lambda watch`), so it stays exactly this small.

use lambda_http::{Body, Error, Response, service_fn};

#[tokio::main]
async fn main() -> Result<(), Error> {
    lambda_http::run(service_fn(|_req| async {
        Ok::<_, Error>(
            Response::builder()
                .status(200)
                .header("content-type", "application/json")
                .body(Body::from("{\"status\":\"ok\"}"))
                .unwrap(),
        )
    }))
    .await
}
