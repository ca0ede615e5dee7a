//! One `engine: ws` virtual user: a WebSocket opened at its arrival, its flow's frames sent on it,
//! closed at the end — Artillery's WebSocket engine, within the subset [`crate::script`] accepts.
//!
//! Timing follows the HTTP engine's (no coordinated omission): the connection is due at the
//! arrival, so its latency includes any late start, up to the end of the handshake; each `send` is
//! due when the previous step ended (plus any `think`) and its latency runs to the frame's write.
//! Every data frame the server sends meanwhile is read and counted (never matched: replies do not
//! pace the flow, as in Artillery without `capture` / `match`). A failed handshake or write ends
//! the flow.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use futures::stream::SplitSink;
use futures::{SinkExt, StreamExt};
use tokio::net::TcpStream;
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::{Error, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use crate::script::{Payload, WsFlow, WsStep};
use crate::stats::{ErrorKind, Event, Outcome, Sample};
use crate::template::Vars;
use crate::vu::Context;

type Sink = SplitSink<WebSocketStream<MaybeTlsStream<TcpStream>>, Message>;

/// Runs `flow` for a user due at `arrival`; `false` when a failed connection or write cut it short.
pub async fn run(
    context: &Context,
    flow: &WsFlow,
    vars: Vars,
    phase: usize,
    arrival: Instant,
) -> bool {
    let url = flow
        .connect
        .as_ref()
        .map_or_else(|| context.target.clone(), |url| url.render_string(&vars));
    let connected =
        tokio::time::timeout(context.timeout, tokio_tungstenite::connect_async(url)).await;
    let socket = match connected {
        Ok(Ok((socket, _))) => {
            let latency_us = micros_since(arrival);
            record(
                context,
                flow.connect_name,
                phase,
                arrival,
                Outcome::Completed { latency_us },
            );
            socket
        }
        failed => {
            let outcome = match failed {
                Ok(Err(Error::Http(response))) => Outcome::Response {
                    status: response.status().as_u16(),
                    latency_us: micros_since(arrival),
                    capture_failed: false,
                },
                Ok(Err(Error::Io(_))) => Outcome::Failed(ErrorKind::Connect),
                Err(_) => Outcome::Failed(ErrorKind::Timeout),
                _ => Outcome::Failed(ErrorKind::Other),
            };
            record(context, flow.connect_name, phase, arrival, outcome);
            return false;
        }
    };
    let (mut sink, mut stream) = socket.split();
    let received = Arc::new(AtomicU64::new(0));
    let counted = Arc::clone(&received);
    let mut reader = tokio::spawn(async move {
        while let Some(Ok(message)) = stream.next().await {
            if message.is_text() || message.is_binary() {
                counted.fetch_add(1, Ordering::Relaxed);
            }
        }
    });
    let mut due = Instant::now();
    let completed = run_steps(context, &flow.steps, &vars, &mut sink, phase, &mut due).await;
    // Close as Artillery does at the end of a flow, and read until the server's close answers.
    let _ = sink.send(Message::Close(None)).await;
    if tokio::time::timeout(context.timeout, &mut reader)
        .await
        .is_err()
    {
        reader.abort();
    }
    let _ = context.events.send(Event::Received {
        messages: received.load(Ordering::Relaxed),
    });
    completed
}

/// The steps in order, loops unrolled as they run; `false` at the first failed write.
fn run_steps<'a>(
    context: &'a Context,
    steps: &'a [WsStep],
    vars: &'a Vars,
    sink: &'a mut Sink,
    phase: usize,
    due: &'a mut Instant,
) -> Pin<Box<dyn Future<Output = bool> + Send + 'a>> {
    Box::pin(async move {
        for step in steps {
            match step {
                WsStep::Think(pause) => {
                    *due += *pause;
                    tokio::time::sleep_until(*due).await;
                }
                WsStep::Send { name, payload } => {
                    let text = match payload {
                        Payload::Text(template) => template.render_string(vars),
                        Payload::Json(body) => body.render(vars).unwrap_or_default().to_string(),
                    };
                    let sent =
                        tokio::time::timeout(context.timeout, sink.send(Message::text(text))).await;
                    let outcome = match sent {
                        Ok(Ok(())) => Outcome::Completed {
                            latency_us: micros_since(*due),
                        },
                        Ok(Err(_)) => Outcome::Failed(ErrorKind::Other),
                        Err(_) => Outcome::Failed(ErrorKind::Timeout),
                    };
                    let failed = matches!(outcome, Outcome::Failed(_));
                    record(context, *name, phase, *due, outcome);
                    if failed {
                        return false;
                    }
                    *due = Instant::now();
                }
                WsStep::Loop { count, steps } => {
                    for _ in 0..*count {
                        if !run_steps(context, steps, vars, sink, phase, due).await {
                            return false;
                        }
                    }
                }
            }
        }
        true
    })
}

fn record(context: &Context, name: usize, phase: usize, due: Instant, outcome: Outcome) {
    let failed = !matches!(outcome, Outcome::Completed { .. });
    context.live.count_request(failed);
    // The collector outlives every virtual user; a send can only fail once the run is being torn down.
    let _ = context.events.send(Event::Request(Sample {
        name,
        phase,
        at_us: due.duration_since(context.epoch).as_micros() as u64,
        outcome,
        server_timing: Vec::new(),
        consumed_capacity: None,
    }));
}

fn micros_since(start: Instant) -> u64 {
    start.elapsed().as_micros() as u64
}
