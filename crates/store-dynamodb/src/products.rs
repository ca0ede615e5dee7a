//! The catalogue: one partition, `CATALOG`, sorted by sku.

use std::collections::{BTreeSet, HashMap};

use aws_sdk_dynamodb::types::{KeysAndAttributes, ReturnConsumedCapacity};
use twinstack_core::{Product, Sku, StoreError};

use crate::capacity::{self, Kind};
use crate::error::classify;
use crate::keys::{CATALOG, Item, Key, PK, PRODUCT_PREFIX, SK, s};
use crate::retry::{Backoff, CONTENTION};
use crate::{DynamoStore, get, items};

/// BatchGetItem's limit of keys per request.
const BATCH_GET_MAX: usize = 100;

/// Every product, by sku: the sort key is the sku behind a fixed prefix, so key order is sku order.
pub(crate) async fn list(store: &DynamoStore) -> Result<Vec<Product>, StoreError> {
    let mut products = Vec::new();
    let mut start = None;
    loop {
        let page = store
            .client
            .query()
            .table_name(&*store.table)
            .key_condition_expression("#pk = :pk AND begins_with(#sk, :prefix)")
            .expression_attribute_names("#pk", PK)
            .expression_attribute_names("#sk", SK)
            .expression_attribute_values(":pk", s(CATALOG))
            .expression_attribute_values(":prefix", s(PRODUCT_PREFIX))
            .consistent_read(true)
            .set_exclusive_start_key(start)
            .return_consumed_capacity(ReturnConsumedCapacity::Total)
            .send()
            .await
            .map_err(|err| classify("Query", err))?;
        capacity::record(Kind::Read, page.consumed_capacity());
        for item in page.items.unwrap_or_default() {
            products.push(items::read_product(item)?);
        }
        start = page.last_evaluated_key;
        if start.is_none() {
            return Ok(products);
        }
    }
}

pub(crate) async fn get(store: &DynamoStore, sku: &Sku) -> Result<Option<Product>, StoreError> {
    get::consistent(store, Key::product(sku))
        .await?
        .map(items::read_product)
        .transpose()
}

/// The products among `skus` that exist. BatchGetItem refuses duplicate keys, so they are
/// dropped first; keys DynamoDB leaves unprocessed (under load) are asked for again.
pub(crate) async fn by_sku(store: &DynamoStore, skus: &[Sku]) -> Result<Vec<Product>, StoreError> {
    let unique: BTreeSet<&Sku> = skus.iter().collect();
    let keys: Vec<Item> = unique
        .into_iter()
        .map(|sku| Key::product(sku).to_item())
        .collect();
    let mut products = Vec::with_capacity(keys.len());
    for chunk in keys.chunks(BATCH_GET_MAX) {
        let mut pending = Some(chunk.to_vec());
        let mut backoff = Backoff::new(CONTENTION);
        while let Some(keys) = pending.take() {
            let request = KeysAndAttributes::builder()
                .set_keys(Some(keys))
                .consistent_read(true)
                .build()
                .map_err(|err| StoreError::Internal(Box::new(err)))?;
            let output = store
                .client
                .batch_get_item()
                .set_request_items(Some(HashMap::from([(store.table.to_string(), request)])))
                .return_consumed_capacity(ReturnConsumedCapacity::Total)
                .send()
                .await
                .map_err(|err| classify("BatchGetItem", err))?;
            capacity::record(Kind::Read, output.consumed_capacity());
            let found = output
                .responses
                .and_then(|mut tables| tables.remove(&*store.table))
                .unwrap_or_default();
            for item in found {
                products.push(items::read_product(item)?);
            }
            pending = output
                .unprocessed_keys
                .and_then(|mut tables| tables.remove(&*store.table))
                .map(|unprocessed| unprocessed.keys)
                .filter(|keys| !keys.is_empty());
            if pending.is_some() {
                backoff.wait("BatchGetItem left keys unprocessed").await?;
            }
        }
    }
    Ok(products)
}
