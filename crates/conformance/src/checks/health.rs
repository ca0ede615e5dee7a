use crate::Api;

pub async fn api_health_answers_ok_without_store(api: &Api) {
    let reply = api.get("/api/health").await;

    assert_eq!(reply.expect(200), serde_json::json!({"status": "ok"}));
    assert_eq!(reply.header("content-type"), Some("application/json"));
}

pub async fn openapi_document_describes_every_route(api: &Api) {
    let document = api.get("/api/openapi.json").await.expect(200);

    assert!(
        document["openapi"]
            .as_str()
            .is_some_and(|v| v.starts_with("3."))
    );
    let paths = document["paths"].as_object().expect("paths");
    for (path, methods) in [
        ("/api/health", &["get"][..]),
        ("/api/products", &["get"]),
        ("/api/products/{sku}", &["get"]),
        ("/api/users", &["post"]),
        ("/api/users/{id}", &["get", "patch", "delete"]),
        ("/api/users/{id}/summary", &["get"]),
        ("/api/orders", &["get", "post"]),
        ("/api/orders/{id}", &["get", "patch"]),
    ] {
        for method in methods {
            assert!(
                paths[path][method].is_object(),
                "{method} {path} is documented"
            );
        }
    }
}
