//! Orders: the status machine and pricing from the catalogue.

use std::fmt;

use crate::clock::Timestamp;
use crate::cursor::Cursor;
use crate::ids::{OrderId, Sku, UserId};
use crate::product::Product;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OrderStatus {
    Pending,
    Paid,
    Shipped,
    Cancelled,
}

impl OrderStatus {
    pub const ALL: [OrderStatus; 4] = [
        OrderStatus::Pending,
        OrderStatus::Paid,
        OrderStatus::Shipped,
        OrderStatus::Cancelled,
    ];

    /// The allowed moves: pending→paid, pending→cancelled, paid→shipped, paid→cancelled.
    pub fn can_become(self, next: OrderStatus) -> bool {
        use OrderStatus::*;
        matches!(
            (self, next),
            (Pending, Paid) | (Pending, Cancelled) | (Paid, Shipped) | (Paid, Cancelled)
        )
    }

    pub fn as_str(self) -> &'static str {
        match self {
            OrderStatus::Pending => "pending",
            OrderStatus::Paid => "paid",
            OrderStatus::Shipped => "shipped",
            OrderStatus::Cancelled => "cancelled",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        OrderStatus::ALL
            .into_iter()
            .find(|status| status.as_str() == text)
    }
}

impl fmt::Display for OrderStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A line quantity, 1–1000.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Qty(u32);

impl Qty {
    pub const MAX: u32 = 1000;

    pub fn new(value: u32) -> Option<Self> {
        (1..=Self::MAX).contains(&value).then_some(Qty(value))
    }

    pub fn get(self) -> u32 {
        self.0
    }
}

/// One requested line: a known-good sku and quantity, not yet priced.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrderItemRequest {
    pub sku: Sku,
    pub qty: Qty,
}

/// `POST /api/orders`, validated: 1–50 lines with unique skus, in the request's order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CreateOrder {
    pub user_id: UserId,
    pub items: Vec<OrderItemRequest>,
}

impl CreateOrder {
    pub const MAX_ITEMS: usize = 50;
}

/// A page request for one user's orders, newest first: at most `limit`, strictly older than `after`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ListOrders {
    pub user_id: UserId,
    pub limit: usize,
    pub after: Option<OrderId>,
}

impl ListOrders {
    pub const DEFAULT_LIMIT: usize = 20;
    pub const MAX_LIMIT: usize = 100;
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrderItem {
    pub sku: Sku,
    pub qty: Qty,
    pub unit_price_cents: u64,
    pub line_total_cents: u64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Order {
    pub id: OrderId,
    pub user_id: UserId,
    pub items: Vec<OrderItem>,
    pub total_cents: u64,
    pub status: OrderStatus,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl Order {
    /// Prices `request` from `catalogue` (which must hold every requested sku) as a new pending order.
    /// Returns the skus missing from the catalogue, with their line index, if any are.
    pub fn price(
        id: OrderId,
        request: &CreateOrder,
        catalogue: &[Product],
        created_at: Timestamp,
    ) -> Result<Order, Vec<(usize, Sku)>> {
        let mut missing = Vec::new();
        let mut items = Vec::with_capacity(request.items.len());
        for (index, line) in request.items.iter().enumerate() {
            match catalogue.iter().find(|product| product.sku == line.sku) {
                Some(product) => items.push(OrderItem {
                    sku: line.sku.clone(),
                    qty: line.qty,
                    unit_price_cents: product.price_cents,
                    line_total_cents: product
                        .price_cents
                        .saturating_mul(u64::from(line.qty.get())),
                }),
                None => missing.push((index, line.sku.clone())),
            }
        }
        if !missing.is_empty() {
            return Err(missing);
        }
        let total_cents = items
            .iter()
            .fold(0u64, |sum, item| sum.saturating_add(item.line_total_cents));
        Ok(Order {
            id,
            user_id: request.user_id,
            items,
            total_cents,
            status: OrderStatus::Pending,
            created_at,
            updated_at: created_at,
        })
    }
}

/// One page of a user's orders, newest first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrderPage {
    pub items: Vec<Order>,
    /// `None` on the last page.
    pub next_cursor: Option<String>,
}

impl OrderPage {
    /// Builds a page from up to `limit + 1` orders fetched newest first: the extra one only says
    /// that another page exists.
    pub fn from_fetched(user_id: UserId, mut fetched: Vec<Order>, limit: usize) -> Self {
        let has_more = fetched.len() > limit;
        fetched.truncate(limit);
        let next_cursor = has_more
            .then(|| {
                fetched.last().map(|last| {
                    Cursor {
                        user_id,
                        after: last.id,
                    }
                    .encode()
                })
            })
            .flatten();
        OrderPage {
            items: fetched,
            next_cursor,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_four_documented_transitions_are_allowed() {
        use OrderStatus::*;
        let allowed: Vec<_> = OrderStatus::ALL
            .into_iter()
            .flat_map(|from| OrderStatus::ALL.into_iter().map(move |to| (from, to)))
            .filter(|(from, to)| from.can_become(*to))
            .collect();
        assert_eq!(
            allowed,
            vec![
                (Pending, Paid),
                (Pending, Cancelled),
                (Paid, Shipped),
                (Paid, Cancelled)
            ]
        );
    }

    #[test]
    fn pricing_multiplies_catalogue_prices_and_keeps_line_order() {
        let catalogue = vec![
            Product {
                sku: Sku::parse("A").unwrap(),
                name: "a".into(),
                price_cents: 250,
            },
            Product {
                sku: Sku::parse("B").unwrap(),
                name: "b".into(),
                price_cents: 1_000,
            },
        ];
        let request = CreateOrder {
            user_id: UserId::new(1).unwrap(),
            items: vec![
                OrderItemRequest {
                    sku: Sku::parse("B").unwrap(),
                    qty: Qty::new(3).unwrap(),
                },
                OrderItemRequest {
                    sku: Sku::parse("A").unwrap(),
                    qty: Qty::new(2).unwrap(),
                },
            ],
        };
        let at = Timestamp::from_millis(0);
        let order = Order::price(OrderId::from_parts(at, 1), &request, &catalogue, at).unwrap();
        assert_eq!(order.items[0].line_total_cents, 3_000);
        assert_eq!(order.items[1].line_total_cents, 500);
        assert_eq!(order.total_cents, 3_500);
        assert_eq!(order.status, OrderStatus::Pending);
    }

    #[test]
    fn pricing_reports_every_unknown_sku_with_its_line() {
        let request = CreateOrder {
            user_id: UserId::new(1).unwrap(),
            items: vec![OrderItemRequest {
                sku: Sku::parse("X").unwrap(),
                qty: Qty::new(1).unwrap(),
            }],
        };
        let at = Timestamp::from_millis(0);
        let missing = Order::price(OrderId::from_parts(at, 1), &request, &[], at).unwrap_err();
        assert_eq!(missing, vec![(0, Sku::parse("X").unwrap())]);
    }
}
