use twinstack_core::{CreateOrderOutcome, Cursor, OrderStatus, Store, StoreError, UserId};

use crate::support::{TestTable, at, new_user, order};

#[tokio::test]
async fn an_order_reads_back_equal() {
    let db = TestTable::create("order_round_trip").await;
    let ada = db
        .store
        .create_user(&new_user("ada@example.com"))
        .await
        .unwrap();
    let placed = order(ada.id, 10, 1);

    let outcome = db.store.create_order(&placed, None).await.unwrap();

    assert_eq!(outcome, CreateOrderOutcome::Created);
    assert_eq!(db.store.get_order(placed.id).await.unwrap(), Some(placed));
    db.finish().await;
}

#[tokio::test]
async fn an_order_for_a_missing_user_is_user_not_found() {
    let db = TestTable::create("order_missing_user").await;
    let placed = order(UserId::new(7).unwrap(), 10, 1);

    let outcome = db.store.create_order(&placed, None).await;

    assert!(
        matches!(outcome, Err(StoreError::UserNotFound)),
        "{outcome:?}"
    );
    assert_eq!(db.store.get_order(placed.id).await.unwrap(), None);
    db.finish().await;
}

#[tokio::test]
async fn a_user_with_orders_cannot_be_deleted() {
    let db = TestTable::create("delete_with_orders").await;
    let ada = db
        .store
        .create_user(&new_user("ada@example.com"))
        .await
        .unwrap();
    let grace = db
        .store
        .create_user(&new_user("grace@example.com"))
        .await
        .unwrap();
    db.store
        .create_order(&order(ada.id, 10, 1), None)
        .await
        .unwrap();

    let refused = db.store.delete_user(ada.id).await;
    let deleted = db.store.delete_user(grace.id).await.unwrap();

    assert!(
        matches!(refused, Err(StoreError::UserHasOrders)),
        "{refused:?}"
    );
    assert!(deleted);
    assert!(db.store.get_user(ada.id).await.unwrap().is_some());
    assert_eq!(db.store.get_user(grace.id).await.unwrap(), None);
    db.finish().await;
}

#[tokio::test]
async fn a_status_moves_only_from_the_expected_status() {
    let db = TestTable::create("status_cas").await;
    let ada = db
        .store
        .create_user(&new_user("ada@example.com"))
        .await
        .unwrap();
    let placed = order(ada.id, 10, 1);
    db.store.create_order(&placed, None).await.unwrap();

    let paid = db
        .store
        .set_order_status(placed.id, OrderStatus::Pending, OrderStatus::Paid, at(20))
        .await
        .unwrap();
    let stale = db
        .store
        .set_order_status(
            placed.id,
            OrderStatus::Pending,
            OrderStatus::Cancelled,
            at(30),
        )
        .await
        .unwrap();
    let absent = db
        .store
        .set_order_status(
            order(ada.id, 40, 2).id,
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
    assert_eq!(db.store.get_order(placed.id).await.unwrap(), Some(paid));
    db.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn of_racing_transitions_exactly_one_applies() {
    let db = TestTable::create("status_race").await;
    let ada = db
        .store
        .create_user(&new_user("ada@example.com"))
        .await
        .unwrap();
    let placed = order(ada.id, 10, 1);
    db.store.create_order(&placed, None).await.unwrap();

    let racers: Vec<_> = (0..8)
        .map(|n| {
            let store = db.store.clone();
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
        db.store.get_order(placed.id).await.unwrap().as_ref(),
        applied.first()
    );
    db.finish().await;
}

#[tokio::test]
async fn pages_walk_a_users_orders_newest_first_without_gaps_or_overlap() {
    let db = TestTable::create("keyset_pages").await;
    let ada = db
        .store
        .create_user(&new_user("ada@example.com"))
        .await
        .unwrap();
    let grace = db
        .store
        .create_user(&new_user("grace@example.com"))
        .await
        .unwrap();
    let mut expected = Vec::new();
    for n in 0..7 {
        // Two orders in the same millisecond: the random part orders them.
        let placed = order(ada.id, 10 * (n / 2), n as u128);
        db.store.create_order(&placed, None).await.unwrap();
        expected.push(placed.id);
        db.store
            .create_order(&order(grace.id, 10 * n, 100 + n as u128), None)
            .await
            .unwrap();
    }
    expected.sort_unstable_by(|a, b| b.cmp(a));

    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        // The way the service pages: through the cursor core encodes.
        let after = cursor
            .as_deref()
            .map(|text| Cursor::decode(text, ada.id).expect("our own cursor").after);
        let page = db.store.list_orders(ada.id, after, 3).await.unwrap();
        assert!(page.iter().all(|o| o.user_id == ada.id));
        seen.extend(page.iter().map(|o| o.id));
        match page.last() {
            Some(last) if page.len() == 3 => {
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

    assert_eq!(seen, expected);
    assert_eq!(db.store.list_orders(ada.id, None, 0).await.unwrap(), vec![]);
    db.finish().await;
}

#[tokio::test]
async fn orders_of_user_tells_a_missing_user_from_one_without_orders() {
    let db = TestTable::create("orders_of_user").await;
    let ada = db
        .store
        .create_user(&new_user("ada@example.com"))
        .await
        .unwrap();
    let grace = db
        .store
        .create_user(&new_user("grace@example.com"))
        .await
        .unwrap();
    let first = order(ada.id, 10, 1);
    let second = order(ada.id, 20, 2);
    db.store.create_order(&first, None).await.unwrap();
    db.store.create_order(&second, None).await.unwrap();

    assert_eq!(
        db.store.orders_of_user(ada.id).await.unwrap(),
        Some(vec![second, first])
    );
    assert_eq!(
        db.store.orders_of_user(grace.id).await.unwrap(),
        Some(vec![])
    );
    assert_eq!(
        db.store
            .orders_of_user(UserId::new(99).unwrap())
            .await
            .unwrap(),
        None
    );
    db.finish().await;
}
