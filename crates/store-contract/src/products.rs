//! The catalogue: listed by sku, found one by one or in batches of any size.

use twinstack_core::seed::DataSet;
use twinstack_core::{Sku, Store};

use crate::fixture::Fixture;

pub async fn the_catalogue_lists_by_sku_and_finds_products_one_by_one_or_in_batches<F: Fixture>(
    fixture: &F,
) {
    let store = fixture.store();
    let data = DataSet::generate(0, 0);
    fixture.load(&data).await.unwrap();
    // Every sku twice, and 30 unknown ones: 130 distinct keys, over DynamoDB's 100 per BatchGetItem.
    let known = data.products.iter().map(|p| p.sku.clone());
    let unknown = (200..230).map(|n| Sku::parse(&format!("PROD-{n}")).unwrap());
    let asked: Vec<Sku> = known.clone().chain(known).chain(unknown).collect();

    let listed = store.list_products().await.unwrap();
    let one = store
        .get_product(&Sku::parse("PROD-042").unwrap())
        .await
        .unwrap();
    let none = store
        .get_product(&Sku::parse("PROD-999").unwrap())
        .await
        .unwrap();
    let mut batch = store.products_by_sku(&asked).await.unwrap();
    batch.sort_by(|a, b| a.sku.cmp(&b.sku));

    assert_eq!(listed, data.products);
    assert_eq!(one.as_ref(), Some(&data.products[41]));
    assert_eq!(none, None);
    assert_eq!(batch, data.products);
}
