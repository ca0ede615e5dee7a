//! [`Store`] for [`DynamoStore`]: each method delegates to the module that owns its items, through
//! the store's breaker.

use twinstack_core::{
    CreateOrderOutcome, IdempotencyKey, IdempotencyRecord, NewUser, Order, OrderId, OrderStatus,
    Product, Sku, Store, StoreError, Timestamp, UpdateUser, User, UserId,
};

use crate::error::is_outage;
use crate::{DynamoStore, idempotency, orders, products, users};

impl DynamoStore {
    /// Runs `call` on this store unless the breaker refuses it (`Unavailable` at once: DynamoDB was
    /// out of reach moments ago), and tells the breaker whether DynamoDB was reached. A probe runs
    /// on the client without retries, so it answers as soon as its one attempt fails.
    async fn guarded<T>(
        &self,
        call: impl AsyncFnOnce(&DynamoStore) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let permit = self
            .breaker
            .admit()
            .map_err(|refused| StoreError::Unavailable(Box::new(refused)))?;
        let outcome = if permit.is_probe() {
            call(&self.prober()).await
        } else {
            call(self).await
        };
        match &outcome {
            Err(error) if is_outage(error) => permit.unreachable(),
            _ => permit.reached(),
        }
        outcome
    }
}

impl Store for DynamoStore {
    const DB_SYSTEM: &'static str = "aws.dynamodb";

    async fn list_products(&self) -> Result<Vec<Product>, StoreError> {
        self.guarded(async |store| products::list(store).await)
            .await
    }

    async fn get_product(&self, sku: &Sku) -> Result<Option<Product>, StoreError> {
        self.guarded(async |store| products::get(store, sku).await)
            .await
    }

    async fn products_by_sku(&self, skus: &[Sku]) -> Result<Vec<Product>, StoreError> {
        self.guarded(async |store| products::by_sku(store, skus).await)
            .await
    }

    async fn create_user(&self, user: &NewUser) -> Result<User, StoreError> {
        self.guarded(async |store| users::create(store, user).await)
            .await
    }

    async fn get_user(&self, id: UserId) -> Result<Option<User>, StoreError> {
        self.guarded(async |store| users::get(store, id).await)
            .await
    }

    async fn update_user(
        &self,
        id: UserId,
        changes: &UpdateUser,
        now: Timestamp,
    ) -> Result<Option<User>, StoreError> {
        self.guarded(async |store| users::update(store, id, changes, now).await)
            .await
    }

    async fn delete_user(&self, id: UserId) -> Result<bool, StoreError> {
        self.guarded(async |store| users::delete(store, id).await)
            .await
    }

    async fn find_idempotency(
        &self,
        key: &IdempotencyKey,
        now: Timestamp,
    ) -> Result<Option<IdempotencyRecord>, StoreError> {
        self.guarded(async |store| idempotency::find(store, key, now).await)
            .await
    }

    async fn create_order(
        &self,
        order: &Order,
        record: Option<&IdempotencyRecord>,
    ) -> Result<CreateOrderOutcome, StoreError> {
        self.guarded(async |store| orders::create(store, order, record).await)
            .await
    }

    async fn get_order(&self, id: OrderId) -> Result<Option<Order>, StoreError> {
        self.guarded(async |store| orders::get(store, id).await)
            .await
    }

    async fn list_orders(
        &self,
        user_id: UserId,
        after: Option<OrderId>,
        limit: usize,
    ) -> Result<Vec<Order>, StoreError> {
        self.guarded(async |store| orders::list(store, user_id, after, limit).await)
            .await
    }

    async fn set_order_status(
        &self,
        id: OrderId,
        from: OrderStatus,
        to: OrderStatus,
        now: Timestamp,
    ) -> Result<Option<Order>, StoreError> {
        self.guarded(async |store| orders::set_status(store, id, from, to, now).await)
            .await
    }

    async fn orders_of_user(&self, user_id: UserId) -> Result<Option<Vec<Order>>, StoreError> {
        self.guarded(async |store| orders::of_user(store, user_id).await)
            .await
    }
}
