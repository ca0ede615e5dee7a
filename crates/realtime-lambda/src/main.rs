//! `twinstack-realtime-lambda`: the WebSocket API's routes and the table stream's fan-out, one
//! function for both (it tells the two events apart by their shape).

use lambda_runtime::{Error, LambdaEvent, service_fn};
use serde_json::Value;
use twinstack_realtime_lambda::{Realtime, RealtimeSettings};

// One invocation at a time per execution environment: a second thread only adds hand-offs.
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    // JSON log lines as the API's function writes them; CloudWatch stamps each line itself.
    let _telemetry = twinstack_telemetry::init(twinstack_telemetry::Options {
        service_name: "twinstack-realtime-lambda",
        default_log_filter: "warn",
        log_time: false,
        log_writer: twinstack_telemetry::LogWriter::Inline,
        xray: false,
    });
    let settings = RealtimeSettings::from_env()?;
    // Both SDK clients are built here, once, without I/O: the first call opens each connection.
    let realtime = Realtime::new(&settings).await;
    let realtime = &realtime;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| async move {
        realtime.handle(event.payload).await
    }))
    .await
}
