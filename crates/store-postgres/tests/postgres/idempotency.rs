use twinstack_core::idempotency::RETENTION_MILLIS;
use twinstack_core::{IdempotencyKey, Store};
use twinstack_store_contract::{Fixture, at, order, place_under_key, record, sign_up};

use crate::support::TestDb;

#[tokio::test]
async fn purging_deletes_only_expired_records() {
    let db = TestDb::create("key_purge").await;
    let ada = sign_up(&db.store, "ada@example.com").await;
    let early = order(ada.id, 10, 1);
    let late = order(ada.id, 20, 2);
    place_under_key(&db.store, &early, &record("early", "f", &early)).await;
    place_under_key(&db.store, &late, &record("late", "f", &late)).await;

    let purged = db
        .store
        .delete_expired_idempotency(early.created_at.plus_millis(RETENTION_MILLIS))
        .await
        .unwrap();

    assert_eq!(purged, 1);
    let late_key = IdempotencyKey::parse(b"late").unwrap();
    assert!(
        db.store
            .find_idempotency(&late_key, at(30))
            .await
            .unwrap()
            .is_some()
    );
    db.finish().await;
}
