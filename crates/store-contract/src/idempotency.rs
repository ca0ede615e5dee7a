//! Idempotency keys: a live key holds its first order, an expired one is free, and a create that
//! fails holds nothing.

use twinstack_core::idempotency::RETENTION_MILLIS;
use twinstack_core::{CreateOrderOutcome, IdempotencyRecord, Store, StoreError, User, UserId};

use crate::fixture::{Fixture, place_under_key, sign_up};
use crate::values::{at, order, record};

/// Ada, and the record of her first order, which she placed under key `k-1`.
async fn ada_holding_a_key<S: Store>(store: &S) -> (User, IdempotencyRecord) {
    let ada = sign_up(store, "ada@example.com").await;
    let first = order(ada.id, 10, 1);
    let held = record("k-1", "f-1", &first);
    place_under_key(store, &first, &held).await;
    (ada, held)
}

pub async fn a_live_key_is_taken_and_the_second_create_stores_nothing<F: Fixture>(fixture: &F) {
    let store = fixture.store();
    let ada = sign_up(store, "ada@example.com").await;
    let first = order(ada.id, 10, 1);
    let second = order(ada.id, 20, 2);
    let held = record("k-1", "f-1", &first);

    let created = store.create_order(&first, Some(&held)).await.unwrap();
    let repeat = store
        .create_order(&second, Some(&record("k-1", "f-2", &second)))
        .await
        .unwrap();

    assert_eq!(created, CreateOrderOutcome::Created);
    assert_eq!(repeat, CreateOrderOutcome::KeyTaken(held.clone()));
    assert_eq!(store.get_order(second.id).await.unwrap(), None);
    assert_eq!(
        store.find_idempotency(&held.key, at(30)).await.unwrap(),
        Some(held)
    );
}

pub async fn an_expired_key_is_invisible_and_can_be_claimed_again<F: Fixture>(fixture: &F) {
    let store = fixture.store();
    let (ada, old) = ada_holding_a_key(store).await;
    let later = order(ada.id, 10 + RETENTION_MILLIS, 2);
    let new = record("k-1", "f-2", &later);

    let expired = store
        .find_idempotency(&old.key, old.expires_at)
        .await
        .unwrap();
    let outcome = store.create_order(&later, Some(&new)).await.unwrap();

    assert_eq!(expired, None);
    assert_eq!(outcome, CreateOrderOutcome::Created);
    assert_eq!(
        store
            .find_idempotency(&new.key, later.created_at)
            .await
            .unwrap(),
        Some(new)
    );
}

pub async fn a_failed_create_does_not_hold_its_key<F: Fixture>(fixture: &F) {
    let store = fixture.store();
    let orphan = order(UserId::new(9).unwrap(), 10, 1);
    let key = record("k-1", "f-1", &orphan);

    let failed = store.create_order(&orphan, Some(&key)).await;

    assert!(
        matches!(failed, Err(StoreError::UserNotFound)),
        "{failed:?}"
    );
    assert_eq!(
        store.find_idempotency(&key.key, at(10)).await.unwrap(),
        None
    );
}

pub async fn a_held_key_is_reported_even_for_a_missing_user<F: Fixture>(fixture: &F) {
    let store = fixture.store();
    let (_, held) = ada_holding_a_key(store).await;
    let orphan = order(UserId::new(99).unwrap(), 20, 2);

    let outcome = store
        .create_order(&orphan, Some(&record("k-1", "f-2", &orphan)))
        .await
        .unwrap();

    assert_eq!(outcome, CreateOrderOutcome::KeyTaken(held));
}

pub async fn concurrent_duplicates_wait_for_the_first_and_replay_it<F: Fixture>(fixture: &F) {
    let store = fixture.store();
    let ada = sign_up(store, "ada@example.com").await;
    let attempts: Vec<_> = (0..8u128)
        .map(|n| {
            let store = store.clone();
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

    let stored = store.list_orders(ada.id, None, 100).await.unwrap();
    assert_eq!(created, 1);
    assert_eq!(stored.len(), 1);
    assert_eq!(replayed.len(), 7);
    assert!(replayed.iter().all(|held| held.order == stored[0]));
}
