//! Orders: stored in their user's partition (sort key `ORDER#<ULID>`), found by id through a
//! pointer item, created in one transaction with the user's order count and the idempotency
//! record.

use aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder;
use aws_sdk_dynamodb::types::{
    AttributeValue, Put, ReturnConsumedCapacity, ReturnValuesOnConditionCheckFailure,
    TransactWriteItem, Update,
};
use twinstack_core::{
    CreateOrderOutcome, IdempotencyRecord, Order, OrderId, OrderStatus, StoreError, Timestamp,
    UserId,
};

use crate::capacity::{self, Kind};
use crate::error::{build_error, classify};
use crate::keys::{
    Item, Key, ORDER_PREFIX, PK, PROFILE, SK, attr, n, orders_start_key, s, user_partition,
};
use crate::retry::{Attempt, until_done};
use crate::stored::StoredPointer;
use crate::transact::{self, Check, Refused, Transaction, put_new};
use crate::update::{self, Updated};
use crate::{DynamoStore, get, idempotency, items};

/// One transaction: the user's `orderCount + 1` (which also proves the user exists), the order,
/// its pointer and, under a key, the idempotency record, which may replace an expired one.
/// Racing creates on one user conflict and are retried by the transaction runner.
pub(crate) async fn create(
    store: &DynamoStore,
    order: &Order,
    record: Option<&IdempotencyRecord>,
) -> Result<CreateOrderOutcome, StoreError> {
    let count = Update::builder()
        .table_name(&*store.table)
        .set_key(Some(Key::user(order.user_id).to_item()))
        .update_expression("ADD #orderCount :one")
        .condition_expression("attribute_exists(#pk)")
        .expression_attribute_names("#orderCount", attr::ORDER_COUNT)
        .expression_attribute_names("#pk", PK)
        .expression_attribute_values(":one", n(1))
        .build()
        .map_err(build_error)?;
    let mut transaction = Transaction::default()
        .with(
            Check::UserExists,
            TransactWriteItem::builder().update(count).build(),
        )
        .with(
            Check::NewOrder,
            put_new(&store.table, items::order(order)?)?,
        )
        .with(
            Check::NewOrder,
            put_new(&store.table, items::order_pointer(order))?,
        );
    if let Some(record) = record {
        transaction = transaction.with(Check::KeyFree, claim(store, record, order.created_at)?);
    }
    match transact::run(&store.client, &transaction).await? {
        Ok(()) => Ok(CreateOrderOutcome::Created),
        Err(refused) => refusal(store, order, record, refused).await,
    }
}

/// Puts `record` unless a record live at `now` (the order's creation instant) holds its key.
fn claim(
    store: &DynamoStore,
    record: &IdempotencyRecord,
    now: Timestamp,
) -> Result<TransactWriteItem, StoreError> {
    let put = Put::builder()
        .table_name(&*store.table)
        .set_item(Some(items::idempotency_record(record)?))
        .condition_expression("attribute_not_exists(#pk) OR #expiresAt <= :now")
        .expression_attribute_names("#pk", PK)
        .expression_attribute_names("#expiresAt", attr::EXPIRES_AT)
        .expression_attribute_values(":now", n(now.as_millis()))
        .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
        .build()
        .map_err(build_error)?;
    Ok(TransactWriteItem::builder().put(put).build())
}

/// A held key wins over a missing user, as on Postgres, where the key is claimed first.
async fn refusal(
    store: &DynamoStore,
    order: &Order,
    record: Option<&IdempotencyRecord>,
    refused: Refused,
) -> Result<CreateOrderOutcome, StoreError> {
    if let (Some(held), Some(record)) = (refused.get(Check::KeyFree), record) {
        let held = match held {
            Some(item) => items::read_idempotency_record(&record.key, item.clone())?,
            // Not sent back: read it. It was live at the order's instant, so it still is.
            None => idempotency::find(store, &record.key, order.created_at)
                .await?
                .ok_or_else(|| {
                    StoreError::Internal("a held idempotency key has no record".into())
                })?,
        };
        return Ok(CreateOrderOutcome::KeyTaken(held));
    }
    if refused.get(Check::UserExists).is_some() {
        return Err(StoreError::UserNotFound);
    }
    Err(StoreError::Internal(
        format!("order id {} is already taken", order.id).into(),
    ))
}

pub(crate) async fn get(store: &DynamoStore, id: OrderId) -> Result<Option<Order>, StoreError> {
    let Some(user_id) = owner(store, id).await? else {
        return Ok(None);
    };
    get::consistent(store, Key::order(user_id, id))
        .await?
        .map(items::read_order)
        .transpose()
}

