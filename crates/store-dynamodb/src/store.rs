//! [`Store`] for [`DynamoStore`]: each method delegates to the module that owns its items.

use twinstack_core::{
    CreateOrderOutcome, IdempotencyKey, IdempotencyRecord, NewUser, Order, OrderId, OrderStatus,
    Product, Sku, Store, StoreError, Timestamp, UpdateUser, User, UserId,
};

use crate::{DynamoStore, idempotency, orders, products, users};

impl Store for DynamoStore {
    const DB_SYSTEM: &'static str = "aws.dynamodb";

    async fn list_products(&self) -> Result<Vec<Product>, StoreError> {
        products::list(self).await
    }

    async fn get_product(&self, sku: &Sku) -> Result<Option<Product>, StoreError> {
        products::get(self, sku).await
    }

    async fn products_by_sku(&self, skus: &[Sku]) -> Result<Vec<Product>, StoreError> {
        products::by_sku(self, skus).await
    }

    async fn create_user(&self, user: &NewUser) -> Result<User, StoreError> {
        users::create(self, user).await
    }

    async fn get_user(&self, id: UserId) -> Result<Option<User>, StoreError> {
        users::get(self, id).await
    }

    async fn update_user(
        &self,
        id: UserId,
        changes: &UpdateUser,
        now: Timestamp,
    ) -> Result<Option<User>, StoreError> {
        users::update(self, id, changes, now).await
    }

    async fn delete_user(&self, id: UserId) -> Result<bool, StoreError> {
        users::delete(self, id).await
    }

    async fn find_idempotency(
        &self,
        key: &IdempotencyKey,
        now: Timestamp,
    ) -> Result<Option<IdempotencyRecord>, StoreError> {
        idempotency::find(self, key, now).await
    }

    async fn create_order(
        &self,
        order: &Order,
        record: Option<&IdempotencyRecord>,
    ) -> Result<CreateOrderOutcome, StoreError> {
        orders::create(self, order, record).await
    }

    async fn get_order(&self, id: OrderId) -> Result<Option<Order>, StoreError> {
        orders::get(self, id).await
    }

    async fn list_orders(
        &self,
        user_id: UserId,
        after: Option<OrderId>,
        limit: usize,
    ) -> Result<Vec<Order>, StoreError> {
        orders::list(self, user_id, after, limit).await
    }

    async fn set_order_status(
        &self,
        id: OrderId,
        from: OrderStatus,
        to: OrderStatus,
        now: Timestamp,
    ) -> Result<Option<Order>, StoreError> {
        orders::set_status(self, id, from, to, now).await
    }

    async fn orders_of_user(&self, user_id: UserId) -> Result<Option<Vec<Order>>, StoreError> {
        orders::of_user(self, user_id).await
    }
}
