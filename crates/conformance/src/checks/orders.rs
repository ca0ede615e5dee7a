use std::collections::{BTreeMap, HashSet};

use serde_json::{Value, json};

use crate::Api;

async fn price_of(api: &Api, sku: &str) -> u64 {
    api.get(&format!("/api/products/{sku}")).await.expect(200)["priceCents"]
        .as_u64()
        .unwrap()
}

/// The article's flow: read a user, capture its id, order for it, list its orders.
pub async fn seed_article_scenario_works_as_written(api: &Api) {
    for n in [1, 7, 10] {
        let user = api.get(&format!("/api/users/{n}")).await.expect(200);
        let id = user["id"].as_i64().expect("$.id");

        let order = api
            .post(
                "/api/orders",
                &json!({"userId": id, "items": [{"sku": "PROD-001", "qty": 2}]}),
            )
            .await
            .expect(201);
        let page = api
            .get(&format!("/api/orders?userId={id}&limit=10"))
            .await
            .expect(200);

        let items = page["items"].as_array().unwrap();
        assert!(!items.is_empty() && items.len() <= 10);
        assert_eq!(items[0], order, "the new order is the newest");
        assert!(items.iter().all(|o| o["userId"] == id));
    }
}

pub async fn order_is_priced_from_the_catalogue(api: &Api) {
    let user = api.create_user("Priced").await;
    let (p3, p1) = (
        price_of(api, "PROD-003").await,
        price_of(api, "PROD-001").await,
    );

    let reply = api.post("/api/orders", &json!({"userId": user["id"], "items": [{"sku": "PROD-003", "qty": 4}, {"sku": "PROD-001", "qty": 1}]})).await;

    let order = reply.expect(201);
    let id = order["id"].as_str().unwrap();
    assert_eq!(id.len(), 26);
    assert_eq!(
        reply.header("location"),
        Some(format!("orders/{id}").as_str())
    );
    assert_eq!(order["userId"], user["id"]);
    assert_eq!(order["status"], "pending");
    assert_eq!(
        order["items"],
        json!([
            {"sku": "PROD-003", "qty": 4, "unitPriceCents": p3, "lineTotalCents": p3 * 4},
            {"sku": "PROD-001", "qty": 1, "unitPriceCents": p1, "lineTotalCents": p1},
        ])
    );
    assert_eq!(order["totalCents"], p3 * 4 + p1);
    assert_eq!(order["createdAt"], order["updatedAt"]);
    assert_eq!(
        api.get(&format!("/api/orders/{id}")).await.expect(200),
        order
    );
}

