//! X-Ray compatibility of the Lambda twin's traces, in process (this test binary installs the
//! Lambda's telemetry as its global subscriber, so it holds this one test): an `x-amzn-trace-id`
//! header is the request span's parent, a W3C `traceparent` wins over it, fresh trace ids are
//! X-Ray's (epoch seconds first), and X-Ray's `Sampled=0` leaves the request untraced.

use std::time::Duration;

use lambda_http::http::Request;
use tower::ServiceExt;
use twinstack_http::RequestTimeout;
use twinstack_lambda::lambda_app;
use twinstack_twins::otlp::{OtlpReceiver, ReceivedSpan};

const XRAY_TRACE_ID: &str = "5759e988bd862e3fe1be46a994272793";
const XRAY_PARENT: &str = "53995c3f42cd8ad8";
const UNSAMPLED_TRACE_ID: &str = "5759e988bd862e3fe1be46a9942727aa";
const W3C_TRACE_ID: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
const W3C_PARENT: &str = "00f067aa0ba902b7";

fn get(path: &str, headers: &[(&str, &str)]) -> Request<lambda_http::Body> {
    let mut request = Request::builder().uri(path);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request.body(lambda_http::Body::Empty).unwrap()
}

fn server_span<'a>(spans: &'a [ReceivedSpan], path: &str) -> &'a ReceivedSpan {
    spans
        .iter()
        .find(|s| s.kind == 2 && s.attribute("url.path") == Some(path))
        .unwrap_or_else(|| panic!("no server span for {path} in {spans:#?}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn xray_headers_parent_the_request_span_or_leave_it_unsampled_and_fresh_trace_ids_are_xray_ids()
 {
    // Arrange: the Lambda's telemetry exporting to the receiver.
    let receiver = OtlpReceiver::start().await;
    // SAFETY: set before any other thread of this test binary reads the environment.
    unsafe { std::env::set_var("OTEL_EXPORTER_OTLP_ENDPOINT", receiver.endpoint()) };
    let telemetry = twinstack_telemetry::init(twinstack_telemetry::Options {
        service_name: "twinstack-lambda",
        default_log_filter: "warn",
        log_time: false,
        log_writer: twinstack_telemetry::LogWriter::Inline,
        xray: true,
    });
    assert!(telemetry.is_tracing());
    let settings = twinstack_twins::lambda::seeded_table("xray").await;
    let app = lambda_app(twinstack_lambda::router(&settings, RequestTimeout::default()).await);
    let xray = format!("Root=1-5759e988-bd862e3fe1be46a994272793;Parent={XRAY_PARENT};Sampled=1");
    let traceparent = format!("00-{W3C_TRACE_ID}-{W3C_PARENT}-01");
    let unsampled =
        format!("Root=1-5759e988-bd862e3fe1be46a9942727aa;Parent={XRAY_PARENT};Sampled=0");

    // Act
    for request in [
        get("/api/users/1", &[("x-amzn-trace-id", &xray)]),
        get(
            "/api/users/2",
            &[("x-amzn-trace-id", &xray), ("traceparent", &traceparent)],
        ),
        get("/api/users/3", &[]),
        get("/api/users/4", &[("x-amzn-trace-id", &unsampled)]),
    ] {
        let response = app.clone().oneshot(request).await.unwrap();
        assert_eq!(response.status(), 200);
    }
    tokio::task::spawn_blocking(move || telemetry.force_flush())
        .await
        .unwrap();

    // Assert
    let spans = receiver
        .wait_for(Duration::from_secs(10), |spans| {
            spans.iter().filter(|s| s.kind == 2).count() >= 3
        })
        .await;
    let from_xray = server_span(&spans, "/api/users/1");
    assert_eq!(from_xray.trace_id, XRAY_TRACE_ID);
    assert_eq!(from_xray.parent_span_id, XRAY_PARENT);
    let both = server_span(&spans, "/api/users/2");
    assert_eq!(both.trace_id, W3C_TRACE_ID);
    assert_eq!(both.parent_span_id, W3C_PARENT);
    let fresh = server_span(&spans, "/api/users/3");
    assert!(fresh.parent_span_id.is_empty(), "{fresh:?}");
    twinstack_twins::lambda::assert_xray_trace_id(&fresh.trace_id);
    let store = spans
        .iter()
        .find(|s| s.parent_span_id == from_xray.span_id)
        .unwrap_or_else(|| panic!("no store span under {from_xray:?}"));
    assert_eq!(store.attribute("db.system"), Some("aws.dynamodb"));
    assert_eq!(store.attribute("db.operation.name"), Some("get_user"));
    // The request X-Ray did not sample: flushed with the rest, and nothing of it arrived.
    assert!(
        spans
            .iter()
            .all(|s| s.trace_id != UNSAMPLED_TRACE_ID
                && s.attribute("url.path") != Some("/api/users/4")),
        "{spans:#?}"
    );
}
