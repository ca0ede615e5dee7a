//! The JSONB documents, in their own stored form: an order's lines (`orders.items`) and the order
//! an idempotency record replays (`idempotency_keys.response`). Their field names are the ones
//! already stored, and stay so whatever the API calls its fields: existing rows must keep reading.
//!
//! Reading checks each value as core's parsers do; a document they reject is corrupt.

use serde::{Deserialize, Serialize};
use twinstack_core::{
    Order, OrderId, OrderItem, OrderStatus, Qty, Sku, StoreError, Timestamp, UserId,
};

use crate::error::corrupt;

/// One element of `orders.items`.
#[derive(Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct StoredOrderItem {
    sku: String,
    qty: u32,
    #[serde(rename = "unitPriceCents")]
    unit_price_cents: u64,
    #[serde(rename = "lineTotalCents")]
    line_total_cents: u64,
}

impl From<&OrderItem> for StoredOrderItem {
    fn from(item: &OrderItem) -> Self {
        StoredOrderItem {
            sku: item.sku.to_string(),
            qty: item.qty.get(),
            unit_price_cents: item.unit_price_cents,
            line_total_cents: item.line_total_cents,
        }
    }
}

impl StoredOrderItem {
    pub(crate) fn into_item(self) -> Result<OrderItem, StoreError> {
        Ok(OrderItem {
            sku: Sku::parse(&self.sku).ok_or_else(|| corrupt(format!("sku {:?}", self.sku)))?,
            qty: Qty::new(self.qty)
                .ok_or_else(|| corrupt(format!("qty {} of {}", self.qty, self.sku)))?,
            unit_price_cents: self.unit_price_cents,
            line_total_cents: self.line_total_cents,
        })
    }
}

/// The lines of `order` as `orders.items` stores them.
pub(crate) fn stored_items(order: &Order) -> Vec<StoredOrderItem> {
    order.items.iter().map(StoredOrderItem::from).collect()
}

/// Lines read from `orders.items`.
pub(crate) fn order_items(stored: Vec<StoredOrderItem>) -> Result<Vec<OrderItem>, StoreError> {
    stored.into_iter().map(StoredOrderItem::into_item).collect()
}

/// `idempotency_keys.response`: the order as the first 201 returned it.
#[derive(Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct StoredOrder {
    id: String,
    #[serde(rename = "userId")]
    user_id: i64,
    items: Vec<StoredOrderItem>,
    #[serde(rename = "totalCents")]
    total_cents: u64,
    status: String,
    #[serde(rename = "createdAt")]
    created_at: String,
    #[serde(rename = "updatedAt")]
    updated_at: String,
}

impl From<&Order> for StoredOrder {
    fn from(order: &Order) -> Self {
        StoredOrder {
            id: order.id.to_string(),
            user_id: order.user_id.get(),
            items: stored_items(order),
            total_cents: order.total_cents,
            status: order.status.as_str().to_owned(),
            created_at: order.created_at.to_string(),
            updated_at: order.updated_at.to_string(),
        }
    }
}

impl StoredOrder {
    pub(crate) fn into_order(self) -> Result<Order, StoreError> {
        let id = OrderId::parse(&self.id)
            .ok_or_else(|| corrupt(format!("replayed order id {:?}", self.id)))?;
        let instant = |text: &str| {
            Timestamp::parse(text)
                .ok_or_else(|| corrupt(format!("time {text:?} of replayed order {id}")))
        };
        Ok(Order {
            id,
            user_id: UserId::new(self.user_id)
                .ok_or_else(|| corrupt(format!("user id of replayed order {id}")))?,
            total_cents: self.total_cents,
            status: OrderStatus::parse(&self.status).ok_or_else(|| {
                corrupt(format!("status of replayed order {id}: {:?}", self.status))
            })?,
            created_at: instant(&self.created_at)?,
            updated_at: instant(&self.updated_at)?,
            items: order_items(self.items)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// An order as the previous version stored it, in both documents.
    fn placed() -> Order {
        Order {
            id: OrderId::parse("01KHJM5T0D49SDFHRGYMMJBAW7").unwrap(),
            user_id: UserId::new(1).unwrap(),
            items: vec![
                OrderItem {
                    sku: Sku::parse("PROD-061").unwrap(),
                    qty: Qty::new(4).unwrap(),
                    unit_price_cents: 13_832,
                    line_total_cents: 55_328,
                },
                OrderItem {
                    sku: Sku::parse("PROD-057").unwrap(),
                    qty: Qty::new(4).unwrap(),
                    unit_price_cents: 9_145,
                    line_total_cents: 36_580,
                },
            ],
            total_cents: 91_908,
            status: OrderStatus::Paid,
            created_at: Timestamp::parse("2026-02-16T07:03:29.549Z").unwrap(),
            updated_at: Timestamp::parse("2026-02-17T07:03:29.549Z").unwrap(),
        }
    }

    fn items_document() -> serde_json::Value {
        json!([
            {"sku": "PROD-061", "qty": 4, "unitPriceCents": 13832, "lineTotalCents": 55328},
            {"sku": "PROD-057", "qty": 4, "unitPriceCents": 9145, "lineTotalCents": 36580}
        ])
    }

    fn response_document() -> serde_json::Value {
        json!({
            "id": "01KHJM5T0D49SDFHRGYMMJBAW7",
            "userId": 1,
            "items": items_document(),
            "totalCents": 91908,
            "status": "paid",
            "createdAt": "2026-02-16T07:03:29.549Z",
            "updatedAt": "2026-02-17T07:03:29.549Z"
        })
    }

    #[test]
    fn items_stored_by_the_previous_version_read_as_the_same_lines() {
        let stored: Vec<StoredOrderItem> = serde_json::from_value(items_document()).unwrap();

        assert_eq!(order_items(stored).unwrap(), placed().items);
    }

    #[test]
    fn a_response_stored_by_the_previous_version_reads_as_the_same_order() {
        let stored: StoredOrder = serde_json::from_value(response_document()).unwrap();

        assert_eq!(stored.into_order().unwrap(), placed());
    }

    #[test]
    fn both_documents_are_written_as_before() {
        let order = placed();

        assert_eq!(
            serde_json::to_value(stored_items(&order)).unwrap(),
            items_document()
        );
        assert_eq!(
            serde_json::to_value(StoredOrder::from(&order)).unwrap(),
            response_document()
        );
    }

    #[test]
    fn a_document_core_rejects_is_corrupt_not_a_panic() {
        let mut document = response_document();
        document["items"][1]["qty"] = json!(0);
        let stored: StoredOrder = serde_json::from_value(document).unwrap();

        let err = stored.into_order().unwrap_err();

        assert!(matches!(&err, StoreError::Internal(_)), "{err:?}");
        assert!(err.to_string().contains("qty 0 of PROD-057"), "{err}");
    }
}
