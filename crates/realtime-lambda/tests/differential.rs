//! Differential test: one sequence of client frames and HTTP writes, played against both twins
//! (the Kubernetes twin's `/api/ws` on Postgres, the serverless twin behind the local API Gateway
//! harness), must draw the same frames byte for byte, once each twin's own user id and orders
//! (which differ by construction) are written as placeholders.

use serde_json::json;
use tokio_tungstenite::tungstenite::Message;
use twinstack_conformance::realtime::RealtimeTwin;
use twinstack_twins::postgres::spawn_realtime_postgres_twin;
use twinstack_twins::realtime_lambda::spawn_realtime_lambda_twin;

/// The frames `twin` sends for the sequence, with its user id and order bodies as placeholders.
async fn frames_of(twin: &RealtimeTwin) -> Vec<String> {
    let user = twin.api.create_user("Differential").await["id"]
        .as_i64()
        .unwrap();
    let mut socket = twin.connect().await;
    let requests = [
        Message::text(r#"{"action":"ping"}"#),
        Message::text(json!({"action": "subscribe", "userId": user}).to_string()),
        Message::text(json!({"action": "subscribe", "userId": user}).to_string()),
        Message::text(r#"{"action":"subscribe","userId":999999999}"#),
        Message::text("{"),
        Message::text("[]"),
        Message::text(r#"{"action":"publish"}"#),
        Message::text(r#"{"userId":1}"#),
        Message::text(r#"{"action":"ping","extra":true}"#),
        Message::text(r#"{"action":"subscribe","userId":"42"}"#),
        Message::text(r#"{"action":"unsubscribe","userId":0}"#),
        Message::binary(br#"{"action":"ping"}"#.to_vec()),
        Message::text(format!("{:<32769}", r#"{"action":"ping"}"#)),
    ];
    let mut frames = Vec::new();
    for request in requests {
        socket.send_message(request).await;
        frames.push(socket.next_text().await);
    }

    let created = twin
        .api
        .post(
            "/api/orders",
            &json!({"userId": user, "items": [{"sku": "PROD-001", "qty": 2}]}),
        )
        .await;
    created.expect(201);
    let id = created.json()["id"].as_str().unwrap().to_owned();
    let paid = twin
        .api
        .patch(&format!("/api/orders/{id}"), &json!({"status": "paid"}))
        .await;
    paid.expect(200);
    frames.push(socket.next_text().await);
    frames.push(socket.next_text().await);
    socket
        .send(&json!({"action": "unsubscribe", "userId": user}))
        .await;
    frames.push(socket.next_text().await);

    let placeholders = [
        (
            String::from_utf8(created.body).unwrap(),
            "<created order>".to_owned(),
        ),
        (
            String::from_utf8(paid.body).unwrap(),
            "<paid order>".to_owned(),
        ),
        (
            format!(r#""userId":{user}"#),
            r#""userId":<user>"#.to_owned(),
        ),
    ];
    frames
        .into_iter()
        .map(|frame| {
            placeholders
                .iter()
                .fold(frame, |frame, (text, placeholder)| {
                    frame.replace(text, placeholder)
                })
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn both_twins_send_the_same_frames_for_the_same_sequence() {
    let kubernetes = spawn_realtime_postgres_twin().await;
    let serverless = spawn_realtime_lambda_twin().await;

    let (expected, actual) = (frames_of(&kubernetes).await, frames_of(&serverless).await);

    assert_eq!(expected.len(), actual.len());
    for (index, (kubernetes, serverless)) in expected.iter().zip(&actual).enumerate() {
        assert_eq!(kubernetes, serverless, "frame {index}");
    }
    // The placeholders stood in for real bytes: both twins sent the orders as the API returned them.
    assert!(
        expected
            .contains(&r#"{"type":"order","event":"created","order":<created order>}"#.to_owned())
    );
    assert!(
        expected.contains(
            &r#"{"type":"order","event":"status_changed","order":<paid order>}"#.to_owned()
        )
    );
}
