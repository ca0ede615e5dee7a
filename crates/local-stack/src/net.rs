//! Ports and readiness polling for servers a test starts.

use std::net::TcpListener;
use std::time::{Duration, Instant};

use anyhow::bail;

/// How long one probe in [`wait_for_http`] may take, so a server that accepts but never
/// answers does not eat the whole budget in one request.
const PROBE_TIMEOUT: Duration = Duration::from_secs(2);
const PROBE_INTERVAL: Duration = Duration::from_millis(50);

/// A TCP port on 127.0.0.1 that was free a moment ago.
///
/// The port is released before returning, so another process can grab it in between:
/// callers that bind it later should retry on "address in use" (the cluster start does).
///
/// # Panics
/// When the OS cannot hand out an ephemeral port at all — nothing a test could recover from.
pub fn free_port() -> u16 {
    let listener =
        TcpListener::bind(("127.0.0.1", 0)).expect("bind an ephemeral port on 127.0.0.1");
    listener
        .local_addr()
        .expect("local address of a bound listener")
        .port()
}

/// Polls `url` with GET until the server sends any HTTP response (any status counts: the
/// point is that it listens and speaks HTTP), or fails once `timeout` has passed.
///
/// Needs a Tokio runtime (it uses `reqwest`).
pub async fn wait_for_http(url: &str, timeout: Duration) -> anyhow::Result<()> {
    let client = reqwest::Client::builder().timeout(PROBE_TIMEOUT).build()?;
    let deadline = Instant::now() + timeout;
    loop {
        let last_error = match client.get(url).send().await {
            Ok(_) => return Ok(()),
            Err(err) => err,
        };
        if Instant::now() >= deadline {
            bail!("no HTTP response from {url} within {timeout:?}; last error: {last_error}");
        }
        tokio::time::sleep(PROBE_INTERVAL).await;
    }
}

/// Polls `url` with GET until it answers `status`, or fails once `timeout` has passed. Each probe
/// may take a while (a function behind an emulator can be building on its first call).
pub async fn wait_for_status(url: &str, status: u16, timeout: Duration) -> anyhow::Result<()> {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()?;
    let deadline = Instant::now() + timeout;
    loop {
        let last = match client.get(url).send().await {
            Ok(response) if response.status().as_u16() == status => return Ok(()),
            Ok(response) => format!("status {}", response.status()),
            Err(err) => err.to_string(),
        };
        if Instant::now() >= deadline {
            bail!("{url} did not answer {status} within {timeout:?}; last: {last}");
        }
        tokio::time::sleep(PROBE_INTERVAL * 4).await;
    }
}
