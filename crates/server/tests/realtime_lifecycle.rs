//! `/api/ws` beyond the contract's frames: a reader that falls behind (1013), a lost LISTEN
//! connection (resync), SIGTERM (1001), and the connections gauge.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::json;
use sqlx::Connection;
use tokio::net::TcpSocket;
use tokio_tungstenite::MaybeTlsStream;
use twinstack_conformance::Api;
use twinstack_conformance::realtime::{RealtimeTwin, Socket};
use twinstack_core::{OrderId, Timestamp};
use twinstack_twins::postgres::{config, realtime_twin, seed, serve};

/// A seeded database of its own, and a server on it with `outbox_frames` per WebSocket client.
async fn twin(name: &str, outbox_frames: usize) -> (RealtimeTwin, String) {
    let database_url = twinstack_local_stack::shared()
        .create_database(name)
        .expect("a test database");
    seed(&database_url).await;
    let mut config = config(database_url.clone());
    config.ws_outbox_frames = outbox_frames;
    let twin = realtime_twin(Api::new(format!("http://{}", serve(config).await)));
    assert!(twin.wait_until_accepting(Duration::from_secs(10)).await);
    (twin, database_url)
}

/// A client whose receive buffer is a few KiB, so the server's writes to it back up quickly.
async fn slow_reader(twin: &RealtimeTwin) -> Socket {
    let address = twin
        .api
        .base_url
        .trim_start_matches("http://")
        .parse()
        .expect("a socket address");
    let socket = TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    let stream = socket.connect(address).await.unwrap();
    let (stream, _) = tokio_tungstenite::client_async(&twin.ws_url, MaybeTlsStream::Plain(stream))
        .await
        .expect("WebSocket handshake");
    Socket::from_stream(stream)
}

async fn new_user(api: &Api) -> i64 {
    api.create_user("Realtime").await["id"].as_i64().unwrap()
}

