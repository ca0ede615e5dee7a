use crate::Api;

pub async fn catalogue_lists_all_products_by_sku(api: &Api) {
    let body = api.get("/api/products").await.expect(200);

    let items = body["items"].as_array().expect("items");
    assert_eq!(items.len(), 100);
    let skus: Vec<&str> = items.iter().map(|p| p["sku"].as_str().unwrap()).collect();
    let mut sorted = skus.clone();
    sorted.sort();
    assert_eq!(skus, sorted);
    assert_eq!(skus[0], "PROD-001");
    assert!(
        items
            .iter()
            .all(|p| p["priceCents"].as_u64().is_some() && p["name"].as_str().is_some())
    );
}

pub async fn product_by_sku_and_unknown_sku(api: &Api) {
    let product = api.get("/api/products/PROD-042").await.expect(200);
    assert_eq!(product["sku"], "PROD-042");
    assert_eq!(
        product.as_object().unwrap().len(),
        3,
        "sku, name, priceCents: {product}"
    );

    api.get("/api/products/PROD-999")
        .await
        .expect_error(404, "not_found");
    api.get("/api/products/not%20a%20sku")
        .await
        .expect_error(404, "not_found");
}
