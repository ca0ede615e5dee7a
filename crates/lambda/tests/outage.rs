//! DynamoDB gone: the Lambda answers 503 `unavailable` within its timeouts, and the same process
//! (the same SDK client) serves again once DynamoDB is back.

use std::time::Instant;

use axum::body::to_bytes;
use lambda_http::http::{Request, StatusCode};
use tower::ServiceExt;
use twinstack_core::seed::DataSet;
use twinstack_http::RequestTimeout;
use twinstack_lambda::lambda_app;
use twinstack_local_stack::DynamoDbLocal;
use twinstack_store_dynamodb::DynamoSettings;

async fn get(
    app: &twinstack_lambda::LambdaApp,
    path: &str,
) -> (StatusCode, Option<String>, String) {
    let request = Request::builder()
        .uri(path)
        .body(lambda_http::Body::Empty)
        .unwrap();
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let retry_after = response
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().to_owned());
    let body = to_bytes(response.into_body(), usize::MAX).await.unwrap();
    (
        status,
        retry_after,
        String::from_utf8(body.to_vec()).unwrap(),
    )
}

async fn seed(settings: &DynamoSettings) {
    let client = twinstack_store_dynamodb::client(settings).await;
    twinstack_store_dynamodb::create_table(&client, &settings.table)
        .await
        .unwrap();
    twinstack_store_dynamodb::load_data_set(&client, &settings.table, &DataSet::generate(5, 1))
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_dynamodb_answers_503_in_time_and_recovers() {
    // Arrange: a DynamoDB Local of our own, since this test stops it.
    let mut dynamodb = DynamoDbLocal::start().expect("DynamoDB Local");
    let settings = DynamoSettings::local(dynamodb.endpoint(), "outage");
    seed(&settings).await;
    let request_timeout = RequestTimeout::default();
    let app = lambda_app(twinstack_lambda::router(&settings, request_timeout).await);
    assert_eq!(get(&app, "/api/users/1").await.0, StatusCode::OK);

    // Act: DynamoDB goes away.
    dynamodb.stop().unwrap();
    let started = Instant::now();
    let (status, retry_after, body) = get(&app, "/api/users/1").await;
    let elapsed = started.elapsed();

    // Assert: our 503, before the request timeout (the SDK's own timeouts come first).
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert!(body.contains(r#""code":"unavailable""#), "{body}");
    assert_eq!(retry_after.as_deref(), Some("1"));
    assert!(
        elapsed < request_timeout.duration(),
        "answered after {elapsed:?}"
    );
    assert_eq!(
        get(&app, "/api/health").await.0,
        StatusCode::OK,
        "no store, no problem"
    );

    // Act: DynamoDB is back (in memory, so empty: seed it again). Assert: the same app recovers.
    dynamodb.start_again().unwrap();
    seed(&settings).await;
    assert_eq!(get(&app, "/api/users/1").await.0, StatusCode::OK);
}
