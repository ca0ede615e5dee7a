//! Races the store must win by itself: every request is accepted, conditions hold, counts are
//! exact.
//!
//! DynamoDB Local runs transactions one at a time (about 100 a second here) and so never reports
//! a `TransactionConflict`; the retry of those is unit-tested against scripted answers. What it
//! does do is queue: the last of a few hundred simultaneous requests waits seconds, longer than
//! the production attempt timeout, which is sized for a dead endpoint rather than a queue. These
//! tests therefore wait longer.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use aws_sdk_dynamodb::types::AttributeValue;
use twinstack_core::{CreateOrderOutcome, Store, StoreError, UpdateUser, User, UserId, UserName};

use crate::support::{TestTable, at, new_user, order};

/// The `orderCount` the order transaction keeps on the profile item.
async fn order_count(db: &TestTable, user: UserId) -> String {
    let item = db
        .client()
        .get_item()
        .table_name(db.name())
        .key("PK", AttributeValue::S(format!("USER#{user}")))
        .key("SK", AttributeValue::S("PROFILE".into()))
        .consistent_read(true)
        .send()
        .await
        .unwrap()
        .item
        .expect("the profile exists");
    match &item["orderCount"] {
        AttributeValue::N(count) => count.clone(),
        other => panic!("orderCount is {other:?}"),
    }
}

async fn patient_table(test: &str) -> TestTable {
    TestTable::create_with(test, |settings| {
        settings.attempt_timeout = Duration::from_secs(30);
        settings.operation_timeout = Duration::from_secs(60);
    })
    .await
}

async fn users(db: &TestTable, count: usize) -> Vec<User> {
    let mut users = Vec::new();
    for n in 0..count {
        let email = format!("user{n}@example.com");
        users.push(db.store.create_user(&new_user(&email)).await.unwrap());
    }
    users
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_orders_on_a_few_users_are_all_created_with_exact_counts() {
    const USERS: usize = 4;
    const PER_USER: usize = 60;
    let db = patient_table("orders_race").await;
    let users = users(&db, USERS).await;

    let started = Instant::now();
    let creates: Vec<_> = (0..USERS * PER_USER)
        .map(|n| {
            let store = db.store.clone();
            let placed = order(users[n % USERS].id, 10, n as u128);
            tokio::spawn(async move { store.create_order(&placed, None).await })
        })
        .collect();
    let mut outcomes = Vec::new();
    for create in creates {
        outcomes.push(create.await.unwrap());
    }
    eprintln!(
        "{} concurrent creates over {USERS} users in {:?}",
        USERS * PER_USER,
        started.elapsed()
    );

    let failed: Vec<_> = outcomes
        .iter()
        .filter(|o| !matches!(o, Ok(CreateOrderOutcome::Created)))
        .collect();
    assert!(
        failed.is_empty(),
        "{} failed: {:?}",
        failed.len(),
        failed.first()
    );
    for user in &users {
        assert_eq!(order_count(&db, user.id).await, PER_USER.to_string());
        let listed = db.store.list_orders(user.id, None, 1_000).await.unwrap();
        assert_eq!(listed.len(), PER_USER);
    }
    db.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn renames_racing_order_creations_on_one_user_all_apply() {
    let db = patient_table("rename_race").await;
    let ada = users(&db, 1).await.remove(0);

    let orders: Vec<_> = (0..20u128)
        .map(|n| {
            let store = db.store.clone();
            let placed = order(ada.id, 10, n);
            tokio::spawn(async move { store.create_order(&placed, None).await.map(drop) })
        })
        .collect();
    let renames: Vec<_> = (0..10)
        .map(|n| {
            let store = db.store.clone();
            let changes = UpdateUser {
                name: Some(UserName::parse(&format!("Ada {n}")).unwrap()),
                email: None,
            };
            tokio::spawn(async move {
                store
                    .update_user(ada.id, &changes, at(n))
                    .await
                    .map(|updated| assert!(updated.is_some()))
            })
        })
        .collect();
    for task in orders.into_iter().chain(renames) {
        task.await.unwrap().unwrap();
    }

    assert_eq!(order_count(&db, ada.id).await, "20");
    db.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_sign_ups_get_distinct_ids_and_one_email_goes_to_one_user() {
    let db = patient_table("users_race").await;

    let distinct: Vec<_> = (0..30)
        .map(|n| {
            let store = db.store.clone();
            tokio::spawn(async move {
                store
                    .create_user(&new_user(&format!("u{n}@example.com")))
                    .await
            })
        })
        .collect();
    let same: Vec<_> = (0..8)
        .map(|_| {
            let store = db.store.clone();
            tokio::spawn(async move { store.create_user(&new_user("same@example.com")).await })
        })
        .collect();
    let mut ids = BTreeSet::new();
    for task in distinct {
        ids.insert(task.await.unwrap().unwrap().id);
    }
    let mut winners = 0;
    for task in same {
        match task.await.unwrap() {
            Ok(_) => winners += 1,
            Err(StoreError::EmailTaken) => {}
            Err(other) => panic!("{other:?}"),
        }
    }

    assert_eq!(ids.len(), 30);
    assert_eq!(winners, 1);
    db.finish().await;
}
