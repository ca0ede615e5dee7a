//! A fresh, migrated database per test, which is also the contract suite's fixture.

use std::hash::{DefaultHasher, Hash, Hasher};
use std::str::FromStr;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{AssertSqlSafe, Connection, PgConnection, PgPool};
use twinstack_core::StoreError;
use twinstack_core::seed::{DEFAULT_USERS, DataSet};
use twinstack_store_contract::Fixture;
use twinstack_store_postgres::{PgStore, load_data_set, migrate, read_data_set};

/// Postgres keeps the first 63 bytes of an identifier.
const MAX_IDENTIFIER: usize = 63;

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
        let url = twinstack_local_stack::shared().url();
        let server = PgConnectOptions::from_str(url).expect("a Postgres URL");
        let name = database_name(test);
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
}

/// `twinstack_test_{test}`; a name Postgres would cut keeps its readable start and ends in a hash
/// of the whole, so two tests whose names start alike still get databases of their own.
fn database_name(test: &str) -> String {
    let name = format!("twinstack_test_{test}");
    if name.len() <= MAX_IDENTIFIER {
        return name;
    }
    let mut hasher = DefaultHasher::new();
    test.hash(&mut hasher);
    let hash = format!("_{:016x}", hasher.finish());
    format!("{}{hash}", &name[..MAX_IDENTIFIER - hash.len()])
}

impl Fixture for TestDb {
    type Store = PgStore;

    const ROUND_TRIP_USERS: u32 = DEFAULT_USERS;

    fn store(&self) -> &PgStore {
        &self.store
    }

    async fn load(&self, data: &DataSet) -> Result<(), StoreError> {
        load_data_set(self.pool(), data).await
    }

    async fn read(&self) -> Result<DataSet, StoreError> {
        read_data_set(self.pool()).await
    }

    /// Drops the database.
    async fn finish(self) {
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
