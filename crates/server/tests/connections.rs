//! Hostile and unlucky clients, over raw TCP: slow headers, huge headers, idle keep-alive
//! connections, more connections than the cap, half-closed requests, bodies written whole
//! before the response is read, and more requests at once than the server takes.

use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use twinstack_conformance::Api;
use twinstack_server::{Config, ConnectionLimits};

/// Bounds that only keep a broken server from hanging the suite.
const NO_HANG: Duration = Duration::from_secs(20);

const HEALTH: &[u8] = b"GET /api/health HTTP/1.1\r\nhost: test\r\n\r\n";

/// A seeded server with these connection limits.
async fn server(connections: ConnectionLimits) -> SocketAddr {
    configured_server(|config| config.connections = connections).await
}

/// A seeded server with the test configuration, changed by `configure`.
async fn configured_server(configure: impl FnOnce(&mut Config)) -> SocketAddr {
    let database_url = twinstack_local_stack::shared()
        .create_database("connections")
        .unwrap();
    twinstack_twins::postgres::seed(&database_url).await;
    let mut config = twinstack_twins::postgres::config(database_url);
    configure(&mut config);
    twinstack_twins::postgres::serve(config).await
}

/// Limits long enough not to interfere, for tests about one of them.
fn patient() -> ConnectionLimits {
    ConnectionLimits {
        header_read_timeout_secs: 60,
        keep_alive_timeout_secs: 60,
        ..ConnectionLimits::default()
    }
}

/// Reads one response (head and a Content-Length body) and returns it.
async fn read_response(stream: &mut TcpStream) -> String {
    let mut bytes = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let text = String::from_utf8_lossy(&bytes).to_string();
        if let Some(head_end) = text.find("\r\n\r\n") {
            let length = text[..head_end]
                .lines()
                .find_map(|line| {
                    line.to_ascii_lowercase()
                        .strip_prefix("content-length: ")
                        .map(str::to_owned)
                })
                .map_or(0, |value| value.trim().parse::<usize>().unwrap());
            if bytes.len() >= head_end + 4 + length {
                return text;
            }
        }
        let read = tokio::time::timeout(NO_HANG, stream.read(&mut chunk))
            .await
            .expect("a response")
            .unwrap();
        assert!(read > 0, "closed before a whole response: {text}");
        bytes.extend_from_slice(&chunk[..read]);
    }
}

/// Whether the server closes `stream` (end of stream or reset) within `within`, discarding what
/// it sends.
async fn closed_by_server(stream: &mut TcpStream, within: Duration) -> bool {
    let mut chunk = [0u8; 4096];
    tokio::time::timeout(within, async {
        loop {
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        }
    })
    .await
    .is_ok()
}

