//! Server frames on the wire, and the promise that no client input can make parsing panic.

use proptest::prelude::*;
use serde_json::json;
use twinstack_core::{Order, OrderId, OrderItem, OrderStatus, Qty, Sku, Timestamp, UserId};
use twinstack_http::dto::order::OrderBody;
use twinstack_realtime::{
    ClientFrame, ErrorCode, MAX_FRAME_BYTES, OrderEvent, OrderEventKind, ProtocolError, ServerFrame,
};

fn user(id: i64) -> UserId {
    UserId::new(id).unwrap()
}

fn order() -> Order {
    let at = Timestamp::from_millis(1_764_000_000_123);
    Order {
        id: OrderId::from_parts(at, 7),
        user_id: user(42),
        items: vec![OrderItem {
            sku: Sku::parse("PROD-001").unwrap(),
            qty: Qty::new(2).unwrap(),
            unit_price_cents: 1999,
            line_total_cents: 3998,
        }],
        total_cents: 3998,
        status: OrderStatus::Paid,
        created_at: at,
        updated_at: at.plus_millis(5),
    }
}

#[test]
fn replies_have_the_documented_shapes() {
    let frames = [
        (
            ServerFrame::Subscribed { user_id: user(42) },
            json!({"type": "subscribed", "userId": 42}),
        ),
        (
            ServerFrame::Unsubscribed { user_id: user(42) },
            json!({"type": "unsubscribed", "userId": 42}),
        ),
        (ServerFrame::Pong, json!({"type": "pong"})),
        (ServerFrame::Resync, json!({"type": "resync"})),
        (
            ProtocolError::user_not_found(user(9)).into(),
            json!({"type": "error", "error": {"code": "not_found", "message": "user 9 not found"}}),
        ),
    ];
    for (frame, expected) in frames {
        let text = frame.to_text();
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&text).unwrap(),
            expected,
            "{text}"
        );
    }
}

#[test]
fn an_order_event_embeds_the_http_order_body_byte_for_byte() {
    let http_body = serde_json::to_string(&OrderBody::from(order())).unwrap();
    for (kind, name) in [
        (OrderEventKind::Created, "created"),
        (OrderEventKind::StatusChanged, "status_changed"),
    ] {
        let text = ServerFrame::from(OrderEvent {
            kind,
            order: order(),
        })
        .to_text();
        assert_eq!(
            text,
            format!(r#"{{"type":"order","event":"{name}","order":{http_body}}}"#)
        );
        assert_eq!(OrderEventKind::parse(name), Some(kind));
    }
}

#[test]
fn every_error_code_has_its_contract_name() {
    let names: Vec<&str> = ErrorCode::ALL.iter().map(|code| code.as_str()).collect();
    assert_eq!(
        names,
        [
            "malformed_json",
            "validation_failed",
            "unknown_action",
            "not_found",
            "too_many_subscriptions",
            "message_too_large",
            "unavailable"
        ]
    );
    for code in ErrorCode::ALL {
        assert_eq!(serde_json::to_value(code).unwrap(), json!(code.as_str()));
    }
}

/// Frames that look almost right: the inputs most likely to reach deep into the parser.
fn near_frames() -> impl Strategy<Value = String> {
    let action = prop_oneof![
        Just(json!("subscribe")),
        Just(json!("unsubscribe")),
        Just(json!("ping")),
        any::<String>().prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        Just(serde_json::Value::Null),
    ];
    let user = prop_oneof![
        any::<i64>().prop_map(serde_json::Value::from),
        any::<u64>().prop_map(serde_json::Value::from),
        any::<f64>().prop_map(|f| serde_json::Number::from_f64(f)
            .map_or(serde_json::Value::Null, serde_json::Value::from)),
        any::<String>().prop_map(serde_json::Value::from),
        Just(json!([])),
    ];
    (
        action,
        proptest::option::of(user),
        proptest::option::of(any::<String>()),
    )
        .prop_map(|(action, user, extra)| {
            let mut frame = serde_json::Map::new();
            frame.insert("action".into(), action);
            if let Some(user) = user {
                frame.insert("userId".into(), user);
            }
            if let Some(extra) = extra {
                frame.insert(extra, json!(1));
            }
            serde_json::Value::Object(frame).to_string()
        })
}

proptest! {
    #[test]
    fn arbitrary_text_never_panics_and_errors_carry_a_message(text in any::<String>()) {
        if let Err(error) = ClientFrame::parse(&text) {
            prop_assert!(!error.message.is_empty());
        }
    }

    #[test]
    fn near_frames_parse_or_are_refused_with_a_contract_code(text in near_frames()) {
        match ClientFrame::parse(&text) {
            Ok(ClientFrame::Subscribe(user) | ClientFrame::Unsubscribe(user)) => prop_assert!(user.get() > 0),
            Ok(ClientFrame::Ping) => {}
            Err(error) => prop_assert!(
                matches!(error.code, ErrorCode::ValidationFailed | ErrorCode::UnknownAction),
                "{text}: {error:?}"
            ),
        }
    }

    #[test]
    fn anything_over_the_limit_is_too_large(extra in 1usize..1024, fill in any::<char>()) {
        let text: String = std::iter::repeat_n(fill, MAX_FRAME_BYTES + extra).collect();
        prop_assert_eq!(ClientFrame::parse(&text).unwrap_err().code, ErrorCode::MessageTooLarge);
    }
}
