//! `twinstack-lambda`: the API as a Lambda function (API Gateway REST or HTTP API, function URLs, ALB).

use lambda_http::Error;
use twinstack_store_dynamodb::DynamoSettings;

// An execution environment serves one invocation at a time, so a second thread only adds hand-offs
// (`make bench-lambda`: handler times per endpoint type, and row 4b against a bare hello-world on
// the same runtime).
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    // CloudWatch stamps every line itself. The default filter keeps warnings and the one request
    // line (target `twinstack::request`): the line costs 3–4 µs of billed time per request, the
    // INFO spans of `RUST_LOG=info` about 22–24 µs more (probe, /api/health, p50; README, Logs).
    let telemetry = twinstack_telemetry::init(twinstack_telemetry::Options {
        service_name: "twinstack-lambda",
        default_log_filter: twinstack_telemetry::DEFAULT_LOG_FILTER,
        log_time: false,
        log_writer: twinstack_telemetry::LogWriter::Inline,
        xray: true,
    });
    // Request metrics as CloudWatch EMF lines on stdout (no I/O here): see `twinstack_lambda::emf`.
    twinstack_lambda::emf::install()?;
    let settings = DynamoSettings::from_env()?;
    let request_timeout = twinstack_http::RequestTimeout::from_env()?;
    let router = twinstack_lambda::router(&settings, request_timeout).await;
    let app = twinstack_lambda::lambda_app(router);
    let handler = twinstack_lambda::event::EveryEvent::new(app);
    if telemetry.is_tracing() {
        // As `lambda_runtime::run` does, plus the flush around each invocation.
        lambda_http::lambda_runtime::Runtime::new(handler)
            .layer(twinstack_lambda::flush::FlushLayer(telemetry))
            .run()
            .await
    } else {
        lambda_http::lambda_runtime::run(handler).await
    }
}
