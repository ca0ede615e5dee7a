//! Prometheus metrics of the Kubernetes twin: scraped from the real server on its own port, checked
//! by series and by `promtool check metrics` (Debian's `prometheus` package:
//! `deploy/scripts/install-deps.sh promtool`).
//!
//! The recorder is process-global, so the tests of this binary share it: each asserts only on
//! series no other test here touches.

use std::collections::BTreeMap;
use std::io::Write;
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::Duration;

use twinstack_conformance::Api;
use twinstack_local_stack::{free_port, wait_for_http};

/// One sample line of the text format: name, labels, value.
#[derive(Debug)]
struct Sample {
    name: String,
    labels: BTreeMap<String, String>,
    value: f64,
}

/// The samples of a scrape (our label values hold no `,`, `"` or `}`, so a split is enough).
fn samples(text: &str) -> Vec<Sample> {
    text.lines()
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .map(|line| {
            let (series, value) = line.rsplit_once(' ').expect("`series value`");
            let (name, labels) = match series.split_once('{') {
                Some((name, labels)) => (name, labels.trim_end_matches('}')),
                None => (series, ""),
            };
            let labels = labels
                .split(',')
                .filter(|pair| !pair.is_empty())
                .map(|pair| {
                    let (key, value) = pair.split_once('=').expect("label=\"value\"");
                    (key.to_owned(), value.trim_matches('"').to_owned())
                })
                .collect();
            Sample {
                name: name.to_owned(),
                labels,
                value: value.parse().expect("a number"),
            }
        })
        .collect()
}

fn find<'a>(samples: &'a [Sample], name: &str, labels: &[(&str, &str)]) -> Vec<&'a Sample> {
    samples
        .iter()
        .filter(|s| {
            s.name == name
                && labels
                    .iter()
                    .all(|(k, v)| s.labels.get(*k).map(String::as_str) == Some(*v))
        })
        .collect()
}

/// `promtool check metrics` on `text`: its complaints, or none.
fn promtool_check(text: &str) -> Result<(), String> {
    let mut child = Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|error| {
            panic!("promtool is missing ({error}): run `deploy/scripts/install-deps.sh promtool`")
        });
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    if output.status.success() && said.trim().is_empty() {
        Ok(())
    } else {
        Err(format!("promtool: {}\n{said}", output.status))
    }
}

/// A fresh seeded database behind a server with metrics on a port of its own.
async fn server_with_metrics(name: &str) -> (String, twinstack_server::Config) {
    let database_url = twinstack_local_stack::shared()
        .create_database(name)
        .unwrap();
    twinstack_twins::postgres::seed(&database_url).await;
    let mut config = twinstack_twins::postgres::config(database_url);
    config.metrics_port = free_port();
    let metrics_url = format!("http://127.0.0.1:{}/metrics", config.metrics_port);
    (metrics_url, config)
}

