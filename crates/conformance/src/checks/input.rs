//! Odd input: Unicode, very long strings, huge numbers, request ids.

use reqwest::Method;
use serde_json::json;

use crate::Api;
use crate::client::unique;

pub async fn odd_unicode_is_kept_or_refused_clearly(api: &Api) {
    // Right-to-left marks, emoji, combining marks and CJK are names like any other.
    for name in [
        "\u{200F}שלום\u{200E}",
        "👩🏽‍💻 Ada",
        "Zoë Ångström",
        "李小龍",
        "e\u{301}",
    ] {
        let email = format!("u.{}@example.com", unique());
        let user = api
            .post("/api/users", &json!({"name": name, "email": email}))
            .await
            .expect(201);
        assert_eq!(user["name"], name);
        assert_eq!(
            api.get(&format!("/api/users/{}", user["id"]))
                .await
                .expect(200)["name"],
            name
        );
    }
    // Control characters (C0, DEL, C1) are refused, wherever they sit.
    for name in [
        "a\u{0}b",
        "tab\there",
        "line\nbreak",
        "del\u{7f}",
        "c1\u{85}x",
        "\u{9f}",
    ] {
        let reply = api
            .post(
                "/api/users",
                &json!({"name": name, "email": format!("c.{}@example.com", unique())}),
            )
            .await;
        assert_eq!(
            reply.error_fields(422, "validation_failed"),
            vec!["name"],
            "{name:?}"
        );
    }
    let reply = api
        .post(
            "/api/users",
            &json!({"name": "Mail", "email": "a\u{0}@example.com"}),
        )
        .await;
    assert_eq!(reply.error_fields(422, "validation_failed"), vec!["email"]);
    // A Unicode email is canonicalised by lower-casing like any other.
    let email = format!("ÄDA.{}@EXAMPLE.COM", unique());
    let user = api
        .post("/api/users", &json!({"name": "Äda", "email": email}))
        .await
        .expect(201);
    assert_eq!(user["email"], email.to_lowercase());
}

pub async fn very_long_strings_are_refused(api: &Api) {
    let name_100 = "é".repeat(100);
    api.post(
        "/api/users",
        &json!({"name": name_100, "email": format!("l.{}@example.com", unique())}),
    )
    .await
    .expect(201);

    let reply = api
        .post(
            "/api/users",
            &json!({"name": "é".repeat(101), "email": format!("l.{}@example.com", unique())}),
        )
        .await;
    assert_eq!(reply.error_fields(422, "validation_failed"), vec!["name"]);

    let long_email = format!("{}@example.com", "a".repeat(250));
    assert_eq!(
        api.post("/api/users", &json!({"name": "L", "email": long_email}))
            .await
            .error_fields(422, "validation_failed"),
        vec!["email"]
    );

    let long_sku = "S".repeat(10_000);
    let reply = api
        .post(
            "/api/orders",
            &json!({"userId": 1, "items": [{"sku": long_sku, "qty": 1}]}),
        )
        .await;
    assert_eq!(
        reply.error_fields(422, "validation_failed"),
        vec!["items[0].sku"]
    );

    api.get(&format!("/api/users/{}", "9".repeat(5_000)))
        .await
        .expect_error(400, "invalid_id");
    api.get(&format!("/api/products/{}", "P".repeat(5_000)))
        .await
        .expect_error(404, "not_found");
}

pub async fn huge_numbers_are_refused(api: &Api) {
    for user_id in [
        "18446744073709551616",
        "9223372036854775808",
        "1e400",
        "-0",
        "1e2",
    ] {
        let body =
            format!(r#"{{"userId": {user_id}, "items": [{{"sku": "PROD-001", "qty": 1}}]}}"#);
        let reply = api
            .send(
                Method::POST,
                "/api/orders",
                &[("content-type", "application/json")],
                Some(body.into_bytes()),
            )
            .await;
        let status = reply.status.as_u16();
        assert!(status == 400 || status == 422, "{user_id}: {status}");
        if status == 422 {
            assert_eq!(
                reply.error_fields(422, "validation_failed"),
                vec!["userId"],
                "{user_id}"
            );
        } else {
            reply.expect_error(400, "malformed_json");
        }
    }
    let reply = api
        .post(
            "/api/orders",
            &json!({"userId": 1, "items": [{"sku": "PROD-001", "qty": u64::MAX}]}),
        )
        .await;
    assert_eq!(
        reply.error_fields(422, "validation_failed"),
        vec!["items[0].qty"]
    );
}

pub async fn request_ids_are_echoed_or_generated(api: &Api) {
    let mine = api
        .send(
            Method::GET,
            "/api/health",
            &[("x-request-id", "trace-abc-123")],
            None,
        )
        .await;
    assert_eq!(mine.header("x-request-id"), Some("trace-abc-123"));

    let generated = api.get("/api/health").await;
    let id = generated.header("x-request-id").expect("a generated id");
    assert!(!id.is_empty());
    assert_ne!(
        id,
        api.get("/api/health").await.header("x-request-id").unwrap(),
        "a fresh id per request"
    );

    let long = "x".repeat(500);
    for bad in ["has space", "quote\"", long.as_str()] {
        let reply = api
            .send(Method::GET, "/api/health", &[("x-request-id", bad)], None)
            .await;
        let echoed = reply.header("x-request-id").expect("an id");
        assert_ne!(echoed, bad, "a malformed id is replaced");
    }

    let error = api.get("/api/users/0").await;
    assert!(
        error.header("x-request-id").is_some(),
        "errors carry an id too"
    );
}
