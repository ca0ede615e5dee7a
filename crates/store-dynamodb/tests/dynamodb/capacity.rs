use twinstack_core::Store;
use twinstack_store_contract::{Fixture, new_user};
use twinstack_store_dynamodb::capacity::measure;

use crate::support::TestTable;

#[tokio::test]
async fn a_measure_counts_the_capacity_a_requests_calls_consume() {
    let db = TestTable::create("capacity").await;

    let (created, used) = measure(async {
        let user = db.store.create_user(&new_user("ada@example.com")).await?;
        db.store.get_user(user.id).await
    })
    .await;

    assert!(created.unwrap().is_some());
    // A counter update plus a two-item transaction, then one strongly consistent read.
    assert!(used.write >= 3.0, "{used:?}");
    assert!(used.read >= 1.0, "{used:?}");
    db.finish().await;
}
