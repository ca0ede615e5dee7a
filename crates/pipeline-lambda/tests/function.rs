//! The real binary under `cargo lambda watch`, with moto's S3 and DynamoDB Local: the state
//! machine's events do what its tasks expect, and failures come back as function errors typed for
//! its Retry and Catch.

use std::path::Path;

use serde_json::{Value, json};
use twinstack_local_stack::{DynamoDbLocal, LambdaEmulator, MotoS3};
use twinstack_pipeline::{
    InputSpec, LoadTarget, Objects, RunSummary, S3Config, generate_input, partial_key,
};
use twinstack_pipeline_lambda::{ChunkDone, ChunkEvent, Event, ListedObject};
use twinstack_pipeline_stores::DynamoTarget;
use twinstack_store_dynamodb::DynamoSettings;

const BUCKET: &str = "pipeline-function";
const TABLE: &str = "pipeline_function";

fn chunk_event(key: &str) -> Value {
    let event = Event::Chunk(ChunkEvent {
        bucket: BUCKET.into(),
        item: ListedObject {
            key: format!("runs/t/input/{key}"),
            etag: "\"0\"".into(),
            last_modified: 1_764_766_800,
            size: 1,
            storage_class: "STANDARD".into(),
        },
        input: "runs/t/input".into(),
        output: "runs/t/output".into(),
    });
    serde_json::to_value(event).unwrap()
}

#[tokio::test]
async fn chunk_and_reduce_events_do_their_stages_and_failures_are_typed_function_errors() {
    let moto = MotoS3::start().unwrap();
    moto.create_bucket(BUCKET).unwrap();
    let s3 = S3Config {
        region: Some("us-east-1".into()),
        endpoint: Some(moto.endpoint()),
        access_key_id: Some("testing".into()),
        secret_access_key: Some("testing".into()),
        session_token: None,
    };
    let bucket = Objects::open_with(&format!("s3://{BUCKET}"), &s3).unwrap();
    let spec = InputSpec {
        records: 2_000,
        chunks: 2,
    };
    generate_input(&bucket.child("runs/t/input"), spec, 2)
        .await
        .unwrap();
    let dynamodb = DynamoDbLocal::shared().endpoint();
    let client = twinstack_store_dynamodb::client(&DynamoSettings::local(&dynamodb, TABLE)).await;
    twinstack_store_dynamodb::create_table(&client, TABLE)
        .await
        .unwrap();
    let s3_endpoint = moto.endpoint();
    let env = [
        ("PIPELINE_BUCKET", BUCKET),
        ("TABLE_NAME", TABLE),
        ("AWS_REGION", "us-east-1"),
        ("AWS_ENDPOINT_URL_S3", s3_endpoint.as_str()),
        ("DYNAMODB_ENDPOINT", dynamodb.as_str()),
        ("AWS_ACCESS_KEY_ID", "testing"),
        ("AWS_SECRET_ACCESS_KEY", "testing"),
        ("DYNAMODB_OPERATION_TIMEOUT_MS", "60000"),
        ("DYNAMODB_ATTEMPT_TIMEOUT_MS", "20000"),
    ];
    let workspace = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."));
    let emulator = LambdaEmulator::start(workspace, "twinstack-pipeline-lambda", 1, &env).unwrap();
    let function = emulator.invoker();

    let done: ChunkDone = serde_json::from_value(
        function
            .invoke(&chunk_event("chunk-00000.ndjson"))
            .await
            .unwrap(),
    )
    .unwrap();
    function
        .invoke(&chunk_event("chunk-00001.ndjson"))
        .await
        .unwrap();
    let missing = function
        .invoke(&chunk_event("chunk-00042.ndjson"))
        .await
        .unwrap_err()
        .to_string();
    let mut foreign = chunk_event("chunk-00000.ndjson");
    foreign["bucket"] = json!("someone-elses");
    let refused = function.invoke(&foreign).await.unwrap_err().to_string();
    let reduce = json!({
        "kind": "reduce",
        "bucket": BUCKET,
        "output": "runs/t/output",
        "manifest": {"Bucket": BUCKET, "Key": "map-runs/t/manifest.json"},
    });
    let summary: RunSummary =
        serde_json::from_value(function.invoke(&reduce).await.unwrap()).unwrap();

    assert_eq!(
        (done.chunk.as_str(), done.records_in),
        ("chunk-00000.ndjson", 1_000)
    );
    let partials = bucket.child("runs/t/output/partials");
    assert_eq!(
        partials.list(".json").await.unwrap(),
        [
            partial_key("chunk-00000.ndjson"),
            partial_key("chunk-00001.ndjson")
        ]
    );
    assert!(
        missing.contains(r#""errorType":"ChunkFailed""#),
        "{missing}"
    );
    assert!(
        missing.contains("chunk-00042.ndjson: object not found"),
        "{missing}"
    );
    assert!(refused.contains(r#""errorType":"BadEvent""#), "{refused}");
    assert!(refused.contains("someone-elses"), "{refused}");
    assert_eq!(summary.records_in, 2_000);
    assert_eq!(summary.records_in, summary.loaded + summary.rejected);
    assert_eq!(summary.target, format!("dynamodb table {TABLE}"));
    let stored = DynamoTarget::new(client, TABLE).read().await.unwrap();
    assert_eq!(stored.checksum(), summary.checksum);
}
