//! A fresh, migrated database per test, and builders for the values tests store.

use std::str::FromStr;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{AssertSqlSafe, Connection, PgConnection, PgPool};
use twinstack_core::{
    Email, NewUser, Order, OrderId, OrderItem, OrderStatus, Qty, Sku, Timestamp, UserId, UserName,
};
use twinstack_store_postgres::{PgStore, migrate};

/// 2026-03-01T00:00:00.000Z plus a little: not on a second boundary, so lost milliseconds show.
pub const T0: i64 = 1_772_323_200_123;

pub struct TestDb {
    pub store: PgStore,
    server: PgConnectOptions,
    name: String,
}

impl TestDb {
    /// Recreates database `twinstack_test_{test}` (a failed run leaves it for inspection) on the
    /// test cluster (`DATABASE_URL`'s server when set, else a throwaway one) and migrates it.
    pub async fn create(test: &'static str) -> TestDb {
        Self::create_with(test, PgPoolOptions::new().max_connections(8)).await
    }

    pub async fn create_with(test: &'static str, pool: PgPoolOptions) -> TestDb {
        let url = twinstack_testkit::shared().url();
        let server = PgConnectOptions::from_str(url).expect("a Postgres URL");
        let name = format!("twinstack_test_{test}");
        let mut admin = PgConnection::connect_with(&server).await.expect("connect");
        // Identifiers cannot be bind parameters; `test` is a literal from this test suite.
        for statement in [
            format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"),
            format!("CREATE DATABASE \"{name}\""),
        ] {
            sqlx::query(AssertSqlSafe(statement))
                .execute(&mut admin)
                .await
                .expect("recreate the test database");
        }
        admin.close().await.expect("close");
        let pool = pool
            .connect_with(server.clone().database(&name))
            .await
            .expect("connect to the test database");
        migrate(&pool).await.expect("migrate");
        TestDb {
            store: PgStore::new(pool),
            server,
            name,
        }
    }

    pub fn pool(&self) -> &PgPool {
        self.store.pool()
    }

    /// A connection to the server's own database, outside this test's pool.
    pub async fn admin(&self) -> PgConnection {
        PgConnection::connect_with(&self.server)
            .await
            .expect("connect")
    }

    /// Drops the database once the test has passed.
    pub async fn finish(self) {
        self.store.pool().close().await;
        let mut admin = self.admin().await;
        sqlx::query(AssertSqlSafe(format!(
            "DROP DATABASE \"{}\" WITH (FORCE)",
            self.name
        )))
        .execute(&mut admin)
        .await
        .expect("drop the test database");
    }
}

pub fn at(offset_millis: i64) -> Timestamp {
    Timestamp::from_millis(T0 + offset_millis)
}

pub fn new_user(email: &str) -> NewUser {
    NewUser {
        name: UserName::parse("Ada Lovelace").unwrap(),
        email: Email::parse(email).unwrap(),
        created_at: at(0),
    }
}

/// A pending one-line order created at `at(offset_millis)`.
pub fn order(user_id: UserId, offset_millis: i64, random: u128) -> Order {
    let created_at = at(offset_millis);
    let item = OrderItem {
        sku: Sku::parse("PROD-001").unwrap(),
        qty: Qty::new(2).unwrap(),
        unit_price_cents: 250,
        line_total_cents: 500,
    };
    Order {
        id: OrderId::from_parts(created_at, random),
        user_id,
        items: vec![item],
        total_cents: 500,
        status: OrderStatus::Pending,
        created_at,
        updated_at: created_at,
    }
}
