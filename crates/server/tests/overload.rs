//! Past `MAX_IN_FLIGHT_REQUESTS`, requests are shed at once with 503 `unavailable`; probes never are.

use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;
use twinstack_conformance::Api;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn past_the_in_flight_limit_requests_are_shed_with_503_and_probes_still_answer() {
    // Arrange: one slot, held by a request whose body is still on its way.
    let database_url = twinstack_local_stack::shared()
        .create_database("overload")
        .unwrap();
    twinstack_twins::postgres::seed(&database_url).await;
    let mut config = twinstack_twins::postgres::config(database_url);
    config.max_in_flight_requests = 1;
    let address = twinstack_twins::postgres::serve(config).await;
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
