use std::time::Instant;

use twinstack_core::seed::DataSet;
use twinstack_core::summary::summarize;
use twinstack_core::{Order, Service, Store, StoreError};
use twinstack_store_dynamodb::{load_data_set, read_data_set};

use crate::support::{TestTable, new_user, order};

/// Big enough for many BatchWriteItem batches in flight and a paginated parallel scan (about
/// 24,000 items), small enough to load in seconds on DynamoDB Local.
const USERS: u32 = 2_000;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_loaded_data_set_reads_back_with_its_checksum_and_the_next_user_id_follows() {
    let db = TestTable::create("seed_round_trip").await;
    let data = DataSet::generate(USERS, 5);

    let started = Instant::now();
    load_data_set(db.client(), db.name(), &data).await.unwrap();
    eprintln!(
        "loaded {} users and {} orders in {:?}",
        data.users.len(),
        data.orders.len(),
        started.elapsed()
    );
    let stored = read_data_set(db.client(), db.name()).await.unwrap();
    let next = db
        .store
        .create_user(&new_user("new@example.com"))
        .await
        .unwrap();

    assert_eq!(stored.checksum(), data.checksum());
    assert_eq!(stored, data);
    assert_eq!(next.id.get(), i64::from(USERS) + 1);
    db.finish().await;
}

#[tokio::test]
async fn loading_replaces_everything_stored_before_with_order_counts_and_email_guards() {
    let db = TestTable::create("seed_replaces").await;
    let data = DataSet::generate(30, 2);
    load_data_set(db.client(), db.name(), &data).await.unwrap();
    let extra = db
        .store
        .create_user(&new_user("extra@example.com"))
        .await
        .unwrap();
    db.store
        .create_order(&order(extra.id, 10, 1), None)
        .await
        .unwrap();

    load_data_set(db.client(), db.name(), &data).await.unwrap();
    let stored = read_data_set(db.client(), db.name()).await.unwrap();
    let taken = db
        .store
        .create_user(&new_user(data.users[0].email.as_str()))
        .await;
    let has_orders = db.store.delete_user(data.users[0].id).await;

    assert_eq!(stored.checksum(), data.checksum());
    assert!(matches!(taken, Err(StoreError::EmailTaken)), "{taken:?}");
    assert!(
        matches!(has_orders, Err(StoreError::UserHasOrders)),
        "{has_orders:?}"
    );
    db.finish().await;
}

#[tokio::test]
async fn an_empty_data_set_loads_and_user_ids_restart_at_one() {
    let db = TestTable::create("seed_empty").await;
    load_data_set(db.client(), db.name(), &DataSet::generate(30, 2))
        .await
        .unwrap();

    load_data_set(db.client(), db.name(), &DataSet::generate(0, 0))
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

#[tokio::test]
async fn a_seeded_users_summary_is_cores_summary_of_that_users_orders() {
    let db = TestTable::create("seed_summary").await;
    let data = DataSet::generate(5, 7);
    load_data_set(db.client(), db.name(), &data).await.unwrap();
    let service = Service::new(db.store.clone());
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
    db.finish().await;
}
