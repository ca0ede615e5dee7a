//! After the contract's order races, the `orderCount` the order transaction keeps on each profile
//! item (the guard that refuses deleting a user with orders) is exact.

use aws_sdk_dynamodb::types::AttributeValue;
use twinstack_core::UserId;
use twinstack_store_contract::Fixture;
use twinstack_store_contract::concurrency::{
    ORDERS_AMONG_RENAMES, ORDERS_PER_RACING_USER,
    concurrent_orders_on_a_few_users_are_all_created_with_exact_counts,
    renames_racing_order_creations_on_one_user_all_apply,
};

use crate::support::TestTable;

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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_orders_count_exactly_on_each_profile() {
    let db = TestTable::create("orders_race_counts").await;

    let raced = concurrent_orders_on_a_few_users_are_all_created_with_exact_counts(&db).await;

    for user in raced {
        assert_eq!(
            order_count(&db, user.id).await,
            ORDERS_PER_RACING_USER.to_string()
        );
    }
    db.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn renames_racing_order_creations_keep_the_profiles_order_count() {
    let db = TestTable::create("rename_race_counts").await;

    let renamed = renames_racing_order_creations_on_one_user_all_apply(&db).await;

    assert_eq!(
        order_count(&db, renamed.id).await,
        ORDERS_AMONG_RENAMES.to_string()
    );
    db.finish().await;
}
