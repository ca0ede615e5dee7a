//! What a store's tests provide to run the contract, and the steps cases arrange with.

use std::future::Future;

use twinstack_core::seed::DataSet;
use twinstack_core::{CreateOrderOutcome, IdempotencyRecord, Order, Store, StoreError, User};

use crate::values::new_user;

/// A fresh, empty store of one adapter, with that adapter's seeder.
pub trait Fixture {
    type Store: Store;

    /// How many users the seed round trip loads: the benchmark's full data set where that loads
    /// in seconds, fewer where the store is slow to fill.
    const ROUND_TRIP_USERS: u32;

    fn store(&self) -> &Self::Store;

    /// Replaces everything stored with `data`, as `twinstack seed` does.
    fn load(&self, data: &DataSet) -> impl Future<Output = Result<(), StoreError>>;

    /// Everything stored, as `twinstack seed` reads it back for the checksum.
    fn read(&self) -> impl Future<Output = Result<DataSet, StoreError>>;

    /// Clears the store away once a case has passed; a failed case leaves it for inspection.
    fn finish(self) -> impl Future<Output = ()>;
}

pub async fn sign_up<S: Store>(store: &S, email: &str) -> User {
    store.create_user(&new_user(email)).await.unwrap()
}

/// Two users, signed up in this order: Ada gets id 1, Grace id 2.
pub async fn ada_and_grace<S: Store>(store: &S) -> (User, User) {
    let ada = sign_up(store, "ada@example.com").await;
    let grace = sign_up(store, "grace@example.com").await;
    (ada, grace)
}

/// `count` users, one after another, with emails `user{n}@example.com`.
pub async fn sign_up_many<S: Store>(store: &S, count: usize) -> Vec<User> {
    let mut users = Vec::with_capacity(count);
    for n in 0..count {
        users.push(sign_up(store, &format!("user{n}@example.com")).await);
    }
    users
}

/// Stores `order` without an idempotency key.
pub async fn place<S: Store>(store: &S, order: &Order) {
    let outcome = store.create_order(order, None).await.unwrap();
    assert_eq!(outcome, CreateOrderOutcome::Created);
}

/// Stores `order` under the idempotency key `record` holds, which no one holds yet.
pub async fn place_under_key<S: Store>(store: &S, order: &Order, record: &IdempotencyRecord) {
    let outcome = store.create_order(order, Some(record)).await.unwrap();
    assert_eq!(outcome, CreateOrderOutcome::Created);
}
