use twinstack_core::{CreateOrderOutcome, OrderStatus, Store, StoreError, UserId};

use crate::support::{TestDb, at, new_user, order};

#[tokio::test]
async fn an_order_reads_back_equal() {
    let db = TestDb::create("order_round_trip").await;
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
    let db = TestDb::create("order_missing_user").await;
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
    let db = TestDb::create("delete_with_orders").await;
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
    let db = TestDb::create("status_cas").await;
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

    let paid = paid.expect("pending → paid applies");
    assert_eq!(paid.status, OrderStatus::Paid);
    assert_eq!(paid.updated_at, at(20));
    assert_eq!(paid.created_at, placed.created_at);
    assert_eq!(stale, None);
    assert_eq!(db.store.get_order(placed.id).await.unwrap(), Some(paid));
    db.finish().await;
}

#[tokio::test]
async fn pages_walk_a_users_orders_newest_first_without_gaps_or_overlap() {
    let db = TestDb::create("keyset_pages").await;
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
    let mut after = None;
    loop {
        let page = db.store.list_orders(ada.id, after, 3).await.unwrap();
        assert!(page.iter().all(|o| o.user_id == ada.id));
        seen.extend(page.iter().map(|o| o.id));
        match page.last() {
            Some(last) if page.len() == 3 => after = Some(last.id),
            _ => break,
        }
    }

    assert_eq!(seen, expected);
    db.finish().await;
}

#[tokio::test]
async fn orders_of_user_tells_a_missing_user_from_one_without_orders() {
    let db = TestDb::create("orders_of_user").await;
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
