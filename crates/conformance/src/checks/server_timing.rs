//! `Server-Timing: app;dur=…, db;dur=…` on every response, whatever its status, so a load test can
//! split each request's time between the application and the store on either twin.

use reqwest::Method;
use serde_json::json;

use crate::client::{order_body, unique};
use crate::{Api, Reply};

/// `(app, db)` in milliseconds, asserting the header is there and both are non-negative numbers.
#[track_caller]
fn timings(reply: &Reply, what: &str) -> (f64, f64) {
    let value = reply
        .header("server-timing")
        .unwrap_or_else(|| panic!("{what}: no Server-Timing header"));
    let dur = |name: &str| -> f64 {
        value
            .split(',')
            .map(str::trim)
            .find_map(|metric| metric.strip_prefix(name)?.strip_prefix(";dur="))
            .and_then(|number| number.parse::<f64>().ok())
            .filter(|ms| ms.is_finite() && *ms >= 0.0)
            .unwrap_or_else(|| panic!("{what}: no non-negative {name} duration in {value:?}"))
    };
    (dur("app"), dur("db"))
}

pub async fn every_response_reports_app_and_db_time(api: &Api) {
    let user = api.create_user("Timed").await;
    let email = format!("timed.{}@example.com", unique());

    let replies = [
        ("GET health", api.get("/api/health").await, 200),
        (
            "GET user",
            api.get(&format!("/api/users/{}", user["id"])).await,
            200,
        ),
        (
            "POST user",
            api.post("/api/users", &json!({"name": "Timed", "email": email}))
                .await,
            201,
        ),
        (
            "POST order",
            api.post(
                "/api/orders",
                &order_body(user["id"].as_i64().unwrap(), &[("PROD-001", 1)]),
            )
            .await,
            201,
        ),
        ("GET unknown route", api.get("/api/nowhere").await, 404),
        ("GET unknown user", api.get("/api/users/999999").await, 404),
        (
            "malformed JSON",
            api.send(
                Method::POST,
                "/api/orders",
                &[("content-type", "application/json")],
                Some(b"{not json".to_vec()),
            )
            .await,
            400,
        ),
        (
            "PUT user",
            api.send(Method::PUT, "/api/users/1", &[], None).await,
            405,
        ),
    ];

    let touches_store = ["GET user", "POST user", "POST order", "GET unknown user"];
    for (what, reply, status) in &replies {
        assert_eq!(reply.status.as_u16(), *status, "{what}");
        let (app, db) = timings(reply, what);
        if touches_store.contains(what) {
            assert!(
                db > 0.0,
                "{what}: a request that reads or writes spent time in the store"
            );
        } else {
            assert_eq!(db, 0.0, "{what}: no store call, no store time");
        }
        assert!(app >= db, "{what}: app {app} covers db {db}");
    }
}
