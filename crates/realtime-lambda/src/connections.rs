//! Connections and subscriptions as items of the store's single table.
//!
//! | item                        | `PK`                    | `SK`                    | attributes                          |
//! |-----------------------------|-------------------------|-------------------------|-------------------------------------|
//! | connection                  | `CONNECTION#<id>`       | `CONNECTION`            | `connectedAt`, `subscriptionCount`, `ttl` |
//! | subscription (by connection)| `CONNECTION#<id>`       | `SUBSCRIPTION#<userId>` | `userId`, `ttl`                     |
//! | subscriber (by user)        | `SUBSCRIBERS#<userId>`  | `CONNECTION#<id>`       | `connectionId`, `ttl`               |
//!
//! A subscription is written twice, in one transaction: once under its connection (so a
//! disconnect finds everything to delete, and the cap counts them) and once under its user (so the
//! fan-out finds a user's subscribers with one Query). No secondary index: both reads are strongly
//! consistent Queries on a partition. `subscriptionCount` on the connection item holds the cap
//! under concurrent subscribes; `ttl` (epoch seconds, the table's TTL attribute) removes what a
//! lost `$disconnect` would leave behind, after API Gateway's 2-hour connection limit.

use std::collections::HashMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::DisplayErrorContext;
use aws_sdk_dynamodb::types::{AttributeValue, Delete, Put, TransactWriteItem, Update};
use futures::{StreamExt, TryStreamExt};
use twinstack_core::UserId;
use twinstack_realtime::{MAX_SUBSCRIPTIONS, Subscriptions};

type Item = HashMap<String, AttributeValue>;

/// API Gateway closes every connection after 2 hours; items outlive that by an hour.
const ITEM_LIFETIME: Duration = Duration::from_secs(3 * 3600);
/// Deletes in flight at once when a connection goes.
const DELETES_IN_FLIGHT: usize = 16;

const CONNECTION_PREFIX: &str = "CONNECTION#";
const CONNECTION_SK: &str = "CONNECTION";
const SUBSCRIPTION_PREFIX: &str = "SUBSCRIPTION#";
const SUBSCRIBERS_PREFIX: &str = "SUBSCRIBERS#";
const SUBSCRIPTION_COUNT: &str = "subscriptionCount";

/// A DynamoDB call failed (after the SDK's retries).
#[derive(Debug, thiserror::Error)]
#[error("DynamoDB {operation}: {cause}")]
pub struct TableError {
    operation: &'static str,
    cause: String,
}

impl TableError {
    fn new<E>(operation: &'static str, err: E) -> Self
    where
        E: std::error::Error + 'static,
    {
        TableError {
            operation,
            cause: DisplayErrorContext(err).to_string(),
        }
    }
}

/// Whether a subscribe wrote anything.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Subscribed {
    Added,
    AlreadyFollowed,
    /// The connection already follows [`MAX_SUBSCRIPTIONS`] users (or no longer exists).
    Full,
}

pub struct Connections {
    client: Client,
    table: String,
}

impl Connections {
    pub fn new(client: Client, table: &str) -> Self {
        Connections {
            client,
            table: table.to_owned(),
        }
    }

    /// `$connect`: the connection item, following nobody.
    pub async fn connect(&self, connection: &str, connected_at_ms: i64) -> Result<(), TableError> {
        let mut item = key(connection_pk(connection), CONNECTION_SK);
        item.insert("connectedAt".into(), n(connected_at_ms));
        item.insert(SUBSCRIPTION_COUNT.into(), n(0));
        item.insert("ttl".into(), n(expiry()));
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .send()
            .await
            .map_err(|err| TableError::new("PutItem", err))?;
        Ok(())
    }

