//! The seeder: a data set loads whole, replaces what was stored, reads back equal, and leaves a
//! store that carries on from it.

use std::time::Instant;

use twinstack_core::seed::{DEFAULT_ORDERS_PER_USER, DataSet};
use twinstack_core::summary::summarize;
use twinstack_core::{Order, Service, Store, StoreError};

use crate::fixture::{Fixture, place, sign_up};
use crate::values::{new_user, order};

pub async fn a_loaded_data_set_reads_back_with_its_checksum_and_the_next_user_id_follows<
    F: Fixture,
>(
    fixture: &F,
) {
    let data = DataSet::generate(F::ROUND_TRIP_USERS, DEFAULT_ORDERS_PER_USER);

    let started = Instant::now();
    fixture.load(&data).await.unwrap();
    eprintln!(
        "loaded {} users and {} orders in {:?}",
        data.users.len(),
        data.orders.len(),
        started.elapsed()
    );
    let stored = fixture.read().await.unwrap();
    let next = sign_up(fixture.store(), "new@example.com").await;

    assert_eq!(stored.checksum(), data.checksum());
    assert_eq!(stored, data);
    assert_eq!(next.id.get(), i64::from(F::ROUND_TRIP_USERS) + 1);
}

pub async fn loading_replaces_everything_stored_before_and_guards_its_emails_and_orders<
    F: Fixture,
>(
    fixture: &F,
) {
    let store = fixture.store();
    let data = DataSet::generate(30, 2);
    fixture.load(&data).await.unwrap();
    let extra = sign_up(store, "extra@example.com").await;
    place(store, &order(extra.id, 10, 1)).await;

    fixture.load(&data).await.unwrap();
    let stored = fixture.read().await.unwrap();
    let taken = store
        .create_user(&new_user(data.users[0].email.as_str()))
        .await;
    let has_orders = store.delete_user(data.users[0].id).await;

    assert_eq!(stored.checksum(), data.checksum());
    assert!(matches!(taken, Err(StoreError::EmailTaken)), "{taken:?}");
    assert!(
        matches!(has_orders, Err(StoreError::UserHasOrders)),
        "{has_orders:?}"
    );
}

pub async fn an_empty_data_set_loads_and_user_ids_restart_at_one<F: Fixture>(fixture: &F) {
    fixture.load(&DataSet::generate(30, 2)).await.unwrap();

    fixture.load(&DataSet::generate(0, 0)).await.unwrap();
    let first = sign_up(fixture.store(), "first@example.com").await;

    assert_eq!(first.id.get(), 1);
}

pub async fn a_seeded_users_summary_is_cores_summary_of_that_users_orders<F: Fixture>(fixture: &F) {
    let data = DataSet::generate(5, 7);
    fixture.load(&data).await.unwrap();
    let service = Service::new(fixture.store().clone());
    let user = data.users[2].id;
    let orders: Vec<Order> = data
        .orders
        .iter()
        .filter(|o| o.user_id == user)
        .cloned()
        .collect();

    let summary = service.user_summary(user).await.unwrap();

    assert_eq!(summary, summarize(user, &orders, service.now()));
    assert!(summary.order_count > 0);
}