/// Inserts `batches` × 100 orders of 50 lines with 64-character skus (about 7 KiB per event) for `user` straight into
/// the database, one transaction per batch: a burst of events faster than HTTP could make it.
/// Returns their ids in commit order.
async fn insert_order_burst(database_url: &str, user: i64, batches: usize) -> Vec<String> {
    let items: Vec<_> = (1..=50)
        .map(|n| json!({"sku": format!("{n:0>64}"), "qty": 1, "unitPriceCents": 100, "lineTotalCents": 100}))
        .collect();
    let mut connection = sqlx::PgConnection::connect(database_url).await.unwrap();
    let mut ids = Vec::new();
    for batch in 0..batches {
        let batch_ids: Vec<String> = (0..100)
            .map(|n| {
                let at = Timestamp::from_millis(1_700_000_000_000);
                OrderId::from_parts(at, (batch * 100 + n) as u128).to_string()
            })
            .collect();
        sqlx::query(
            "INSERT INTO orders (id, user_id, items, total_cents, status, created_at, updated_at) \
             SELECT id, $2, $3, 5000, 'pending', now(), now() FROM UNNEST($1::text[]) WITH ORDINALITY AS t(id, n) ORDER BY n",
        )
        .bind(&batch_ids)
        .bind(user)
        .bind(json!(items))
        .execute(&mut connection)
        .await
        .unwrap();
        ids.extend(batch_ids);
    }
    ids
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reader_that_falls_behind_is_closed_with_1013_and_slows_no_one() {
    // Arrange: two followers of one user, one of which never reads.
    let (twin, database_url) = twin("slow_reader", 256).await;
    let user = new_user(&twin.api).await;
    let mut slow = slow_reader(&twin).await;
    slow.subscribe(user).await;
    let mut healthy = twin.connect().await;
    healthy.subscribe(user).await;
    let count = 1_000;
    let reading = tokio::spawn(async move {
        let mut received = Vec::new();
        for _ in 0..count {
            received.push(healthy.next_text().await);
        }
        healthy.expect_only_pong().await;
        received
    });

    // Act: about 7 MiB of events, more than the slow reader's socket buffers (about 3 MiB on
    // loopback here: the server's send buffer grows to net.ipv4.tcp_wmem's maximum) and its outbox
    // of 256 frames hold.
    let ids = insert_order_burst(&database_url, user, count / 100).await;

    // Assert: the other follower got every event, in order (so all were published); the slow
    // reader, once it reads again, finds the close it was sent after what its buffers held.
    let received = reading.await.unwrap();
    assert_eq!(slow.expect_close(1013).await, "consumer too slow");
    let received_ids: Vec<String> = received
        .iter()
        .map(|text| {
            let frame: serde_json::Value = serde_json::from_str(text).unwrap();
            assert_eq!(frame["event"], "created");
            frame["order"]["id"].as_str().unwrap().to_owned()
        })
        .collect();
    assert_eq!(received_ids, ids);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_listen_connection_resyncs_clients_and_delivery_resumes() {
    let (twin, database_url) = twin("lost_listener", 256).await;
    let user = new_user(&twin.api).await;
    let mut socket = twin.connect().await;
    socket.subscribe(user).await;

    // Act: the database ends the pod's LISTEN connection.
    let mut admin = sqlx::PgConnection::connect(&database_url).await.unwrap();
    let terminated: Vec<bool> = sqlx::query_scalar(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
         WHERE datname = current_database() AND query LIKE 'LISTEN %order_events%'",
    )
    .fetch_all(&mut admin)
    .await
    .unwrap();
    assert_eq!(terminated, [true], "one listening connection, terminated");

    // Assert: the client is told it may have missed events, and later events arrive again.
    socket.expect(json!({"type": "resync"})).await;
    let reply = twin
        .api
        .post(
            "/api/orders",
            &json!({"userId": user, "items": [{"sku": "PROD-001", "qty": 1}]}),
        )
        .await;
    reply.expect(201);
    socket.expect_order_text("created", &reply.body).await;
}

struct ServerProcess(Child);

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The real binary on a seeded database, with its metrics listener; returns the twin and the
/// metrics port.
async fn server_process(name: &str) -> (ServerProcess, RealtimeTwin, u16) {
    let database_url = twinstack_local_stack::shared()
        .create_database(name)
        .unwrap();
    seed(&database_url).await;
    let (port, metrics_port) = (
        twinstack_local_stack::free_port(),
        twinstack_local_stack::free_port(),
    );
    let server = ServerProcess(
        Command::new(env!("CARGO_BIN_EXE_twinstack-server"))
            .env("DATABASE_URL", &database_url)
            .env("HOST", "127.0.0.1")
            .env("PORT", port.to_string())
            .env("METRICS_PORT", metrics_port.to_string())
            .env("SHUTDOWN_TIMEOUT_SECS", "10")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let twin = realtime_twin(Api::new(format!("http://127.0.0.1:{port}")));
    twinstack_local_stack::wait_for_http(&twin.api.url("/healthz"), Duration::from_secs(15))
        .await
        .unwrap();
    assert!(twin.wait_until_accepting(Duration::from_secs(15)).await);
    (server, twin, metrics_port)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_closes_websockets_with_1001_and_exits_cleanly() {
    let (mut server, twin, _) = server_process("ws_sigterm").await;
    let mut socket = twin.connect().await;
    socket.subscribe(1).await;

    let pid = server.0.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );

    assert_eq!(socket.expect_close(1001).await, "server shutting down");
    let deadline = Instant::now() + Duration::from_secs(10);
    let exit = loop {
        if let Some(status) = server.0.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "exits in time");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(exit.success(), "clean exit: {exit:?}");
}

/// The `websocket_connections` sample of a scrape.
async fn connections_gauge(metrics_port: u16) -> Option<f64> {
    let scrape = Api::new(format!("http://127.0.0.1:{metrics_port}"))
        .get("/metrics")
        .await;
    String::from_utf8(scrape.body)
        .unwrap()
        .lines()
        .find_map(|line| line.strip_prefix("websocket_connections "))
        .map(|value| value.parse().unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_connections_gauge_counts_open_websockets() {
    let (_server, twin, metrics_port) = server_process("ws_gauge").await;
    let mut first = twin.connect().await;
    let mut second = twin.connect().await;
    first.expect_only_pong().await;
    second.expect_only_pong().await;

    // The probe connection of `server_process` is gone once its close has been read.
    assert!(
        gauge_becomes(metrics_port, 2.0).await,
        "two open connections"
    );
    drop(second);
    assert!(
        gauge_becomes(metrics_port, 1.0).await,
        "a closed one no longer counts"
    );
}

async fn gauge_becomes(metrics_port: u16, value: f64) -> bool {
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if connections_gauge(metrics_port).await == Some(value) {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    false
}