    /// The users `connection` follows, read strongly consistent.
    pub async fn subscriptions(&self, connection: &str) -> Result<Subscriptions, TableError> {
        let mut subscriptions = Subscriptions::default();
        let pages = self
            .client
            .query()
            .table_name(&self.table)
            .consistent_read(true)
            .key_condition_expression("PK = :pk AND begins_with(SK, :prefix)")
            .expression_attribute_values(":pk", s(connection_pk(connection)))
            .expression_attribute_values(":prefix", s(SUBSCRIPTION_PREFIX))
            .into_paginator()
            .items()
            .send();
        let items: Vec<Item> = pages
            .try_collect()
            .await
            .map_err(|err| TableError::new("Query", err))?;
        for item in items {
            if let Some(user) = sort_key_suffix(&item, SUBSCRIPTION_PREFIX).and_then(user_id) {
                // Stored subscriptions were admitted once; the cap is the transaction's to hold.
                let _ = subscriptions.insert(user);
            }
        }
        Ok(subscriptions)
    }

    /// Follows `user` from `connection`: both subscription items and the count, or nothing.
    pub async fn subscribe(
        &self,
        connection: &str,
        user: UserId,
    ) -> Result<Subscribed, TableError> {
        let ttl = n(expiry());
        let count = Update::builder()
            .table_name(&self.table)
            .set_key(Some(key(connection_pk(connection), CONNECTION_SK)))
            .update_expression("ADD #count :one")
            .condition_expression("attribute_exists(PK) AND #count < :max")
            .expression_attribute_names("#count", SUBSCRIPTION_COUNT)
            .expression_attribute_values(":one", n(1))
            .expression_attribute_values(":max", n(MAX_SUBSCRIPTIONS))
            .build()
            .map_err(|err| TableError::new("TransactWriteItems", err))?;
        let mut by_connection = key(connection_pk(connection), &subscription_sk(user));
        by_connection.insert("userId".into(), n(user.get()));
        by_connection.insert("ttl".into(), ttl.clone());
        let mut by_user = key(subscribers_pk(user), &connection_pk(connection));
        by_user.insert("connectionId".into(), s(connection));
        by_user.insert("ttl".into(), ttl);
        let result = self
            .client
            .transact_write_items()
            .transact_items(TransactWriteItem::builder().update(count).build())
            .transact_items(self.put_new(by_connection)?)
            .transact_items(self.put_new(by_user)?)
            .send()
            .await;
        match result {
            Ok(_) => Ok(Subscribed::Added),
            Err(err) => {
                let refused = refused_conditions(&err);
                if refused.get(1).copied().unwrap_or(false) {
                    Ok(Subscribed::AlreadyFollowed)
                } else if refused.first().copied().unwrap_or(false) {
                    Ok(Subscribed::Full)
                } else {
                    Err(TableError::new("TransactWriteItems", err))
                }
            }
        }
    }

