//! The deterministic data set both stores are seeded with: same ids, timestamps and checksum everywhere.
//!
//! `ChaCha8Rng` with a fixed seed (not `StdRng`, whose algorithm may change between releases) and a
//! fixed base instant make the set identical across runs, machines and stores.

use std::fmt::{self, Write};

use rand::seq::index::sample;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::clock::Timestamp;
use crate::idempotency::hex_sha256;
use crate::ids::{OrderId, Sku, UserId};
use crate::order::{Order, OrderItem, OrderStatus, Qty};
use crate::product::Product;
use crate::user::{Email, User, UserName};

pub const SEED: u64 = 0x7717_5EED;
/// 2026-01-01T00:00:00.000Z.
pub const BASE_MILLIS: i64 = 1_767_225_600_000;
pub const PRODUCTS: usize = 100;
pub const DEFAULT_USERS: u32 = 10_000;
pub const DEFAULT_ORDERS_PER_USER: u32 = 5;

/// Statuses cycle through this mix, order by order.
const STATUS_MIX: [OrderStatus; 5] = [
    OrderStatus::Paid,
    OrderStatus::Shipped,
    OrderStatus::Pending,
    OrderStatus::Cancelled,
    OrderStatus::Paid,
];
const FIRST_NAMES: [&str; 8] = [
    "Ada", "Grace", "Alan", "Barbara", "Edsger", "Frances", "Ken", "Radia",
];
const LAST_NAMES: [&str; 8] = [
    "Lovelace", "Hopper", "Turing", "Liskov", "Dijkstra", "Allen", "Thompson", "Perlman",
];
const ADJECTIVES: [&str; 5] = ["Basic", "Sturdy", "Compact", "Deluxe", "Smart"];
const NOUNS: [&str; 5] = ["Widget", "Gadget", "Sprocket", "Gizmo", "Doohickey"];
const MINUTE: i64 = 60_000;
const DAY: i64 = 24 * 60 * MINUTE;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DataSet {
    pub products: Vec<Product>,
    pub users: Vec<User>,
    pub orders: Vec<Order>,
}

impl DataSet {
    pub fn generate(users: u32, orders_per_user: u32) -> DataSet {
        let mut rng = ChaCha8Rng::seed_from_u64(SEED);
        let products: Vec<Product> = (1..=PRODUCTS)
            .map(|n| Product {
                sku: Sku::parse(&format!("PROD-{n:03}")).expect("well-formed sku"),
                name: format!(
                    "{} {} {n:03}",
                    ADJECTIVES[rng.random_range(0..ADJECTIVES.len())],
                    NOUNS[rng.random_range(0..NOUNS.len())]
                ),
                price_cents: rng.random_range(199..=49_999),
            })
            .collect();

        let mut all_users = Vec::with_capacity(users as usize);
        let mut all_orders = Vec::with_capacity(users as usize * orders_per_user as usize);
        for n in 1..=users {
            let created_at = Timestamp::from_millis(BASE_MILLIS + i64::from(n) * MINUTE);
            let first = FIRST_NAMES[rng.random_range(0..FIRST_NAMES.len())];
            let last = LAST_NAMES[rng.random_range(0..LAST_NAMES.len())];
            let user = User {
                id: UserId::new(i64::from(n)).expect("ids start at 1"),
                name: UserName::parse(&format!("{first} {last}")).expect("valid name"),
                email: Email::parse(&format!("{}.{}.{n}@example.com", first, last))
                    .expect("valid email"),
                created_at,
                updated_at: created_at,
            };
            for k in 0..orders_per_user {
                all_orders.push(order(&mut rng, &products, &user, k));
            }
            all_users.push(user);
        }
        all_orders.sort_by_key(|o| o.id);
        DataSet {
            products,
            users: all_users,
            orders: all_orders,
        }
    }

