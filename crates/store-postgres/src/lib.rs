//! twinstack's Postgres adapter: [`PgStore`] implements core's [`Store`](twinstack_core::Store)
//! port over sqlx.
//!
//! Queries run on sqlx connections from the store's own pool ([`connections`]), which takes a
//! connection back without sqlx's ping, so each store call is one round trip.
//!
//! Queries are plain `sqlx::query*` calls with static SQL and bind parameters, so the crate builds
//! from a fresh clone without a database. The schema lives in `migrations/`, embedded at compile
//! time and applied by [`migrate`]. [`load_data_set`] and [`read_data_set`] serve `twinstack seed`.
//!
//! # Access patterns
//!
//! | access pattern                          | query                                                        | served by                                 |
//! |-----------------------------------------|--------------------------------------------------------------|-------------------------------------------|
//! | all products                            | `ORDER BY sku`                                               | `products_pkey`                           |
//! | one product; products of an order       | `sku = $1`; `sku = ANY($1)`                                  | `products_pkey`                           |
//! | create user, email unique               | `INSERT … RETURNING`                                         | `users_email_key` (violation → taken)     |
//! | get / update / delete a user            | `id = $1`                                                    | `users_pkey`                              |
//! | delete refused while orders exist       | foreign-key check `orders.user_id = $1`                      | `orders_user_id_id_idx` (user_id leads)   |
//! | get an order; compare-and-set status    | `id = $1` (`AND status = $2`)                                | `orders_pkey`                             |
//! | a user's orders, newest first, by page  | `user_id = $1 [AND id < $2] ORDER BY id DESC LIMIT n`        | `orders_user_id_id_idx`                   |
//! | every order of a user (the summary)     | `users u LEFT JOIN orders o ON o.user_id = u.id`             | `users_pkey`, `orders_user_id_id_idx`     |
//! | find / claim an idempotency key         | `key = $1 AND expires_at > $2`; `INSERT … ON CONFLICT (key)` | `idempotency_keys_pkey`                   |
//! | purge expired idempotency keys          | `expires_at <= $1`                                           | `idempotency_keys_expires_at_idx`         |
//!
//! Order ids are ULID text in a `COLLATE "C"` column, so `ORDER BY id` is creation order and
//! `id < $after` is the keyset cursor. Timestamps are `TIMESTAMPTZ`, written from core's
//! millisecond instants and truncated back to milliseconds on read.
//!
//! # Errors
//!
//! Violations of `users_email_key` and `orders_user_id_fkey` become domain errors by constraint
//! name; connection loss, pool timeouts, shutdowns, serialization failures and deadlocks become
//! `StoreError::Unavailable`; the rest, including rows the domain rejects, `StoreError::Internal`.

mod connections;
mod documents;
mod error;
mod idempotency;
mod orders;
mod products;
mod rows;
mod seed;
mod store;
mod users;

pub use connections::PoolStatus;
pub use seed::{load_data_set, read_data_set};
pub use sqlx::PgPool;
use sqlx::migrate::{MigrateError, Migrator};
use twinstack_core::{StoreError, Timestamp};

use crate::connections::Connections;

/// The schema's migrations, embedded at compile time.
pub static MIGRATOR: Migrator = sqlx::migrate!();

/// Brings the schema up to date; already-applied migrations are skipped.
pub async fn migrate(pool: &PgPool) -> Result<(), MigrateError> {
    MIGRATOR.run(pool).await
}

/// The Postgres [`Store`](twinstack_core::Store). Cloning shares the pool.
#[derive(Clone, Debug)]
pub struct PgStore {
    pool: PgPool,
    connections: Connections,
}

impl PgStore {
    /// The store's connections come from `pool` and are pooled apart from it, as many as it
    /// allows (see [`connections`]); `pool` stays free for migrations and seeding.
    pub fn new(pool: PgPool) -> Self {
        PgStore {
            connections: Connections::new(pool.clone()),
            pool,
        }
    }

    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// The store's connections now: open (`size`), idle (`available`) and the maximum.
    pub fn pool_status(&self) -> PoolStatus {
        self.connections.status()
    }

    /// Closes the store's connections and `pool`'s, waiting for those lent out.
    pub async fn close(&self) {
        self.connections.close();
        self.pool.close().await;
    }

    /// Deletes idempotency records expired at `now` and returns how many. Expired records are
    /// already ignored and overwritten, so this only bounds the table's size; run it periodically.
    pub async fn delete_expired_idempotency(&self, now: Timestamp) -> Result<u64, StoreError> {
        let mut lease = self.connections.lease().await?;
        let outcome = idempotency::delete_expired(&mut lease, now).await;
        lease.finish(outcome)
    }
}
