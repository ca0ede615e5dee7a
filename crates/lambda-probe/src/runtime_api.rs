//! The part of the Lambda Runtime API a runtime client uses, on `127.0.0.1:0`, with the two instants
//! the measurements need:
//!
//! | endpoint                                          | what the probe does                        |
//! |---------------------------------------------------|--------------------------------------------|
//! | `GET  /2018-06-01/runtime/invocation/next`        | notes the call (init ends here), then waits for an event and answers it with the `Lambda-Runtime-*` headers |
//! | `POST /2018-06-01/runtime/invocation/{id}/response` | handler time = event delivered → this post; 202 |
//! | `POST /2018-06-01/runtime/invocation/{id}/error`  | the same, as a function error; 202          |
//! | `POST /2018-06-01/runtime/init/error`             | an init error; 202                          |
//!
//! "Delivered" is the instant the `next` handler hands its finished response to hyper, so the time
//! to write a few KiB on loopback is the only thing between it and the socket.
//!
//! One event at a time, like one Lambda execution environment: the driver sends an event and waits
//! for its outcome before sending the next.

use std::collections::HashMap;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::Context;
use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

const REQUEST_ID: &str = "lambda-runtime-aws-request-id";
const DEADLINE_MS: &str = "lambda-runtime-deadline-ms";
const FUNCTION_ARN: &str = "lambda-runtime-invoked-function-arn";
const TRACE_ID: &str = "lambda-runtime-trace-id";
const ERROR_TYPE: &str = "lambda-runtime-function-error-type";
/// Lambda's own limit on a buffered response payload is 6 MB; leave room above it.
const MAX_PAYLOAD: usize = 8 * 1024 * 1024;

/// One event for the function.
pub struct Invocation {
    /// Numbers the request id and the trace id.
    pub seq: u64,
    pub payload: Bytes,
}

impl Invocation {
    /// A UUID-shaped request id, unique within a run.
    pub fn request_id(seq: u64) -> String {
        format!("00000000-0000-4000-8000-{seq:012x}")
    }
}

/// What the function posted back.
#[derive(Debug)]
pub enum Outcome {
    Response {
        id: String,
        handler: Duration,
        payload: Bytes,
    },
    Error {
        id: String,
        handler: Duration,
        error_type: String,
        body: String,
    },
    InitError {
        error_type: String,
        body: String,
    },
}

/// The function's identity, as the `next` headers tell it.
#[derive(Clone, Debug)]
pub struct Identity {
    pub function_arn: String,
    /// From delivery to the deadline the function is told.
    pub timeout: Duration,
}

/// A running Runtime API. Dropping it stops the server.
pub struct RuntimeApi {
    pub addr: SocketAddr,
    /// Events for the function, one at a time.
    pub invocations: mpsc::Sender<Invocation>,
    /// The instant of every `next` call, as it arrives (before it waits for an event).
    pub next_calls: mpsc::UnboundedReceiver<Instant>,
    pub outcomes: mpsc::UnboundedReceiver<Outcome>,
    server: JoinHandle<()>,
}

struct Shared {
    identity: Identity,
    /// Behind an async lock: only one `next` call at a time takes the next event.
    invocations: tokio::sync::Mutex<mpsc::Receiver<Invocation>>,
    next_calls: mpsc::UnboundedSender<Instant>,
    outcomes: mpsc::UnboundedSender<Outcome>,
    /// Request id → the instant its event was delivered.
    delivered: Mutex<HashMap<String, Instant>>,
}

