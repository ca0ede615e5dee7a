//! twinstack's domain, shared by both twins.
//!
//! Everything here is pure: parsed value types, validation, pricing, the order status machine, the
//! summary aggregation, the cursor codec, idempotency rules, the deterministic seed data set, and the
//! storage port ([`Store`]) that the Postgres and DynamoDB adapters implement. No I/O crates.

pub mod clock;
pub mod cursor;
pub mod error;
pub mod idempotency;
pub mod ids;
pub mod order;
pub mod path;
pub mod product;
pub mod seed;
pub mod service;
pub mod store;
pub mod summary;
pub mod user;
pub mod validate;

pub use clock::{Clock, SystemClock, Timestamp};
pub use cursor::Cursor;
pub use error::{DomainError, FieldError, Resource};
pub use idempotency::{IdempotencyKey, IdempotencyRecord};
pub use ids::{OrderId, Sku, UserId};
pub use order::{CreateOrder, Order, OrderItem, OrderItemRequest, OrderPage, OrderStatus, Qty};
pub use product::Product;
pub use service::Service;
pub use store::{CreateOrderOutcome, Store, StoreError};
pub use summary::{MonthlyTotal, Summary, TopProduct};
pub use user::{CreateUser, Email, NewUser, UpdateUser, User, UserName};
