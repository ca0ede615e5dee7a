//! Races the store must win by itself: every request is accepted, conditions hold, counts are
//! exact. Cases that race orders return whom they raced on, so a store's own tests can also check
//! its bookkeeping after the same race.

use std::collections::BTreeSet;

use twinstack_core::{
    CreateOrderOutcome, OrderStatus, Store, StoreError, UpdateUser, User, UserName,
};

use crate::fixture::{Fixture, place, sign_up, sign_up_many};
use crate::values::{at, new_user, order};

/// Orders each user gets in [`concurrent_orders_on_a_few_users_are_all_created_with_exact_counts`].
pub const ORDERS_PER_RACING_USER: usize = 60;

/// Orders created in [`renames_racing_order_creations_on_one_user_all_apply`].
pub const ORDERS_AMONG_RENAMES: usize = 20;

pub async fn concurrent_orders_on_a_few_users_are_all_created_with_exact_counts<F: Fixture>(
    fixture: &F,
) -> Vec<User> {
    const USERS: usize = 4;
    let store = fixture.store();
    let users = sign_up_many(store, USERS).await;

    let creates: Vec<_> = (0..USERS * ORDERS_PER_RACING_USER)
        .map(|n| {
            let store = store.clone();
            let placed = order(users[n % USERS].id, 10, n as u128);
            tokio::spawn(async move { store.create_order(&placed, None).await })
        })
        .collect();
    let mut outcomes = Vec::new();
    for create in creates {
        outcomes.push(create.await.unwrap());
    }

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
        let listed = store.list_orders(user.id, None, 1_000).await.unwrap();
        assert_eq!(listed.len(), ORDERS_PER_RACING_USER);
    }
    users
}

pub async fn renames_racing_order_creations_on_one_user_all_apply<F: Fixture>(fixture: &F) -> User {
    const RENAMES: i64 = 10;
    let store = fixture.store();
    let ada = sign_up(store, "ada@example.com").await;
    let names: Vec<UserName> = (0..RENAMES)
        .map(|n| UserName::parse(&format!("Ada {n}")).unwrap())
        .collect();

    let orders: Vec<_> = (0..ORDERS_AMONG_RENAMES as u128)
        .map(|n| {
            let store = store.clone();
            let placed = order(ada.id, 10, n);
            tokio::spawn(async move { place(&store, &placed).await })
        })
        .collect();
    let renames: Vec<_> = names
        .iter()
        .zip(0..)
        .map(|(name, n)| {
            let store = store.clone();
            let changes = UpdateUser {
                name: Some(name.clone()),
                email: None,
            };
            tokio::spawn(async move { store.update_user(ada.id, &changes, at(n)).await })
        })
        .collect();
    for placed in orders {
        placed.await.unwrap();
    }
    let mut renamed = Vec::new();
    for rename in renames {
        renamed.push(rename.await.unwrap().unwrap());
    }

    assert!(renamed.iter().all(Option::is_some), "{renamed:?}");
    let listed = store.list_orders(ada.id, None, 1_000).await.unwrap();
    assert_eq!(listed.len(), ORDERS_AMONG_RENAMES);
    let now = store.get_user(ada.id).await.unwrap().expect("ada exists");
    assert!(names.contains(&now.name), "{now:?}");
    now
}

pub async fn concurrent_sign_ups_get_distinct_ids_and_one_email_goes_to_one_user<F: Fixture>(
    fixture: &F,
) {
    let store = fixture.store();

    let distinct: Vec<_> = (0..30)
        .map(|n| {
            let store = store.clone();
            tokio::spawn(async move {
                store
                    .create_user(&new_user(&format!("u{n}@example.com")))
                    .await
            })
        })
        .collect();
    let same: Vec<_> = (0..8)
        .map(|_| {
            let store = store.clone();
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
}

pub async fn of_racing_transitions_exactly_one_applies<F: Fixture>(fixture: &F) {
    let store = fixture.store();
    let ada = sign_up(store, "ada@example.com").await;
    let placed = order(ada.id, 10, 1);
    place(store, &placed).await;

    let racers: Vec<_> = (0..8)
        .map(|n| {
            let store = store.clone();
            let to = if n % 2 == 0 {
                OrderStatus::Paid
            } else {
                OrderStatus::Cancelled
            };
            tokio::spawn(async move {
                store
                    .set_order_status(placed.id, OrderStatus::Pending, to, at(20))
                    .await
            })
        })
        .collect();
    let mut applied = Vec::new();
    for racer in racers {
        if let Some(order) = racer.await.unwrap().unwrap() {
            applied.push(order);
        }
    }

    assert_eq!(applied.len(), 1);
    assert_eq!(
        store.get_order(placed.id).await.unwrap().as_ref(),
        applied.first()
    );
}
