//! The serverless twin's logs and traces, from the real binary behind the real Lambda runtime API
//! (`cargo lambda watch`, one instance): the JSON request line at the default log filter, with the
//! Lambda request id and the cold-start flag, and with `OTEL_EXPORTER_OTLP_ENDPOINT` set, spans over
//! OTLP HTTP/protobuf (flushed after each invocation) to a test receiver that decodes them.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::Value;
use twinstack_local_stack::{DynamoDbLocal, LambdaEmulator};
use twinstack_twins::otlp::{OtlpReceiver, ReceivedSpan};

const TRACE_ID: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
const PARENT_SPAN_ID: &str = "00f067aa0ba902b7";

struct Twin {
    // Dropped first: stops the emulator and its function.
    _emulator: LambdaEmulator,
    base: String,
    log: PathBuf,
}

/// Its own emulator (one instance, so the first invocation is the only cold one), logging to a file.
async fn start(receiver: &OtlpReceiver, name: &str) -> Twin {
    let table = format!("telemetry-{name}-{}", std::process::id());
    twinstack_twins::lambda::seeded_table(&table).await;
    let log = std::env::temp_dir().join(format!("twinstack-{table}.log"));
    let _ = std::fs::remove_file(&log);
    let endpoint = receiver.endpoint().to_owned();
    let log_file = log.clone();
    let emulator = tokio::task::spawn_blocking(move || {
        let workspace = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
        let dynamodb = DynamoDbLocal::shared().endpoint();
        let env = [
            ("TABLE_NAME", table.as_str()),
            ("DYNAMODB_ENDPOINT", dynamodb.as_str()),
            ("AWS_REGION", twinstack_twins::lambda::REGION),
            ("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint.as_str()),
        ];
        LambdaEmulator::start_logging_to(&workspace, "twinstack-lambda", 1, &env, &log_file)
            .expect("cargo lambda watch")
    })
    .await
    .unwrap();
    let base = emulator.function_url();
    Twin {
        _emulator: emulator,
        base,
        log,
    }
}

/// The request lines (target `twinstack::request`) written so far, in order.
fn request_lines(log: &Path) -> Vec<Value> {
    std::fs::read_to_string(log)
        .unwrap_or_default()
        .lines()
        .filter_map(|line| line.find('{').map(|start| &line[start..]))
        .filter_map(|json| serde_json::from_str::<Value>(json).ok())
        .filter(|json| json["target"] == "twinstack::request")
        .collect()
}

async fn get(url: &str, headers: &[(&str, &str)]) -> reqwest::Response {
    let mut request = reqwest::Client::new()
        .get(url)
        .timeout(Duration::from_secs(300));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request.send().await.unwrap()
}

fn server_span<'a>(spans: &'a [ReceivedSpan], trace_id: &str) -> &'a ReceivedSpan {
    spans
        .iter()
        .find(|s| s.trace_id == trace_id && s.kind == 2)
        .unwrap_or_else(|| panic!("no server span of {trace_id} in {spans:#?}"))
}

fn dynamodb_child<'a>(spans: &'a [ReceivedSpan], parent: &ReceivedSpan) -> &'a ReceivedSpan {
    let child = spans
        .iter()
        .find(|s| s.parent_span_id == parent.span_id)
        .unwrap_or_else(|| panic!("no child of the request span in {spans:#?}"));
    assert_eq!(child.trace_id, parent.trace_id);
    assert_eq!(child.kind, 3, "client");
    assert_eq!(child.attribute("db.system"), Some("aws.dynamodb"));
    assert_eq!(child.attribute("db.system.name"), Some("aws.dynamodb"));
    child
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lambda_traces_continue_w3c_and_xray_parents_and_log_one_line_per_invocation() {
    // Arrange
    let receiver = OtlpReceiver::start().await;
    let twin = start(&receiver, "traces").await;

    // Act: a W3C parent (the first invocation: cold), then none (warm): like Lambda, the emulator
    // gives every invocation an X-Ray trace header of its own (`Lambda-Runtime-Trace-Id`), whatever
    // the caller sent, so the second request's parent is that.
    let w3c = get(
        &format!("{}/api/users/3", twin.base),
        &[("traceparent", &format!("00-{TRACE_ID}-{PARENT_SPAN_ID}-01"))],
    )
    .await;
    let xray = get(&format!("{}/api/orders?userId=3&limit=5", twin.base), &[]).await;

    // Assert: the W3C request span is the caller's span's child, with its DynamoDB call under it,
    // and its traceparent is on the response.
    assert_eq!(w3c.status(), 200);
    assert_eq!(xray.status(), 200);
    let returned = w3c.headers()["traceparent"].to_str().unwrap().to_owned();
    let spans = receiver
        .wait_for(Duration::from_secs(30), |spans| {
            spans.iter().filter(|s| s.kind == 3).count() >= 2
                && spans.iter().filter(|s| s.kind == 2).count() >= 2
        })
        .await;
    let request = server_span(&spans, TRACE_ID);
    assert_eq!(request.parent_span_id, PARENT_SPAN_ID);
    assert_eq!(returned, format!("00-{TRACE_ID}-{}-01", request.span_id));
    assert_eq!(request.service_name, "twinstack-lambda");
    assert_eq!(request.attribute("http.route"), Some("/api/users/{id}"));
    assert_eq!(request.attribute("http.request.method"), Some("GET"));
    assert_eq!(request.attribute("http.response.status_code"), Some("200"));
    let store = dynamodb_child(&spans, request);
    assert_eq!(store.attribute("db.operation.name"), Some("get_user"));
    // The second request's parent is the invocation's X-Ray segment, its trace id an X-Ray one
    // (the first 8 hex digits are the epoch seconds of the trace's start).
    let request = spans
        .iter()
        .find(|s| s.kind == 2 && s.attribute("http.route") == Some("/api/orders"))
        .unwrap_or_else(|| panic!("no /api/orders span in {spans:#?}"));
    assert_eq!(request.parent_span_id.len(), 16, "{request:?}");
    twinstack_twins::lambda::assert_xray_trace_id(&request.trace_id);
    let store = dynamodb_child(&spans, request);
    assert!(store.attribute("db.operation.name").is_some(), "{store:?}");

    // Assert: one request line per invocation at the default filter, cold only the first time.
    let lines = request_lines(&twin.log);
    let api_lines: Vec<&Value> = lines
        .iter()
        .filter(|line| line["fields"]["route"] != "/api/health")
        .collect();
    assert_eq!(api_lines.len(), 2, "{lines:#?}");
    for (line, (route, cold)) in api_lines
        .iter()
        .zip([("/api/users/{id}", true), ("/api/orders", false)])
    {
        let fields = &line["fields"];
        assert_eq!(fields["route"], route, "{line}");
        assert_eq!(fields["method"], "GET");
        assert_eq!(fields["status"], 200);
        assert!(fields["latency_ms"].as_f64().unwrap() >= 0.0, "{line}");
        assert_eq!(fields["cold_start"], cold, "{line}");
        let lambda_request_id = fields["lambda_request_id"].as_str().unwrap();
        assert!(!lambda_request_id.is_empty());
        // Without an x-request-id of the caller's, the request id is the Lambda request id.
        assert_eq!(fields["request_id"], lambda_request_id, "{line}");
    }
    assert_eq!(
        w3c.headers()["x-request-id"],
        api_lines[0]["fields"]["request_id"].as_str().unwrap()
    );
}
