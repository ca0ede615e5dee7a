//! The use cases both twins serve, written once against the [`Store`] port.

use crate::clock::{Clock, SystemClock, Timestamp};
use crate::error::{DomainError, Resource, UnknownReferences};
use crate::idempotency::{IdempotencyKey, IdempotencyRecord, fingerprint};
use crate::ids::{OrderId, Sku, UserId};
use crate::order::{CreateOrder, ListOrders, Order, OrderPage, OrderStatus};
use crate::product::Product;
use crate::store::{CreateOrderOutcome, Store};
use crate::summary::{Summary, summarize};
use crate::user::{CreateUser, NewUser, UpdateUser, User};

#[derive(Clone, Debug)]
pub struct Service<S, C = SystemClock> {
    store: S,
    clock: C,
}

impl<S: Store> Service<S> {
    pub fn new(store: S) -> Self {
        Service {
            store,
            clock: SystemClock,
        }
    }
}

impl<S: Store, C: Clock> Service<S, C> {
    pub fn with_clock(store: S, clock: C) -> Self {
        Service { store, clock }
    }

    pub fn store(&self) -> &S {
        &self.store
    }

    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }

    pub async fn list_products(&self) -> Result<Vec<Product>, DomainError> {
        Ok(self.store.list_products().await?)
    }

    /// A sku that is not well formed cannot name a product, so it is simply absent.
    pub async fn get_product(&self, sku: &str) -> Result<Product, DomainError> {
        let sku = Sku::parse(sku).ok_or(DomainError::NotFound(Resource::Product))?;
        self.store
            .get_product(&sku)
            .await?
            .ok_or(DomainError::NotFound(Resource::Product))
    }

    pub async fn create_user(&self, command: CreateUser) -> Result<User, DomainError> {
        let user = NewUser {
            name: command.name,
            email: command.email,
            created_at: self.clock.now(),
        };
        Ok(self.store.create_user(&user).await?)
    }

    pub async fn get_user(&self, id: UserId) -> Result<User, DomainError> {
        self.store
            .get_user(id)
            .await?
            .ok_or(DomainError::NotFound(Resource::User))
    }

    pub async fn update_user(&self, id: UserId, changes: UpdateUser) -> Result<User, DomainError> {
        let now = self.clock.now();
        self.store
            .update_user(id, &changes, now)
            .await?
            .ok_or(DomainError::NotFound(Resource::User))
    }

    pub async fn delete_user(&self, id: UserId) -> Result<(), DomainError> {
        if self.store.delete_user(id).await? {
            Ok(())
        } else {
            Err(DomainError::NotFound(Resource::User))
        }
    }

    /// Creates a pending order priced from the catalogue. Under an idempotency key, a repeat of the same
    /// command returns the first order exactly as it was created, and another command is refused.
    pub async fn create_order(
        &self,
        command: CreateOrder,
        key: Option<IdempotencyKey>,
    ) -> Result<Order, DomainError> {
        let now = self.clock.now();
        if let Some(key) = &key
            && let Some(record) = self.store.find_idempotency(key, now).await?
        {
            return replay(&command, record);
        }

        let skus: Vec<Sku> = command.items.iter().map(|line| line.sku.clone()).collect();
        let catalogue = self.store.products_by_sku(&skus).await?;
        let id = OrderId::from_parts(now, rand::random());
        let order = match Order::price(id, &command, &catalogue, now) {
            Ok(order) => order,
            Err(missing) => return Err(self.unknown_skus(&command, missing).await),
        };

        let record = key.map(|key| IdempotencyRecord::new(key, &command, order.clone(), now));
        match self.store.create_order(&order, record.as_ref()).await? {
            CreateOrderOutcome::Created => Ok(order),
            CreateOrderOutcome::KeyTaken(existing) => replay(&command, existing),
        }
    }

    /// Reports unknown skus, and the user too when it is also missing: store checks are reported together.
    async fn unknown_skus(&self, command: &CreateOrder, skus: Vec<(usize, Sku)>) -> DomainError {
        let user = match self.store.get_user(command.user_id).await {
            Ok(found) => found.is_none(),
            Err(error) => return error.into(),
        };
        DomainError::UnknownReferences(UnknownReferences { user, skus })
    }

    pub async fn get_order(&self, id: OrderId) -> Result<Order, DomainError> {
        self.store
            .get_order(id)
            .await?
            .ok_or(DomainError::NotFound(Resource::Order))
    }

    /// A page of the user's orders, newest first. A user without orders (or without an account)
    /// simply has an empty first page.
    pub async fn list_orders(&self, query: ListOrders) -> Result<OrderPage, DomainError> {
        let fetched = self
            .store
            .list_orders(query.user_id, query.after, query.limit + 1)
            .await?;
        Ok(OrderPage::from_fetched(query.user_id, fetched, query.limit))
    }

    /// Applies `to` if the status machine allows it from the status read now, and only if no other
    /// transition lands in between (compare-and-set): of two racing transitions, exactly one applies.
    pub async fn transition_order(
        &self,
        id: OrderId,
        to: OrderStatus,
    ) -> Result<Order, DomainError> {
        let current = self.get_order(id).await?;
        if !current.status.can_become(to) {
            return Err(DomainError::InvalidTransition {
                from: current.status,
                to,
            });
        }
        match self
            .store
            .set_order_status(id, current.status, to, self.clock.now())
            .await?
        {
            Some(order) => Ok(order),
            None => {
                let now_status = self.get_order(id).await?.status;
                Err(DomainError::InvalidTransition {
                    from: now_status,
                    to,
                })
            }
        }
    }

    pub async fn user_summary(&self, id: UserId) -> Result<Summary, DomainError> {
        let orders = self
            .store
            .orders_of_user(id)
            .await?
            .ok_or(DomainError::NotFound(Resource::User))?;
        Ok(summarize(id, &orders, self.clock.now()))
    }
}

fn replay(command: &CreateOrder, record: IdempotencyRecord) -> Result<Order, DomainError> {
    if record.fingerprint == fingerprint(command) {
        Ok(record.order)
    } else {
        Err(DomainError::IdempotencyKeyReused)
    }
}
