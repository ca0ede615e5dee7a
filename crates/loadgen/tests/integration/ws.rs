//! `engine: ws` scenarios: the subset runs against a WebSocket server on loopback, and the rest of
//! Artillery's WebSocket engine is refused by name.

use std::sync::{Arc, Mutex};

use futures::{SinkExt, StreamExt};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::handshake::server::{Request, Response};
use twinstack_loadgen::{RunError, RunOptions, Scale, Script};

use crate::{named, run};

/// What the server saw: each connection's request path, and every text frame.
#[derive(Debug, Default)]
struct Seen {
    paths: Vec<String>,
    frames: Vec<String>,
}

/// A WebSocket server that answers every text frame with one frame, as the feed answers a ping.
async fn spawn_echo() -> (String, Arc<Mutex<Seen>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let seen = Arc::new(Mutex::new(Seen::default()));
    let shared = seen.clone();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let seen = shared.clone();
            tokio::spawn(async move {
                // The callback's signature is tungstenite's, error type included.
                #[allow(clippy::result_large_err)]
                let path = |request: &Request, response: Response| {
                    seen.lock().unwrap().paths.push(request.uri().to_string());
                    Ok(response)
                };
                let Ok(mut socket) = tokio_tungstenite::accept_hdr_async(stream, path).await else {
                    return;
                };
                while let Some(Ok(message)) = socket.next().await {
                    if let Message::Text(text) = message {
                        seen.lock().unwrap().frames.push(text.to_string());
                        let _ = socket.send(Message::text("ack")).await;
                    }
                }
            });
        }
    });
    (format!("ws://{address}"), seen)
}

const FEED: &str = r#"
config:
  target: "ws://not-used.invalid"
  phases: [{ duration: 1, arrivalRate: 5 }]
  variables:
    userId: 7
scenarios:
  - engine: ws
    flow:
      - connect: "{{ target }}/feed?user={{ userId }}"
      - send: { action: "subscribe", userId: "{{ userId }}" }
      - loop:
          - send: "ping {{ userId }}"
          - think: 10ms
        count: 3
"#;

