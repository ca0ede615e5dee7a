//! The table's keys: how each kind of item is addressed (see the crate docs' item table), and the
//! attribute names that expressions refer to.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;
use twinstack_core::{Email, IdempotencyKey, OrderId, Sku, UserId};

/// One item's attributes, as the SDK takes and returns them.
pub(crate) type Item = HashMap<String, AttributeValue>;

/// Partition and sort key attribute names; `table.json` declares the same (a test checks).
pub(crate) const PK: &str = "PK";
pub(crate) const SK: &str = "SK";

/// The sort key prefix of a user's orders in the user's partition.
pub(crate) const ORDER_PREFIX: &str = "ORDER#";
/// The sort key prefix of products in the catalogue partition.
pub(crate) const PRODUCT_PREFIX: &str = "PRODUCT#";
pub(crate) const USER_PREFIX: &str = "USER#";
const EMAIL_PREFIX: &str = "EMAIL#";
const IDEMPOTENCY_PREFIX: &str = "IDEMPOTENCY#";
pub(crate) const CATALOG: &str = "CATALOG";
pub(crate) const PROFILE: &str = "PROFILE";

/// Attribute names used in expressions. Most are also fields of the stored forms in
/// `crate::stored`, which is how whole items are written; a test checks that the written items
/// carry them.
pub(crate) mod attr {
    pub(crate) const NAME: &str = "name";
    pub(crate) const EMAIL: &str = "email";
    pub(crate) const UPDATED_AT: &str = "updatedAt";
    pub(crate) const STATUS: &str = "status";
    pub(crate) const USER_ID: &str = "userId";
    /// The number of orders a user has, kept by the order transaction; a delete requires 0.
    pub(crate) const ORDER_COUNT: &str = "orderCount";
    /// An idempotency record's expiry in epoch milliseconds: exact, unlike `ttl`.
    pub(crate) const EXPIRES_AT: &str = "expiresAt";
    /// DynamoDB's TTL attribute (epoch seconds); `table.json` names it (a test checks).
    pub(crate) const TTL: &str = "ttl";
    /// The user-id counter's last handed-out id.
    pub(crate) const VALUE: &str = "value";
}

/// The primary key of one item.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Key {
    pk: String,
    sk: String,
}

impl Key {
    fn new(pk: String, sk: &str) -> Key {
        Key {
            pk,
            sk: sk.to_owned(),
        }
    }

    pub(crate) fn user(id: UserId) -> Key {
        Key::new(user_partition(id), PROFILE)
    }

    pub(crate) fn order(user_id: UserId, id: OrderId) -> Key {
        Key {
            pk: user_partition(user_id),
            sk: format!("{ORDER_PREFIX}{id}"),
        }
    }

    /// `ORDER#<ULID>`: finds an order's user, and so its key, from the order id alone.
    pub(crate) fn order_pointer(id: OrderId) -> Key {
        Key::new(format!("{ORDER_PREFIX}{id}"), "ORDER")
    }

    /// The guard that makes an email unique: written only if absent.
    pub(crate) fn email(email: &Email) -> Key {
        Key::new(format!("{EMAIL_PREFIX}{}", email.as_str()), "EMAIL")
    }

    pub(crate) fn product(sku: &Sku) -> Key {
        Key {
            pk: CATALOG.to_owned(),
            sk: format!("{PRODUCT_PREFIX}{sku}"),
        }
    }

    pub(crate) fn idempotency(key: &IdempotencyKey) -> Key {
        Key::new(
            format!("{IDEMPOTENCY_PREFIX}{}", key.as_str()),
            "IDEMPOTENCY",
        )
    }

    pub(crate) fn user_id_counter() -> Key {
        Key::new("COUNTER".to_owned(), "USER_ID")
    }

