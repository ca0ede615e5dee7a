use std::time::Instant;

use twinstack_core::seed::{DEFAULT_ORDERS_PER_USER, DEFAULT_USERS, DataSet};
use twinstack_core::{Store, StoreError};
use twinstack_store_postgres::{load_data_set, read_data_set};

use crate::support::{TestDb, new_user, order};

#[tokio::test]
async fn a_loaded_data_set_reads_back_with_its_checksum_and_the_next_user_id_follows() {
    let db = TestDb::create("seed_round_trip").await;
    let data = DataSet::generate(DEFAULT_USERS, DEFAULT_ORDERS_PER_USER);

    let started = Instant::now();
    load_data_set(db.pool(), &data).await.unwrap();
    eprintln!(
        "loaded {} users and {} orders in {:?}",
        data.users.len(),
        data.orders.len(),
        started.elapsed()
    );
    let stored = read_data_set(db.pool()).await.unwrap();
    let next = db
        .store
        .create_user(&new_user("new@example.com"))
        .await
        .unwrap();

    assert_eq!(stored.checksum(), data.checksum());
    assert_eq!(stored, data);
    assert_eq!(next.id.get(), i64::from(DEFAULT_USERS) + 1);
    db.finish().await;
}

#[tokio::test]
async fn loading_replaces_everything_stored_before() {
    let db = TestDb::create("seed_replaces").await;
    let data = DataSet::generate(30, 2);
    load_data_set(db.pool(), &data).await.unwrap();
    let extra = db
        .store
        .create_user(&new_user("extra@example.com"))
        .await
        .unwrap();
    db.store
        .create_order(&order(extra.id, 10, 1), None)
        .await
        .unwrap();

    load_data_set(db.pool(), &data).await.unwrap();
    let stored = read_data_set(db.pool()).await.unwrap();
    let taken = db
        .store
        .create_user(&new_user(data.users[0].email.as_str()))
        .await;

    assert_eq!(stored.checksum(), data.checksum());
    assert!(matches!(taken, Err(StoreError::EmailTaken)), "{taken:?}");
    db.finish().await;
}

#[tokio::test]
async fn an_empty_data_set_loads_and_user_ids_restart_at_one() {
    let db = TestDb::create("seed_empty").await;
    load_data_set(db.pool(), &DataSet::generate(30, 2))
        .await
        .unwrap();

    load_data_set(db.pool(), &DataSet::generate(0, 0))
        .await
        .unwrap();
    let first = db
        .store
        .create_user(&new_user("first@example.com"))
        .await
        .unwrap();

    assert_eq!(first.id.get(), 1);
    db.finish().await;
}
