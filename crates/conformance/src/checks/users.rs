use serde_json::json;

use crate::Api;
use crate::client::unique;

pub async fn created_user_is_returned_with_location_and_canonical_email(api: &Api) {
    let email = format!("  Ada.{}@Example.COM ", unique());

    let reply = api
        .post(
            "/api/users",
            &json!({"name": "  Ada Lovelace ", "email": email}),
        )
        .await;

    let user = reply.expect(201);
    let id = user["id"].as_i64().expect("a numeric id");
    assert!(id > 0);
    assert_eq!(
        reply.header("location"),
        Some(format!("users/{id}").as_str())
    );
    assert_eq!(user["name"], "Ada Lovelace");
    assert_eq!(user["email"], email.trim().to_lowercase());
    assert_eq!(user["createdAt"], user["updatedAt"]);
    let created = user["createdAt"].as_str().unwrap();
    assert_eq!(
        created.len(),
        24,
        "RFC 3339 with milliseconds and Z: {created}"
    );
    assert!(created.ends_with('Z') && created.as_bytes()[19] == b'.');
    let keys: Vec<&String> = user.as_object().unwrap().keys().collect();
    assert_eq!(
        keys.len(),
        5,
        "id, name, email, createdAt, updatedAt: {keys:?}"
    );
}

pub async fn user_can_be_read_updated_and_deleted(api: &Api) {
    let user = api.create_user("Grace Hopper").await;
    let path = format!("/api/users/{}", user["id"]);

    assert_eq!(api.get(&path).await.expect(200), user);

    let renamed = api
        .patch(&path, &json!({"name": "Rear Admiral Hopper"}))
        .await
        .expect(200);
    assert_eq!(renamed["name"], "Rear Admiral Hopper");
    assert_eq!(renamed["email"], user["email"]);
    assert_eq!(renamed["createdAt"], user["createdAt"]);
    assert!(renamed["updatedAt"].as_str() >= user["updatedAt"].as_str());

    let email = format!("grace.{}@navy.mil", unique());
    let moved = api
        .patch(&path, &json!({"email": email.to_uppercase()}))
        .await
        .expect(200);
    assert_eq!(moved["email"], email);
    assert_eq!(api.get(&path).await.expect(200), moved);

    let deleted = api.delete(&path).await;
    assert_eq!(deleted.status.as_u16(), 204);
    assert!(deleted.body.is_empty());
    api.get(&path).await.expect_error(404, "not_found");
    api.delete(&path).await.expect_error(404, "not_found");
    api.patch(&path, &json!({"name": "x"}))
        .await
        .expect_error(404, "not_found");
}

pub async fn email_uniqueness_is_case_insensitive(api: &Api) {
    let email = format!("taken.{}@example.com", unique());
    api.post("/api/users", &json!({"name": "First", "email": email}))
        .await
        .expect(201);

    let reply = api
        .post(
            "/api/users",
            &json!({"name": "Second", "email": email.to_uppercase()}),
        )
        .await;

    reply.expect_error(409, "email_taken");
}

pub async fn patch_to_own_email_is_allowed(api: &Api) {
    let user = api.create_user("Self Same").await;
    let path = format!("/api/users/{}", user["id"]);

    let reply = api.patch(&path, &json!({"email": user["email"]})).await;

    assert_eq!(reply.expect(200)["email"], user["email"]);
}

pub async fn user_ids_increase(api: &Api) {
    let first = api.create_user("One").await["id"].as_i64().unwrap();
    let second = api.create_user("Two").await["id"].as_i64().unwrap();

    assert!(second > first, "{second} > {first}");
    assert!(
        first > 10,
        "seeded users keep their ids; new ones come after them"
    );
}
