//! A fresh, empty table per test, which is also the contract suite's fixture.

use std::time::Duration;

use twinstack_core::StoreError;
use twinstack_core::seed::DataSet;
use twinstack_local_stack::DynamoDbLocal;
use twinstack_store_contract::Fixture;
use twinstack_store_dynamodb::{
    Client, DynamoSettings, DynamoStore, client, create_table, delete_table, load_data_set,
    read_data_set,
};

pub struct TestTable {
    pub store: DynamoStore,
}

impl TestTable {
    /// Re-creates table `twinstack_test_{test}` (a failed run leaves it for inspection) on the
    /// shared DynamoDB Local.
    pub async fn create(test: &str) -> TestTable {
        let name = format!("twinstack_test_{test}");
        let mut settings = DynamoSettings::local(DynamoDbLocal::shared().endpoint(), &name);
        patient(&mut settings);
        let client = client(&settings).await;
        delete_table(&client, &name)
            .await
            .expect("delete the test table");
        create_table(&client, &name)
            .await
            .expect("create the test table");
        TestTable {
            store: DynamoStore::new(client, &name),
        }
    }

    pub fn client(&self) -> &Client {
        self.store.client()
    }

    pub fn name(&self) -> &str {
        self.store.table()
    }
}

/// DynamoDB Local runs transactions one at a time (about 100 a second here) and so never reports
/// a `TransactionConflict`; the retry of those is unit-tested against scripted answers. What it
/// does do is queue: the last of a few hundred simultaneous requests waits seconds, longer than
/// the production attempt timeout, which is sized for a dead endpoint rather than a queue. Tests
/// therefore wait longer; the outage test keeps the production timeouts.
fn patient(settings: &mut DynamoSettings) {
    settings.attempt_timeout = Duration::from_secs(30);
    settings.operation_timeout = Duration::from_secs(60);
}

impl Fixture for TestTable {
    type Store = DynamoStore;

    /// Fewer than the benchmark's: enough for many BatchWriteItem batches in flight and a
    /// paginated parallel scan (about 24,000 items), few enough to load in seconds on DynamoDB
    /// Local.
    const ROUND_TRIP_USERS: u32 = 2_000;

    fn store(&self) -> &DynamoStore {
        &self.store
    }

    async fn load(&self, data: &DataSet) -> Result<(), StoreError> {
        load_data_set(self.client(), self.name(), data).await
    }

    async fn read(&self) -> Result<DataSet, StoreError> {
        read_data_set(self.client(), self.name()).await
    }

    /// Deletes the table.
    async fn finish(self) {
        delete_table(self.client(), self.name())
            .await
            .expect("delete the test table");
    }
}
