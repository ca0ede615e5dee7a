//! Builders for the values the cases store.

use twinstack_core::idempotency::RETENTION_MILLIS;
use twinstack_core::{
    Email, IdempotencyKey, IdempotencyRecord, NewUser, Order, OrderId, OrderItem, OrderStatus, Qty,
    Sku, Timestamp, UserId, UserName,
};

/// 2100-03-01T00:00:00.000Z plus a little: not on a second boundary, so lost milliseconds show.
/// In the future because DynamoDB Local's TTL sweeper really deletes items whose `ttl` has passed:
/// a past instant made idempotency records vanish mid-test.
const T0: i64 = 4_107_542_400_123;

pub fn at(offset_millis: i64) -> Timestamp {
    Timestamp::from_millis(T0 + offset_millis)
}

pub fn new_user(email: &str) -> NewUser {
    NewUser {
        name: UserName::parse("Ada Lovelace").unwrap(),
        email: Email::parse(email).unwrap(),
        created_at: at(0),
    }
}

/// A pending one-line order created at `at(offset_millis)`.
pub fn order(user_id: UserId, offset_millis: i64, random: u128) -> Order {
    let created_at = at(offset_millis);
    let item = OrderItem {
        sku: Sku::parse("PROD-001").unwrap(),
        qty: Qty::new(2).unwrap(),
        unit_price_cents: 250,
        line_total_cents: 500,
    };
    Order {
        id: OrderId::from_parts(created_at, random),
        user_id,
        items: vec![item],
        total_cents: 500,
        status: OrderStatus::Pending,
        created_at,
        updated_at: created_at,
    }
}

/// The record a create of `order` under `key` keeps for the idempotency retention period.
pub fn record(key: &str, fingerprint: &str, order: &Order) -> IdempotencyRecord {
    IdempotencyRecord {
        key: IdempotencyKey::parse(key.as_bytes()).unwrap(),
        fingerprint: fingerprint.into(),
        order: order.clone(),
        expires_at: order.created_at.plus_millis(RETENTION_MILLIS),
    }
}
