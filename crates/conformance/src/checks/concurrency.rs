//! Races: every accepted write is kept, and uniqueness and compare-and-set hold under contention.

use futures::StreamExt;
use reqwest::Method;
use serde_json::json;

use crate::Api;
use crate::client::{order_body, unique};

/// 1,000 creates over 10 users, at most 100 in flight at once.
pub async fn thousand_concurrent_orders_are_all_accepted_and_summed(api: &Api) {
    let mut users = Vec::new();
    for n in 0..10 {
        users.push(
            api.create_user(&format!("Racer {n}")).await["id"]
                .as_i64()
                .unwrap(),
        );
    }

    let replies: Vec<_> = futures::stream::iter(0..1000)
        .map(|i| {
            let uid = users[i % 10];
            let qty = (i % 7 + 1) as u32;
            async move {
                api.post("/api/orders", &order_body(uid, &[("PROD-011", qty)]))
                    .await
            }
        })
        .buffer_unordered(100)
        .collect()
        .await;

    let statuses: Vec<u16> = replies.iter().map(|r| r.status.as_u16()).collect();
    assert!(
        statuses.iter().all(|s| *s == 201),
        "all accepted: {:?}",
        statuses.iter().filter(|s| **s != 201).collect::<Vec<_>>()
    );
    for uid in users {
        let accepted: Vec<serde_json::Value> = replies
            .iter()
            .map(|r| r.json())
            .filter(|order| order["userId"] == uid)
            .collect();
        let expected_total: u64 = accepted
            .iter()
            .map(|o| o["totalCents"].as_u64().unwrap())
            .sum();
        let summary = api
            .get(&format!("/api/users/{uid}/summary"))
            .await
            .expect(200);
        assert_eq!(
            summary["orderCount"],
            accepted.len() as u64,
            "user {uid}: none lost"
        );
        assert_eq!(
            summary["totalSpentCents"], expected_total,
            "user {uid}: sums exact"
        );
        assert_eq!(accepted.len(), 100);
    }
}

pub async fn two_creates_with_one_email_let_exactly_one_win(api: &Api) {
    for _ in 0..5 {
        let email = format!("race.{}@example.com", unique());
        let body = json!({"name": "Racer", "email": email});

        let (a, b) = tokio::join!(api.post("/api/users", &body), api.post("/api/users", &body));

        let mut statuses = [a.status.as_u16(), b.status.as_u16()];
        statuses.sort();
        assert_eq!(statuses, [201, 409]);
        let loser = if a.status.as_u16() == 409 { a } else { b };
        loser.expect_error(409, "email_taken");
    }
}

pub async fn two_concurrent_transitions_apply_exactly_one(api: &Api) {
    let uid = api.create_user("Transitions").await["id"].as_i64().unwrap();
    // Pairs where, whichever lands first, the other is no longer allowed: so exactly one applies
    // however the two interleave. (`paid` then `cancelled` would both apply if they did not overlap.)
    for (start, first, second) in [
        ("pending", "cancelled", "cancelled"),
        ("pending", "paid", "paid"),
        ("paid", "shipped", "cancelled"),
    ] {
        let order = api.create_order(uid, &[("PROD-012", 1)]).await;
        let path = format!("/api/orders/{}", order["id"].as_str().unwrap());
        if start == "paid" {
            api.patch(&path, &json!({"status": "paid"}))
                .await
                .expect(200);
        }

        let (body_a, body_b) = (json!({"status": first}), json!({"status": second}));

        let (a, b) = tokio::join!(
            api.send_json(Method::PATCH, &path, &body_a, &[]),
            api.send_json(Method::PATCH, &path, &body_b, &[]),
        );

        let mut statuses = [a.status.as_u16(), b.status.as_u16()];
        statuses.sort();
        assert_eq!(statuses, [200, 409], "{first} vs {second}");
        let (winner, loser) = if a.status.as_u16() == 200 {
            (a, b)
        } else {
            (b, a)
        };
        loser.expect_error(409, "invalid_transition");
        let applied = winner.json()["status"].clone();
        assert_eq!(
            api.get(&path).await.expect(200)["status"],
            applied,
            "the stored status is the winner's"
        );
    }
}
