//! twinstack's DynamoDB adapter: [`DynamoStore`] implements core's [`Store`](twinstack_core::Store)
//! port over one table.
//!
//! The table's definition (keys, billing mode, TTL attribute; no secondary indexes) lives in
//! `table.json`, which both [`create_table`] and the CDK stack read, so they cannot drift.
//! [`client`] builds the SDK client from [`DynamoSettings`]; [`load_data_set`] and
//! [`read_data_set`] serve `twinstack seed`.
//!
//! # Items
//!
//! | item                 | `PK`                  | `SK`                | attributes                                                   |
//! |----------------------|-----------------------|---------------------|--------------------------------------------------------------|
//! | user                 | `USER#<id>`           | `PROFILE`           | `id, name, email, createdAt, updatedAt, orderCount`          |
//! | email guard          | `EMAIL#<email>`       | `EMAIL`             | `userId`                                                     |
//! | order                | `USER#<userId>`       | `ORDER#<ULID>`      | `id, userId, items` (a list of maps), `totalCents, status, createdAt, updatedAt` |
//! | order pointer        | `ORDER#<ULID>`        | `ORDER`             | `userId`                                                     |
//! | product              | `CATALOG`             | `PRODUCT#<sku>`     | `sku, name, priceCents`                                      |
//! | idempotency record   | `IDEMPOTENCY#<key>`   | `IDEMPOTENCY`       | `fingerprint, order, expiresAt` (ms), `ttl` (epoch seconds)  |
//! | user-id counter      | `COUNTER`             | `USER_ID`           | `value` (the last id handed out)                             |
//!
//! Orders live in their user's partition, so a user's orders (and the profile next to them) come
//! back from one strongly consistent Query. A global secondary index would be eventually
//! consistent: a just-created order could be missing from the list, unlike on Postgres.
//!
//! # Access patterns
//!
//! Every read is strongly consistent (`ConsistentRead`), so both twins answer alike right after
//! a write.
//!
//! | access pattern                       | operations and conditions                                                                 |
//! |--------------------------------------|-------------------------------------------------------------------------------------------|
//! | all products, by sku                 | Query `PK = CATALOG AND begins_with(SK, "PRODUCT#")`                                     |
//! | one product; the products of an order| GetItem `CATALOG / PRODUCT#<sku>`; BatchGetItem of those keys (unprocessed ones retried)  |
//! | next user id                         | UpdateItem `COUNTER / USER_ID`: `ADD value 1`, `UPDATED_NEW`                              |
//! | create a user, email unique          | TransactWriteItems: Put user, Put email guard, each `if attribute_not_exists(PK)`        |
//! | get a user                           | GetItem `USER#<id> / PROFILE`                                                             |
//! | update a user, same email            | GetItem, then UpdateItem `if email = :read`, `ALL_NEW`                                    |
//! | update a user, new email             | GetItem, then TransactWriteItems: Update user `if email, name = :read`, Delete old guard `if userId = :id`, Put new guard `if attribute_not_exists(PK)` |
//! | delete a user, refused with orders   | GetItem, then TransactWriteItems: Delete user `if orderCount = 0 AND email = :read`, Delete guard `if userId = :id` |
//! | create an order (+ idempotency key)  | TransactWriteItems: Update user `ADD orderCount 1 if attribute_exists(PK)`, Put order, Put pointer, Put record `if attribute_not_exists(PK) OR expiresAt <= :now` |
//! | get an order                         | GetItem `ORDER#<ULID> / ORDER`, then GetItem `USER#<userId> / ORDER#<ULID>`               |
//! | a user's orders, newest first, paged | Query `PK = USER#<id> AND begins_with(SK, "ORDER#")`, descending, `Limit`, start key from the cursor |
//! | compare-and-set an order's status    | GetItem pointer, then UpdateItem `if status = :from`, `ALL_NEW`                           |
//! | every order of a user (the summary)  | Query `PK = USER#<id>`: the profile and all orders, one partition                        |
//! | find an idempotency record           | GetItem `IDEMPOTENCY#<key> / IDEMPOTENCY`, live if `expiresAt > now`                      |
//!
//! A refused condition returns the item as it was (`ReturnValuesOnConditionCheckFailure`) where
//! the answer needs it: the held idempotency record, the order count of a user not deleted.
//!
//! ULIDs in canonical form sort bytewise in creation order, so `ORDER#<ULID>` sort keys give
//! "newest first" for a descending query, and a cursor's order id is the exclusive start key.
//! DynamoDB's TTL deletes expired idempotency records eventually (within days); reads check
//! `expiresAt` themselves, and a new claim overwrites an expired record.
//!
//! # Errors
//!
//! DynamoDB reports a transaction's refused conditions by position; the `transact` module names
//! each item by its condition, and the modules map those names onto domain errors. Transactions
//! (and conditional updates) that lose a race are retried with jittered exponential backoff
//! here, since the SDK's standard retry does not cover them. Throttling, server errors,
//! timeouts and connection failures that outlast the SDK's retries become
//! `StoreError::Unavailable`; everything else, including items the domain rejects,
//! `StoreError::Internal`. Once a call has found DynamoDB out of reach (no connection, no answer in
//! time, a server fault), the store's breaker answers `Unavailable` at once until a probe finds it
//! back (see `twinstack-breaker`).

