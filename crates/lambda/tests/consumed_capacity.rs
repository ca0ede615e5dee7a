//! The serverless twin reports the DynamoDB capacity each request consumed, through its function
//! URL (the real Lambda runtime API), as `x-dynamodb-consumed-capacity: read=R, write=W`.

use serde_json::json;
use twinstack_conformance::Reply;

/// `(read, write)` capacity units, asserting the header is there and well formed.
#[track_caller]
fn consumed(reply: &Reply) -> (f64, f64) {
    let value = reply
        .header("x-dynamodb-consumed-capacity")
        .expect("an x-dynamodb-consumed-capacity header");
    let units = |key: &str| -> f64 {
        value
            .split(", ")
            .find_map(|pair| pair.strip_prefix(key)?.strip_prefix('='))
            .and_then(|number| number.parse().ok())
            .unwrap_or_else(|| panic!("no {key} units in {value:?}"))
    };
    (units("read"), units("write"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn orders_report_writes_reads_report_reads_and_health_reports_none() {
    let api = twinstack_twins::lambda::spawn_lambda_twin().await;

    let order = api
        .post(
            "/api/orders",
            &json!({"userId": 1, "items": [{"sku": "PROD-001", "qty": 1}]}),
        )
        .await;
    let user = api.get("/api/users/1").await;
    let health = api.get("/api/health").await;
    let unknown = api.get("/api/nowhere").await;

    order.expect(201);
    let (_, write) = consumed(&order);
    assert!(write > 0.0, "an order is written");
    user.expect(200);
    let (read, write) = consumed(&user);
    assert!(read > 0.0, "a user is read");
    assert_eq!(write, 0.0);
    assert_eq!(consumed(&health), (0.0, 0.0));
    assert_eq!(unknown.status.as_u16(), 404);
    assert_eq!(consumed(&unknown), (0.0, 0.0), "every response carries it");
}
