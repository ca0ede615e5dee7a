//! Orders: stored whole, only for a user who exists, listed newest first, moved by compare-and-set.

use twinstack_core::{CreateOrderOutcome, Cursor, OrderId, OrderStatus, Store, StoreError, UserId};

use crate::fixture::{Fixture, ada_and_grace, place, sign_up};
use crate::values::{at, order};

pub async fn an_order_reads_back_equal<F: Fixture>(fixture: &F) {
    let store = fixture.store();
    let ada = sign_up(store, "ada@example.com").await;
    let placed = order(ada.id, 10, 1);

    let outcome = store.create_order(&placed, None).await.unwrap();

    assert_eq!(outcome, CreateOrderOutcome::Created);
    assert_eq!(store.get_order(placed.id).await.unwrap(), Some(placed));
}

pub async fn an_order_for_a_missing_user_is_user_not_found<F: Fixture>(fixture: &F) {
    let store = fixture.store();
    let placed = order(UserId::new(7).unwrap(), 10, 1);

    let outcome = store.create_order(&placed, None).await;

    assert!(
        matches!(outcome, Err(StoreError::UserNotFound)),
        "{outcome:?}"
    );
    assert_eq!(store.get_order(placed.id).await.unwrap(), None);
}

pub async fn a_user_with_orders_cannot_be_deleted<F: Fixture>(fixture: &F) {
    let store = fixture.store();
    let (ada, grace) = ada_and_grace(store).await;
    place(store, &order(ada.id, 10, 1)).await;

    let refused = store.delete_user(ada.id).await;
    let deleted = store.delete_user(grace.id).await.unwrap();

    assert!(
        matches!(refused, Err(StoreError::UserHasOrders)),
        "{refused:?}"
    );
    assert!(deleted);
    assert!(store.get_user(ada.id).await.unwrap().is_some());
    assert_eq!(store.get_user(grace.id).await.unwrap(), None);
}

pub async fn a_status_moves_only_from_the_expected_status<F: Fixture>(fixture: &F) {
    let store = fixture.store();
    let ada = sign_up(store, "ada@example.com").await;
    let placed = order(ada.id, 10, 1);
    place(store, &placed).await;
    let never_placed = order(ada.id, 40, 2);

    let paid = store
        .set_order_status(placed.id, OrderStatus::Pending, OrderStatus::Paid, at(20))
        .await
        .unwrap();
    let stale = store
        .set_order_status(
            placed.id,
            OrderStatus::Pending,
            OrderStatus::Cancelled,
            at(30),
        )
        .await
        .unwrap();
    let absent = store
        .set_order_status(
            never_placed.id,
            OrderStatus::Pending,
            OrderStatus::Paid,
            at(40),
        )
        .await
        .unwrap();

    let paid = paid.expect("pending → paid applies");
    assert_eq!(paid.status, OrderStatus::Paid);
    assert_eq!(paid.updated_at, at(20));
    assert_eq!(paid.created_at, placed.created_at);
    assert_eq!(stale, None);
    assert_eq!(absent, None);
    assert_eq!(store.get_order(placed.id).await.unwrap(), Some(paid));
    assert_eq!(store.get_order(never_placed.id).await.unwrap(), None);
}

pub async fn pages_walk_a_users_orders_newest_first_without_gaps_or_overlap<F: Fixture>(
    fixture: &F,
) {
    const PAGE: usize = 3;
    let store = fixture.store();
    let (ada, grace) = ada_and_grace(store).await;
    let mut expected = Vec::new();
    for n in 0..7 {
        // Two orders in the same millisecond: the random part orders them.
        let placed = order(ada.id, 10 * (n / 2), n as u128);
        place(store, &placed).await;
        expected.push(placed.id);
        place(store, &order(grace.id, 10 * n, 100 + n as u128)).await;
    }
    expected.sort_unstable_by(|a, b| b.cmp(a));

    let mut seen: Vec<OrderId> = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        // The way the service pages: through the cursor core encodes.
        let after = cursor
            .as_deref()
            .map(|text| Cursor::decode(text, ada.id).expect("our own cursor").after);
        let page = store.list_orders(ada.id, after, PAGE).await.unwrap();
        assert!(page.iter().all(|o| o.user_id == ada.id));
        seen.extend(page.iter().map(|o| o.id));
        match page.last() {
            Some(last) if page.len() == PAGE => {
                cursor = Some(
                    Cursor {
                        user_id: ada.id,
                        after: last.id,
                    }
                    .encode(),
                );
            }
            _ => break,
        }
    }
    let none_asked = store.list_orders(ada.id, None, 0).await.unwrap();

    assert_eq!(seen, expected);
    assert_eq!(none_asked, vec![]);
}

pub async fn orders_of_user_tells_a_missing_user_from_one_without_orders<F: Fixture>(fixture: &F) {
    let store = fixture.store();
    let (ada, grace) = ada_and_grace(store).await;
    let first = order(ada.id, 10, 1);
    let second = order(ada.id, 20, 2);
    place(store, &first).await;
    place(store, &second).await;

    let of_ada = store.orders_of_user(ada.id).await.unwrap();
    let of_grace = store.orders_of_user(grace.id).await.unwrap();
    let of_nobody = store
        .orders_of_user(UserId::new(99).unwrap())
        .await
        .unwrap();

    assert_eq!(of_ada, Some(vec![second, first]));
    assert_eq!(of_grace, Some(vec![]));
    assert_eq!(of_nobody, None);
}
