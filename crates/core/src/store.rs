//! The storage port. Core owns it; the Postgres and DynamoDB adapters implement it.

use std::future::Future;

use crate::clock::Timestamp;
use crate::idempotency::{IdempotencyKey, IdempotencyRecord};
use crate::ids::{OrderId, Sku, UserId};
use crate::order::{Order, OrderStatus};
use crate::product::Product;
use crate::user::{NewUser, UpdateUser, User};

pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// What a store can report besides success. Adapters map their own errors (named constraints,
/// failed conditions) onto these, and everything transient onto `Unavailable`.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("email already taken")]
    EmailTaken,
    #[error("user not found")]
    UserNotFound,
    #[error("user has orders")]
    UserHasOrders,
    /// Unreachable, throttled after retries, or timed out: the caller may retry.
    #[error("store unavailable: {0}")]
    Unavailable(#[source] BoxError),
    /// Anything else: a bug or a broken invariant.
    #[error("store failure: {0}")]
    Internal(#[source] BoxError),
}

/// How a create under an idempotency key ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CreateOrderOutcome {
    Created,
    /// Another request holds the key (it committed first); nothing was stored.
    KeyTaken(IdempotencyRecord),
}

pub trait Store: Clone + Send + Sync + 'static {
    /// The OpenTelemetry `db.system` of the backing database (`postgresql`, `aws.dynamodb`), for the
    /// spans the router puts around every call.
    const DB_SYSTEM: &'static str;

    /// All products, by sku.
    fn list_products(&self) -> impl Future<Output = Result<Vec<Product>, StoreError>> + Send;

    fn get_product(
        &self,
        sku: &Sku,
    ) -> impl Future<Output = Result<Option<Product>, StoreError>> + Send;

    /// The products among `skus` that exist, in any order.
    fn products_by_sku(
        &self,
        skus: &[Sku],
    ) -> impl Future<Output = Result<Vec<Product>, StoreError>> + Send;

    /// Assigns the next id. `EmailTaken` when the canonical email exists.
    fn create_user(&self, user: &NewUser) -> impl Future<Output = Result<User, StoreError>> + Send;

    fn get_user(&self, id: UserId)
    -> impl Future<Output = Result<Option<User>, StoreError>> + Send;

    /// `None` when the user does not exist. `EmailTaken` when the new email belongs to another user.
    fn update_user(
        &self,
        id: UserId,
        changes: &UpdateUser,
        now: Timestamp,
    ) -> impl Future<Output = Result<Option<User>, StoreError>> + Send;

    /// `false` when the user does not exist. `UserHasOrders` while any order references the user.
    fn delete_user(&self, id: UserId) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// A live (unexpired) record under `key`.
    fn find_idempotency(
        &self,
        key: &IdempotencyKey,
        now: Timestamp,
    ) -> impl Future<Output = Result<Option<IdempotencyRecord>, StoreError>> + Send;

    /// Stores `order` and, atomically with it, `record`. `UserNotFound` when the user does not exist.
    /// When a live record already holds the key, stores nothing and returns it; a concurrent holder
    /// is waited for. The order's `created_at` is "now" for judging whether a record has expired.
    fn create_order(
        &self,
        order: &Order,
        record: Option<&IdempotencyRecord>,
    ) -> impl Future<Output = Result<CreateOrderOutcome, StoreError>> + Send;

    fn get_order(
        &self,
        id: OrderId,
    ) -> impl Future<Output = Result<Option<Order>, StoreError>> + Send;

    /// Up to `limit` of the user's orders, newest (greatest id) first, strictly older than `after`.
    fn list_orders(
        &self,
        user_id: UserId,
        after: Option<OrderId>,
        limit: usize,
    ) -> impl Future<Output = Result<Vec<Order>, StoreError>> + Send;

    /// Compare-and-set: moves the order to `to` only if its status is still `from`. `None` when the
    /// order is absent or its status is no longer `from`.
    fn set_order_status(
        &self,
        id: OrderId,
        from: OrderStatus,
        to: OrderStatus,
        now: Timestamp,
    ) -> impl Future<Output = Result<Option<Order>, StoreError>> + Send;

    /// Every order of the user, or `None` when the user does not exist.
    fn orders_of_user(
        &self,
        user_id: UserId,
    ) -> impl Future<Output = Result<Option<Vec<Order>>, StoreError>> + Send;
}
