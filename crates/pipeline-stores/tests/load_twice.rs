//! Each store takes the aggregates as an idempotent upsert: loading twice leaves the same rows,
//! read back with the same checksum; a new run's values replace the old ones.

use std::time::Duration;

use sqlx::postgres::PgPoolOptions;
use twinstack_local_stack::DynamoDbLocal;
use twinstack_pipeline::{Aggregates, Catalogue, LoadTarget, generate_chunk, process_chunk};
use twinstack_pipeline_stores::{DynamoTarget, PgTarget};
use twinstack_store_dynamodb::{DynamoSettings, client, create_table};

fn aggregates(records: u64) -> Aggregates {
    let catalogue = Catalogue::seed();
    let bytes = generate_chunk(&catalogue, 0, records);
    process_chunk("chunk-00000.ndjson", &bytes, &catalogue)
        .report
        .aggregates
}

async fn loading_twice_leaves_the_same_rows(target: &impl LoadTarget) {
    let first = aggregates(2_000);
    let bigger = aggregates(3_000);

    target.load(&first).await.unwrap();
    target.load(&first).await.unwrap();
    let read = target.read().await.unwrap();

    assert_eq!(read, first);
    assert_eq!(read.checksum(), first.checksum());
    target.load(&bigger).await.unwrap();
    assert_eq!(
        target.read().await.unwrap(),
        bigger,
        "every key of the first run is in the second, with new values"
    );
}

#[tokio::test]
async fn postgres_upserts_the_aggregates_idempotently() {
    let url = twinstack_local_stack::shared()
        .create_database("pipeline_load")
        .unwrap();
    let pool = PgPoolOptions::new().connect(&url).await.unwrap();

    loading_twice_leaves_the_same_rows(&PgTarget::new(pool)).await;
}

#[tokio::test]
async fn dynamodb_upserts_the_aggregates_idempotently_beside_the_apps_items() {
    let mut settings = DynamoSettings::local(DynamoDbLocal::shared().endpoint(), "pipeline_load");
    // A batch job's timeouts, as `twinstack pipeline` gives its client, not a request's.
    settings.operation_timeout = Duration::from_secs(60);
    settings.attempt_timeout = Duration::from_secs(20);
    let client = client(&settings).await;
    create_table(&client, "pipeline_load").await.unwrap();

    loading_twice_leaves_the_same_rows(&DynamoTarget::new(client, "pipeline_load")).await;
}
