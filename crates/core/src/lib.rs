//! twinstack's domain, shared by both twins.
//!
//! Everything here is pure: parsed value types and their rules, pricing, the order status machine,
//! the summary aggregation, the cursor codec, idempotency rules, the deterministic seed data set,
//! and the storage port ([`Store`]) that the Postgres and DynamoDB adapters implement. No I/O
//! crates, and no wire or storage format: the HTTP layer and each store own theirs.

pub mod clock;
pub mod cursor;
pub mod error;
pub mod idempotency;
pub mod ids;
pub mod order;
pub mod product;
pub mod seed;
pub mod service;
pub mod store;
pub mod summary;
pub mod user;

pub use clock::{Clock, SystemClock, Timestamp};
pub use cursor::Cursor;
pub use error::{DomainError, Resource, UnknownReferences};
pub use idempotency::{IdempotencyKey, IdempotencyRecord};
pub use ids::{OrderId, Sku, UserId};
pub use order::{
    CreateOrder, ListOrders, Order, OrderItem, OrderItemRequest, OrderPage, OrderStatus, Qty,
};
pub use product::Product;
pub use service::Service;
pub use store::{CreateOrderOutcome, Store, StoreError};
pub use summary::{MonthlyTotal, Summary, TopProduct};
pub use user::{CreateUser, Email, NewUser, UpdateUser, User, UserName};
