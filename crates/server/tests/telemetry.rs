//! The Kubernetes twin's logs and traces, from the real binary: the JSON request line on stdout, and
//! with `OTEL_EXPORTER_OTLP_ENDPOINT` set, spans over OTLP HTTP/protobuf to a test receiver that
//! decodes them.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::Value;
use twinstack_twins::otlp::{OtlpReceiver, ReceivedSpan};

const TRACE_ID: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
const PARENT_SPAN_ID: &str = "00f067aa0ba902b7";

struct Server {
    child: Child,
    base: String,
    lines: Arc<Mutex<Vec<String>>>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    /// The binary on a fresh seeded database, its stdout collected line by line; `env` on top.
    async fn start(otlp_endpoint: Option<&str>, env: &[(&str, &str)]) -> Server {
        let database_url = twinstack_local_stack::shared()
            .create_database("telemetry")
            .unwrap();
        twinstack_twins::postgres::seed(&database_url).await;
        let port = twinstack_local_stack::free_port();
        let mut command = Command::new(env!("CARGO_BIN_EXE_twinstack-server"));
        command
            .env("DATABASE_URL", &database_url)
            .env("HOST", "127.0.0.1")
            .env("PORT", port.to_string())
            .env("METRICS_PORT", "0")
            // Export finished spans after 100 ms rather than 5 s.
            .env("OTEL_BSP_SCHEDULE_DELAY", "100")
            .env_remove("RUST_LOG")
            .env_remove("OTEL_EXPORTER_OTLP_ENDPOINT")
            .env_remove("OTEL_SERVICE_NAME")
            .env_remove("OTEL_TRACES_SAMPLER")
            .env_remove("OTEL_TRACES_SAMPLER_ARG")
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        if let Some(endpoint) = otlp_endpoint {
            command.env("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint);
        }
        let mut child = command.spawn().unwrap();
        let stdout = child.stdout.take().unwrap();
        let lines = Arc::new(Mutex::new(Vec::new()));
        let sink = lines.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                sink.lock().unwrap().push(line);
            }
        });
        let base = format!("http://127.0.0.1:{port}");
        twinstack_local_stack::wait_for_status(
            &format!("{base}/readyz"),
            200,
            Duration::from_secs(20),
        )
        .await
        .expect("server ready");
        Server { child, base, lines }
    }

    /// The request line (target `twinstack::request`) whose request id is `request_id`.
    async fn request_line(&self, request_id: &str) -> Value {
        for _ in 0..100 {
            let found = self.lines.lock().unwrap().iter().find_map(|line| {
                let json: Value = serde_json::from_str(line).ok()?;
                (json["target"] == "twinstack::request"
                    && json["fields"]["request_id"] == request_id)
                    .then_some(json)
            });
            if let Some(json) = found {
                return json;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!(
            "no request line for {request_id} in {:#?}",
            self.lines.lock().unwrap()
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_traced_request_continues_the_callers_trace_with_a_postgresql_store_span() {
    // Arrange
    let receiver = OtlpReceiver::start().await;
    let server = Server::start(Some(receiver.endpoint()), &[]).await;

    // Act
    let response = reqwest::Client::new()
        .get(format!("{}/api/users/3", server.base))
        .header("traceparent", format!("00-{TRACE_ID}-{PARENT_SPAN_ID}-01"))
        .send()
        .await
        .unwrap();

    // Assert: the response names the server span of the caller's trace...
    assert_eq!(response.status(), 200);
    let traceparent = response
        .headers()
        .get("traceparent")
        .unwrap_or_else(|| panic!("no traceparent; logs: {:#?}", server.lines.lock().unwrap()))
        .to_str()
        .unwrap()
        .to_owned();
    let parts: Vec<&str> = traceparent.split('-').collect();
    assert_eq!(parts.len(), 4, "{traceparent}");
    assert_eq!(parts[1], TRACE_ID);
    assert_ne!(parts[2], PARENT_SPAN_ID);
    // ...which the receiver gets, a child of the caller's span, with its store call as its child.
    let spans = receiver
        .wait_for(Duration::from_secs(20), |spans| {
            spans.iter().any(|s| s.trace_id == TRACE_ID && s.kind == 3)
                && spans.iter().any(|s| s.trace_id == TRACE_ID && s.kind == 2)
        })
        .await;
    let request = request_span(&spans);
    assert_eq!(request.span_id, parts[2]);
    assert_eq!(request.parent_span_id, PARENT_SPAN_ID);
    assert_eq!(request.service_name, "twinstack-server");
    assert_eq!(request.name, "GET /api/users/{id}");
    assert_eq!(request.attribute("http.route"), Some("/api/users/{id}"));
    assert_eq!(request.attribute("http.request.method"), Some("GET"));
    assert_eq!(request.attribute("url.path"), Some("/api/users/3"));
    assert_eq!(request.attribute("http.response.status_code"), Some("200"));
    let store = spans
        .iter()
        .find(|s| s.parent_span_id == request.span_id)
        .unwrap_or_else(|| panic!("no child of the request span in {spans:#?}"));
    assert_eq!(store.trace_id, TRACE_ID);
    assert_eq!(store.kind, 3, "client");
    assert_eq!(store.attribute("db.system"), Some("postgresql"));
    assert_eq!(store.attribute("db.system.name"), Some("postgresql"));
    assert_eq!(store.attribute("db.operation.name"), Some("get_user"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_the_sampler_leaves_out_makes_no_spans_and_a_sampled_callers_trace_is_followed() {
    // Arrange: parent-based sampling that samples no root of its own.
    let receiver = OtlpReceiver::start().await;
    let server = Server::start(
        Some(receiver.endpoint()),
        &[("OTEL_TRACES_SAMPLER", "parentbased_always_off")],
    )
    .await;
    let client = reqwest::Client::new();

    // Act: a request without a caller's context, then one whose caller sampled its trace.
    let unsampled = client
        .get(format!("{}/api/users/3", server.base))
        .send()
        .await
        .unwrap();
    let sampled = client
        .get(format!("{}/api/users/3", server.base))
        .header("traceparent", format!("00-{TRACE_ID}-{PARENT_SPAN_ID}-01"))
        .send()
        .await
        .unwrap();

    // Assert: the second request's spans arrive, and nothing else did — no request span and no
    // store span of the first, which ended earlier and would have been exported first.
    assert_eq!(unsampled.status(), 200);
    assert!(unsampled.headers().get("traceparent").is_none());
    assert_eq!(sampled.status(), 200);
    assert!(sampled.headers().get("traceparent").is_some());
    let spans = receiver
        .wait_for(Duration::from_secs(20), |spans| {
            spans.iter().any(|s| s.trace_id == TRACE_ID && s.kind == 2)
                && spans.iter().any(|s| s.trace_id == TRACE_ID && s.kind == 3)
        })
        .await;
    assert_eq!(request_span(&spans).parent_span_id, PARENT_SPAN_ID);
    assert!(
        spans.iter().all(|s| s.trace_id == TRACE_ID),
        "only the sampled trace: {spans:#?}"
    );
}

fn request_span(spans: &[ReceivedSpan]) -> &ReceivedSpan {
    spans
        .iter()
        .find(|s| s.trace_id == TRACE_ID && s.kind == 2)
        .unwrap_or_else(|| panic!("no server span of the trace in {spans:#?}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_request_writes_one_json_line_with_id_route_status_and_latency() {
    // Arrange: tracing off (no endpoint), default log level.
    let server = Server::start(None, &[]).await;

    // Act
    let response = reqwest::Client::new()
        .get(format!("{}/api/users/999999", server.base))
        .header("x-request-id", "log-line-test-1")
        .header("traceparent", format!("00-{TRACE_ID}-{PARENT_SPAN_ID}-01"))
        .send()
        .await
        .unwrap();

    // Assert
    assert_eq!(response.status(), 404);
    assert!(
        response.headers().get("traceparent").is_none(),
        "tracing is off"
    );
    let line = server.request_line("log-line-test-1").await;
    let fields = &line["fields"];
    assert_eq!(fields["method"], "GET");
    assert_eq!(fields["route"], "/api/users/{id}");
    assert_eq!(fields["status"], 404);
    assert!(fields["latency_ms"].as_f64().unwrap() >= 0.0, "{line}");
    assert!(fields.get("lambda_request_id").is_none(), "{line}");
    assert!(fields.get("cold_start").is_none(), "{line}");
    assert_eq!(line["level"], "INFO");
    assert!(line["timestamp"].is_string());
}
