//! The table's definition, read from `table.json` (which the CDK stack reads too, so the two
//! cannot drift), and the calls that create and delete a table from it.

use std::sync::LazyLock;
use std::time::{Duration, Instant};

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::operation::create_table::builders::CreateTableFluentBuilder;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, KeySchemaElement, KeyType, ScalarAttributeType,
    StreamSpecification, StreamViewType, TableStatus, TimeToLiveSpecification, TimeToLiveStatus,
};
use serde::Deserialize;
use twinstack_core::StoreError;

use crate::error::{build_error, classify};

/// Polling DescribeTable while a table is created or deleted.
const POLL: Duration = Duration::from_millis(250);
/// How long a table may take to become active or to go; DynamoDB Local needs no time at all.
const WAIT: Duration = Duration::from_secs(120);

/// `table.json`. Unknown fields are refused, so a setting added there (an index, say) fails
/// here until this code applies it too.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TableDefinition {
    /// The table's name in the CDK stack, and the default elsewhere.
    pub table_name: String,
    /// `PAY_PER_REQUEST` (on demand).
    pub billing_mode: String,
    pub partition_key: KeyAttribute,
    pub sort_key: KeyAttribute,
    /// The attribute DynamoDB's TTL deletes expired items by (epoch seconds).
    pub time_to_live_attribute: String,
    /// What the table's stream records carry (`NEW_AND_OLD_IMAGES`, which global tables require): the
    /// real-time fan-out reads orders from it.
    pub stream_view_type: String,
    /// Applied by the CDK stack only: [`create_table`] makes development and test tables.
    pub point_in_time_recovery: bool,
}

/// A key attribute: its name and scalar type (`S`, `N` or `B`).
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct KeyAttribute {
    pub name: String,
    #[serde(rename = "type")]
    pub attribute_type: String,
}

static DEFINITION: LazyLock<TableDefinition> = LazyLock::new(|| {
    serde_json::from_str(include_str!("../table.json")).expect("table.json is valid (tested)")
});

impl TableDefinition {
    /// The definition in `table.json`, compiled in.
    pub fn get() -> &'static TableDefinition {
        &DEFINITION
    }

    /// CreateTable for a table named `table` with this definition (TTL is a separate call).
    fn create_request(
        &self,
        client: &Client,
        table: &str,
    ) -> Result<CreateTableFluentBuilder, StoreError> {
        let keys = [
            (&self.partition_key, KeyType::Hash),
            (&self.sort_key, KeyType::Range),
        ];
        let stream = StreamSpecification::builder()
            .stream_enabled(true)
            .stream_view_type(StreamViewType::from(self.stream_view_type.as_str()))
            .build()
            .map_err(build_error)?;
        let mut request = client
            .create_table()
            .table_name(table)
            .billing_mode(BillingMode::from(self.billing_mode.as_str()))
            .stream_specification(stream);
        for (key, key_type) in keys {
            request = request
                .key_schema(
                    KeySchemaElement::builder()
                        .attribute_name(&key.name)
                        .key_type(key_type)
                        .build()
                        .map_err(build_error)?,
                )
                .attribute_definitions(
                    AttributeDefinition::builder()
                        .attribute_name(&key.name)
                        .attribute_type(ScalarAttributeType::from(key.attribute_type.as_str()))
                        .build()
                        .map_err(build_error)?,
                );
        }
        Ok(request)
    }
}

/// Creates `table` from `table.json` unless it exists, waits until it is active and turns TTL on.
/// Safe to call again on an existing table.
pub async fn create_table(client: &Client, table: &str) -> Result<(), StoreError> {
    let definition = TableDefinition::get();
    match definition.create_request(client, table)?.send().await {
        Ok(_) => {}
        Err(err)
            if err
                .as_service_error()
                .is_some_and(|e| e.is_resource_in_use_exception()) => {}
        Err(err) => return Err(classify("CreateTable", err)),
    }
    wait_for(client, table, Awaited::Active).await?;
    enable_ttl(client, table, &definition.time_to_live_attribute).await
}

/// Deletes `table` and waits until it is gone; a missing table is fine.
pub async fn delete_table(client: &Client, table: &str) -> Result<(), StoreError> {
    match client.delete_table().table_name(table).send().await {
        Ok(_) => {}
        Err(err)
            if err
                .as_service_error()
                .is_some_and(|e| e.is_resource_not_found_exception()) => {}
        Err(err) => return Err(classify("DeleteTable", err)),
    }
    wait_for(client, table, Awaited::Gone).await
}

