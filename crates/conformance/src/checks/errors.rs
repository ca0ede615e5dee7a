//! One check per row of the contract's error table.

use reqwest::Method;
use serde_json::json;

use crate::Api;

const JSON: (&str, &str) = ("content-type", "application/json");

async fn post_raw(api: &Api, path: &str, body: &[u8]) -> crate::Reply {
    api.send(Method::POST, path, &[JSON], Some(body.to_vec()))
        .await
}

pub async fn malformed_json_is_400(api: &Api) {
    for body in [
        &b"{"[..],
        b"",
        b"{\"name\": }",
        b"nul",
        b"{\"a\":1}}",
        b"[1,]",
    ] {
        post_raw(api, "/api/users", body)
            .await
            .expect_error(400, "malformed_json");
    }
    let uid = api.create_user("Malformed").await["id"].clone();
    api.send(
        Method::PATCH,
        &format!("/api/users/{uid}"),
        &[JSON],
        Some(b"{".to_vec()),
    )
    .await
    .expect_error(400, "malformed_json");
}

pub async fn invalid_utf8_is_400(api: &Api) {
    let body = b"{\"name\": \"\xff\xfe\", \"email\": \"a@b.co\"}";

    post_raw(api, "/api/users", body)
        .await
        .expect_error(400, "malformed_json");
}

pub async fn too_deep_nesting_is_400(api: &Api) {
    let deep = format!(
        "{{\"name\": {}1{}, \"email\": \"a@b.co\"}}",
        "[".repeat(10_000),
        "]".repeat(10_000)
    );

    post_raw(api, "/api/users", deep.as_bytes())
        .await
        .expect_error(400, "malformed_json");
}

pub async fn validation_failures_are_reported_together_and_sorted(api: &Api) {
    let mut items: Vec<serde_json::Value> = (1..=11)
        .map(|n| json!({"sku": format!("PROD-{n:03}"), "qty": 1}))
        .collect();
    items[2]["qty"] = json!(0);
    items[10]["qty"] = json!(1001);

    let reply = api
        .post(
            "/api/orders",
            &json!({"userId": -5, "items": items, "note": "x"}),
        )
        .await;

    assert_eq!(
        reply.error_fields(422, "validation_failed"),
        vec!["items[2].qty", "items[10].qty", "note", "userId"]
    );
}

pub async fn unknown_and_missing_fields_are_422(api: &Api) {
    let reply = api
        .post("/api/users", &json!({"name": "A", "mail": "a@b.co"}))
        .await;
    assert_eq!(
        reply.error_fields(422, "validation_failed"),
        vec!["email", "mail"]
    );

    let reply = api.post("/api/orders", &json!({})).await;
    assert_eq!(
        reply.error_fields(422, "validation_failed"),
        vec!["items", "userId"]
    );
}

pub async fn wrong_types_are_422(api: &Api) {
    let reply = api
        .post("/api/users", &json!({"name": 5, "email": ["a@b.co"]}))
        .await;
    assert_eq!(
        reply.error_fields(422, "validation_failed"),
        vec!["email", "name"]
    );

    let reply = api
        .post(
            "/api/orders",
            &json!({"userId": "1", "items": {"sku": "PROD-001"}}),
        )
        .await;
    assert_eq!(
        reply.error_fields(422, "validation_failed"),
        vec!["items", "userId"]
    );

    for body in [json!([]), json!("text"), json!(null), json!(7)] {
        api.post("/api/users", &body)
            .await
            .expect_error(422, "validation_failed");
    }
    let order = api.create_order(1, &[("PROD-001", 1)]).await;
    let reply = api
        .patch(
            &format!("/api/orders/{}", order["id"].as_str().unwrap()),
            &json!({"status": "lost"}),
        )
        .await;
    assert_eq!(reply.error_fields(422, "validation_failed"), vec!["status"]);
}

pub async fn empty_patch_is_422(api: &Api) {
    let uid = api.create_user("Empty Patch").await["id"].clone();

    api.patch(&format!("/api/users/{uid}"), &json!({}))
        .await
        .expect_error(422, "validation_failed");
}

