//! Each item's attributes in their own stored form, converted to and from core's types explicitly.
//! The attribute names are the ones already stored, and stay so whatever the API calls its fields:
//! existing tables must keep reading. `keys::attr` names those that expressions refer to.
//!
//! Reading checks each value as core's parsers do; an attribute they reject is corrupt.

use serde::{Deserialize, Serialize};
use twinstack_core::{
    Email, Order, OrderId, OrderItem, OrderStatus, Product, Qty, Sku, Timestamp, User, UserId,
    UserName,
};

/// A user's profile, besides `orderCount`, which the order transaction keeps.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct StoredUser {
    id: i64,
    name: String,
    email: String,
    created_at: String,
    updated_at: String,
}

impl From<&User> for StoredUser {
    fn from(user: &User) -> Self {
        StoredUser {
            id: user.id.get(),
            name: user.name.as_str().to_owned(),
            email: user.email.as_str().to_owned(),
            created_at: user.created_at.to_string(),
            updated_at: user.updated_at.to_string(),
        }
    }
}

impl TryFrom<StoredUser> for User {
    type Error = String;

    fn try_from(stored: StoredUser) -> Result<Self, String> {
        let id = user_id(stored.id)?;
        Ok(User {
            id,
            name: UserName::parse(&stored.name).map_err(|why| format!("name of {id}: {why}"))?,
            email: Email::parse(&stored.email).map_err(|why| format!("email of {id}: {why}"))?,
            created_at: instant(&stored.created_at)?,
            updated_at: instant(&stored.updated_at)?,
        })
    }
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct StoredProduct {
    sku: String,
    name: String,
    price_cents: u64,
}

impl From<&Product> for StoredProduct {
    fn from(product: &Product) -> Self {
        StoredProduct {
            sku: product.sku.to_string(),
            name: product.name.clone(),
            price_cents: product.price_cents,
        }
    }
}

impl TryFrom<StoredProduct> for Product {
    type Error = String;

    fn try_from(stored: StoredProduct) -> Result<Self, String> {
        Ok(Product {
            sku: sku(&stored.sku)?,
            name: stored.name,
            price_cents: stored.price_cents,
        })
    }
}

/// An order, in its user's partition; also the replayed order inside an idempotency record.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct StoredOrder {
    id: String,
    user_id: i64,
    /// A list of maps.
    items: Vec<StoredOrderLine>,
    total_cents: u64,
    status: String,
    created_at: String,
    updated_at: String,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct StoredOrderLine {
    sku: String,
    qty: u32,
    unit_price_cents: u64,
    line_total_cents: u64,
}

impl From<&Order> for StoredOrder {
    fn from(order: &Order) -> Self {
        StoredOrder {
            id: order.id.to_string(),
            user_id: order.user_id.get(),
            items: order
                .items
                .iter()
                .map(|item| StoredOrderLine {
                    sku: item.sku.to_string(),
                    qty: item.qty.get(),
                    unit_price_cents: item.unit_price_cents,
                    line_total_cents: item.line_total_cents,
                })
                .collect(),
            total_cents: order.total_cents,
            status: order.status.as_str().to_owned(),
            created_at: order.created_at.to_string(),
            updated_at: order.updated_at.to_string(),
        }
    }
}

impl TryFrom<StoredOrder> for Order {
    type Error = String;

    fn try_from(stored: StoredOrder) -> Result<Self, String> {
        let id = OrderId::parse(&stored.id).ok_or_else(|| format!("order id {:?}", stored.id))?;
        let items = stored
            .items
            .into_iter()
            .map(|line| {
                Ok(OrderItem {
                    qty: Qty::new(line.qty)
                        .ok_or_else(|| format!("qty {} of {} in {id}", line.qty, line.sku))?,
                    sku: sku(&line.sku)?,
                    unit_price_cents: line.unit_price_cents,
                    line_total_cents: line.line_total_cents,
                })
            })
            .collect::<Result<_, String>>()?;
        Ok(Order {
            id,
            user_id: user_id(stored.user_id)?,
            items,
            total_cents: stored.total_cents,
            status: OrderStatus::parse(&stored.status)
                .ok_or_else(|| format!("status of {id}: {:?}", stored.status))?,
            created_at: instant(&stored.created_at)?,
            updated_at: instant(&stored.updated_at)?,
        })
    }
}

/// An idempotency record's attributes besides its key, which the item's key carries, and the
/// TTL attribute, which is DynamoDB's business.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct StoredIdempotency {
    pub(crate) fingerprint: String,
    /// The order exactly as the first 201 returned it.
    pub(crate) order: StoredOrder,
    /// Epoch milliseconds.
    pub(crate) expires_at: i64,
}

/// An order pointer's attributes besides its key: the user whose partition holds the order.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct StoredPointer {
    user_id: i64,
}

impl TryFrom<StoredPointer> for UserId {
    type Error = String;

    fn try_from(pointer: StoredPointer) -> Result<Self, String> {
        user_id(pointer.user_id)
    }
}

fn user_id(value: i64) -> Result<UserId, String> {
    UserId::new(value).ok_or_else(|| format!("user id {value}"))
}

fn sku(text: &str) -> Result<Sku, String> {
    Sku::parse(text).ok_or_else(|| format!("sku {text:?}"))
}

fn instant(text: &str) -> Result<Timestamp, String> {
    Timestamp::parse(text).ok_or_else(|| format!("time {text:?}"))
}

#[cfg(test)]
mod tests {
    use aws_sdk_dynamodb::types::AttributeValue;
    use twinstack_core::IdempotencyKey;

    use super::*;
    use crate::items;
    use crate::keys::{Item, n, s};

