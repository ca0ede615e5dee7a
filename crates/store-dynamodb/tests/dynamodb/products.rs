use twinstack_core::seed::DataSet;
use twinstack_core::{Sku, Store};
use twinstack_store_dynamodb::load_data_set;

use crate::support::TestTable;

#[tokio::test]
async fn the_catalogue_lists_by_sku_and_finds_products_one_by_one_or_in_batches() {
    let db = TestTable::create("catalogue").await;
    let data = DataSet::generate(0, 0);
    load_data_set(db.client(), db.name(), &data).await.unwrap();
    // Every sku twice, and 30 unknown ones: 130 distinct keys, over BatchGetItem's 100.
    let known = data.products.iter().map(|p| p.sku.clone());
    let unknown = (200..230).map(|n| Sku::parse(&format!("PROD-{n}")).unwrap());
    let asked: Vec<Sku> = known.clone().chain(known).chain(unknown).collect();

    let listed = db.store.list_products().await.unwrap();
    let one = db
        .store
        .get_product(&Sku::parse("PROD-042").unwrap())
        .await
        .unwrap();
    let none = db
        .store
        .get_product(&Sku::parse("PROD-999").unwrap())
        .await
        .unwrap();
    let mut batch = db.store.products_by_sku(&asked).await.unwrap();
    batch.sort_by(|a, b| a.sku.cmp(&b.sku));

    assert_eq!(listed, data.products);
    assert_eq!(one.as_ref(), Some(&data.products[41]));
    assert_eq!(none, None);
    assert_eq!(batch, data.products);
    db.finish().await;
}
