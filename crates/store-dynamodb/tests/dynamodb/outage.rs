use std::time::{Duration, Instant};

use twinstack_core::{Store, StoreError, UserId};
use twinstack_local_stack::DynamoDbLocal;
use twinstack_store_contract::{new_user, order};
use twinstack_store_dynamodb::{DynamoSettings, DynamoStore, client, create_table};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stopped_dynamodb_is_unavailable_within_the_timeouts_and_the_same_client_recovers() {
    let mut ddb = DynamoDbLocal::start().unwrap();
    let settings = DynamoSettings::local(ddb.endpoint(), "twinstack_test_outage");
    let store = DynamoStore::new(client(&settings).await, &settings.table);
    create_table(store.client(), store.table()).await.unwrap();
    let ada = store
        .create_user(&new_user("ada@example.com"))
        .await
        .unwrap();

    ddb.stop().unwrap();
    let started = Instant::now();
    let read = store.get_user(ada.id).await;
    let write = store.create_order(&order(ada.id, 10, 1), None).await;
    let elapsed = started.elapsed();

    assert!(matches!(read, Err(StoreError::Unavailable(_))), "{read:?}");
    assert!(
        matches!(write, Err(StoreError::Unavailable(_))),
        "{write:?}"
    );
    // Two calls, each bounded by the operation timeout.
    assert!(
        elapsed < 2 * settings.operation_timeout + Duration::from_secs(1),
        "{elapsed:?}"
    );

    ddb.start_again().unwrap();
    // In memory: the restarted server is empty, so the table comes back without items.
    create_table(store.client(), store.table()).await.unwrap();
    let gone = store.get_user(ada.id).await.unwrap();
    let again = store
        .create_user(&new_user("ada@example.com"))
        .await
        .unwrap();

    assert_eq!(gone, None);
    assert_eq!(again.id, UserId::new(1).unwrap());
}