impl RuntimeApi {
    pub async fn start(identity: Identity) -> anyhow::Result<Self> {
        let listener = tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .await
            .context("binding the Runtime API to 127.0.0.1")?;
        let addr = listener.local_addr()?;
        let (invocations_tx, invocations_rx) = mpsc::channel(1);
        let (next_tx, next_rx) = mpsc::unbounded_channel();
        let (outcomes_tx, outcomes_rx) = mpsc::unbounded_channel();
        let shared = Arc::new(Shared {
            identity,
            invocations: tokio::sync::Mutex::new(invocations_rx),
            next_calls: next_tx,
            outcomes: outcomes_tx,
            delivered: Mutex::new(HashMap::new()),
        });
        let app = Router::new()
            .route("/2018-06-01/runtime/invocation/next", get(next))
            .route(
                "/2018-06-01/runtime/invocation/{id}/response",
                post(response),
            )
            .route("/2018-06-01/runtime/invocation/{id}/error", post(error))
            .route("/2018-06-01/runtime/init/error", post(init_error))
            .layer(DefaultBodyLimit::max(MAX_PAYLOAD))
            .with_state(shared);
        let server = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(RuntimeApi {
            addr,
            invocations: invocations_tx,
            next_calls: next_rx,
            outcomes: outcomes_rx,
            server,
        })
    }

    /// Forgets `next` calls already noted, such as those of a process that has since been killed.
    pub fn forget_next_calls(&mut self) {
        while self.next_calls.try_recv().is_ok() {}
    }
}

impl Drop for RuntimeApi {
    fn drop(&mut self) {
        self.server.abort();
    }
}

async fn next(State(shared): State<Arc<Shared>>) -> Response {
    let _ = shared.next_calls.send(Instant::now());
    // A killed process's call may wait here for ever; that is harmless, the instant is noted.
    let invocation = shared.invocations.lock().await.recv().await;
    let Some(invocation) = invocation else {
        return (StatusCode::GONE, "the probe is shutting down").into_response();
    };
    let id = Invocation::request_id(invocation.seq);
    let deadline = SystemTime::now() + shared.identity.timeout;
    let deadline_ms = deadline
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_millis();
    let epoch_secs = deadline_ms / 1000;
    let response = Response::builder()
        .status(StatusCode::OK)
        .header(header::CONTENT_TYPE, "application/json")
        .header(REQUEST_ID, &id)
        .header(DEADLINE_MS, deadline_ms.to_string())
        .header(FUNCTION_ARN, &shared.identity.function_arn)
        .header(
            TRACE_ID,
            format!(
                "Root=1-{epoch_secs:08x}-{:024x};Parent={:016x};Sampled=0",
                invocation.seq, invocation.seq
            ),
        )
        .body(Body::from(invocation.payload))
        .expect("static header names and well-formed values");
    shared
        .delivered
        .lock()
        .expect("not poisoned")
        .insert(id, Instant::now());
    response
}

/// What Lambda answers a posted response or error with.
fn accepted() -> Response {
    (
        StatusCode::ACCEPTED,
        [(header::CONTENT_TYPE, "application/json")],
        r#"{"status":"OK"}"#,
    )
        .into_response()
}

fn unknown_request(id: &str) -> Response {
    (
        StatusCode::BAD_REQUEST,
        format!("no invocation {id} is waiting for an answer"),
    )
        .into_response()
}

/// The handler time of `id`, which stops waiting for an answer.
fn handler_time(shared: &Shared, id: &str, posted: Instant) -> Option<Duration> {
    let delivered = shared.delivered.lock().expect("not poisoned").remove(id)?;
    Some(posted.saturating_duration_since(delivered))
}

async fn response(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    payload: Bytes,
) -> Response {
    let posted = Instant::now();
    let Some(handler) = handler_time(&shared, &id, posted) else {
        return unknown_request(&id);
    };
    let _ = shared.outcomes.send(Outcome::Response {
        id,
        handler,
        payload,
    });
    accepted()
}

async fn error(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let posted = Instant::now();
    let Some(handler) = handler_time(&shared, &id, posted) else {
        return unknown_request(&id);
    };
    let _ = shared.outcomes.send(Outcome::Error {
        id,
        handler,
        error_type: error_type(&headers),
        body: String::from_utf8_lossy(&body).into_owned(),
    });
    accepted()
}

async fn init_error(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let _ = shared.outcomes.send(Outcome::InitError {
        error_type: error_type(&headers),
        body: String::from_utf8_lossy(&body).into_owned(),
    });
    accepted()
}

fn error_type(headers: &HeaderMap) -> String {
    headers
        .get(ERROR_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("unknown")
        .to_owned()
}