    /// An item as the previous version wrote it: its attributes as DynamoDB returns them.
    fn item<const N: usize>(attributes: [(&str, AttributeValue); N]) -> Item {
        attributes
            .into_iter()
            .map(|(name, value)| (name.to_owned(), value))
            .collect()
    }

    fn map<const N: usize>(attributes: [(&str, AttributeValue); N]) -> AttributeValue {
        AttributeValue::M(item(attributes))
    }

    fn stored_order() -> [(&'static str, AttributeValue); 7] {
        [
            ("id", s("01KHJM5T0D49SDFHRGYMMJBAW7")),
            ("userId", n(1)),
            (
                "items",
                AttributeValue::L(vec![
                    map([
                        ("sku", s("PROD-061")),
                        ("qty", n(4)),
                        ("unitPriceCents", n(13_832)),
                        ("lineTotalCents", n(55_328)),
                    ]),
                    map([
                        ("sku", s("PROD-057")),
                        ("qty", n(4)),
                        ("unitPriceCents", n(9_145)),
                        ("lineTotalCents", n(36_580)),
                    ]),
                ]),
            ),
            ("totalCents", n(91_908)),
            ("status", s("paid")),
            ("createdAt", s("2026-02-16T07:03:29.549Z")),
            ("updatedAt", s("2026-02-17T07:03:29.549Z")),
        ]
    }

    fn placed() -> Order {
        let line = |sku: &str, unit: u64| OrderItem {
            sku: Sku::parse(sku).unwrap(),
            qty: Qty::new(4).unwrap(),
            unit_price_cents: unit,
            line_total_cents: unit * 4,
        };
        Order {
            id: OrderId::parse("01KHJM5T0D49SDFHRGYMMJBAW7").unwrap(),
            user_id: UserId::new(1).unwrap(),
            items: vec![line("PROD-061", 13_832), line("PROD-057", 9_145)],
            total_cents: 91_908,
            status: OrderStatus::Paid,
            created_at: Timestamp::parse("2026-02-16T07:03:29.549Z").unwrap(),
            updated_at: Timestamp::parse("2026-02-17T07:03:29.549Z").unwrap(),
        }
    }

    #[test]
    fn an_order_item_of_the_previous_version_reads_as_the_same_order() {
        let mut stored = item(stored_order());
        stored.extend(item([
            ("PK", s("USER#1")),
            ("SK", s("ORDER#01KHJM5T0D49SDFHRGYMMJBAW7")),
        ]));

        assert_eq!(items::read_order(stored.clone()).unwrap(), placed());
        assert_eq!(items::order(&placed()).unwrap(), stored);
    }

    #[test]
    fn an_order_in_a_stream_image_reads_as_the_same_order() {
        let mut stored = item(stored_order());
        stored.extend(item([
            ("PK", s("USER#1")),
            ("SK", s("ORDER#01KHJM5T0D49SDFHRGYMMJBAW7")),
        ]));

        let image = serde_dynamo::Item::from(stored);

        assert_eq!(items::order_from_stream_image(image).unwrap(), placed());
    }

    #[test]
    fn a_user_item_of_the_previous_version_reads_as_the_same_user() {
        let stored = item([
            ("PK", s("USER#1")),
            ("SK", s("PROFILE")),
            ("id", n(1)),
            ("name", s("Ken Lovelace")),
            ("email", s("ken.lovelace.1@example.com")),
            ("createdAt", s("2026-01-01T00:01:00.000Z")),
            ("updatedAt", s("2026-01-01T00:01:00.000Z")),
            ("orderCount", n(5)),
        ]);
        let at = Timestamp::parse("2026-01-01T00:01:00.000Z").unwrap();
        let user = User {
            id: UserId::new(1).unwrap(),
            name: UserName::parse("Ken Lovelace").unwrap(),
            email: Email::parse("ken.lovelace.1@example.com").unwrap(),
            created_at: at,
            updated_at: at,
        };

        assert_eq!(items::read_user(stored.clone()).unwrap(), user);
        assert_eq!(items::user(&user, 5).unwrap(), stored);
    }

    #[test]
    fn a_product_item_of_the_previous_version_reads_as_the_same_product() {
        let stored = item([
            ("PK", s("CATALOG")),
            ("SK", s("PRODUCT#PROD-001")),
            ("sku", s("PROD-001")),
            ("name", s("Compact Gizmo 001")),
            ("priceCents", n(37_891)),
        ]);
        let product = Product {
            sku: Sku::parse("PROD-001").unwrap(),
            name: "Compact Gizmo 001".into(),
            price_cents: 37_891,
        };

        assert_eq!(items::read_product(stored.clone()).unwrap(), product);
        assert_eq!(items::product(&product).unwrap(), stored);
    }

    #[test]
    fn an_idempotency_item_of_the_previous_version_reads_as_the_same_record() {
        let expires_at = 1_771_312_009_549_i64;
        let stored = item([
            ("PK", s("IDEMPOTENCY#k-1")),
            ("SK", s("IDEMPOTENCY")),
            ("fingerprint", s("f")),
            ("order", map(stored_order())),
            ("expiresAt", n(expires_at)),
            ("ttl", n(expires_at / 1000 + 1)),
        ]);
        let record = twinstack_core::IdempotencyRecord {
            key: IdempotencyKey::parse(b"k-1").unwrap(),
            fingerprint: "f".into(),
            order: placed(),
            expires_at: Timestamp::from_millis(expires_at),
        };

        assert_eq!(
            items::read_idempotency_record(&record.key, stored.clone()).unwrap(),
            record
        );
        assert_eq!(items::idempotency_record(&record).unwrap(), stored);
    }
}