pub mod capacity;
mod error;
mod get;
mod idempotency;
mod items;
mod keys;
mod orders;
mod products;
mod retry;
#[cfg(test)]
mod scripted;
mod seed;
mod settings;
mod store;
mod stored;
mod table;
mod transact;
mod update;
mod users;

pub use aws_sdk_dynamodb::Client;
pub use items::order_from_stream_image;
pub use seed::{load_data_set, read_data_set};
pub use settings::{
    DynamoSettings, ENDPOINT_ENV, LOCAL_REGION, REGION_ENV, SettingsError, TABLE_NAME_ENV, client,
};
pub use table::{TableDefinition, create_table, delete_table};

/// The DynamoDB [`Store`](twinstack_core::Store). Cloning shares the SDK client and the breaker.
#[derive(Clone, Debug)]
pub struct DynamoStore {
    client: Client,
    table: std::sync::Arc<str>,
    /// Once a call has found DynamoDB out of reach, calls answer `Unavailable` at once until a
    /// probe finds it back. A Lambda instance serves one request at a time, so its next request
    /// after [`PROBE_INTERVAL`] is the probe.
    breaker: twinstack_breaker::Breaker,
    /// `client` without retries, for probes: the SDK's waits between attempts (up to 3 s) would
    /// hold the probing request, and the breaker already decides when to try again.
    probe_client: Client,
}

/// How long a failed probe keeps the store's calls refused. A probe may wait out an attempt's
/// timeout (an endpoint that accepts and never answers), so at most one request per interval
/// pays that; the others answer at once. Half a second also bounds how late a recovered DynamoDB
/// is noticed.
const PROBE_INTERVAL: std::time::Duration = std::time::Duration::from_millis(500);

impl DynamoStore {
    /// A store over `table`, which [`create_table`] (or the CDK stack) has created.
    pub fn new(client: Client, table: &str) -> Self {
        let probe_client = Client::from_conf(
            client
                .config()
                .to_builder()
                .retry_config(aws_sdk_dynamodb::config::retry::RetryConfig::disabled())
                .build(),
        );
        DynamoStore {
            client,
            table: table.into(),
            breaker: twinstack_breaker::Breaker::new(PROBE_INTERVAL),
            probe_client,
        }
    }

    /// This store on the client without retries.
    fn prober(&self) -> DynamoStore {
        DynamoStore {
            client: self.probe_client.clone(),
            ..self.clone()
        }
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    pub fn table(&self) -> &str {
        &self.table
    }
}
