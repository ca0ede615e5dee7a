//! The one strongly consistent `GetItem`: every point read goes through it, so each asks for the
//! consumed capacity and maps errors the same way.

use aws_sdk_dynamodb::types::ReturnConsumedCapacity;
use twinstack_core::StoreError;

use crate::DynamoStore;
use crate::capacity::{self, Kind};
use crate::error::classify;
use crate::keys::{Item, Key};

pub(crate) async fn consistent(store: &DynamoStore, key: Key) -> Result<Option<Item>, StoreError> {
    let output = store
        .client
        .get_item()
        .table_name(&*store.table)
        .set_key(Some(key.to_item()))
        .consistent_read(true)
        .return_consumed_capacity(ReturnConsumedCapacity::Total)
        .send()
        .await
        .map_err(|err| classify("GetItem", err))?;
    capacity::record(Kind::Read, output.consumed_capacity());
    Ok(output.item)
}