async fn scrape(url: &str) -> (String, String) {
    let response = reqwest::get(url).await.expect("a scrape");
    assert_eq!(response.status(), 200);
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    (content_type, response.text().await.unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_are_scraped_by_route_pattern_on_the_metrics_port_and_pass_promtool() {
    // Arrange
    let (metrics_url, config) = server_with_metrics("metrics").await;
    let api = Api::new(format!(
        "http://{}",
        twinstack_twins::postgres::serve(config).await
    ));
    wait_for_http(&metrics_url, Duration::from_secs(10))
        .await
        .unwrap();

    // Act: two ids on one route, a path no route matches, a POST.
    api.get("/api/users/1").await.expect(200);
    api.get("/api/users/2").await.expect(200);
    api.get("/api/no-such-route/3").await.expect(404);
    api.create_user("Metrics Test").await;
    let (content_type, text) = scrape(&metrics_url).await;

    // Assert: by route pattern, never the raw path.
    assert!(
        content_type.starts_with("text/plain; version=0.0.4"),
        "{content_type}"
    );
    let samples = samples(&text);
    let by_id = [
        ("route", "/api/users/{id}"),
        ("method", "GET"),
        ("status", "200"),
    ];
    let counted = find(&samples, "http_server_requests_total", &by_id);
    assert_eq!(counted.len(), 1, "{text}");
    assert_eq!(counted[0].value, 2.0);
    let unmatched = [("route", "unmatched"), ("method", "GET"), ("status", "404")];
    assert_eq!(
        find(&samples, "http_server_requests_total", &unmatched).len(),
        1,
        "{text}"
    );
    let created = [
        ("route", "/api/users"),
        ("method", "POST"),
        ("status", "201"),
    ];
    assert_eq!(
        find(&samples, "http_server_requests_total", &created)[0].value,
        1.0
    );
    for raw in ["/api/users/1", "/api/users/2", "/api/no-such-route/3"] {
        assert!(
            samples
                .iter()
                .all(|s| s.labels.get("route").map(String::as_str) != Some(raw)),
            "raw path {raw} used as a route:\n{text}"
        );
    }
    // The histogram resolves below a millisecond and counts both requests.
    let buckets: Vec<&str> = find(
        &samples,
        "http_server_request_duration_seconds_bucket",
        &by_id,
    )
    .iter()
    .map(|s| s.labels["le"].as_str())
    .collect();
    for le in ["0.0001", "0.00025", "0.0005", "0.001", "10", "+Inf"] {
        assert!(buckets.contains(&le), "no le={le} bucket in {buckets:?}");
    }
    assert_eq!(
        find(
            &samples,
            "http_server_request_duration_seconds_count",
            &by_id
        )[0]
        .value,
        2.0
    );
    assert_eq!(
        find(&samples, "http_server_requests_in_flight", &[]).len(),
        1,
        "{text}"
    );
    // The pool, read at scrape time.
    assert_eq!(
        find(&samples, "db_pool_connections", &[("state", "idle")]).len(),
        1,
        "{text}"
    );
    assert_eq!(
        find(&samples, "db_pool_connections", &[("state", "in_use")]).len(),
        1,
        "{text}"
    );
    assert_eq!(
        find(&samples, "db_pool_connections_max", &[])[0].value,
        20.0
    );
    // Well-formed by Prometheus's own checker.
    if let Err(problems) = promtool_check(&text) {
        panic!("{problems}\n--- scrape ---\n{text}");
    }
    // And only on the metrics port.
    api.get("/metrics").await.expect_error(404, "not_found");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_shed_request_is_counted_and_carries_its_request_id() {
    // Arrange: one in-flight slot, held by a request whose body is still on its way.
    let (metrics_url, mut config) = server_with_metrics("metrics_shed").await;
    config.max_in_flight_requests = 1;
    let address = twinstack_twins::postgres::serve(config).await;
    let api = Api::new(format!("http://{address}"));
    wait_for_http(&metrics_url, Duration::from_secs(10))
        .await
        .unwrap();
    let mut holder = tokio::net::TcpStream::connect(address).await.unwrap();
    tokio::io::AsyncWriteExt::write_all(
        &mut holder,
        b"POST /api/users HTTP/1.1\r\nhost: test\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{",
    )
    .await
    .unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;

    // Act
    let shed = api.get("/api/orders/01J00000000000000000000000").await;
    let (_, text) = scrape(&metrics_url).await;

    // Assert: the 503 went through the router's observe layer like any other answer.
    shed.expect_error(503, "unavailable");
    assert!(shed.header("x-request-id").is_some());
    assert!(shed.header("server-timing").is_some());
    let shed_series = [
        ("route", "/api/orders/{id}"),
        ("method", "GET"),
        ("status", "503"),
    ];
    assert_eq!(
        find(&samples(&text), "http_server_requests_total", &shed_series)[0].value,
        1.0,
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_metrics_listener_stops_with_the_server() {
    // Arrange
    let (metrics_url, config) = server_with_metrics("metrics_stop").await;
    let metrics_port = config.metrics_port;
    let listener = tokio::net::TcpListener::bind((config.host, 0))
        .await
        .unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(twinstack_server::serve(config, listener, async {
        let _ = stopped.await;
    }));
    wait_for_http(&metrics_url, Duration::from_secs(10))
        .await
        .unwrap();
    scrape(&metrics_url).await;

    // Act
    stop.send(()).unwrap();
    tokio::time::timeout(Duration::from_secs(10), server)
        .await
        .expect("the server stops")
        .unwrap()
        .expect("and exits cleanly");

    // Assert
    assert!(
        TcpStream::connect(("127.0.0.1", metrics_port)).is_err(),
        "nothing listens on the metrics port any more"
    );
}

/// The `websocket_connections` sample of a scrape.
async fn websocket_connections(metrics_url: &str) -> Option<f64> {
    let (_, text) = scrape(metrics_url).await;
    find(&samples(&text), "websocket_connections", &[])
        .first()
        .map(|sample| sample.value)
}

/// Polls until the gauge reads `value`: a closed socket leaves the hub once the server has read
/// its close.
async fn websocket_connections_become(metrics_url: &str, value: f64) -> bool {
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while std::time::Instant::now() < deadline {
        if websocket_connections(metrics_url).await == Some(value) {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    false
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_websocket_connections_gauge_counts_open_sockets() {
    let (metrics_url, config) = server_with_metrics("metrics_ws").await;
    let twin = twinstack_twins::postgres::realtime_twin(Api::new(format!(
        "http://{}",
        twinstack_twins::postgres::serve(config).await
    )));
    assert!(twin.wait_until_accepting(Duration::from_secs(10)).await);

    let mut first = twin.connect().await;
    let mut second = twin.connect().await;
    first.expect_only_pong().await;
    second.expect_only_pong().await;

    assert!(
        websocket_connections_become(&metrics_url, 2.0).await,
        "two open sockets"
    );
    drop(second);
    assert!(
        websocket_connections_become(&metrics_url, 1.0).await,
        "a closed one no longer counts"
    );
}
