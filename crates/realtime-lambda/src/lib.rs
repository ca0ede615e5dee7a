//! The serverless real-time twin: one Lambda behind an API Gateway WebSocket API (routes
//! `$connect`, `$disconnect`, `subscribe`, `unsubscribe`, `ping`, `$default`) and on the table's
//! DynamoDB stream, which it fans out to subscribers through the `@connections` management API.
//!
//! Connections and subscriptions are items in the store's single table (see [`connections`] and the
//! crate README for the access pattern). Frames and their wording come from `twinstack-realtime`,
//! which the Kubernetes twin speaks too.

pub mod connections;
pub mod fanout;
pub mod management;
pub mod routes;
pub mod settings;

use lambda_runtime::Error;
use serde_json::Value;
use twinstack_store_dynamodb::DynamoStore;

pub use settings::RealtimeSettings;

use crate::connections::Connections;
use crate::management::Management;

/// What both handlers share: the table and the `@connections` client, built once at init.
pub struct Realtime {
    store: DynamoStore,
    connections: Connections,
    management: Management,
}

impl Realtime {
    pub async fn new(settings: &RealtimeSettings) -> Self {
        let client = twinstack_store_dynamodb::client(&settings.dynamo).await;
        Realtime {
            store: DynamoStore::new(client.clone(), &settings.dynamo.table),
            connections: Connections::new(client, &settings.dynamo.table),
            management: Management::new(settings),
        }
    }

    /// A DynamoDB stream batch (it has `Records`) or a WebSocket route's request (anything else
    /// API Gateway sends has a `requestContext`).
    pub async fn handle(&self, event: Value) -> Result<Value, Error> {
        if event.get("Records").is_some() {
            let batch = serde_json::from_value(event)?;
            Ok(serde_json::to_value(fanout::handle(self, batch).await)?)
        } else if event.get("requestContext").is_some() {
            let request = serde_json::from_value(event)?;
            Ok(serde_json::to_value(routes::handle(self, request).await?)?)
        } else {
            Err("neither a DynamoDB stream batch (Records) nor an API Gateway WebSocket request (requestContext)".into())
        }
    }
}