pub async fn orders_list_newest_first_and_paginates_to_the_last_page(api: &Api) {
    let user = api.create_user("Many Orders").await;
    let uid = user["id"].as_i64().unwrap();
    let mut created = HashSet::new();
    for qty in 1..=25 {
        created.insert(
            api.create_order(uid, &[("PROD-010", qty)]).await["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }

    let first = api
        .get(&format!("/api/orders?userId={uid}"))
        .await
        .expect(200);
    assert_eq!(
        first["items"].as_array().unwrap().len(),
        20,
        "the default limit is 20"
    );

    let mut seen: Vec<String> = Vec::new();
    let mut pages = Vec::new();
    let mut query = format!("/api/orders?userId={uid}&limit=10");
    loop {
        let page = api.get(&query).await.expect(200);
        let items = page["items"].as_array().unwrap();
        pages.push(items.len());
        seen.extend(items.iter().map(|o| o["id"].as_str().unwrap().to_owned()));
        match page["nextCursor"].as_str() {
            Some(cursor) => query = format!("/api/orders?userId={uid}&limit=10&cursor={cursor}"),
            None => {
                assert!(
                    page.as_object().unwrap().contains_key("nextCursor"),
                    "nextCursor is present, null"
                );
                break;
            }
        }
    }

    assert_eq!(pages, vec![10, 10, 5]);
    let mut descending = seen.clone();
    descending.sort_by(|a, b| b.cmp(a));
    assert_eq!(seen, descending, "newest (greatest ULID) first");
    assert_eq!(seen.iter().cloned().collect::<HashSet<_>>(), created);
    assert_eq!(seen.len(), 25, "no order twice");

    let exact = api
        .get(&format!("/api/orders?userId={uid}&limit=25"))
        .await
        .expect(200);
    assert_eq!(
        exact["nextCursor"],
        Value::Null,
        "a full last page has no next cursor"
    );
    let empty = api.get("/api/orders?userId=999999999").await.expect(200);
    assert_eq!(empty, json!({"items": [], "nextCursor": null}));
}

pub async fn cursor_of_another_user_is_refused(api: &Api) {
    let owner = api.create_user("Owner").await["id"].as_i64().unwrap();
    let other = api.create_user("Other").await["id"].as_i64().unwrap();
    for _ in 0..2 {
        api.create_order(owner, &[("PROD-002", 1)]).await;
    }
    let page = api
        .get(&format!("/api/orders?userId={owner}&limit=1"))
        .await
        .expect(200);
    let cursor = page["nextCursor"].as_str().expect("a next page");

    let reply = api
        .get(&format!(
            "/api/orders?userId={other}&limit=1&cursor={cursor}"
        ))
        .await;

    assert_eq!(reply.error_fields(400, "invalid_query"), vec!["cursor"]);
}

pub async fn status_machine_allows_only_documented_transitions(api: &Api) {
    let uid = api.create_user("Statuses").await["id"].as_i64().unwrap();
    let path = |order: &Value| format!("/api/orders/{}", order["id"].as_str().unwrap());
    let to = |status: &str| json!({"status": status});

    let a = api.create_order(uid, &[("PROD-005", 1)]).await;
    api.patch(&path(&a), &to("pending"))
        .await
        .expect_error(409, "invalid_transition");
    api.patch(&path(&a), &to("shipped"))
        .await
        .expect_error(409, "invalid_transition");
    let paid = api.patch(&path(&a), &to("paid")).await.expect(200);
    assert_eq!(paid["status"], "paid");
    assert_eq!(paid["createdAt"], a["createdAt"]);
    assert!(paid["updatedAt"].as_str() >= a["updatedAt"].as_str());
    let shipped = api.patch(&path(&a), &to("shipped")).await.expect(200);
    assert_eq!(shipped["status"], "shipped");
    for next in ["pending", "paid", "cancelled", "shipped"] {
        api.patch(&path(&a), &to(next))
            .await
            .expect_error(409, "invalid_transition");
    }

    let b = api.create_order(uid, &[("PROD-005", 1)]).await;
    assert_eq!(
        api.patch(&path(&b), &to("cancelled")).await.expect(200)["status"],
        "cancelled"
    );
    for next in ["pending", "paid", "shipped", "cancelled"] {
        api.patch(&path(&b), &to(next))
            .await
            .expect_error(409, "invalid_transition");
    }

    let c = api.create_order(uid, &[("PROD-005", 1)]).await;
    api.patch(&path(&c), &to("paid")).await.expect(200);
    assert_eq!(
        api.patch(&path(&c), &to("cancelled")).await.expect(200)["status"],
        "cancelled"
    );
    assert_eq!(api.get(&path(&c)).await.expect(200)["status"], "cancelled");

    api.patch("/api/orders/01ARZ3NDEKTSV4RRFFQ69G5FAV", &to("paid"))
        .await
        .expect_error(404, "not_found");
}

pub async fn delete_is_refused_while_the_user_has_orders(api: &Api) {
    let user = api.create_user("Has Orders").await;
    let path = format!("/api/users/{}", user["id"]);
    api.create_order(user["id"].as_i64().unwrap(), &[("PROD-001", 1)])
        .await;

    api.delete(&path).await.expect_error(409, "user_has_orders");

    assert_eq!(
        api.get(&path).await.expect(200),
        user,
        "the user is untouched"
    );
}

pub async fn summary_matches_the_orders_and_leaves_out_cancelled(api: &Api) {
    let uid = api.create_user("Summed").await["id"].as_i64().unwrap();
    let orders = [
        api.create_order(uid, &[("PROD-001", 3), ("PROD-002", 1)])
            .await,
        api.create_order(uid, &[("PROD-002", 5)]).await,
        api.create_order(
            uid,
            &[
                ("PROD-003", 1),
                ("PROD-004", 1),
                ("PROD-005", 1),
                ("PROD-006", 1),
            ],
        )
        .await,
        api.create_order(uid, &[("PROD-009", 50)]).await,
    ];
    let cancelled = &orders[3];
    api.patch(
        &format!("/api/orders/{}", cancelled["id"].as_str().unwrap()),
        &json!({"status": "cancelled"}),
    )
    .await
    .expect(200);
    let counted = &orders[..3];

    let summary = api
        .get(&format!("/api/users/{uid}/summary"))
        .await
        .expect(200);

    let total: u64 = counted
        .iter()
        .map(|o| o["totalCents"].as_u64().unwrap())
        .sum();
    assert_eq!(summary["userId"], uid);
    assert_eq!(summary["orderCount"], 3);
    assert_eq!(summary["totalSpentCents"], total);
    assert_eq!(summary["averageOrderCents"], total / 3);
    let times: Vec<&str> = counted
        .iter()
        .map(|o| o["createdAt"].as_str().unwrap())
        .collect();
    assert_eq!(summary["firstOrderAt"], *times.iter().min().unwrap());
    assert_eq!(summary["lastOrderAt"], *times.iter().max().unwrap());

    let mut per_sku: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    for item in counted.iter().flat_map(|o| o["items"].as_array().unwrap()) {
        let entry = per_sku
            .entry(item["sku"].as_str().unwrap().to_owned())
            .or_default();
        entry.0 += item["qty"].as_u64().unwrap();
        entry.1 += item["lineTotalCents"].as_u64().unwrap();
    }
    let mut expected: Vec<(String, (u64, u64))> = per_sku.into_iter().collect();
    expected.sort_by(|a, b| b.1.0.cmp(&a.1.0).then(a.0.cmp(&b.0)));
    expected.truncate(5);
    let expected: Vec<Value> = expected
        .into_iter()
        .map(|(sku, (qty, spent))| json!({"sku": sku, "qty": qty, "spentCents": spent}))
        .collect();
    assert_eq!(summary["topProducts"], Value::Array(expected));
    assert!(
        summary["topProducts"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["sku"] != "PROD-009"),
        "cancelled lines are left out"
    );

    let monthly = summary["monthly"].as_array().unwrap();
    assert_eq!(monthly.len(), 12);
    let this_month = &times[0][..7];
    assert_eq!(
        monthly[11],
        json!({"month": this_month, "orders": 3, "spentCents": total})
    );
    assert!(
        monthly[..11]
            .iter()
            .all(|m| m["orders"] == 0 && m["spentCents"] == 0)
    );
    let months: Vec<&str> = monthly
        .iter()
        .map(|m| m["month"].as_str().unwrap())
        .collect();
    let mut sorted = months.clone();
    sorted.sort();
    assert_eq!(months, sorted, "oldest first");
}

pub async fn summary_of_a_user_without_orders_has_nulls(api: &Api) {
    let uid = api.create_user("No Orders").await["id"].as_i64().unwrap();

    let summary = api
        .get(&format!("/api/users/{uid}/summary"))
        .await
        .expect(200);

    assert_eq!(summary["orderCount"], 0);
    assert_eq!(summary["totalSpentCents"], 0);
    for field in ["averageOrderCents", "firstOrderAt", "lastOrderAt"] {
        assert!(
            summary.as_object().unwrap().contains_key(field) && summary[field].is_null(),
            "{field} is null"
        );
    }
    assert_eq!(summary["topProducts"], json!([]));
    assert_eq!(summary["monthly"].as_array().unwrap().len(), 12);
    api.get("/api/users/999999999/summary")
        .await
        .expect_error(404, "not_found");
}
