//! [`Store`] for [`PgStore`]: each method leases a connection and delegates to the module that
//! owns its table.

use twinstack_core::{
    CreateOrderOutcome, IdempotencyKey, IdempotencyRecord, NewUser, Order, OrderId, OrderStatus,
    Product, Sku, Store, StoreError, Timestamp, UpdateUser, User, UserId,
};

use crate::{PgStore, idempotency, orders, products, users};

impl Store for PgStore {
    const DB_SYSTEM: &'static str = "postgresql";

    async fn list_products(&self) -> Result<Vec<Product>, StoreError> {
        let mut lease = self.connections.lease().await?;
        let outcome = products::list(&mut lease).await;
        lease.finish(outcome)
    }

    async fn get_product(&self, sku: &Sku) -> Result<Option<Product>, StoreError> {
        let mut lease = self.connections.lease().await?;
        let outcome = products::get(&mut lease, sku).await;
        lease.finish(outcome)
    }

    async fn products_by_sku(&self, skus: &[Sku]) -> Result<Vec<Product>, StoreError> {
        let mut lease = self.connections.lease().await?;
        let outcome = products::by_sku(&mut lease, skus).await;
        lease.finish(outcome)
    }

    async fn create_user(&self, user: &NewUser) -> Result<User, StoreError> {
        let mut lease = self.connections.lease().await?;
        let outcome = users::create(&mut lease, user).await;
        lease.finish(outcome)
    }

    async fn get_user(&self, id: UserId) -> Result<Option<User>, StoreError> {
        let mut lease = self.connections.lease().await?;
        let outcome = users::get(&mut lease, id).await;
        lease.finish(outcome)
    }

    async fn update_user(
        &self,
        id: UserId,
        changes: &UpdateUser,
        now: Timestamp,
    ) -> Result<Option<User>, StoreError> {
        let mut lease = self.connections.lease().await?;
        let outcome = users::update(&mut lease, id, changes, now).await;
        lease.finish(outcome)
    }

    async fn delete_user(&self, id: UserId) -> Result<bool, StoreError> {
        let mut lease = self.connections.lease().await?;
        let outcome = users::delete(&mut lease, id).await;
        lease.finish(outcome)
    }

    async fn find_idempotency(
        &self,
        key: &IdempotencyKey,
        now: Timestamp,
    ) -> Result<Option<IdempotencyRecord>, StoreError> {
        let mut lease = self.connections.lease().await?;
        let outcome = idempotency::find(&mut *lease, key, now).await;
        lease.finish(outcome)
    }

    async fn create_order(
        &self,
        order: &Order,
        record: Option<&IdempotencyRecord>,
    ) -> Result<CreateOrderOutcome, StoreError> {
        let mut lease = self.connections.lease().await?;
        let outcome = orders::create(&mut lease, order, record).await;
        lease.finish(outcome)
    }

    async fn get_order(&self, id: OrderId) -> Result<Option<Order>, StoreError> {
        let mut lease = self.connections.lease().await?;
        let outcome = orders::get(&mut lease, id).await;
        lease.finish(outcome)
    }

    async fn list_orders(
        &self,
        user_id: UserId,
        after: Option<OrderId>,
        limit: usize,
    ) -> Result<Vec<Order>, StoreError> {
        let mut lease = self.connections.lease().await?;
        let outcome = orders::list(&mut lease, user_id, after, limit).await;
        lease.finish(outcome)
    }

    async fn set_order_status(
        &self,
        id: OrderId,
        from: OrderStatus,
        to: OrderStatus,
        now: Timestamp,
    ) -> Result<Option<Order>, StoreError> {
        let mut lease = self.connections.lease().await?;
        let outcome = orders::set_status(&mut lease, id, from, to, now).await;
        lease.finish(outcome)
    }

    async fn orders_of_user(&self, user_id: UserId) -> Result<Option<Vec<Order>>, StoreError> {
        let mut lease = self.connections.lease().await?;
        let outcome = orders::of_user(&mut lease, user_id).await;
        lease.finish(outcome)
    }
}