    /// Hex SHA-256 over one canonical line per record: products (by sku), users (by id) and
    /// orders (by id). Both stores read their data back and must print this same value.
    pub fn checksum(&self) -> String {
        let mut products: Vec<&Product> = self.products.iter().collect();
        products.sort_by(|a, b| a.sku.cmp(&b.sku));
        let mut users: Vec<&User> = self.users.iter().collect();
        users.sort_by_key(|u| u.id);
        let mut orders: Vec<&Order> = self.orders.iter().collect();
        orders.sort_by_key(|o| o.id);

        let mut text = String::new();
        for product in products {
            Line::new(&mut text, "product")
                .field(&product.sku)
                .field(&product.name)
                .field(product.price_cents);
        }
        for user in users {
            Line::new(&mut text, "user")
                .field(user.id)
                .field(user.name.as_str())
                .field(user.email.as_str())
                .field(user.created_at)
                .field(user.updated_at);
        }
        for order in orders {
            let mut line = Line::new(&mut text, "order")
                .field(order.id)
                .field(order.user_id)
                .field(order.items.len());
            for item in &order.items {
                line = line
                    .field(&item.sku)
                    .field(item.qty.get())
                    .field(item.unit_price_cents)
                    .field(item.line_total_cents);
            }
            line.field(order.total_cents)
                .field(order.status)
                .field(order.created_at)
                .field(order.updated_at);
        }
        hex_sha256(text.as_bytes())
    }
}

/// One record of the checksum's text, on a line of its own: its kind, then each field
/// length-prefixed (`5:hello`), so no value can run into the next.
struct Line<'a>(&'a mut String);

impl<'a> Line<'a> {
    fn new(text: &'a mut String, kind: &str) -> Self {
        text.push('\n');
        Line(text).field(kind)
    }

    fn field(self, value: impl fmt::Display) -> Self {
        let value = value.to_string();
        let _ = write!(self.0, "{}:{value}", value.len());
        self
    }
}

fn order(rng: &mut ChaCha8Rng, products: &[Product], user: &User, k: u32) -> Order {
    let created_at = user
        .created_at
        .plus_millis(rng.random_range(MINUTE..=300 * DAY));
    let lines = rng.random_range(1..=3);
    let items: Vec<OrderItem> = sample(rng, products.len(), lines)
        .into_iter()
        .map(|index| {
            let product = &products[index];
            let qty = Qty::new(rng.random_range(1..=5)).expect("1–5 is a valid qty");
            OrderItem {
                sku: product.sku.clone(),
                qty,
                unit_price_cents: product.price_cents,
                line_total_cents: product.price_cents * u64::from(qty.get()),
            }
        })
        .collect();
    let status = STATUS_MIX[k as usize % STATUS_MIX.len()];
    let updated_at = if status == OrderStatus::Pending {
        created_at
    } else {
        created_at.plus_millis(DAY)
    };
    Order {
        id: OrderId::from_parts(created_at, rng.random()),
        user_id: user.id,
        total_cents: items.iter().map(|i| i.line_total_cents).sum(),
        items,
        status,
        created_at,
        updated_at,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_data_set_is_deterministic() {
        let a = DataSet::generate(20, 3);
        let b = DataSet::generate(20, 3);
        assert_eq!(a, b);
        assert_eq!(a.checksum(), b.checksum());
        assert_eq!(a.users.len(), 20);
        assert_eq!(a.orders.len(), 60);
        assert_eq!(a.products.len(), PRODUCTS);
    }

    #[test]
    fn the_checksum_sees_every_change() {
        let a = DataSet::generate(5, 2);
        let mut b = a.clone();
        b.orders[0].status = if a.orders[0].status == OrderStatus::Shipped {
            OrderStatus::Paid
        } else {
            OrderStatus::Shipped
        };
        assert_ne!(a.checksum(), b.checksum());
    }

    #[test]
    fn the_checksum_does_not_depend_on_row_order() {
        let a = DataSet::generate(5, 2);
        let mut b = a.clone();
        b.orders.reverse();
        b.users.reverse();
        assert_eq!(a.checksum(), b.checksum());
    }
}
