//! The real-time checks: each function is one behaviour of `/api/ws` (Arrange / Act / Assert).
//! Order writes go through the HTTP API; their response bodies are what the events must carry.

use futures::future::join_all;
use serde_json::json;
use tokio_tungstenite::tungstenite::Message;

use super::RealtimeTwin;
use crate::client::order_body;
use crate::{Api, Reply};

/// The contract's limits.
const MAX_FRAME_BYTES: usize = 32 * 1024;
const MAX_SUBSCRIPTIONS: usize = 100;

/// A user of the check's own, so no other write reaches its followers.
async fn fresh_user(api: &Api) -> i64 {
    api.create_user("Live").await["id"].as_i64().expect("$.id")
}

/// Creates an order and returns the 201's body, byte for byte.
async fn create_order(api: &Api, user: i64) -> Reply {
    let reply = api
        .post(
            "/api/orders",
            &order_body(user, &[("PROD-002", 3), ("PROD-001", 1)]),
        )
        .await;
    reply.expect(201);
    reply
}

fn order_id(reply: &Reply) -> String {
    reply.json()["id"].as_str().expect("$.id").to_owned()
}

/// Moves an order to `status` and returns the 200's body.
async fn transition(api: &Api, id: &str, status: &str) -> Reply {
    let reply = api
        .patch(&format!("/api/orders/{id}"), &json!({"status": status}))
        .await;
    reply.expect(200);
    reply
}

pub async fn ping_is_answered_with_pong(twin: &RealtimeTwin) {
    let mut socket = twin.connect().await;

    socket.send(&json!({"action": "ping"})).await;

    socket.expect(json!({"type": "pong"})).await;
}

pub async fn subscribe_and_unsubscribe_are_acknowledged(twin: &RealtimeTwin) {
    let mut socket = twin.connect().await;

    socket.subscribe(1).await;
    socket.subscribe(1).await;
    socket.unsubscribe(1).await;
    // Unsubscribing from a user not followed is acknowledged alike.
    socket.unsubscribe(2).await;

    socket.expect_only_pong().await;
}

pub async fn unsubscribed_connections_hear_nothing_more(twin: &RealtimeTwin) {
    let user = fresh_user(&twin.api).await;
    let mut leaving = twin.connect().await;
    let mut staying = twin.connect().await;
    leaving.subscribe(user).await;
    staying.subscribe(user).await;

    leaving.unsubscribe(user).await;
    let order = create_order(&twin.api, user).await;

    // Once the staying subscriber has the event, it has been fanned out.
    staying.expect_order_text("created", &order.body).await;
    leaving.expect_only_pong().await;
}

pub async fn created_and_status_changed_arrive_once_in_commit_order(twin: &RealtimeTwin) {
    let user = fresh_user(&twin.api).await;
    let mut socket = twin.connect().await;
    socket.subscribe(user).await;

    let first = create_order(&twin.api, user).await;
    let paid = transition(&twin.api, &order_id(&first), "paid").await;
    let second = create_order(&twin.api, user).await;
    let shipped = transition(&twin.api, &order_id(&first), "shipped").await;
    let cancelled = transition(&twin.api, &order_id(&second), "cancelled").await;
    // A last write: anything delivered twice, or late, would arrive before its event.
    let marker = create_order(&twin.api, user).await;

    socket.expect_order_text("created", &first.body).await;
    socket.expect_order_text("status_changed", &paid.body).await;
    socket.expect_order_text("created", &second.body).await;
    socket
        .expect_order_text("status_changed", &shipped.body)
        .await;
    socket
        .expect_order_text("status_changed", &cancelled.body)
        .await;
    socket.expect_order_text("created", &marker.body).await;
    socket.expect_only_pong().await;
}

pub async fn the_order_is_byte_identical_to_the_http_api(twin: &RealtimeTwin) {
    let user = fresh_user(&twin.api).await;
    let mut socket = twin.connect().await;
    socket.subscribe(user).await;

    let created = create_order(&twin.api, user).await;
    let id = order_id(&created);
    let read = twin.api.get(&format!("/api/orders/{id}")).await;

    read.expect(200);
    socket.expect_order_text("created", &read.body).await;
}

