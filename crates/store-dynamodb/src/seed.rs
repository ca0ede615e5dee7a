//! Loading core's deterministic [`DataSet`] for `twinstack seed`, and reading it back for the
//! checksum, which must equal the one the Postgres twin prints for the same data set.
//!
//! Reseeding replaces everything by deleting and re-creating the table: much faster than deleting
//! item by item, and acceptable for what a seeder is for (development, tests and benchmarks).
//! Never point it at a table whose data must survive; a table with deletion protection makes it
//! fail instead.

use std::collections::HashMap;
use std::time::Duration;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::{AttributeValue, PutRequest, ReturnConsumedCapacity, WriteRequest};
use futures::{StreamExt, TryStreamExt};
use twinstack_core::seed::DataSet;
use twinstack_core::{StoreError, UserId};

use crate::capacity::{self, Kind};
use crate::error::{build_error, classify};
use crate::keys::{CATALOG, Item, ORDER_PREFIX, PK, PROFILE, SK, USER_PREFIX};
use crate::retry::{Backoff, Policy};
use crate::{create_table, delete_table, items};

/// BatchWriteItem's limit of items per request.
const BATCH: usize = 25;
/// Batches in flight at once: enough to keep DynamoDB busy without a burst that throttles.
const IN_FLIGHT: usize = 8;
/// Parallel scan segments for reading back.
const SCAN_SEGMENTS: i32 = 4;
/// Items per scan page. Full 1 MB pages take seconds on DynamoDB Local while its JVM warms up,
/// past the attempt timeout; pages this size take a fraction of a second.
const SCAN_PAGE: i32 = 1_000;
/// Unprocessed items mean throttling (a fresh on-demand table starts small): back off longer
/// than for a race between requests.
const UNPROCESSED: Policy = Policy {
    attempts: 15,
    base: Duration::from_millis(50),
    cap: Duration::from_secs(5),
};

/// Replaces the table's contents with `data`: users (with their order counts), email guards,
/// orders, order pointers, products, and the user-id counter set so the next user gets
/// max(id) + 1.
pub async fn load_data_set(client: &Client, table: &str, data: &DataSet) -> Result<(), StoreError> {
    delete_table(client, table).await?;
    create_table(client, table).await?;
    let items = data_set_items(data)?;
    futures::stream::iter(items.chunks(BATCH))
        .map(|chunk| write_batch(client, table, chunk))
        .buffer_unordered(IN_FLIGHT)
        .try_collect()
        .await
}

fn data_set_items(data: &DataSet) -> Result<Vec<Item>, StoreError> {
    let mut order_counts: HashMap<UserId, u64> = HashMap::new();
    for order in &data.orders {
        *order_counts.entry(order.user_id).or_default() += 1;
    }
    let mut all =
        Vec::with_capacity(data.products.len() + 2 * data.users.len() + 2 * data.orders.len() + 1);
    for product in &data.products {
        all.push(items::product(product)?);
    }
    for user in &data.users {
        let order_count = order_counts.get(&user.id).copied().unwrap_or(0);
        all.push(items::user(user, order_count)?);
        all.push(items::email_guard(&user.email, user.id));
    }
    for order in &data.orders {
        all.push(items::order(order)?);
        all.push(items::order_pointer(order));
    }
    let last_id = data
        .users
        .iter()
        .map(|user| user.id.get())
        .max()
        .unwrap_or(0);
    all.push(items::user_id_counter(last_id));
    Ok(all)
}

/// Writes one batch, asking again for the items DynamoDB left unprocessed.
async fn write_batch(client: &Client, table: &str, chunk: &[Item]) -> Result<(), StoreError> {
    let mut pending = chunk
        .iter()
        .map(|item| {
            let put = PutRequest::builder()
                .set_item(Some(item.clone()))
                .build()
                .map_err(build_error)?;
            Ok(WriteRequest::builder().put_request(put).build())
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    let mut backoff = Backoff::new(UNPROCESSED);
    loop {
        let output = client
            .batch_write_item()
            .request_items(table, pending)
            .return_consumed_capacity(ReturnConsumedCapacity::Total)
            .send()
            .await
            .map_err(|err| classify("BatchWriteItem", err))?;
        capacity::record(Kind::Write, output.consumed_capacity());
        pending = output
            .unprocessed_items
            .and_then(|mut tables| tables.remove(table))
            .unwrap_or_default();
        if pending.is_empty() {
            return Ok(());
        }
        backoff
            .wait("BatchWriteItem left items unprocessed")
            .await?;
    }
}

/// Everything stored: products by sku, users by id, orders by id. Bookkeeping items (email
/// guards, order pointers, the counter, idempotency records) are not part of a data set.
///
/// A scan is not a snapshot: read back while nothing else writes.
pub async fn read_data_set(client: &Client, table: &str) -> Result<DataSet, StoreError> {
    let segments = futures::future::try_join_all(
        (0..SCAN_SEGMENTS).map(|segment| scan_segment(client, table, segment)),
    )
    .await?;
    let mut data = DataSet {
        products: Vec::new(),
        users: Vec::new(),
        orders: Vec::new(),
    };
    for part in segments {
        data.products.extend(part.products);
        data.users.extend(part.users);
        data.orders.extend(part.orders);
    }
    data.products.sort_by(|a, b| a.sku.cmp(&b.sku));
    data.users.sort_by_key(|user| user.id);
    data.orders.sort_by_key(|order| order.id);
    Ok(data)
}

async fn scan_segment(client: &Client, table: &str, segment: i32) -> Result<DataSet, StoreError> {
    let mut part = DataSet {
        products: Vec::new(),
        users: Vec::new(),
        orders: Vec::new(),
    };
    let mut start = None;
    loop {
        let page = client
            .scan()
            .table_name(table)
            .segment(segment)
            .total_segments(SCAN_SEGMENTS)
            .limit(SCAN_PAGE)
            .consistent_read(true)
            .set_exclusive_start_key(start)
            .return_consumed_capacity(ReturnConsumedCapacity::Total)
            .send()
            .await
            .map_err(|err| classify("Scan", err))?;
        capacity::record(Kind::Read, page.consumed_capacity());
        for item in page.items.unwrap_or_default() {
            match kind(&item) {
                Some(ItemKind::Product) => part.products.push(items::read_product(item)?),
                Some(ItemKind::User) => part.users.push(items::read_user(item)?),
                Some(ItemKind::Order) => part.orders.push(items::read_order(item)?),
                None => {}
            }
        }
        start = page.last_evaluated_key;
        if start.is_none() {
            return Ok(part);
        }
    }
}

enum ItemKind {
    Product,
    User,
    Order,
}

/// What an item holds, by its key; `None` for bookkeeping items.
fn kind(item: &Item) -> Option<ItemKind> {
    let (Some(AttributeValue::S(pk)), Some(AttributeValue::S(sk))) = (item.get(PK), item.get(SK))
    else {
        return None;
    };
    if pk == CATALOG {
        Some(ItemKind::Product)
    } else if !pk.starts_with(USER_PREFIX) {
        None
    } else if sk == PROFILE {
        Some(ItemKind::User)
    } else if sk.starts_with(ORDER_PREFIX) {
        Some(ItemKind::Order)
    } else {
        None
    }
}
