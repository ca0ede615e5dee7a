use aws_sdk_dynamodb::types::{BillingMode, KeyType, ScalarAttributeType, TimeToLiveStatus};
use twinstack_store_contract::Fixture;
use twinstack_store_dynamodb::{TableDefinition, create_table, delete_table};

use crate::support::TestTable;

#[tokio::test]
async fn create_table_makes_the_table_that_table_json_describes_and_may_run_again() {
    let db = TestTable::create("table_definition").await;
    let definition = TableDefinition::get();

    create_table(db.client(), db.name()).await.unwrap();
    let table = db
        .client()
        .describe_table()
        .table_name(db.name())
        .send()
        .await
        .unwrap()
        .table
        .unwrap();
    let ttl = db
        .client()
        .describe_time_to_live()
        .table_name(db.name())
        .send()
        .await
        .unwrap()
        .time_to_live_description
        .unwrap();

    let keys: Vec<(&str, &KeyType)> = table
        .key_schema()
        .iter()
        .map(|k| (k.attribute_name(), k.key_type()))
        .collect();
    assert_eq!(
        keys,
        [
            (&*definition.partition_key.name, &KeyType::Hash),
            (&*definition.sort_key.name, &KeyType::Range)
        ]
    );
    let types: Vec<(&str, &ScalarAttributeType)> = table
        .attribute_definitions()
        .iter()
        .map(|a| (a.attribute_name(), a.attribute_type()))
        .collect();
    assert_eq!(
        types,
        [
            ("PK", &ScalarAttributeType::S),
            ("SK", &ScalarAttributeType::S)
        ]
    );
    assert_eq!(
        table.billing_mode_summary().and_then(|b| b.billing_mode()),
        Some(&BillingMode::PayPerRequest)
    );
    assert!(table.global_secondary_indexes().is_empty());
    assert_eq!(
        ttl.attribute_name(),
        Some(&*definition.time_to_live_attribute)
    );
    assert_eq!(ttl.time_to_live_status(), Some(&TimeToLiveStatus::Enabled));
    db.finish().await;
}

#[tokio::test]
async fn deleting_a_missing_table_is_fine() {
    let db = TestTable::create("table_delete_twice").await;

    delete_table(db.client(), db.name()).await.unwrap();
    delete_table(db.client(), db.name()).await.unwrap();
}
