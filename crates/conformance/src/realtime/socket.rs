//! A WebSocket client for the checks: send frames, and expect what comes back, within a bound.

use std::time::Duration;

use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// Longer than any delivery the contract allows to count as live; a check fails after it.
const WAIT: Duration = Duration::from_secs(15);

pub struct Socket {
    stream: WebSocketStream<MaybeTlsStream<TcpStream>>,
}

impl Socket {
    pub async fn connect(url: &str) -> Socket {
        let (stream, _) = tokio::time::timeout(WAIT, tokio_tungstenite::connect_async(url))
            .await
            .unwrap_or_else(|_| panic!("connecting to {url} timed out"))
            .unwrap_or_else(|e| panic!("connecting to {url}: {e}"));
        Socket { stream }
    }

    /// A client over a stream the caller set up (a small receive buffer, say).
    pub fn from_stream(stream: WebSocketStream<MaybeTlsStream<TcpStream>>) -> Socket {
        Socket { stream }
    }

    pub async fn send(&mut self, frame: &Value) {
        self.send_text(&frame.to_string()).await;
    }

    pub async fn send_text(&mut self, text: &str) {
        self.send_message(Message::text(text)).await;
    }

    pub async fn send_message(&mut self, message: Message) {
        self.stream.send(message).await.expect("frame sent");
    }

    /// The next text frame, skipping WebSocket pings and pongs.
    pub async fn next_text(&mut self) -> String {
        match self.next_message().await {
            Message::Text(text) => text.to_string(),
            other => panic!("expected a text frame, got {other:?}"),
        }
    }

    pub async fn next_json(&mut self) -> Value {
        let text = self.next_text().await;
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("frame is not JSON ({e}): {text}"))
    }

    async fn next_message(&mut self) -> Message {
        loop {
            let message = tokio::time::timeout(WAIT, self.stream.next())
                .await
                .expect("a frame in time")
                .expect("the connection is open")
                .expect("a well-formed frame");
            if !matches!(message, Message::Ping(_) | Message::Pong(_)) {
                return message;
            }
        }
    }

    pub async fn expect(&mut self, expected: Value) {
        let frame = self.next_json().await;
        assert_eq!(frame, expected);
    }

    /// Expects an error frame with `code`, and returns its message.
    pub async fn expect_error(&mut self, code: &str) -> String {
        let frame = self.next_json().await;
        assert_eq!(frame["type"], "error", "{frame}");
        assert_eq!(frame["error"]["code"], code, "{frame}");
        let message = frame["error"]["message"].as_str().expect("a message");
        assert!(!message.is_empty(), "{frame}");
        message.to_owned()
    }

    pub async fn subscribe(&mut self, user: i64) {
        self.send(&json!({"action": "subscribe", "userId": user}))
            .await;
        self.expect(json!({"type": "subscribed", "userId": user}))
            .await;
    }

    pub async fn unsubscribe(&mut self, user: i64) {
        self.send(&json!({"action": "unsubscribe", "userId": user}))
            .await;
        self.expect(json!({"type": "unsubscribed", "userId": user}))
            .await;
    }

    /// Pings and expects the pong next: the connection is open and nothing else was queued before.
    pub async fn expect_only_pong(&mut self) {
        self.send(&json!({"action": "ping"})).await;
        self.expect(json!({"type": "pong"})).await;
    }

    /// Expects an order event frame whose text is exactly `event` and `order_json` (an HTTP
    /// response body) in the contract's shape.
    pub async fn expect_order_text(&mut self, event: &str, order_json: &[u8]) {
        let order = std::str::from_utf8(order_json).expect("a UTF-8 body");
        let expected = format!(r#"{{"type":"order","event":"{event}","order":{order}}}"#);
        assert_eq!(self.next_text().await, expected);
    }

    /// Expects the server to close the connection with `code`; returns the close reason.
    pub async fn expect_close(&mut self, code: u16) -> String {
        loop {
            match self.next_message().await {
                Message::Close(Some(CloseFrame { code: got, reason })) => {
                    assert_eq!(u16::from(got), code, "close code ({reason})");
                    return reason.to_string();
                }
                Message::Close(None) => panic!("closed without a code, expected {code}"),
                // Frames queued before the close.
                Message::Text(_) => {}
                other => panic!("expected a close, got {other:?}"),
            }
        }
    }
}
