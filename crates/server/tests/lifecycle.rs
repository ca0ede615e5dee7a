//! The Kubernetes twin's lifecycle: readiness, a lost database, and graceful shutdown (of HTTP
//! requests and of WebSockets).

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use sqlx::Connection;
use twinstack_conformance::Api;
use twinstack_local_stack::PostgresCluster;
use twinstack_server::RequestTimeout;

/// Polls `path` until it answers `status`, for at most `within`.
async fn eventually_status(api: &Api, path: &str, status: u16, within: Duration) -> bool {
    let deadline = Instant::now() + within;
    while Instant::now() < deadline {
        if api.get(path).await.status.as_u16() == status {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    false
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_database_answers_503_in_time_and_recovers_without_restart() {
    // Arrange: a cluster of our own, since this test stops it.
    let mut cluster = PostgresCluster::start_local().expect("a private cluster");
    let database_url = cluster.create_database("outage").unwrap();
    twinstack_twins::postgres::seed(&database_url).await;
    let mut config = twinstack_twins::postgres::config(database_url);
    config.request_timeout = RequestTimeout::from_millis(2_000).unwrap();
    let api = Api::new(format!(
        "http://{}",
        twinstack_twins::postgres::serve(config).await
    ));
    assert!(eventually_status(&api, "/readyz", 200, Duration::from_secs(10)).await);
    api.get("/api/users/1").await.expect(200);

    // Act: the database goes away.
    cluster.stop().unwrap();

    // Assert: 503 `unavailable` with Retry-After, within the request timeout; readiness stays up.
    for path in ["/api/users/1", "/api/products", "/api/users/1/summary"] {
        let started = Instant::now();
        let reply = api.get(path).await;
        let elapsed = started.elapsed();
        reply.expect_error(503, "unavailable");
        assert_eq!(reply.header("retry-after"), Some("1"));
        assert!(
            elapsed < Duration::from_millis(2_500),
            "{path} answered after {elapsed:?}"
        );
    }
    let reply = api
        .post(
            "/api/orders",
            &serde_json::json!({"userId": 1, "items": [{"sku": "PROD-001", "qty": 1}]}),
        )
        .await;
    reply.expect_error(503, "unavailable");
    api.get("/readyz").await.expect(200);
    api.get("/api/health").await.expect(200);

    // Act: the database comes back. Assert: the same process serves again.
    cluster.start_again().unwrap();
    assert!(
        eventually_status(&api, "/api/users/1", 200, Duration::from_secs(15)).await,
        "recovered"
    );
    api.post(
        "/api/orders",
        &serde_json::json!({"userId": 1, "items": [{"sku": "PROD-001", "qty": 1}]}),
    )
    .await
    .expect(201);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_outliving_the_request_timeout_answers_503() {
    // Arrange: a table lock held by another session makes reads of users wait.
    let database_url = twinstack_local_stack::shared()
        .create_database("slow")
        .unwrap();
    twinstack_twins::postgres::seed(&database_url).await;
    let mut config = twinstack_twins::postgres::config(database_url.clone());
    config.request_timeout = RequestTimeout::from_millis(1_000).unwrap();
    let api = Api::new(format!(
        "http://{}",
        twinstack_twins::postgres::serve(config).await
    ));
    api.get("/api/users/1").await.expect(200);
    let mut blocker = sqlx::PgConnection::connect(&database_url).await.unwrap();
    sqlx::query("BEGIN").execute(&mut blocker).await.unwrap();
    sqlx::query("LOCK TABLE users IN ACCESS EXCLUSIVE MODE")
        .execute(&mut blocker)
        .await
        .unwrap();

    // Act
    let started = Instant::now();
    let reply = api.get("/api/users/1").await;
    let elapsed = started.elapsed();

    // Assert: the timeout answers, in our envelope, close to the configured time; then all is well.
    reply.expect_error(503, "unavailable");
    assert_eq!(reply.header("retry-after"), Some("1"));
    assert!(reply.header("x-request-id").is_some());
    assert!(
        elapsed >= Duration::from_millis(900) && elapsed < Duration::from_millis(3_000),
        "{elapsed:?}"
    );
    sqlx::query("ROLLBACK").execute(&mut blocker).await.unwrap();
    api.get("/api/users/1").await.expect(200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readiness_waits_for_the_first_database_connection() {
    let mut cluster = PostgresCluster::start_local().expect("a private cluster");
    let database_url = cluster.create_database("late").unwrap();
    twinstack_twins::postgres::seed(&database_url).await;
    cluster.stop().unwrap();

    let api = Api::new(format!(
        "http://{}",
        twinstack_twins::postgres::serve(twinstack_twins::postgres::config(database_url)).await
    ));

    twinstack_local_stack::wait_for_http(&api.url("/healthz"), Duration::from_secs(10))
        .await
        .unwrap();
    api.get("/healthz").await.expect(200);
    api.get("/readyz").await.expect(503);
    cluster.start_again().unwrap();
    assert!(eventually_status(&api, "/readyz", 200, Duration::from_secs(15)).await);
}

struct ServerProcess(Child);

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn twinstack_server(args: &[&str], database_url: &str, port: u16) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_twinstack-server"));
    command
        .args(args)
        .env("DATABASE_URL", database_url)
        .env("HOST", "127.0.0.1")
        .env("PORT", port.to_string())
        // The metrics listener too, on a port of its own rather than the default 9090.
        .env(
            "METRICS_PORT",
            twinstack_local_stack::free_port().to_string(),
        )
        .env("SHUTDOWN_TIMEOUT_SECS", "10")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    command
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_stops_accepting_and_drains_in_flight_requests() {
    // Arrange: the real binary, migrated by its own `migrate` subcommand, then seeded.
    let database_url = twinstack_local_stack::shared()
        .create_database("drain")
        .unwrap();
    let status = twinstack_server(&["migrate"], &database_url, 0)
        .status()
        .unwrap();
    assert!(status.success(), "migrate exits 0");
    twinstack_twins::postgres::seed(&database_url).await;
    let port = twinstack_local_stack::free_port();
    let mut server = ServerProcess(
        twinstack_server(&["serve"], &database_url, port)
            .spawn()
            .unwrap(),
    );
    let api = Api::new(format!("http://127.0.0.1:{port}"));
    twinstack_local_stack::wait_for_http(&api.url("/healthz"), Duration::from_secs(15))
        .await
        .unwrap();
    assert!(eventually_status(&api, "/readyz", 200, Duration::from_secs(15)).await);

    // A request in flight: headers and half of the body sent, the rest held back.
    let body = br#"{"userId": 1, "items": [{"sku": "PROD-001", "qty": 2}]}"#;
    let mut in_flight = TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(
        in_flight,
        "POST /api/orders HTTP/1.1\r\nhost: test\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        body.len()
    )
    .unwrap();
    in_flight.write_all(&body[..10]).unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;

    // Act: SIGTERM, then finish the in-flight request.
    sigterm(&server);
    tokio::time::sleep(Duration::from_millis(300)).await;
    in_flight.write_all(&body[10..]).unwrap();
    let mut response = String::new();
    in_flight.read_to_string(&mut response).unwrap();

    // Assert: the in-flight request completed, new connections are refused, the process exits 0 in time.
    assert!(
        response.starts_with("HTTP/1.1 201"),
        "in-flight request drained: {response}"
    );
    assert!(
        TcpStream::connect(("127.0.0.1", port)).is_err(),
        "no longer accepting"
    );
    assert_exits_cleanly_in_time(&mut server).await;
}

/// The real binary serving a fresh seeded database, with `env` over the test defaults.
async fn seeded_server_process(database: &str, env: &[(&str, &str)]) -> (ServerProcess, u16) {
    let database_url = twinstack_local_stack::shared()
        .create_database(database)
        .unwrap();
    twinstack_twins::postgres::seed(&database_url).await;
    let port = twinstack_local_stack::free_port();
    let server = twinstack_server(&["serve"], &database_url, port)
        .envs(env.iter().copied())
        .spawn()
        .unwrap();
    (ServerProcess(server), port)
}

fn sigterm(server: &ServerProcess) {
    let pid = server.0.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
}

async fn assert_exits_cleanly_in_time(server: &mut ServerProcess) {
    let deadline = Instant::now() + Duration::from_secs(10);
    let exit = loop {
        if let Some(status) = server.0.try_wait().unwrap() {
            break status;
        }
        assert!(
            Instant::now() < deadline,
            "exits within the shutdown timeout"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(exit.success(), "clean exit: {exit:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_closes_websockets_with_1001_after_the_drain_and_exits_cleanly() {
    // Arrange: the real binary, a subscribed WebSocket client.
    let (mut server, port) = seeded_server_process("ws_sigterm", &[]).await;
    let twin =
        twinstack_twins::postgres::realtime_twin(Api::new(format!("http://127.0.0.1:{port}")));
    assert!(twin.wait_until_accepting(Duration::from_secs(15)).await);
    let mut socket = twin.connect().await;
    socket.subscribe(1).await;

    // Act
    sigterm(&server);

    // Assert
    assert_eq!(socket.expect_close(1001).await, "server shutting down");
    assert_exits_cleanly_in_time(&mut server).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_with_a_connection_stalled_in_its_headers_exits_within_the_header_read_timeout() {
    // Arrange: a drain deadline far beyond the header read timeout and the wait below.
    let (mut server, port) = seeded_server_process(
        "stalled",
        &[
            ("SHUTDOWN_TIMEOUT_SECS", "120"),
            ("HEADER_READ_TIMEOUT_SECS", "2"),
        ],
    )
    .await;
    let api = Api::new(format!("http://127.0.0.1:{port}"));
    twinstack_local_stack::wait_for_http(&api.url("/healthz"), Duration::from_secs(15))
        .await
        .unwrap();
    assert!(eventually_status(&api, "/readyz", 200, Duration::from_secs(15)).await);
    let mut stalled = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stalled
        .write_all(b"GET /api/health HTTP/1.1\r\nhost: test\r\nx-half: ")
        .unwrap();

    // Act
    sigterm(&server);

    // Assert: the stalled connection does not hold the drain to its 120 s deadline.
    assert_exits_cleanly_in_time(&mut server).await;
}
