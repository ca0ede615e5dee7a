//! A fresh, empty table per test, and builders for the values tests store.

use twinstack_core::{
    Email, NewUser, Order, OrderId, OrderItem, OrderStatus, Qty, Sku, Timestamp, UserId, UserName,
};
use twinstack_store_dynamodb::{
    Client, DynamoSettings, DynamoStore, client, create_table, delete_table,
};
use twinstack_testkit::DynamoDbLocal;

/// 2100-03-01T00:00:00.000Z plus a little: not on a second boundary, so lost milliseconds show.
/// In the future because DynamoDB Local's TTL sweeper really deletes items whose `ttl` has passed:
/// a past instant made idempotency records vanish mid-test.
pub const T0: i64 = 4_107_542_400_123;

pub struct TestTable {
    pub store: DynamoStore,
}

impl TestTable {
    /// Re-creates table `twinstack_test_{test}` (a failed run leaves it for inspection) on the
    /// shared DynamoDB Local.
    pub async fn create(test: &str) -> TestTable {
        Self::create_with(test, |_| {}).await
    }

    /// [`create`](Self::create) with settings adjusted by `adjust`.
    pub async fn create_with(test: &str, adjust: impl FnOnce(&mut DynamoSettings)) -> TestTable {
        let name = format!("twinstack_test_{test}");
        let mut settings = DynamoSettings::local(DynamoDbLocal::shared().endpoint(), &name);
        adjust(&mut settings);
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

    /// Deletes the table once the test has passed.
    pub async fn finish(self) {
        delete_table(self.client(), self.name())
            .await
            .expect("delete the test table");
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
