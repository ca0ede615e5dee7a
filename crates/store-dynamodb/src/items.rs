//! Domain values to items and back, through `serde_dynamo` and each item's stored form (see
//! [`crate::stored`]), plus each item's key and the store's bookkeeping attributes.
//!
//! Reading back checks what core's parsers check (ids, skus, quantities, times); an item they
//! reject becomes `StoreError::Internal`, never a panic.

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_dynamo::aws_sdk_dynamodb_1::{from_item, to_item};
use twinstack_core::{
    Email, IdempotencyKey, IdempotencyRecord, Order, Product, StoreError, Timestamp, User, UserId,
};

use crate::error::corrupt;
use crate::keys::{Item, Key, attr, n};
use crate::stored::{StoredIdempotency, StoredOrder, StoredProduct, StoredUser};

/// `value` under `key`, with `extra` attributes.
fn item_of(
    value: &impl Serialize,
    key: Key,
    extra: impl IntoIterator<Item = (&'static str, aws_sdk_dynamodb::types::AttributeValue)>,
) -> Result<Item, StoreError> {
    let mut item: Item = to_item(value)
        .map_err(|err| StoreError::Internal(format!("serialising an item: {err}").into()))?;
    item.extend(key.to_item());
    item.extend(
        extra
            .into_iter()
            .map(|(name, value)| (name.to_owned(), value)),
    );
    Ok(item)
}

/// Reads an item's attributes as `S`; `what` names it in the error.
pub(crate) fn attributes<S: DeserializeOwned>(item: Item, what: &str) -> Result<S, StoreError> {
    from_item(item).map_err(|err| corrupt(format_args!("{what}: {err}")))
}

/// Reads an item as its stored form `S`, then checks it into `T`; `what` names it in the error.
pub(crate) fn read<S, T>(item: Item, what: &str) -> Result<T, StoreError>
where
    S: DeserializeOwned + TryInto<T, Error = String>,
{
    attributes::<S>(item, what)?
        .try_into()
        .map_err(|why| corrupt(format_args!("{what}: {why}")))
}

pub(crate) fn read_user(item: Item) -> Result<User, StoreError> {
    read::<StoredUser, _>(item, "user")
}

pub(crate) fn read_order(item: Item) -> Result<Order, StoreError> {
    read::<StoredOrder, _>(item, "order")
}

/// An order item as a DynamoDB stream record's `NewImage` carries it (Lambda's event types hold
/// images as `serde_dynamo` items), read through the same stored form as the store's own reads.
pub fn order_from_stream_image(image: serde_dynamo::Item) -> Result<Order, StoreError> {
    serde_dynamo::from_item::<_, StoredOrder>(image)
        .map_err(|err| corrupt(format_args!("order image: {err}")))?
        .try_into()
        .map_err(|why| corrupt(format_args!("order image: {why}")))
}

pub(crate) fn read_product(item: Item) -> Result<Product, StoreError> {
    read::<StoredProduct, _>(item, "product")
}

pub(crate) fn user(user: &User, order_count: u64) -> Result<Item, StoreError> {
    item_of(
        &StoredUser::from(user),
        Key::user(user.id),
        [(attr::ORDER_COUNT, n(order_count))],
    )
}

pub(crate) fn order(order: &Order) -> Result<Item, StoreError> {
    item_of(
        &StoredOrder::from(order),
        Key::order(order.user_id, order.id),
        [],
    )
}

pub(crate) fn product(product: &Product) -> Result<Item, StoreError> {
    item_of(
        &StoredProduct::from(product),
        Key::product(&product.sku),
        [],
    )
}

/// The pointer from an order id to its user's partition.
pub(crate) fn order_pointer(order: &Order) -> Item {
    let mut item = Key::order_pointer(order.id).to_item();
    item.insert(attr::USER_ID.to_owned(), n(order.user_id));
    item
}

/// The guard that holds `email` for `user_id`.
pub(crate) fn email_guard(email: &Email, user_id: UserId) -> Item {
    let mut item = Key::email(email).to_item();
    item.insert(attr::USER_ID.to_owned(), n(user_id));
    item
}

/// The counter whose next `ADD 1` hands out `last + 1`.
pub(crate) fn user_id_counter(last: i64) -> Item {
    let mut item = Key::user_id_counter().to_item();
    item.insert(attr::VALUE.to_owned(), n(last));
    item
}

pub(crate) fn idempotency_record(record: &IdempotencyRecord) -> Result<Item, StoreError> {
    let expires_at = record.expires_at.as_millis();
    let attributes = StoredIdempotency {
        fingerprint: record.fingerprint.clone(),
        order: StoredOrder::from(&record.order),
        expires_at,
    };
    // Whole seconds, rounded up: TTL must never delete a record before it expires.
    let ttl = expires_at.div_euclid(1000) + i64::from(expires_at.rem_euclid(1000) != 0);
    item_of(
        &attributes,
        Key::idempotency(&record.key),
        [(attr::TTL, n(ttl))],
    )
}

/// The record stored under `key`, as stored: the caller judges whether it is live.
pub(crate) fn read_idempotency_record(
    key: &IdempotencyKey,
    item: Item,
) -> Result<IdempotencyRecord, StoreError> {
    let what = "idempotency record";
    let stored: StoredIdempotency = attributes(item, what)?;
    Ok(IdempotencyRecord {
        key: key.clone(),
        fingerprint: stored.fingerprint,
        order: Order::try_from(stored.order)
            .map_err(|why| corrupt(format_args!("{what}: {why}")))?,
        expires_at: Timestamp::from_millis(stored.expires_at),
    })
}

#[cfg(test)]
mod tests {
    use aws_sdk_dynamodb::types::AttributeValue;
    use twinstack_core::idempotency::RETENTION_MILLIS;
    use twinstack_core::{OrderId, OrderItem, OrderStatus, Qty, Sku, UserName};

    use super::*;
    use crate::keys::{PK, SK, s};

    fn ada() -> User {
        let at = Timestamp::from_millis(1_772_323_200_123);
        User {
            id: UserId::new(7).unwrap(),
            name: UserName::parse("Ada Lovelace").unwrap(),
            email: Email::parse("ada@example.com").unwrap(),
            created_at: at,
            updated_at: at,
        }
    }

    fn placed() -> Order {
        let at = Timestamp::from_millis(1_772_323_200_123);
        Order {
            id: OrderId::from_parts(at, 9),
            user_id: UserId::new(7).unwrap(),
            items: vec![OrderItem {
                sku: Sku::parse("PROD-001").unwrap(),
                qty: Qty::new(2).unwrap(),
                unit_price_cents: 250,
                line_total_cents: 500,
            }],
            total_cents: 500,
            status: OrderStatus::Pending,
            created_at: at,
            updated_at: at,
        }
    }

    #[test]
    fn a_user_item_carries_the_attributes_expressions_name() {
        let item = user(&ada(), 3).unwrap();

        assert_eq!(item[PK], s("USER#7"));
        assert_eq!(item[SK], s("PROFILE"));
        assert_eq!(item[attr::NAME], s("Ada Lovelace"));
        assert_eq!(item[attr::EMAIL], s("ada@example.com"));
        assert_eq!(item[attr::UPDATED_AT], s("2026-03-01T00:00:00.123Z"));
        assert_eq!(item[attr::ORDER_COUNT], n(3));
        assert_eq!(item["id"], n(7));
        assert_eq!(read_user(item).unwrap(), ada());
    }

    #[test]
    fn an_order_item_round_trips_with_its_lines_as_a_list() {
        let order = placed();
        let item = super::order(&order).unwrap();

        assert_eq!(item[PK], s("USER#7"));
        assert_eq!(item[SK], s(format!("ORDER#{}", order.id)));
        assert_eq!(item[attr::STATUS], s("pending"));
        assert_eq!(item[attr::USER_ID], n(7));
        assert!(matches!(&item["items"], AttributeValue::L(lines) if lines.len() == 1));
        assert_eq!(read_order(item).unwrap(), order);
    }

    #[test]
    fn an_idempotency_record_round_trips_and_expires_by_ttl_no_earlier_than_expires_at() {
        let order = placed();
        let record = IdempotencyRecord {
            key: IdempotencyKey::parse(b"k-1").unwrap(),
            fingerprint: "f".into(),
            expires_at: order.created_at.plus_millis(RETENTION_MILLIS),
            order,
        };

        let item = idempotency_record(&record).unwrap();

        assert_eq!(item[PK], s("IDEMPOTENCY#k-1"));
        assert_eq!(item[attr::EXPIRES_AT], n(record.expires_at.as_millis()));
        assert_eq!(
            item[attr::TTL],
            n(record.expires_at.as_millis() / 1000 + 1),
            "123 ms past a second rounds up"
        );
        assert_eq!(read_idempotency_record(&record.key, item).unwrap(), record);
    }

    #[test]
    fn an_item_core_rejects_is_corrupt_not_a_panic() {
        let mut item = super::order(&placed()).unwrap();
        item.insert("status".into(), s("lost"));

        let err = read_order(item).unwrap_err();

        assert!(matches!(&err, StoreError::Internal(_)), "{err:?}");
        assert!(err.to_string().contains("corrupt item: order"), "{err}");
    }
}
