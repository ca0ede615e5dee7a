//! The stream poller harness against DynamoDB Local's real Streams API, invoking a stand-in
//! function that refuses one record once: Lambda's event source mapping semantics, checked.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue, BillingMode, KeySchemaElement, KeyType,
    ScalarAttributeType, StreamSpecification, StreamViewType,
};
use axum::Json;
use axum::extract::State;
use axum::routing::post;
use serde_json::{Value, json};
use twinstack_local_stack::{
    DynamoDbLocal, EventSourceMapping, LambdaInvoker, StreamPollerHarness,
};

/// Each invocation's items (`SK`), and the item the stand-in refuses on first sight.
#[derive(Default)]
struct Function {
    batches: Mutex<Vec<Vec<String>>>,
    refused_once: Mutex<bool>,
}

async fn invoke(State(function): State<Arc<Function>>, Json(event): Json<Value>) -> Json<Value> {
    let records = event["Records"].as_array().cloned().unwrap_or_default();
    let items: Vec<String> = records
        .iter()
        .map(|record| {
            record["dynamodb"]["Keys"]["SK"]["S"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    function.batches.lock().unwrap().push(items);
    let mut refused = function.refused_once.lock().unwrap();
    let failures: Vec<Value> = records
        .iter()
        .filter(|record| !*refused && record["dynamodb"]["Keys"]["SK"]["S"] == "2")
        .map(|record| json!({"itemIdentifier": record["dynamodb"]["SequenceNumber"]}))
        .collect();
    *refused |= !failures.is_empty();
    Json(json!({ "batchItemFailures": failures }))
}

async fn table_with_stream(endpoint: &str, table: &str) -> Client {
    let http = aws_smithy_http_client::Builder::new()
        .tls_provider(aws_smithy_http_client::tls::Provider::Rustls(
            aws_smithy_http_client::tls::rustls_provider::CryptoMode::Ring,
        ))
        .build_https();
    let config = aws_sdk_dynamodb::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .http_client(http)
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("local", "local", None, None, "test"))
        .endpoint_url(endpoint)
        .build();
    let client = Client::from_conf(config);
    let mut create = client
        .create_table()
        .table_name(table)
        .billing_mode(BillingMode::PayPerRequest)
        .stream_specification(
            StreamSpecification::builder()
                .stream_enabled(true)
                .stream_view_type(StreamViewType::NewImage)
                .build()
                .unwrap(),
        );
    for (name, key_type) in [("PK", KeyType::Hash), ("SK", KeyType::Range)] {
        create = create
            .key_schema(
                KeySchemaElement::builder()
                    .attribute_name(name)
                    .key_type(key_type)
                    .build()
                    .unwrap(),
            )
            .attribute_definitions(
                AttributeDefinition::builder()
                    .attribute_name(name)
                    .attribute_type(ScalarAttributeType::S)
                    .build()
                    .unwrap(),
            );
    }
    create.send().await.expect("create the table");
    client
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_record_is_retried_from_its_sequence_number_and_nothing_before_it_is_resent() {
    let endpoint = DynamoDbLocal::shared().endpoint();
    let table = format!("streams-{}", std::process::id());
    let client = table_with_stream(&endpoint, &table).await;
    let function = Arc::new(Function::default());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let app = axum::Router::new()
        .route("/2015-03-31/functions/f/invocations", post(invoke))
        .with_state(function.clone());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let mapping = EventSourceMapping {
        batch_size: 10,
        max_retry_attempts: 2,
    };
    let poller = StreamPollerHarness::start(
        &endpoint,
        "us-east-1",
        &table,
        LambdaInvoker::new(port, "f"),
        mapping,
    )
    .await
    .unwrap();

    for item in ["1", "2", "3", "4"] {
        client
            .put_item()
            .table_name(&table)
            .item("PK", AttributeValue::S("P".into()))
            .item("SK", AttributeValue::S(item.into()))
            .send()
            .await
            .unwrap();
    }
    let deadline = Instant::now() + Duration::from_secs(60);
    while !accepted(&function.batches.lock().unwrap()).contains(&"4".to_owned()) {
        assert!(
            Instant::now() < deadline,
            "item 4 delivered within a minute"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    let batches = function.batches.lock().unwrap().clone();
    assert_eq!(accepted(&batches), ["1", "2", "3", "4"], "{batches:?}");
    let sent_2 = batches.iter().flatten().filter(|item| *item == "2").count();
    assert_eq!(sent_2, 2, "refused once, then retried: {batches:?}");
    let sent_1 = batches.iter().flatten().filter(|item| *item == "1").count();
    assert_eq!(
        sent_1, 1,
        "a record before the refused one is not resent: {batches:?}"
    );
    assert!(poller.discarded().is_empty());
}

/// What the function accepted, in order: each batch's records before the one it refused (the
/// first batch holding "2" refuses it; every later batch is accepted whole).
fn accepted(batches: &[Vec<String>]) -> Vec<String> {
    let mut refused = false;
    let mut accepted = Vec::new();
    for batch in batches {
        for item in batch {
            if item == "2" && !refused {
                refused = true;
                break;
            }
            accepted.push(item.clone());
        }
    }
    accepted
}