async fn enable_ttl(client: &Client, table: &str, attribute: &str) -> Result<(), StoreError> {
    let current = client
        .describe_time_to_live()
        .table_name(table)
        .send()
        .await
        .map_err(|err| classify("DescribeTimeToLive", err))?;
    let on = current.time_to_live_description().is_some_and(|ttl| {
        ttl.attribute_name() == Some(attribute)
            && matches!(
                ttl.time_to_live_status(),
                Some(TimeToLiveStatus::Enabled | TimeToLiveStatus::Enabling)
            )
    });
    if on {
        return Ok(());
    }
    let specification = TimeToLiveSpecification::builder()
        .enabled(true)
        .attribute_name(attribute)
        .build()
        .map_err(build_error)?;
    client
        .update_time_to_live()
        .table_name(table)
        .time_to_live_specification(specification)
        .send()
        .await
        .map_err(|err| classify("UpdateTimeToLive", err))?;
    Ok(())
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Awaited {
    Active,
    Gone,
}

async fn wait_for(client: &Client, table: &str, awaited: Awaited) -> Result<(), StoreError> {
    let deadline = Instant::now() + WAIT;
    loop {
        let status = match client.describe_table().table_name(table).send().await {
            Ok(output) => Some(output.table.and_then(|t| t.table_status)),
            Err(err)
                if err
                    .as_service_error()
                    .is_some_and(|e| e.is_resource_not_found_exception()) =>
            {
                None
            }
            Err(err) => return Err(classify("DescribeTable", err)),
        };
        let reached = match awaited {
            Awaited::Active => status == Some(Some(TableStatus::Active)),
            Awaited::Gone => status.is_none(),
        };
        if reached {
            return Ok(());
        }
        if Instant::now() >= deadline {
            return Err(StoreError::Unavailable(
                format!("table {table} not {awaited:?} after {WAIT:?} (status {status:?})").into(),
            ));
        }
        tokio::time::sleep(POLL).await;
    }
}

#[cfg(test)]
mod tests {
    use aws_sdk_dynamodb::config::{BehaviorVersion, Config, Region};

    use super::*;
    use crate::keys::{PK, SK, attr};

    #[test]
    fn table_json_declares_the_keys_and_ttl_attribute_the_store_writes() {
        let definition = TableDefinition::get();

        assert_eq!(definition.partition_key.name, PK);
        assert_eq!(definition.sort_key.name, SK);
        assert_eq!(definition.time_to_live_attribute, attr::TTL);
        assert_eq!(definition.table_name, "twinstack");
    }

    #[test]
    fn create_table_is_built_from_table_json() {
        // Building a request needs a client but sends nothing.
        let config = Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new("us-east-1"))
            .build();
        let client = Client::from_conf(config);

        let request = TableDefinition::get().create_request(&client, "t").unwrap();
        let input = request.as_input();

        assert_eq!(input.get_table_name().as_deref(), Some("t"));
        assert_eq!(input.get_billing_mode(), &Some(BillingMode::PayPerRequest));
        let keys: Vec<(&str, &KeyType)> = input
            .get_key_schema()
            .iter()
            .flatten()
            .map(|k| (k.attribute_name(), k.key_type()))
            .collect();
        assert_eq!(keys, [("PK", &KeyType::Hash), ("SK", &KeyType::Range)]);
        let attributes: Vec<(&str, &ScalarAttributeType)> = input
            .get_attribute_definitions()
            .iter()
            .flatten()
            .map(|a| (a.attribute_name(), a.attribute_type()))
            .collect();
        assert_eq!(
            attributes,
            [
                ("PK", &ScalarAttributeType::S),
                ("SK", &ScalarAttributeType::S)
            ]
        );
        assert_eq!(input.get_global_secondary_indexes(), &None);
        let stream = input.get_stream_specification().as_ref().unwrap();
        assert!(stream.stream_enabled());
        assert_eq!(
            stream.stream_view_type(),
            Some(&StreamViewType::NewAndOldImages)
        );
    }

    #[test]
    fn an_unknown_setting_in_the_definition_is_refused() {
        let with_index =
            include_str!("../table.json").replacen('{', r#"{"globalSecondaryIndexes": [],"#, 1);

        assert!(serde_json::from_str::<TableDefinition>(&with_index).is_err());
    }
}