pub async fn every_subscriber_of_a_user_receives_every_event(twin: &RealtimeTwin) {
    let user = fresh_user(&twin.api).await;
    let mut sockets = Vec::new();
    for _ in 0..3 {
        let mut socket = twin.connect().await;
        socket.subscribe(user).await;
        sockets.push(socket);
    }

    let order = create_order(&twin.api, user).await;
    let paid = transition(&twin.api, &order_id(&order), "paid").await;

    for socket in &mut sockets {
        socket.expect_order_text("created", &order.body).await;
        socket.expect_order_text("status_changed", &paid.body).await;
        socket.expect_only_pong().await;
    }
}

pub async fn a_connection_hears_only_the_users_it_follows(twin: &RealtimeTwin) {
    let (followed, other) = (fresh_user(&twin.api).await, fresh_user(&twin.api).await);
    let mut socket = twin.connect().await;
    socket.subscribe(followed).await;
    let mut witness = twin.connect().await;
    witness.subscribe(other).await;

    let unseen = create_order(&twin.api, other).await;
    witness.expect_order_text("created", &unseen.body).await;
    let seen = create_order(&twin.api, followed).await;

    socket.expect_order_text("created", &seen.body).await;
    socket.expect_only_pong().await;
}

pub async fn subscribing_to_a_missing_user_is_not_found(twin: &RealtimeTwin) {
    let mut socket = twin.connect().await;

    socket
        .send(&json!({"action": "subscribe", "userId": 999_999_999}))
        .await;

    let message = socket.expect_error("not_found").await;
    assert!(message.contains("999999999"), "{message}");
    socket.expect_only_pong().await;
}

pub async fn every_bad_frame_is_answered_and_the_connection_stays_open(twin: &RealtimeTwin) {
    let mut socket = twin.connect().await;
    let cases: [(Message, &str); 10] = [
        (Message::text("{"), "malformed_json"),
        (Message::text("not json"), "malformed_json"),
        (
            Message::binary(br#"{"action":"ping"}"#.to_vec()),
            "malformed_json",
        ),
        (Message::text("[1, 2]"), "validation_failed"),
        (
            Message::text(r#"{"action":"subscribe"}"#),
            "validation_failed",
        ),
        (
            Message::text(r#"{"action":"subscribe","userId":0}"#),
            "validation_failed",
        ),
        (
            Message::text(r#"{"action":"subscribe","userId":"42"}"#),
            "validation_failed",
        ),
        (
            Message::text(r#"{"action":"ping","extra":true}"#),
            "validation_failed",
        ),
        (Message::text(r#"{"action":"publish"}"#), "unknown_action"),
        (Message::text(r#"{"userId":42}"#), "unknown_action"),
    ];

    for (frame, code) in cases {
        let sent = format!("{frame:?}");
        socket.send_message(frame).await;
        let reply = socket.next_json().await;
        assert_eq!(reply["type"], "error", "{sent}: {reply}");
        assert_eq!(reply["error"]["code"], code, "{sent}: {reply}");
    }

    socket.expect_only_pong().await;
}

pub async fn frames_over_32_kib_are_too_large(twin: &RealtimeTwin) {
    let mut socket = twin.connect().await;
    let at_limit = format!("{:<MAX_FRAME_BYTES$}", r#"{"action":"ping"}"#);
    let over_limit = format!("{at_limit} ");

    socket.send_text(&at_limit).await;
    socket.expect(json!({"type": "pong"})).await;
    socket.send_text(&over_limit).await;
    socket.expect_error("message_too_large").await;
    socket
        .send_message(Message::binary(vec![b' '; MAX_FRAME_BYTES + 1]))
        .await;
    let code = socket.next_json().await["error"]["code"].clone();

    // A binary frame is refused either way: as binary, or as too large.
    assert!(
        code == "malformed_json" || code == "message_too_large",
        "{code}"
    );
    socket.expect_only_pong().await;
}

pub async fn more_than_100_subscriptions_are_refused(twin: &RealtimeTwin) {
    let users: Vec<i64> = join_all((0..=MAX_SUBSCRIPTIONS).map(|_| fresh_user(&twin.api))).await;
    let mut socket = twin.connect().await;
    for user in &users[..MAX_SUBSCRIPTIONS] {
        socket.subscribe(*user).await;
    }

    socket
        .send(&json!({"action": "subscribe", "userId": users[MAX_SUBSCRIPTIONS]}))
        .await;

    socket.expect_error("too_many_subscriptions").await;
    // A repeat of a followed user is not a new subscription; making room admits the refused one.
    socket.subscribe(users[0]).await;
    socket.unsubscribe(users[0]).await;
    socket.subscribe(users[MAX_SUBSCRIPTIONS]).await;
}
