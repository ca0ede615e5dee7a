use reqwest::Method;
use serde_json::json;

use crate::Api;
use crate::client::{order_body, unique};

async fn order_count(api: &Api, uid: i64) -> usize {
    api.get(&format!("/api/orders?userId={uid}&limit=100"))
        .await
        .expect(200)["items"]
        .as_array()
        .unwrap()
        .len()
}

pub async fn repeat_with_same_key_replays_the_first_response(api: &Api) {
    let uid = api.create_user("Idem").await["id"].as_i64().unwrap();
    let key = format!("key-{}", unique());
    let body = order_body(uid, &[("PROD-007", 2)]);
    let first = api
        .send_json(
            Method::POST,
            "/api/orders",
            &body,
            &[("Idempotency-Key", &key)],
        )
        .await;
    let first_body = first.expect(201);
    // The stored response is replayed even after the order moved on.
    api.patch(
        &format!("/api/orders/{}", first_body["id"].as_str().unwrap()),
        &json!({"status": "paid"}),
    )
    .await
    .expect(200);

    // Same command, different JSON spelling (key order, whitespace).
    let respelled =
        format!("{{ \"items\": [ {{\"qty\": 2, \"sku\": \"PROD-007\"}} ], \"userId\": {uid} }}");
    let replay = api
        .send(
            Method::POST,
            "/api/orders",
            &[
                ("content-type", "application/json"),
                ("Idempotency-Key", &key),
            ],
            Some(respelled.into_bytes()),
        )
        .await;

    assert_eq!(replay.status.as_u16(), 201);
    assert_eq!(replay.body, first.body, "byte-identical body");
    assert_eq!(replay.header("location"), first.header("location"));
    assert_eq!(order_count(api, uid).await, 1, "nothing new was stored");
}

pub async fn same_key_with_another_command_is_refused(api: &Api) {
    let uid = api.create_user("Idem Reuse").await["id"].as_i64().unwrap();
    let key = format!("key-{}", unique());
    api.send_json(
        Method::POST,
        "/api/orders",
        &order_body(uid, &[("PROD-007", 2)]),
        &[("Idempotency-Key", &key)],
    )
    .await
    .expect(201);

    let reply = api
        .send_json(
            Method::POST,
            "/api/orders",
            &order_body(uid, &[("PROD-007", 3)]),
            &[("Idempotency-Key", &key)],
        )
        .await;

    reply.expect_error(409, "idempotency_key_reused");
    assert_eq!(order_count(api, uid).await, 1);
}

pub async fn concurrent_duplicates_create_one_order(api: &Api) {
    let uid = api.create_user("Idem Race").await["id"].as_i64().unwrap();
    let key = format!("key-{}", unique());
    let body = order_body(uid, &[("PROD-008", 1)]);
    let headers = [("Idempotency-Key", key.as_str())];

    let replies = futures::future::join_all(
        (0..8).map(|_| api.send_json(Method::POST, "/api/orders", &body, &headers)),
    )
    .await;

    let bodies: Vec<&Vec<u8>> = replies.iter().map(|r| &r.body).collect();
    assert!(
        replies.iter().all(|r| r.status.as_u16() == 201),
        "all 201: {:?}",
        replies.iter().map(|r| r.status).collect::<Vec<_>>()
    );
    assert!(
        bodies.windows(2).all(|w| w[0] == w[1]),
        "all replay the same order"
    );
    assert_eq!(order_count(api, uid).await, 1);
}

pub async fn malformed_key_is_a_validation_error(api: &Api) {
    let long = "k".repeat(256);
    for key in ["", long.as_str()] {
        let reply = api
            .send_json(
                Method::POST,
                "/api/orders",
                &json!({"userId": 1, "items": []}),
                &[("Idempotency-Key", key)],
            )
            .await;

        assert_eq!(
            reply.error_fields(422, "validation_failed"),
            vec!["Idempotency-Key", "items"],
            "reported with the body's errors"
        );
    }
}