/// Sends a request line, then one byte of an endless header every 100 ms for up to 20 s; returns
/// whether the server closed the connection meanwhile.
async fn dribble_a_head(stream: &mut TcpStream) -> bool {
    stream
        .write_all(b"GET /api/health HTTP/1.1\r\n")
        .await
        .unwrap();
    for _ in 0..200 {
        if stream.write_all(b"a").await.is_err()
            || closed_by_server(stream, Duration::from_millis(100)).await
        {
            return true;
        }
    }
    false
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn headers_sent_one_byte_at_a_time_are_cut_off_at_the_header_read_timeout() {
    // Arrange
    let address = server(ConnectionLimits {
        header_read_timeout_secs: 1,
        ..patient()
    })
    .await;
    let mut slowloris = TcpStream::connect(address).await.unwrap();

    // Act
    let closed = dribble_a_head(&mut slowloris).await;

    // Assert
    assert!(closed, "the slow connection is closed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn headers_over_the_limit_answer_431() {
    let address = server(patient()).await;
    let mut client = TcpStream::connect(address).await.unwrap();
    let flood = "a".repeat(64 * 1024);

    let request = format!("GET /api/health HTTP/1.1\r\nhost: test\r\nx-flood: {flood}\r\n\r\n");
    let _ = client.write_all(request.as_bytes()).await;

    let response = read_response(&mut client).await;
    assert!(response.starts_with("HTTP/1.1 431"), "{response}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn headers_within_the_limit_are_served() {
    let address = server(patient()).await;
    let mut client = TcpStream::connect(address).await.unwrap();
    let header = "a".repeat(16 * 1024);

    let request = format!("GET /api/health HTTP/1.1\r\nhost: test\r\nx-large: {header}\r\n\r\n");
    client.write_all(request.as_bytes()).await.unwrap();

    let response = read_response(&mut client).await;
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_keep_alive_connection_is_closed_after_the_keep_alive_timeout() {
    // Arrange: a connection that has been served and is kept alive.
    let address = server(ConnectionLimits {
        keep_alive_timeout_secs: 1,
        ..patient()
    })
    .await;
    let mut client = TcpStream::connect(address).await.unwrap();
    client.write_all(HEALTH).await.unwrap();
    let response = read_response(&mut client).await;
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(!response.to_ascii_lowercase().contains("connection: close"));

    // Act: nothing more is sent. Assert: the server closes it.
    assert!(closed_by_server(&mut client, NO_HANG).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_keep_alive_connection_outlives_the_header_read_timeout() {
    // Arrange: a load balancer's pooled connection, served once, with a keep-alive timeout longer
    // than the header read timeout.
    let address = server(ConnectionLimits {
        header_read_timeout_secs: 1,
        keep_alive_timeout_secs: 4,
        ..patient()
    })
    .await;
    let mut pooled = TcpStream::connect(address).await.unwrap();
    pooled.write_all(HEALTH).await.unwrap();
    assert!(read_response(&mut pooled).await.starts_with("HTTP/1.1 200"));

    // Act: idle for twice the header read timeout, then reused.
    tokio::time::sleep(Duration::from_secs(2)).await;
    pooled.write_all(HEALTH).await.unwrap();

    // Assert: served, not closed under the load balancer.
    let response = read_response(&mut pooled).await;
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_second_request_is_cut_off_at_the_header_read_timeout() {
    // Arrange: a kept-alive connection, served once.
    let address = server(ConnectionLimits {
        header_read_timeout_secs: 1,
        ..patient()
    })
    .await;
    let mut slowloris = TcpStream::connect(address).await.unwrap();
    slowloris.write_all(HEALTH).await.unwrap();
    assert!(
        read_response(&mut slowloris)
            .await
            .starts_with("HTTP/1.1 200")
    );

    // Act
    let closed = dribble_a_head(&mut slowloris).await;

    // Assert
    assert!(closed, "the slow second head is cut off");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn past_the_connection_cap_a_client_waits_until_a_connection_closes() {
    // Arrange: the only slot is held by a served, kept-alive connection.
    let address = server(ConnectionLimits {
        max_connections: 1,
        ..patient()
    })
    .await;
    let mut first = TcpStream::connect(address).await.unwrap();
    first.write_all(HEALTH).await.unwrap();
    assert!(read_response(&mut first).await.starts_with("HTTP/1.1 200"));

    // Act: a second client sends a request.
    let mut second = TcpStream::connect(address).await.unwrap();
    second.write_all(HEALTH).await.unwrap();

    // Assert: no answer while the first holds the slot; an answer once it has gone.
    let mut byte = [0u8; 1];
    assert!(
        tokio::time::timeout(Duration::from_millis(500), second.read(&mut byte))
            .await
            .is_err(),
        "the second connection is not served past the cap"
    );
    drop(first);
    let response = read_response(&mut second).await;
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_followed_by_a_half_close_is_answered() {
    let address = server(patient()).await;
    let mut client = TcpStream::connect(address).await.unwrap();

    // A request that waits on the database, so the shutdown arrives before the response.
    client
        .write_all(b"GET /api/users/1/summary HTTP/1.1\r\nhost: test\r\n\r\n")
        .await
        .unwrap();
    client.shutdown().await.unwrap();

    let response = read_response(&mut client).await;
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_writes_all_of_an_oversized_body_first_reads_the_413() {
    // Arrange: an 8 MiB body, far over the 64 KiB limit.
    let address = server(patient()).await;
    let mut client = TcpStream::connect(address).await.unwrap();
    let body = vec![b' '; 8 * 1024 * 1024];

    // Act: the whole request is written before anything is read.
    let head = format!(
        "POST /api/users HTTP/1.1\r\nhost: test\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
        body.len()
    );
    client.write_all(head.as_bytes()).await.unwrap();
    tokio::time::timeout(NO_HANG, client.write_all(&body))
        .await
        .expect("the body is taken")
        .expect("the body is written without a reset");

    // Assert
    let response = read_response(&mut client).await;
    assert!(response.starts_with("HTTP/1.1 413"), "{response}");
    assert!(response.contains("\"payload_too_large\""), "{response}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn past_the_in_flight_limit_requests_are_shed_with_503_and_probes_still_answer() {
    // Arrange: one slot, held by a request whose body is still on its way.
    let address = configured_server(|config| config.max_in_flight_requests = 1).await;
    let api = Api::new(format!("http://{address}"));
    api.get("/api/products").await.expect(200);
    let mut holder = TcpStream::connect(address).await.unwrap();
    holder
        .write_all(b"POST /api/users HTTP/1.1\r\nhost: test\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{")
        .await
        .unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;

    // Act
    let shed = api.get("/api/products").await;

    // Assert: shed in our envelope; the probes answer; once the slot is free, requests are served.
    shed.expect_error(503, "unavailable");
    assert_eq!(shed.header("retry-after"), Some("1"));
    api.get("/healthz").await.expect(200);
    api.get("/readyz").await.expect(200);
    drop(holder);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while api.get("/api/products").await.status.as_u16() != 200 {
        assert!(std::time::Instant::now() < deadline, "served again");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}