pub async fn order_for_missing_user_is_422_on_user_id(api: &Api) {
    let reply = api
        .post(
            "/api/orders",
            &json!({"userId": 999_999_999, "items": [{"sku": "PROD-001", "qty": 1}]}),
        )
        .await;

    assert_eq!(reply.error_fields(422, "validation_failed"), vec!["userId"]);
}

pub async fn unknown_sku_is_422_on_its_line(api: &Api) {
    let body =
        json!({"userId": 1, "items": [{"sku": "PROD-001", "qty": 1}, {"sku": "NOPE-1", "qty": 1}]});
    assert_eq!(
        api.post("/api/orders", &body)
            .await
            .error_fields(422, "validation_failed"),
        vec!["items[1].sku"]
    );

    let both = json!({"userId": 999_999_999, "items": [{"sku": "NOPE-1", "qty": 1}]});
    assert_eq!(
        api.post("/api/orders", &both)
            .await
            .error_fields(422, "validation_failed"),
        vec!["items[0].sku", "userId"],
        "store checks are reported together"
    );
}

pub async fn order_item_rules_are_enforced(api: &Api) {
    let cases = [
        (json!([]), vec!["items"]),
        (
            json!(
                (0..51)
                    .map(|n| json!({"sku": format!("S{n}"), "qty": 1}))
                    .collect::<Vec<_>>()
            ),
            vec!["items"],
        ),
        (json!([{"sku": "PROD-001", "qty": 0}]), vec!["items[0].qty"]),
        (
            json!([{"sku": "PROD-001", "qty": 1001}]),
            vec!["items[0].qty"],
        ),
        (
            json!([{"sku": "PROD-001", "qty": 1.5}]),
            vec!["items[0].qty"],
        ),
        (
            json!([{"sku": "PROD-001", "qty": 1}, {"sku": "PROD-001", "qty": 2}]),
            vec!["items[1].sku"],
        ),
        (json!([{"sku": "", "qty": 1}]), vec!["items[0].sku"]),
        (json!([{"qty": 1}]), vec!["items[0].sku"]),
        (json!(["PROD-001"]), vec!["items[0]"]),
    ];
    for (items, fields) in cases {
        let reply = api
            .post("/api/orders", &json!({"userId": 1, "items": items}))
            .await;
        assert_eq!(
            reply.error_fields(422, "validation_failed"),
            fields,
            "items: {items}"
        );
    }
    let fifty: Vec<_> = (1..=50)
        .map(|n| json!({"sku": format!("PROD-{n:03}"), "qty": 1000}))
        .collect();
    assert_eq!(
        api.post("/api/orders", &json!({"userId": 1, "items": fifty}))
            .await
            .expect(201)["items"]
            .as_array()
            .unwrap()
            .len(),
        50
    );
}

pub async fn bad_path_ids_are_400(api: &Api) {
    for id in [
        "0",
        "-1",
        "abc",
        "1.5",
        "99999999999999999999",
        "%20",
        "1e3",
    ] {
        api.get(&format!("/api/users/{id}"))
            .await
            .expect_error(400, "invalid_id");
        api.get(&format!("/api/users/{id}/summary"))
            .await
            .expect_error(400, "invalid_id");
        api.delete(&format!("/api/users/{id}"))
            .await
            .expect_error(400, "invalid_id");
    }
    for id in [
        "1",
        "not-a-ulid",
        "01ARZ3NDEKTSV4RRFFQ69G5FA",
        "01ARZ3NDEKTSV4RRFFQ69G5FAVV",
        "81ARZ3NDEKTSV4RRFFQ69G5FAV",
    ] {
        api.get(&format!("/api/orders/{id}"))
            .await
            .expect_error(400, "invalid_id");
        api.patch(&format!("/api/orders/{id}"), &json!({"status": "paid"}))
            .await
            .expect_error(400, "invalid_id");
    }
}

