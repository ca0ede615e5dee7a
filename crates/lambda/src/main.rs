//! `twinstack-lambda`: the API as a Lambda function (API Gateway REST or HTTP API, function URLs, ALB).

use lambda_http::Error;
use tracing_subscriber::EnvFilter;
use twinstack_store_dynamodb::DynamoSettings;

#[tokio::main]
async fn main() -> Result<(), Error> {
    // CloudWatch stamps every line itself. The default level is `warn`: an INFO span per request
    // costs about 10 µs of billed time under the JSON formatter; `RUST_LOG=info` turns it back on.
    tracing_subscriber::fmt()
        .json()
        .without_time()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("warn")),
        )
        .init();
    // Request metrics as CloudWatch EMF lines on stdout (no I/O here): see `twinstack_lambda::emf`.
    twinstack_lambda::emf::install()?;
    let settings = DynamoSettings::from_env()?;
    let request_timeout = twinstack_lambda::request_timeout_from_env()?;
    let router = twinstack_lambda::router(&settings, request_timeout).await;
    lambda_http::run(twinstack_lambda::lambda_app(router)).await
}