    /// Stops following `user`; a user not followed is not an error.
    pub async fn unsubscribe(&self, connection: &str, user: UserId) -> Result<(), TableError> {
        let by_connection = Delete::builder()
            .table_name(&self.table)
            .set_key(Some(key(connection_pk(connection), &subscription_sk(user))))
            .condition_expression("attribute_exists(PK)")
            .build()
            .map_err(|err| TableError::new("TransactWriteItems", err))?;
        let by_user = Delete::builder()
            .table_name(&self.table)
            .set_key(Some(key(subscribers_pk(user), &connection_pk(connection))))
            .build()
            .map_err(|err| TableError::new("TransactWriteItems", err))?;
        let count = Update::builder()
            .table_name(&self.table)
            .set_key(Some(key(connection_pk(connection), CONNECTION_SK)))
            .update_expression("ADD #count :minus_one")
            .condition_expression("attribute_exists(PK)")
            .expression_attribute_names("#count", SUBSCRIPTION_COUNT)
            .expression_attribute_values(":minus_one", n(-1))
            .build()
            .map_err(|err| TableError::new("TransactWriteItems", err))?;
        let result = self
            .client
            .transact_write_items()
            .transact_items(TransactWriteItem::builder().delete(by_connection).build())
            .transact_items(TransactWriteItem::builder().delete(by_user).build())
            .transact_items(TransactWriteItem::builder().update(count).build())
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(err) if refused_conditions(&err).iter().any(|refused| *refused) => Ok(()),
            Err(err) => Err(TableError::new("TransactWriteItems", err)),
        }
    }

    /// `$disconnect`, or a connection API Gateway says is gone: the connection item and both items
    /// of each of its subscriptions.
    pub async fn forget(&self, connection: &str) -> Result<(), TableError> {
        let subscriptions = self.subscriptions(connection).await?;
        let mut keys = vec![key(connection_pk(connection), CONNECTION_SK)];
        for user in subscriptions.iter() {
            keys.push(key(connection_pk(connection), &subscription_sk(user)));
            keys.push(key(subscribers_pk(user), &connection_pk(connection)));
        }
        futures::stream::iter(keys)
            .map(|key| {
                self.client
                    .delete_item()
                    .table_name(&self.table)
                    .set_key(Some(key))
                    .send()
            })
            .buffer_unordered(DELETES_IN_FLIGHT)
            .try_for_each(|_| async { Ok(()) })
            .await
            .map_err(|err| TableError::new("DeleteItem", err))
    }

    /// The connections following `user`, read strongly consistent.
    pub async fn subscribers(&self, user: UserId) -> Result<Vec<String>, TableError> {
        let items: Vec<Item> = self
            .client
            .query()
            .table_name(&self.table)
            .consistent_read(true)
            .key_condition_expression("PK = :pk")
            .expression_attribute_values(":pk", s(subscribers_pk(user)))
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
            .map_err(|err| TableError::new("Query", err))?;
        Ok(items
            .iter()
            .filter_map(|item| sort_key_suffix(item, CONNECTION_PREFIX))
            .map(str::to_owned)
            .collect())
    }

    fn put_new(&self, item: Item) -> Result<TransactWriteItem, TableError> {
        let put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(PK)")
            .build()
            .map_err(|err| TableError::new("TransactWriteItems", err))?;
        Ok(TransactWriteItem::builder().put(put).build())
    }
}

/// Which items of a cancelled transaction had their condition refused, by position.
fn refused_conditions<R>(
    err: &aws_sdk_dynamodb::error::SdkError<
        aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError,
        R,
    >,
) -> Vec<bool> {
    let Some(
        aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError::TransactionCanceledException(cancelled),
    ) = err.as_service_error()
    else {
        return Vec::new();
    };
    cancelled
        .cancellation_reasons()
        .iter()
        .map(|reason| reason.code() == Some("ConditionalCheckFailed"))
        .collect()
}

fn connection_pk(connection: &str) -> String {
    format!("{CONNECTION_PREFIX}{connection}")
}

fn subscription_sk(user: UserId) -> String {
    format!("{SUBSCRIPTION_PREFIX}{user}")
}

fn subscribers_pk(user: UserId) -> String {
    format!("{SUBSCRIBERS_PREFIX}{user}")
}

fn sort_key_suffix<'a>(item: &'a Item, prefix: &str) -> Option<&'a str> {
    match item.get("SK") {
        Some(AttributeValue::S(sort_key)) => sort_key.strip_prefix(prefix),
        _ => None,
    }
}

fn user_id(text: &str) -> Option<UserId> {
    text.parse().ok().and_then(UserId::new)
}

fn key(pk: String, sk: &str) -> Item {
    HashMap::from([("PK".to_owned(), s(pk)), ("SK".to_owned(), s(sk))])
}

fn s(value: impl Into<String>) -> AttributeValue {
    AttributeValue::S(value.into())
}

fn n(value: impl ToString) -> AttributeValue {
    AttributeValue::N(value.to_string())
}

/// Epoch seconds at which the TTL may delete an item written now.
fn expiry() -> u64 {
    (SystemTime::now() + ITEM_LIFETIME)
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| since.as_secs())
}
