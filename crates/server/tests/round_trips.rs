//! One database round trip per request, observed on the wire: the server talks to Postgres through
//! a tap that counts the client's Sync and Query messages, each of which Postgres answers with
//! ReadyForQuery, so each is one round trip.

use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use sqlx::postgres::PgConnectOptions;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use twinstack_conformance::Api;

/// Requests before the count, so every statement the route uses is prepared on the connection.
const WARM_UP: usize = 5;
const COUNTED: usize = 20;

/// Protocol codes of the untyped messages a client may send before its startup message.
const SSL_REQUEST: u32 = 80_877_103;
const GSSENC_REQUEST: u32 = 80_877_104;

/// Forwards connections to `upstream`, counting the round trips clients start.
struct WireTap {
    address: String,
    round_trips: Arc<AtomicUsize>,
}

impl WireTap {
    async fn start(upstream: String) -> WireTap {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap().to_string();
        let round_trips = Arc::new(AtomicUsize::new(0));
        let counter = round_trips.clone();
        tokio::spawn(async move {
            loop {
                let (client, _) = listener.accept().await.unwrap();
                let server = TcpStream::connect(&upstream).await.unwrap();
                tokio::spawn(relay(client, server, counter.clone()));
            }
        });
        WireTap {
            address,
            round_trips,
        }
    }

    fn round_trips(&self) -> usize {
        self.round_trips.load(Ordering::SeqCst)
    }
}

/// Copies both ways; the client's bytes are parsed into frontend messages as they pass.
async fn relay(client: TcpStream, server: TcpStream, round_trips: Arc<AtomicUsize>) {
    let (mut client_read, mut client_write) = client.into_split();
    let (mut server_read, mut server_write) = server.into_split();
    tokio::spawn(async move { tokio::io::copy(&mut server_read, &mut client_write).await });
    let mut pending = Vec::new();
    let mut started = false;
    let mut chunk = [0u8; 16 * 1024];
    loop {
        let read = match client_read.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(read) => read,
        };
        if server_write.write_all(&chunk[..read]).await.is_err() {
            return;
        }
        pending.extend_from_slice(&chunk[..read]);
        while let Some(message) = next_message(&pending, started) {
            let length = message.length;
            if started {
                if matches!(message.kind, b'S' | b'Q') {
                    round_trips.fetch_add(1, Ordering::SeqCst);
                }
            } else {
                started = !matches!(message.code, SSL_REQUEST | GSSENC_REQUEST);
            }
            pending.drain(..length);
        }
    }
}

struct Message {
    kind: u8,
    code: u32,
    length: usize,
}

/// The first whole message in `bytes`: before startup `[length][code]…`, after it
/// `[kind][length]…`, lengths counting themselves but not the kind byte.
fn next_message(bytes: &[u8], started: bool) -> Option<Message> {
    let be32 = |at: usize| -> Option<u32> {
        Some(u32::from_be_bytes(bytes.get(at..at + 4)?.try_into().ok()?))
    };
    let message = if started {
        Message {
            kind: *bytes.first()?,
            code: 0,
            length: 1 + be32(1)? as usize,
        }
    } else {
        Message {
            kind: 0,
            code: be32(4)?,
            length: be32(0)? as usize,
        }
    };
    (bytes.len() >= message.length).then_some(message)
}

async fn wait_until_ready(api: &Api) {
    twinstack_local_stack::wait_for_http(&api.url("/readyz"), Duration::from_secs(10))
        .await
        .unwrap();
    for _ in 0..100 {
        if api.get("/readyz").await.status == 200 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the server did not become ready");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reading_a_user_is_one_round_trip_to_the_database() {
    // Arrange: the server's database URL points at the tap; one connection, so the warm-up
    // prepares the route's statement where the counted requests run, after the start-up purge.
    let database_url = twinstack_local_stack::shared()
        .create_database("round_trips")
        .unwrap();
    twinstack_twins::postgres::seed(&database_url).await;
    let options = PgConnectOptions::from_str(&database_url).unwrap();
    let upstream = format!("{}:{}", options.get_host(), options.get_port());
    let tap = WireTap::start(upstream.clone()).await;
    let tapped_url = database_url.replace(&upstream, &tap.address);
    let mut config = twinstack_twins::postgres::config(tapped_url);
    config.database_max_connections = 1;
    let api = Api::new(format!(
        "http://{}",
        twinstack_twins::postgres::serve(config).await
    ));
    wait_until_ready(&api).await;
    for _ in 0..WARM_UP {
        api.get("/api/users/1").await.expect(200);
    }
    // Anything the last reply leaves to do on the connection is done by now.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let before = tap.round_trips();

    // Act
    for _ in 0..COUNTED {
        api.get("/api/users/1").await.expect(200);
    }
    tokio::time::sleep(Duration::from_millis(200)).await;

    // Assert
    assert_eq!(tap.round_trips() - before, COUNTED);
}
