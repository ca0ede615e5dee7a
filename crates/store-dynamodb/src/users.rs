//! Users: the profile item, and the email guard that keeps emails unique, always written
//! together in one transaction.

use aws_sdk_dynamodb::types::{
    Delete, ReturnConsumedCapacity, ReturnValue, ReturnValuesOnConditionCheckFailure,
    TransactWriteItem, Update,
};
use serde::Deserialize;
use twinstack_core::{NewUser, StoreError, Timestamp, UpdateUser, User, UserId};

use crate::capacity::{self, Kind};
use crate::error::{build_error, classify, corrupt};
use crate::keys::{Key, attr, n, s};
use crate::retry::{Attempt, until_done};
use crate::transact::{self, Check, Transaction, put_new};
use crate::update::{self, Updated};
use crate::{DynamoStore, get, items};

#[derive(Deserialize)]
struct Counter {
    value: i64,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct OrderCount {
    order_count: u64,
}

/// Takes the next id from the counter, then writes profile and email guard together. An id
/// whose transaction fails is burnt: ids may have gaps, as the contract allows.
pub(crate) async fn create(store: &DynamoStore, new: &NewUser) -> Result<User, StoreError> {
    let id = next_id(store).await?;
    let user = User {
        id,
        name: new.name.clone(),
        email: new.email.clone(),
        created_at: new.created_at,
        updated_at: new.created_at,
    };
    let transaction = Transaction::default()
        .with(
            Check::NewUser,
            put_new(&store.table, items::user(&user, 0)?)?,
        )
        .with(
            Check::EmailFree,
            put_new(&store.table, items::email_guard(&user.email, id))?,
        );
    match transact::run(&store.client, &transaction).await? {
        Ok(()) => Ok(user),
        Err(refused) if refused.get(Check::EmailFree).is_some() => Err(StoreError::EmailTaken),
        Err(_) => Err(StoreError::Internal(
            format!("user id {id} is taken: the id counter is behind the users").into(),
        )),
    }
}

async fn next_id(store: &DynamoStore) -> Result<UserId, StoreError> {
    let output = store
        .client
        .update_item()
        .table_name(&*store.table)
        .set_key(Some(Key::user_id_counter().to_item()))
        .update_expression("ADD #value :one")
        .expression_attribute_names("#value", attr::VALUE)
        .expression_attribute_values(":one", n(1))
        .return_values(ReturnValue::UpdatedNew)
        .return_consumed_capacity(ReturnConsumedCapacity::Total)
        .send()
        .await
        .map_err(|err| classify("UpdateItem", err))?;
    capacity::record(Kind::Write, output.consumed_capacity());
    let counter: Counter =
        items::attributes(output.attributes.unwrap_or_default(), "user-id counter")?;
    UserId::new(counter.value)
        .ok_or_else(|| corrupt(format_args!("user-id counter at {}", counter.value)))
}

pub(crate) async fn get(store: &DynamoStore, id: UserId) -> Result<Option<User>, StoreError> {
    get::consistent(store, Key::user(id))
        .await?
        .map(items::read_user)
        .transpose()
}

/// Read, then write conditionally on what was read; if another request changed the profile in
/// between, start over from a fresh read.
pub(crate) async fn update(
    store: &DynamoStore,
    id: UserId,
    changes: &UpdateUser,
    now: Timestamp,
) -> Result<Option<User>, StoreError> {
    until_done(|| async move {
        let Some(current) = get(store, id).await? else {
            return Ok(Attempt::Done(None));
        };
        let updated = User {
            name: changes.name.clone().unwrap_or_else(|| current.name.clone()),
            email: changes
                .email
                .clone()
                .unwrap_or_else(|| current.email.clone()),
            updated_at: now,
            ..current.clone()
        };
        if updated.email == current.email {
            update_in_place(store, &current, &updated).await
        } else {
            move_email(store, &current, &updated).await
        }
    })
    .await
}

/// The email stays: one conditional UpdateItem. The condition on the email read also fails
/// when the profile is gone (a missing attribute equals nothing).
async fn update_in_place(
    store: &DynamoStore,
    current: &User,
    updated: &User,
) -> Result<Attempt<Option<User>>, StoreError> {
    let update = store
        .client
        .update_item()
        .table_name(&*store.table)
        .set_key(Some(Key::user(current.id).to_item()))
        .update_expression("SET #name = :name, #updatedAt = :now")
        .condition_expression("#email = :email")
        .expression_attribute_names("#name", attr::NAME)
        .expression_attribute_names("#updatedAt", attr::UPDATED_AT)
        .expression_attribute_names("#email", attr::EMAIL)
        .expression_attribute_values(":name", s(updated.name.as_str()))
        .expression_attribute_values(":now", s(updated.updated_at.to_string()))
        .expression_attribute_values(":email", s(current.email.as_str()));
    match update::conditional(update).await? {
        Updated::Item(item) => Ok(Attempt::Done(Some(items::read_user(item)?))),
        Updated::Refused => Ok(Attempt::Again("the profile changed during an update")),
        Updated::Contended => Ok(Attempt::Again("profile update contended")),
    }
}

/// A new email: the profile, the old guard and the new guard change in one transaction.
async fn move_email(
    store: &DynamoStore,
    current: &User,
    updated: &User,
) -> Result<Attempt<Option<User>>, StoreError> {
    // Conditioned on the name too, so a concurrent rename is not silently undone.
    let profile = Update::builder()
        .table_name(&*store.table)
        .set_key(Some(Key::user(current.id).to_item()))
        .update_expression("SET #name = :name, #email = :email, #updatedAt = :now")
        .condition_expression("#email = :oldEmail AND #name = :oldName")
        .expression_attribute_names("#name", attr::NAME)
        .expression_attribute_names("#email", attr::EMAIL)
        .expression_attribute_names("#updatedAt", attr::UPDATED_AT)
        .expression_attribute_values(":name", s(updated.name.as_str()))
        .expression_attribute_values(":email", s(updated.email.as_str()))
        .expression_attribute_values(":now", s(updated.updated_at.to_string()))
        .expression_attribute_values(":oldEmail", s(current.email.as_str()))
        .expression_attribute_values(":oldName", s(current.name.as_str()))
        .build()
        .map_err(build_error)?;
    let transaction = Transaction::default()
        .with(
            Check::ProfileUnchanged,
            TransactWriteItem::builder().update(profile).build(),
        )
        .with(Check::GuardOwned, release_guard(store, current)?)
        .with(
            Check::EmailFree,
            put_new(&store.table, items::email_guard(&updated.email, current.id))?,
        );
    match transact::run(&store.client, &transaction).await? {
        Ok(()) => Ok(Attempt::Done(Some(updated.clone()))),
        Err(refused) if refused.get(Check::ProfileUnchanged).is_some() => {
            Ok(Attempt::Again("the profile changed during an email change"))
        }
        Err(refused) if refused.get(Check::EmailFree).is_some() => Err(StoreError::EmailTaken),
        Err(_) => Err(guard_not_owned(current)),
    }
}

/// Read, then delete conditionally: no orders (`orderCount = 0`, which the order transaction
/// keeps) and the email read, whose guard goes in the same transaction.
pub(crate) async fn delete(store: &DynamoStore, id: UserId) -> Result<bool, StoreError> {
    until_done(|| async move {
        let Some(current) = get(store, id).await? else {
            return Ok(Attempt::Done(false));
        };
        let profile = Delete::builder()
            .table_name(&*store.table)
            .set_key(Some(Key::user(id).to_item()))
            .condition_expression("#orderCount = :zero AND #email = :email")
            .expression_attribute_names("#orderCount", attr::ORDER_COUNT)
            .expression_attribute_names("#email", attr::EMAIL)
            .expression_attribute_values(":zero", n(0))
            .expression_attribute_values(":email", s(current.email.as_str()))
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
            .build()
            .map_err(build_error)?;
        let transaction = Transaction::default()
            .with(
                Check::ProfileDeletable,
                TransactWriteItem::builder().delete(profile).build(),
            )
            .with(Check::GuardOwned, release_guard(store, &current)?);
        let refused = match transact::run(&store.client, &transaction).await? {
            Ok(()) => return Ok(Attempt::Done(true)),
            Err(refused) => refused,
        };
        match refused.get(Check::ProfileDeletable) {
            // Deleted by someone else in between.
            Some(None) => Ok(Attempt::Done(false)),
            Some(Some(held)) => {
                let held: OrderCount = items::attributes(held.clone(), "user")?;
                if held.order_count > 0 {
                    Err(StoreError::UserHasOrders)
                } else {
                    Ok(Attempt::Again("the email changed during a delete"))
                }
            }
            None => Err(guard_not_owned(&current)),
        }
    })
    .await
}

/// Deletes `user`'s email guard, which must name the user.
fn release_guard(store: &DynamoStore, user: &User) -> Result<TransactWriteItem, StoreError> {
    let guard = Delete::builder()
        .table_name(&*store.table)
        .set_key(Some(Key::email(&user.email).to_item()))
        .condition_expression("#userId = :id")
        .expression_attribute_names("#userId", attr::USER_ID)
        .expression_attribute_values(":id", n(user.id))
        .build()
        .map_err(build_error)?;
    Ok(TransactWriteItem::builder().delete(guard).build())
}

fn guard_not_owned(user: &User) -> StoreError {
    StoreError::Internal(
        format!(
            "the email guard of {} does not name user {}",
            user.email.as_str(),
            user.id
        )
        .into(),
    )
}