#[tokio::test]
async fn a_ws_flow_connects_sends_loops_and_counts_every_reply() {
    let (target, seen) = spawn_echo().await;

    let report = run(FEED, target, Scale::default(), |_| {}).await;

    assert_eq!((report.vusers.created, report.vusers.completed), (5, 5));
    assert_eq!(report.totals.errors.total, 0, "{:?}", report.totals.errors);
    assert_eq!(named(&report, "connect").count, 5);
    assert!(named(&report, "connect").latency_ms.is_some());
    assert_eq!(
        named(
            &report,
            r#"send {"action":"subscribe","userId":"{{ userId }}"}"#
        )
        .count,
        5
    );
    assert_eq!(named(&report, "send ping {{ userId }}").count, 15);
    assert_eq!(report.messages_received, Some(20));
    let seen = seen.lock().unwrap();
    assert_eq!(seen.paths, vec!["/feed?user=7"; 5]);
    assert_eq!(
        seen.frames
            .iter()
            .filter(|frame| *frame == r#"{"action":"subscribe","userId":7}"#)
            .count(),
        5,
        "the lone variable keeps its JSON type: {:?}",
        seen.frames
    );
    assert_eq!(seen.frames.iter().filter(|f| *f == "ping 7").count(), 15);
}

#[tokio::test]
async fn a_refused_connection_is_a_connect_error_and_ends_the_flow() {
    let closed = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let target = format!("ws://{}", closed.local_addr().unwrap());
    drop(closed);

    let report = run(FEED, target, Scale::default(), |_| {}).await;

    assert_eq!(report.vusers.failed, 5);
    assert_eq!(report.totals.errors.by_kind.get("connect"), Some(&5));
    assert_eq!(named(&report, "connect").count, 5);
    assert_eq!(named(&report, "send ping {{ userId }}").count, 0);
}

#[tokio::test]
async fn a_ws_script_needs_a_ws_target_and_cannot_mix_engines() {
    let refused = |yaml: &str, target: &str| {
        let options = RunOptions {
            target: target.to_owned(),
            scale: Scale::default(),
            max_in_flight: 10,
            request_timeout: None,
            drain_timeout: std::time::Duration::from_secs(1),
            progress: false,
        };
        twinstack_loadgen::run(Script::parse(yaml).unwrap(), options)
    };

    let http_target = refused(FEED, "http://127.0.0.1:1").await;
    assert!(
        matches!(&http_target, Err(RunError::Target { expected, .. }) if expected.starts_with("a ws:// URL")),
        "{http_target:?}"
    );
    let mixed = format!("{FEED}  - flow: [{{ get: {{ url: /a }} }}]\n");
    let mixed = refused(&mixed, "ws://127.0.0.1:1").await;
    assert!(
        mixed
            .unwrap_err()
            .to_string()
            .contains("mixes engine: ws and HTTP scenarios"),
    );
}

fn error(flow: &str) -> String {
    let yaml = format!(
        "config:\n  phases: [{{ duration: 1, arrivalRate: 1 }}]\nscenarios:\n  - engine: ws\n    flow:\n{flow}"
    );
    Script::parse(&yaml)
        .expect_err("the config is refused")
        .to_string()
}

#[test]
fn artillerys_other_ws_features_are_refused_by_name() {
    let cases = [
        (
            "      - connect: { target: 'ws://x', headers: { a: b } }\n",
            "scenarios[0].flow[0].connect.headers",
        ),
        (
            "      - send: { payload: hi, capture: { json: $.id, as: id } }\n",
            "scenarios[0].flow[0].send.capture",
        ),
        (
            "      - send: { payload: hi, match: { json: $.ok, value: true } }\n",
            "scenarios[0].flow[0].send.match",
        ),
        (
            "      - wait: { capture: { json: $.id, as: id } }\n",
            "scenarios[0].flow[0].wait",
        ),
        ("      - function: setUp\n", "scenarios[0].flow[0].function"),
        ("      - log: hello\n", "scenarios[0].flow[0].log"),
        (
            "      - loop: [{ send: x }]\n        over: [1, 2]\n",
            "scenarios[0].flow[0].over",
        ),
        (
            "      - loop: [{ get: { url: /a } }]\n        count: 2\n",
            "scenarios[0].flow[0].loop[0].get",
        ),
    ];
    for (flow, path) in cases {
        let message = error(flow);
        let key = path.rsplit('.').next().unwrap();
        assert!(
            message.starts_with(&format!("{path}: `{key}` is not supported")),
            "{path}: {message}"
        );
    }
    let engine = Script::parse(
        "config:\n  phases: [{ duration: 1, arrivalRate: 1 }]\nscenarios:\n  - engine: socketio\n    flow: [{ emit: x }]\n",
    )
    .unwrap_err()
    .to_string();
    assert!(
        engine.starts_with("scenarios[0].engine: `socketio` is not supported"),
        "{engine}"
    );
}

#[test]
fn ws_steps_that_would_misbehave_are_refused_with_the_reason() {
    let cases = [
        (
            "      - loop: [{ send: x }]\n",
            "scenarios[0].flow[0]: `count` is missing",
        ),
        (
            "      - loop: [{ send: x }]\n        count: 0\n",
            "scenarios[0].flow[0].count: must be at least 1",
        ),
        (
            "      - send: x\n      - connect: '{{ target }}/b'\n",
            "scenarios[0].flow[1].connect: `connect` is read only as a flow's first step",
        ),
        (
            "      - connect: 'ws://elsewhere.example/feed'\n",
            "scenarios[0].flow[0].connect: only URLs starting with `{{ target }}`",
        ),
        (
            "      - send: '{{ usrId }}'\n",
            "scenarios[0].flow[0].send: `{{ usrId }}` is neither in config.variables",
        ),
        (
            "      - send: x\n        think: 1\n",
            "scenarios[0].flow[0]: a flow step has exactly one of",
        ),
    ];
    for (flow, expected) in cases {
        let message = error(flow);
        assert!(message.starts_with(expected), "{expected}: {message}");
    }
}
