use twinstack_core::idempotency::RETENTION_MILLIS;
use twinstack_core::{CreateOrderOutcome, IdempotencyKey, IdempotencyRecord, Order, Store, UserId};

use crate::support::{TestTable, at, new_user, order};

fn record(key: &str, fingerprint: &str, order: &Order) -> IdempotencyRecord {
    IdempotencyRecord {
        key: IdempotencyKey::parse(key.as_bytes()).unwrap(),
        fingerprint: fingerprint.into(),
        order: order.clone(),
        expires_at: order.created_at.plus_millis(RETENTION_MILLIS),
    }
}

#[tokio::test]
async fn a_live_key_is_taken_and_the_second_create_stores_nothing() {
    let db = TestTable::create("key_taken").await;
    let ada = db
        .store
        .create_user(&new_user("ada@example.com"))
        .await
        .unwrap();
    let first = order(ada.id, 10, 1);
    let second = order(ada.id, 20, 2);
    let held = record("k-1", "f-1", &first);

    let created = db.store.create_order(&first, Some(&held)).await.unwrap();
    let repeat = db
        .store
        .create_order(&second, Some(&record("k-1", "f-2", &second)))
        .await
        .unwrap();

    assert_eq!(created, CreateOrderOutcome::Created);
    assert_eq!(repeat, CreateOrderOutcome::KeyTaken(held.clone()));
    assert_eq!(db.store.get_order(second.id).await.unwrap(), None);
    assert_eq!(
        db.store.find_idempotency(&held.key, at(30)).await.unwrap(),
        Some(held)
    );
    db.finish().await;
}

#[tokio::test]
async fn an_expired_key_is_invisible_and_can_be_claimed_again() {
    let db = TestTable::create("key_expired").await;
    let ada = db
        .store
        .create_user(&new_user("ada@example.com"))
        .await
        .unwrap();
    let first = order(ada.id, 10, 1);
    let old = record("k-1", "f-1", &first);
    db.store.create_order(&first, Some(&old)).await.unwrap();
    let later = order(ada.id, 10 + RETENTION_MILLIS, 2);
    let new = record("k-1", "f-2", &later);

    let expired = db
        .store
        .find_idempotency(&old.key, old.expires_at)
        .await
        .unwrap();
    let outcome = db.store.create_order(&later, Some(&new)).await.unwrap();

    assert_eq!(expired, None);
    assert_eq!(outcome, CreateOrderOutcome::Created);
    assert_eq!(
        db.store
            .find_idempotency(&new.key, later.created_at)
            .await
            .unwrap(),
        Some(new)
    );
    db.finish().await;
}

#[tokio::test]
async fn a_failed_create_does_not_hold_its_key() {
    let db = TestTable::create("key_released").await;
    let orphan = order(UserId::new(9).unwrap(), 10, 1);
    let key = record("k-1", "f-1", &orphan);

    let failed = db.store.create_order(&orphan, Some(&key)).await;

    assert!(failed.is_err());
    assert_eq!(
        db.store.find_idempotency(&key.key, at(10)).await.unwrap(),
        None
    );
    db.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_duplicates_wait_for_the_first_and_replay_it() {
    let db = TestTable::create("key_concurrent").await;
    let ada = db
        .store
        .create_user(&new_user("ada@example.com"))
        .await
        .unwrap();
    let attempts: Vec<_> = (0..8u128)
        .map(|n| {
            let store = db.store.clone();
            let placed = order(ada.id, 10, n);
            let key = record("k-1", "f-1", &placed);
            tokio::spawn(async move { store.create_order(&placed, Some(&key)).await })
        })
        .collect();

    let mut created = 0;
    let mut replayed = Vec::new();
    for attempt in attempts {
        match attempt.await.unwrap().unwrap() {
            CreateOrderOutcome::Created => created += 1,
            CreateOrderOutcome::KeyTaken(held) => replayed.push(held),
        }
    }

    let stored = db.store.list_orders(ada.id, None, 100).await.unwrap();
    assert_eq!(created, 1);
    assert_eq!(stored.len(), 1);
    assert_eq!(replayed.len(), 7);
    assert!(replayed.iter().all(|held| held.order == stored[0]));
    db.finish().await;
}

#[tokio::test]
async fn a_held_key_is_reported_even_for_a_missing_user() {
    let db = TestTable::create("key_before_user").await;
    let ada = db
        .store
        .create_user(&new_user("ada@example.com"))
        .await
        .unwrap();
    let first = order(ada.id, 10, 1);
    let held = record("k-1", "f-1", &first);
    db.store.create_order(&first, Some(&held)).await.unwrap();
    let orphan = order(UserId::new(99).unwrap(), 20, 2);

    let outcome = db
        .store
        .create_order(&orphan, Some(&record("k-1", "f-2", &orphan)))
        .await
        .unwrap();

    assert_eq!(outcome, CreateOrderOutcome::KeyTaken(held));
    db.finish().await;
}