/// The user whose partition holds order `id`, from its pointer.
async fn owner(store: &DynamoStore, id: OrderId) -> Result<Option<UserId>, StoreError> {
    let Some(item) = get::consistent(store, Key::order_pointer(id)).await? else {
        return Ok(None);
    };
    let user_id = items::read::<StoredPointer, _>(item, "order pointer")?;
    Ok(Some(user_id))
}

/// Up to `limit` orders strictly older than `after`, newest first. A page of the query can stop
/// short (at 1 MB), so it continues until `limit` orders are in or the partition ends.
pub(crate) async fn list(
    store: &DynamoStore,
    user_id: UserId,
    after: Option<OrderId>,
    limit: usize,
) -> Result<Vec<Order>, StoreError> {
    let mut orders = Vec::new();
    let mut start = after.map(|after| orders_start_key(user_id, after));
    while orders.len() < limit {
        let want = i32::try_from(limit - orders.len()).unwrap_or(i32::MAX);
        let (items, next) = query_page(
            partition_query(store, user_id)
                .key_condition_expression("#pk = :pk AND begins_with(#sk, :prefix)")
                .expression_attribute_names("#sk", SK)
                .expression_attribute_values(":prefix", s(ORDER_PREFIX))
                .limit(want)
                .set_exclusive_start_key(start),
        )
        .await?;
        for item in items {
            orders.push(items::read_order(item)?);
        }
        start = next;
        if start.is_none() {
            break;
        }
    }
    Ok(orders)
}

/// The profile and every order in one partition: no profile means no user. Newest first.
pub(crate) async fn of_user(
    store: &DynamoStore,
    user_id: UserId,
) -> Result<Option<Vec<Order>>, StoreError> {
    let mut exists = false;
    let mut orders = Vec::new();
    let mut start = None;
    loop {
        let (items, next) = query_page(
            partition_query(store, user_id)
                .key_condition_expression("#pk = :pk")
                .set_exclusive_start_key(start),
        )
        .await?;
        for item in items {
            match item.get(SK) {
                Some(AttributeValue::S(sk)) if sk == PROFILE => exists = true,
                Some(AttributeValue::S(sk)) if sk.starts_with(ORDER_PREFIX) => {
                    orders.push(items::read_order(item)?);
                }
                _ => {}
            }
        }
        start = next;
        if start.is_none() {
            return Ok(exists.then_some(orders));
        }
    }
}

/// A strongly consistent, descending query of `USER#<id>`, its key condition still to add.
fn partition_query(store: &DynamoStore, user_id: UserId) -> QueryFluentBuilder {
    store
        .client
        .query()
        .table_name(&*store.table)
        .expression_attribute_names("#pk", PK)
        .expression_attribute_values(":pk", s(user_partition(user_id)))
        .scan_index_forward(false)
        .consistent_read(true)
        .return_consumed_capacity(ReturnConsumedCapacity::Total)
}

async fn query_page(query: QueryFluentBuilder) -> Result<(Vec<Item>, Option<Item>), StoreError> {
    let page = query.send().await.map_err(|err| classify("Query", err))?;
    capacity::record(Kind::Read, page.consumed_capacity());
    Ok((page.items.unwrap_or_default(), page.last_evaluated_key))
}

/// Compare-and-set in one conditional UpdateItem: of two racing transitions, the second finds
/// the status changed and its condition fails.
pub(crate) async fn set_status(
    store: &DynamoStore,
    id: OrderId,
    from: OrderStatus,
    to: OrderStatus,
    now: Timestamp,
) -> Result<Option<Order>, StoreError> {
    let Some(user_id) = owner(store, id).await? else {
        return Ok(None);
    };
    let key = Key::order(user_id, id);
    until_done(|| async {
        let update = store
            .client
            .update_item()
            .table_name(&*store.table)
            .set_key(Some(key.to_item()))
            .update_expression("SET #status = :to, #updatedAt = :now")
            .condition_expression("#status = :from")
            .expression_attribute_names("#status", attr::STATUS)
            .expression_attribute_names("#updatedAt", attr::UPDATED_AT)
            .expression_attribute_values(":from", s(from.as_str()))
            .expression_attribute_values(":to", s(to.as_str()))
            .expression_attribute_values(":now", s(now.to_string()));
        match update::conditional(update).await? {
            Updated::Item(item) => Ok(Attempt::Done(Some(items::read_order(item)?))),
            Updated::Refused => Ok(Attempt::Done(None)),
            Updated::Contended => Ok(Attempt::Again("status update contended")),
        }
    })
    .await
}
