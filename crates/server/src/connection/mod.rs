//! Accepting and serving client connections (HTTP/1.1) within [`ConnectionLimits`]: headers in
//! time and in size, idle connections closed, at most so many at once, and a drain that closes
//! every connection once its request is answered.

mod head_timer;
mod stream;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use hyper::Request;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, watch};
use tower::ServiceExt;

use crate::config::ConnectionLimits;
use head_timer::HeadTimer;
use stream::ClientStream;

/// Serves `app` on `listener` until `shutdown` resolves, then stops accepting and returns once
/// every connection has closed: each is closed after its request in flight, and one stalled in
/// its headers by the header read timeout.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: &ConnectionLimits,
    shutdown: impl Future<Output = ()>,
) {
    let mut http = http1::Builder::new();
    // Each connection gets its own timer for it (`serve_connection`).
    http.header_read_timeout(limits.header_read_timeout())
        // A head still incomplete at this size fails as surely as a complete one over it: 431.
        // hyper writes that 431 itself, with an empty body, not our error envelope: it answers
        // from its parser (proto/h1/conn.rs `on_parse_error`, role.rs `on_error`: a bare head, no
        // body) before any request exists to hand a service, and `http1::Builder` has no hook for
        // the answer (hyperium/hyper#3844; the pull request adding one, #3911, is open). The same
        // holds for its 400 to a head it cannot parse.
        .max_buf_size(limits.max_header_bytes as usize)
        .max_header_size(limits.max_header_bytes as usize)
        // A client that shuts its writing side after a complete request still reads the response.
        .half_close(true);
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    let (stop, stopped) = watch::channel(());
    tokio::pin!(shutdown);
    loop {
        // A slot first: past the cap, clients wait in the listen backlog rather than being served
        // by an overloaded process.
        let slot = tokio::select! {
            slot = slots.clone().acquire_owned() => slot.expect("the semaphore is never closed"),
            () = &mut shutdown => break,
        };
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(error) => {
                    // Out of file descriptors, mostly: retrying at once would spin.
                    tracing::warn!(%error, "could not accept a connection");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        tokio::spawn(serve_connection(
            http.clone(),
            stream,
            app.clone(),
            limits.clone(),
            stopped.clone(),
            slot,
        ));
    }
    drop(listener);
    drop(stopped);
    let _ = stop.send(());
    stop.closed().await;
}

/// Serves one connection; `_slot` is its place under the connection cap, given back as it ends.
async fn serve_connection(
    mut http: http1::Builder,
    stream: TcpStream,
    app: Router,
    limits: ConnectionLimits,
    mut stop: watch::Receiver<()>,
    _slot: OwnedSemaphorePermit,
) {
    let client = ClientStream::new(stream);
    let activity = client.activity();
    let keep_alive_timeout = limits.keep_alive_timeout();
    let service = service_fn(move |request: Request<Incoming>| app.clone().oneshot(request));
    let connection = http
        .timer(HeadTimer::new(
            activity.clone(),
            limits.header_read_timeout(),
        ))
        .serve_connection(TokioIo::new(client), service)
        .with_upgrades();
    tokio::pin!(connection);
    let mut closing = false;
    loop {
        tokio::select! {
            result = connection.as_mut() => {
                if let Err(error) = result {
                    tracing::debug!(%error, "connection closed on an error");
                }
                return;
            }
            () = tokio::time::sleep_until(activity.idle_deadline(keep_alive_timeout)), if !closing => {
                if activity.idle_deadline(keep_alive_timeout) <= tokio::time::Instant::now() {
                    connection.as_mut().graceful_shutdown();
                    closing = true;
                }
            }
            _ = stop.changed(), if !closing => {
                connection.as_mut().graceful_shutdown();
                closing = true;
            }
        }
    }
}
