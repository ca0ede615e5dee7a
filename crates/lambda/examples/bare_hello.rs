//! The bare `lambda_http` hello-world: no router, no store, no tracing. It is the baseline that
//! `make bench-lambda` compares `twinstack-lambda` with (init duration, and `/api/health` through
//! `cargo lambda watch`), so it stays exactly this small.
//!
//! As written it runs where `#[tokio::main]` would, on tokio's multi-thread runtime: the canonical
//! hello-world. `BARE_HELLO_RUNTIME=current_thread` runs it on the current-thread runtime that
//! `twinstack-lambda` uses, so the benchmark can tell the layers' own cost from the runtime's.

use lambda_http::{Body, Error, Response, service_fn};

fn main() -> Result<(), Error> {
    let mut runtime = if std::env::var("BARE_HELLO_RUNTIME").as_deref() == Ok("current_thread") {
        tokio::runtime::Builder::new_current_thread()
    } else {
        tokio::runtime::Builder::new_multi_thread()
    };
    runtime
        .enable_all()
        .build()?
        .block_on(lambda_http::run(service_fn(|_req| async {
            Ok::<_, Error>(
                Response::builder()
                    .status(200)
                    .header("content-type", "application/json")
                    .body(Body::from("{\"status\":\"ok\"}"))
                    .unwrap(),
            )
        })))
}
