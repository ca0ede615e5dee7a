//! The conditional `UpdateItem` that answers with the item as updated: its consumed capacity
//! recorded and its outcomes named, so each caller only says what they mean.

use aws_sdk_dynamodb::operation::update_item::builders::UpdateItemFluentBuilder;
use aws_sdk_dynamodb::types::{ReturnConsumedCapacity, ReturnValue};
use twinstack_core::StoreError;

use crate::capacity::{self, Kind};
use crate::error::{classify, is_contended};
use crate::keys::Item;

pub(crate) enum Updated {
    /// The item, all its attributes as they are now.
    Item(Item),
    /// The condition failed: nothing was written.
    Refused,
    /// Another request's transaction held the item: try again.
    Contended,
}

pub(crate) async fn conditional(update: UpdateItemFluentBuilder) -> Result<Updated, StoreError> {
    let sent = update
        .return_values(ReturnValue::AllNew)
        .return_consumed_capacity(ReturnConsumedCapacity::Total)
        .send()
        .await;
    match sent {
        Ok(output) => {
            capacity::record(Kind::Write, output.consumed_capacity());
            Ok(Updated::Item(output.attributes.unwrap_or_default()))
        }
        Err(err)
            if err
                .as_service_error()
                .is_some_and(|e| e.is_conditional_check_failed_exception()) =>
        {
            Ok(Updated::Refused)
        }
        Err(err) if is_contended(&err) => Ok(Updated::Contended),
        Err(err) => Err(classify("UpdateItem", err)),
    }
}
