//! API Gateway REST (v1), HTTP API (v2) and ALB events pushed through the Lambda app answer exactly
//! as the same request does as plain HTTP; stages never reach the router.

use axum::body::to_bytes;
use lambda_http::RequestExt;
use lambda_http::http::{Request, StatusCode};
use tower::ServiceExt;
use twinstack_http::RequestTimeout;
use twinstack_lambda::lambda_app;

async fn app(table: &str) -> twinstack_lambda::LambdaApp {
    let settings = twinstack_twins::lambda::seeded_table(table).await;
    lambda_app(twinstack_lambda::router(&settings, RequestTimeout::default()).await)
}

async fn call(
    app: &twinstack_lambda::LambdaApp,
    request: Request<lambda_http::Body>,
) -> (StatusCode, String, Option<String>) {
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let request_id = response
        .headers()
        .get("x-request-id")
        .map(|v| v.to_str().unwrap().to_owned());
    let body = to_bytes(axum::body::Body::new(response.into_body()), usize::MAX)
        .await
        .unwrap();
    (
        status,
        String::from_utf8(body.to_vec()).unwrap(),
        request_id,
    )
}

fn event(fixture: &str) -> Request<lambda_http::Body> {
    lambda_http::request::from_str(fixture).expect("a well-formed event")
}

fn plain(method: &str, uri: &str, body: &str) -> Request<lambda_http::Body> {
    Request::builder()
        .method(method)
        .uri(uri)
        .header("content-type", "application/json")
        .body(lambda_http::Body::from(body.to_owned()))
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_event_kind_answers_as_plain_http_does() {
    let app = app("events").await;
    let cases = [
        (
            include_str!("fixtures/rest-v1-get-user.json"),
            plain("GET", "/api/users/7", ""),
        ),
        (
            include_str!("fixtures/rest-v1-list-orders.json"),
            plain("GET", "/api/orders?userId=7&limit=10", ""),
        ),
        (
            include_str!("fixtures/rest-v1-post-invalid-order.json"),
            plain(
                "POST",
                "/api/orders",
                r#"{"userId": 0, "items": [{"sku": "PROD-001", "qty": 1001}]}"#,
            ),
        ),
        (
            include_str!("fixtures/http-v2-named-stage-get-user.json"),
            plain("GET", "/api/users/7", ""),
        ),
        (
            include_str!("fixtures/http-v2-default-stage-list-orders.json"),
            plain("GET", "/api/orders?userId=7&limit=10", ""),
        ),
        (
            include_str!("fixtures/alb-get-summary.json"),
            plain("GET", "/api/users/7/summary", ""),
        ),
    ];
    for (fixture, http) in cases {
        let (expected_status, expected_body, _) = call(&app, http).await;

        let (status, body, _) = call(&app, event(fixture)).await;

        assert!(
            expected_status != StatusCode::NOT_FOUND,
            "the plain request is routed"
        );
        assert_eq!(status, expected_status, "{fixture}");
        assert_eq!(body, expected_body, "{fixture}");
    }
}

/// Function URLs and API Gateway base64-encode bodies that are not UTF-8 text.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_base64_body_that_is_not_utf8_is_malformed_json() {
    let app = app("binary-body").await;

    let (status, body, _) = call(
        &app,
        event(include_str!("fixtures/http-v2-post-user-invalid-utf8.json")),
    )
    .await;

    assert_eq!(status, StatusCode::BAD_REQUEST);
    let body: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(body["error"]["code"], "malformed_json");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_lambda_request_id_answers_when_the_client_sent_none() {
    let app = app("request-ids").await;
    let mut context = lambda_http::Context::default();
    context.request_id = "c0ffee00-0000-4000-8000-000000000001".into();

    let (_, _, request_id) = call(
        &app,
        event(include_str!("fixtures/rest-v1-get-user.json")).with_lambda_context(context.clone()),
    )
    .await;

    assert_eq!(
        request_id.as_deref(),
        Some("c0ffee00-0000-4000-8000-000000000001")
    );
    let mut own =
        event(include_str!("fixtures/rest-v1-get-user.json")).with_lambda_context(context);
    own.headers_mut()
        .insert("x-request-id", "client-chosen-1".parse().unwrap());
    let (_, _, request_id) = call(&app, own).await;
    assert_eq!(
        request_id.as_deref(),
        Some("client-chosen-1"),
        "a well-formed client id wins"
    );
}
