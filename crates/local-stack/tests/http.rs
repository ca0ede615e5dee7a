//! `free_port` and `wait_for_http` against tiny hand-rolled servers.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::time::Duration;

use twinstack_local_stack::{free_port, wait_for_http};

#[test]
fn free_port_can_be_bound() {
    let port = free_port();
    assert_ne!(port, 0);
    TcpListener::bind(("127.0.0.1", port)).unwrap();
}

#[tokio::test]
async fn any_http_status_counts_as_up() {
    let port = free_port();
    // The server comes up only after polling has begun, as a real one would.
    let server = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(300));
        let listener = TcpListener::bind(("127.0.0.1", port)).unwrap();
        let (mut conn, _) = listener.accept().unwrap();
        let mut buf = [0u8; 1024];
        let _ = conn.read(&mut buf).unwrap();
        conn.write_all(
            b"HTTP/1.1 503 Service Unavailable\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
        )
        .unwrap();
    });
    wait_for_http(
        &format!("http://127.0.0.1:{port}/health"),
        Duration::from_secs(10),
    )
    .await
    .unwrap();
    server.join().unwrap();
}

#[tokio::test]
async fn times_out_when_nothing_listens() {
    let port = free_port();
    let err = wait_for_http(
        &format!("http://127.0.0.1:{port}/"),
        Duration::from_millis(300),
    )
    .await
    .unwrap_err();
    assert!(err.to_string().contains("no HTTP response"), "{err}");
}
