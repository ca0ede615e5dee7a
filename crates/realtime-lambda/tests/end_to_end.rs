//! The serverless real-time twin end to end, all real parts: WebSocket clients talk to the gateway
//! harness, which invokes `twinstack-realtime-lambda` under `cargo lambda watch`; orders written
//! through `twinstack-lambda` reach DynamoDB Local's stream, whose poller invokes the same function
//! to fan them out through `@connections`.

use std::time::Duration;

use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};
use twinstack_conformance::Api;
use twinstack_twins::realtime_lambda::spawn_realtime_lambda_twin;

type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// A fan-out crosses two pollers and three invocations on a loaded 2-core machine.
const WAIT: Duration = Duration::from_secs(60);

async fn next_text(socket: &mut Socket) -> String {
    loop {
        let message = tokio::time::timeout(WAIT, socket.next())
            .await
            .expect("a frame in time")
            .expect("the connection stays open")
            .expect("a well-formed frame");
        if let Message::Text(text) = message {
            return text.as_str().to_owned();
        }
    }
}

async fn send(socket: &mut Socket, frame: Value) {
    socket.send(Message::text(frame.to_string())).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_subscriber_hears_its_users_orders_byte_for_byte_and_bad_frames_get_errors() {
    let twin = spawn_realtime_lambda_twin().await;
    let api = Api::new(&twin.api_base);
    let user = api.create_user("Live").await["id"].as_i64().unwrap();
    let (mut socket, _) = tokio_tungstenite::connect_async(&twin.ws_url)
        .await
        .unwrap();

    send(&mut socket, json!({"action": "ping"})).await;
    assert_eq!(next_text(&mut socket).await, r#"{"type":"pong"}"#);
    send(&mut socket, json!({"action": "subscribe", "userId": user})).await;
    assert_eq!(
        next_text(&mut socket).await,
        format!(r#"{{"type":"subscribed","userId":{user}}}"#)
    );
    send(
        &mut socket,
        json!({"action": "subscribe", "userId": 999_999_999}),
    )
    .await;
    let missing: Value = serde_json::from_str(&next_text(&mut socket).await).unwrap();
    assert_eq!(missing["error"]["code"], "not_found", "{missing}");
    socket.send(Message::text("{")).await.unwrap();
    let malformed: Value = serde_json::from_str(&next_text(&mut socket).await).unwrap();
    assert_eq!(malformed["error"]["code"], "malformed_json", "{malformed}");
    send(&mut socket, json!({"action": "publish"})).await;
    let unknown: Value = serde_json::from_str(&next_text(&mut socket).await).unwrap();
    assert_eq!(unknown["error"]["code"], "unknown_action", "{unknown}");

    let created = api
        .post(
            "/api/orders",
            &json!({"userId": user, "items": [{"sku": "PROD-002", "qty": 3}]}),
        )
        .await;
    created.expect(201);
    let id = created.json()["id"].as_str().unwrap().to_owned();
    let paid = api
        .patch(&format!("/api/orders/{id}"), &json!({"status": "paid"}))
        .await;
    paid.expect(200);

    assert_eq!(
        next_text(&mut socket).await,
        format!(
            r#"{{"type":"order","event":"created","order":{}}}"#,
            String::from_utf8_lossy(&created.body)
        )
    );
    assert_eq!(
        next_text(&mut socket).await,
        format!(
            r#"{{"type":"order","event":"status_changed","order":{}}}"#,
            String::from_utf8_lossy(&paid.body)
        )
    );
}