pub async fn bad_queries_are_400(api: &Api) {
    let cases = [
        ("/api/orders", vec!["userId"]),
        ("/api/orders?userId=", vec!["userId"]),
        ("/api/orders?userId=0", vec!["userId"]),
        ("/api/orders?userId=1&limit=0", vec!["limit"]),
        ("/api/orders?userId=1&limit=101", vec!["limit"]),
        ("/api/orders?userId=1&limit=ten", vec!["limit"]),
        ("/api/orders?userId=1&cursor=garbage", vec!["cursor"]),
        ("/api/orders?userId=1&userId=2", vec!["userId"]),
        ("/api/orders?limit=0", vec!["limit", "userId"]),
    ];
    for (path, fields) in cases {
        assert_eq!(
            api.get(path).await.error_fields(400, "invalid_query"),
            fields,
            "{path}"
        );
    }
}

pub async fn missing_or_wrong_content_type_is_415(api: &Api) {
    let body = br#"{"name": "A", "email": "a@b.co"}"#.to_vec();
    for headers in [
        &[][..],
        &[("content-type", "text/plain")],
        &[("content-type", "application/x-www-form-urlencoded")],
    ] {
        api.send(Method::POST, "/api/users", headers, Some(body.clone()))
            .await
            .expect_error(415, "unsupported_media_type");
    }
    let ok = api
        .send(
            Method::POST,
            "/api/users",
            &[("content-type", "Application/JSON; charset=utf-8")],
            Some(
                format!(
                    r#"{{"name": "A", "email": "{}@b.co"}}"#,
                    crate::client::unique()
                )
                .into_bytes(),
            ),
        )
        .await;
    ok.expect(201);
}

pub async fn body_over_64_kib_is_413(api: &Api) {
    let big = format!(
        r#"{{"name": "{}", "email": "a@b.co"}}"#,
        "a".repeat(64 * 1024)
    );

    post_raw(api, "/api/users", big.as_bytes())
        .await
        .expect_error(413, "payload_too_large");

    let just_under = format!(
        r#"{{"name": "{}", "email": "a@b.co"}}"#,
        "a".repeat(64 * 1024 - 40)
    );
    api.send(
        Method::POST,
        "/api/users",
        &[JSON],
        Some(just_under.into_bytes()),
    )
    .await
    .expect_error(422, "validation_failed");
}

pub async fn absent_resources_and_unknown_routes_are_404(api: &Api) {
    api.get("/api/users/999999999")
        .await
        .expect_error(404, "not_found");
    api.get("/api/orders/01ARZ3NDEKTSV4RRFFQ69G5FAV")
        .await
        .expect_error(404, "not_found");
    for path in [
        "/",
        "/api",
        "/api/nothing",
        "/api/users/1/orders",
        "/api/users/1/summary/x",
        "/api/health/x",
    ] {
        api.get(path).await.expect_error(404, "not_found");
    }
}

pub async fn wrong_methods_are_405_with_allow(api: &Api) {
    let cases = [
        (Method::PUT, "/api/users/1", &["GET", "PATCH", "DELETE"][..]),
        (Method::DELETE, "/api/orders", &["GET", "POST"]),
        (Method::POST, "/api/health", &["GET"]),
        (Method::TRACE, "/api/products", &["GET"]),
        (
            Method::DELETE,
            "/api/orders/01ARZ3NDEKTSV4RRFFQ69G5FAV",
            &["GET", "PATCH"],
        ),
    ];
    for (method, path, allowed) in cases {
        let reply = api.send(method.clone(), path, &[], None).await;

        reply.expect_error(405, "method_not_allowed");
        let allow = reply
            .header("allow")
            .unwrap_or_else(|| panic!("{method} {path} has an Allow header"));
        let listed: Vec<&str> = allow.split(',').map(str::trim).collect();
        for expected in allowed {
            assert!(
                listed.contains(expected),
                "{method} {path}: Allow {allow:?} lists {expected}"
            );
        }
    }
}

pub async fn taken_email_is_409(api: &Api) {
    let first = api.create_user("Taken").await;
    let second = api.create_user("Other").await;

    api.post(
        "/api/users",
        &json!({"name": "Again", "email": first["email"]}),
    )
    .await
    .expect_error(409, "email_taken");
    api.patch(
        &format!("/api/users/{}", second["id"]),
        &json!({"email": first["email"]}),
    )
    .await
    .expect_error(409, "email_taken");
}
