//! The client socket as hyper sees it: it records when a byte last moved, and closes lingering.

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::TcpStream;
use tokio::time::Instant;

/// At most this much of what a client still sends after the server is done is read and discarded…
const LINGER_BYTES: u64 = 16 * 1024 * 1024;
/// …for at most this long.
const LINGER_TIME: Duration = Duration::from_secs(5);

/// When a byte last moved in either direction, in milliseconds since the connection was accepted,
/// and how many reads have brought bytes.
#[derive(Clone)]
pub struct Activity {
    accepted: Instant,
    last_millis: Arc<AtomicU64>,
    reads: Arc<AtomicU64>,
}

impl Activity {
    fn new() -> Self {
        Self {
            accepted: Instant::now(),
            last_millis: Arc::default(),
            reads: Arc::default(),
        }
    }

    fn touch(&self) {
        let millis = u64::try_from(self.accepted.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.last_millis.store(millis, Ordering::Relaxed);
    }

    fn read(&self) {
        self.reads.fetch_add(1, Ordering::Relaxed);
        self.touch();
    }

    /// Reads that have brought bytes so far: a later count means bytes have arrived since.
    pub fn reads(&self) -> u64 {
        self.reads.load(Ordering::Relaxed)
    }

    /// The moment the connection counts as idle for `timeout`, unless a byte moves first.
    pub fn idle_deadline(&self, timeout: Duration) -> Instant {
        self.accepted + Duration::from_millis(self.last_millis.load(Ordering::Relaxed)) + timeout
    }
}

/// A client socket. Dropped, it closes lingering: a client that is still writing (a body the
/// server refused with 413, headers refused with 431) would otherwise get a reset instead of the
/// response, so what it sends is read and discarded, within bounds, after our side is shut down.
pub struct ClientStream {
    stream: Option<TcpStream>,
    activity: Activity,
}

impl ClientStream {
    pub fn new(stream: TcpStream) -> Self {
        Self {
            stream: Some(stream),
            activity: Activity::new(),
        }
    }

    pub fn activity(&self) -> Activity {
        self.activity.clone()
    }

    fn stream(&mut self) -> Pin<&mut TcpStream> {
        Pin::new(self.stream.as_mut().expect("present until dropped"))
    }
}

impl AsyncRead for ClientStream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let poll = self.stream().poll_read(cx, buf);
        if buf.filled().len() > before {
            self.activity.read();
        }
        poll
    }
}

impl AsyncWrite for ClientStream {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let poll = self.stream().poll_write(cx, buf);
        if matches!(poll, Poll::Ready(Ok(written)) if written > 0) {
            self.activity.touch();
        }
        poll
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.stream().poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.stream().poll_shutdown(cx)
    }
}

impl Drop for ClientStream {
    fn drop(&mut self) {
        let Some(stream) = self.stream.take() else {
            return;
        };
        // No runtime (the process is exiting): the socket simply closes.
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(linger(stream));
        }
    }
}

/// Shuts our side (the client reads the response, then end of stream), then reads what the client
/// still sends until it closes, or the bounds are reached.
async fn linger(mut stream: TcpStream) {
    let _ = stream.shutdown().await;
    let mut discard = stream.take(LINGER_BYTES);
    let _ = tokio::time::timeout(
        LINGER_TIME,
        tokio::io::copy(&mut discard, &mut tokio::io::sink()),
    )
    .await;
}