    /// `{PK, SK}`: for GetItem and friends, and to complete an item.
    pub(crate) fn to_item(&self) -> Item {
        HashMap::from([
            (PK.to_owned(), AttributeValue::S(self.pk.clone())),
            (SK.to_owned(), AttributeValue::S(self.sk.clone())),
        ])
    }
}

/// `USER#<id>`: the partition holding a user's profile and orders.
pub(crate) fn user_partition(id: UserId) -> String {
    format!("{USER_PREFIX}{id}")
}

/// Where a page of `user_id`'s orders resumes after the cursor's order `after` (exclusive): that
/// order's own key, since a descending query continues with the next smaller sort key.
pub(crate) fn orders_start_key(user_id: UserId, after: OrderId) -> Item {
    Key::order(user_id, after).to_item()
}

pub(crate) fn s(value: impl Into<String>) -> AttributeValue {
    AttributeValue::S(value.into())
}

pub(crate) fn n(value: impl ToString) -> AttributeValue {
    AttributeValue::N(value.to_string())
}

#[cfg(test)]
mod tests {
    use twinstack_core::{Cursor, Timestamp};

    use super::*;

    fn order_id(millis: i64, random: u128) -> OrderId {
        OrderId::from_parts(Timestamp::from_millis(millis), random)
    }

    #[test]
    fn a_cursor_resumes_at_its_orders_key_in_its_users_partition() {
        let user = UserId::new(42).unwrap();
        let after = order_id(1_772_323_200_123, 7);
        let cursor = Cursor::decode(
            &Cursor {
                user_id: user,
                after,
            }
            .encode(),
            user,
        )
        .unwrap();

        let start = orders_start_key(cursor.user_id, cursor.after);

        assert_eq!(start.len(), 2);
        assert_eq!(start[PK], s("USER#42"));
        assert_eq!(start[SK], s(format!("ORDER#{after}")));
        assert_eq!(start, Key::order(user, after).to_item());
    }

    #[test]
    fn order_sort_keys_sort_like_order_ids_so_descending_is_newest_first() {
        let user = UserId::new(1).unwrap();
        let ids = [
            order_id(5, u128::MAX >> 48),
            order_id(1_000, 0),
            order_id(1_000, 1),
            order_id(1_000, 1 << 70),
            order_id(1_772_323_200_123, 3),
        ];
        let sort_key = |id: OrderId| match &Key::order(user, id).to_item()[SK] {
            AttributeValue::S(text) => text.clone(),
            other => panic!("{other:?}"),
        };

        for pair in ids.windows(2) {
            assert!(pair[0] < pair[1]);
            assert!(sort_key(pair[0]) < sort_key(pair[1]), "{pair:?}");
        }
    }

    #[test]
    fn every_kind_of_item_has_its_own_key_shape() {
        let user = UserId::new(3).unwrap();
        let order = order_id(10, 1);
        let keys = [
            Key::user(user),
            Key::order(user, order),
            Key::order_pointer(order),
            Key::email(&Email::parse("Ada@Example.com").unwrap()),
            Key::product(&Sku::parse("PROD-001").unwrap()),
            Key::idempotency(&IdempotencyKey::parse(b"k#1").unwrap()),
            Key::user_id_counter(),
        ];
        let shown: Vec<(String, String)> =
            keys.iter().map(|k| (k.pk.clone(), k.sk.clone())).collect();

        assert_eq!(
            shown,
            [
                ("USER#3", "PROFILE".to_owned()),
                ("USER#3", format!("ORDER#{order}")),
                (&*format!("ORDER#{order}"), "ORDER".to_owned()),
                ("EMAIL#ada@example.com", "EMAIL".to_owned()),
                ("CATALOG", "PRODUCT#PROD-001".to_owned()),
                ("IDEMPOTENCY#k#1", "IDEMPOTENCY".to_owned()),
                ("COUNTER", "USER_ID".to_owned()),
            ]
            .map(|(pk, sk)| (pk.to_owned(), sk))
        );
    }
}
