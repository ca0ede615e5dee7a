//! TransactWriteItems with every item named by the condition it stands for, so a cancellation
//! (whose reasons DynamoDB lists by position) is read by name in one place, and lost races are
//! retried here.

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{CancellationReason, Put, ReturnConsumedCapacity, TransactWriteItem};
use twinstack_core::StoreError;

use crate::capacity::{self, Kind};
use crate::error::{build_error, classify};
use crate::keys::{Item, PK};
use crate::retry::{Backoff, CONTENTION};

/// What the condition on one item of a transaction guarantees.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Check {
    /// A new user's profile: its id is unused.
    NewUser,
    /// An email guard: no user holds the email.
    EmailFree,
    /// The user's profile exists (an order's `orderCount + 1`).
    UserExists,
    /// A new order and its pointer: the ULID is unused.
    NewOrder,
    /// An idempotency record: no live record holds the key.
    KeyFree,
    /// The profile still has the email (and name) read before the write.
    ProfileUnchanged,
    /// The profile has no orders and the email read before the delete.
    ProfileDeletable,
    /// The old email guard belongs to the user.
    GuardOwned,
}

/// The items of one transaction, each with its [`Check`].
#[derive(Default)]
pub(crate) struct Transaction {
    checks: Vec<Check>,
    items: Vec<TransactWriteItem>,
}

impl Transaction {
    pub(crate) fn with(mut self, check: Check, item: TransactWriteItem) -> Self {
        self.checks.push(check);
        self.items.push(item);
        self
    }
}

/// A Put into `table` that only creates: refused when an item with the same key exists.
pub(crate) fn put_new(table: &str, item: Item) -> Result<TransactWriteItem, StoreError> {
    let put = Put::builder()
        .table_name(table)
        .set_item(Some(item))
        .condition_expression("attribute_not_exists(#pk)")
        .expression_attribute_names("#pk", PK)
        .build()
        .map_err(build_error)?;
    Ok(TransactWriteItem::builder().put(put).build())
}

/// The conditions that refused a transaction, with the item as it was when the request asked
/// for it (`ReturnValuesOnConditionCheckFailure::AllOld`) and it existed.
#[derive(Debug, PartialEq)]
pub(crate) struct Refused(Vec<(Check, Option<Item>)>);

impl Refused {
    /// `Some` when `check` refused: with the item as it was, if there was one and it was asked for.
    pub(crate) fn get(&self, check: Check) -> Option<Option<&Item>> {
        self.0
            .iter()
            .find(|(refused, _)| *refused == check)
            .map(|(_, item)| item.as_ref())
    }
}

/// How DynamoDB's cancellation reasons read for one transaction.
#[derive(Debug, PartialEq)]
enum Verdict {
    /// Conditions refused it: a final answer for the caller to interpret.
    Refused(Refused),
    /// It raced another transaction, or was throttled: another attempt may commit.
    Retry(&'static str),
    /// A validation error or anything unexpected: a bug.
    Invalid(String),
}

/// Reads the reasons (one per item, in order) against the checks they belong to. A retryable
/// reason wins over a refused condition, since the race's outcome may change that condition.
fn judge(checks: &[Check], reasons: &[CancellationReason]) -> Verdict {
    if checks.len() != reasons.len() {
        return Verdict::Invalid(format!(
            "{} cancellation reasons for {} items",
            reasons.len(),
            checks.len()
        ));
    }
    let mut refused = Vec::new();
    let mut retry = None;
    for (check, reason) in checks.iter().zip(reasons) {
        match reason.code() {
            None | Some("None") => {}
            Some("ConditionalCheckFailed") => refused.push((*check, reason.item().cloned())),
            Some("TransactionConflict") => retry = Some("transaction conflict"),
            Some("ThrottlingError" | "ProvisionedThroughputExceeded" | "RequestLimitExceeded") => {
                retry = retry.or(Some("transaction throttled"));
            }
            Some(other) => {
                return Verdict::Invalid(format!(
                    "transaction item {check:?} cancelled: {other}: {}",
                    reason.message().unwrap_or_default()
                ));
            }
        }
    }
    match retry {
        Some(why) => Verdict::Retry(why),
        None if refused.is_empty() => {
            Verdict::Invalid("transaction cancelled without a reason".into())
        }
        None => Verdict::Refused(Refused(refused)),
    }
}

/// How one attempt ended.
enum Step {
    Done(Result<(), Refused>),
    /// Cancelled by a race or throttling: try again as a new transaction.
    Cancelled(&'static str),
    /// An earlier attempt with the same client token is still running (the SDK retried it after
    /// a timeout): ask again with that token, and DynamoDB answers with that attempt's outcome
    /// instead of applying the writes twice.
    InProgress,
}

/// Runs `transaction`, retrying lost races; `Ok(Err(refused))` when conditions refused it.
pub(crate) async fn run(
    client: &Client,
    transaction: &Transaction,
) -> Result<Result<(), Refused>, StoreError> {
    let mut backoff = Backoff::new(CONTENTION);
    let mut token = client_token();
    loop {
        match attempt(client, transaction, &token).await? {
            Step::Done(outcome) => return Ok(outcome),
            Step::Cancelled(why) => {
                token = client_token();
                backoff.wait(why).await?;
            }
            Step::InProgress => backoff.wait("transaction still in progress").await?,
        }
    }
}

/// A fresh idempotency token (DynamoDB takes up to 36 characters).
fn client_token() -> String {
    format!("{:032x}", rand::random::<u128>())
}

async fn attempt(
    client: &Client,
    transaction: &Transaction,
    token: &str,
) -> Result<Step, StoreError> {
    let sent = client
        .transact_write_items()
        .set_transact_items(Some(transaction.items.clone()))
        .client_request_token(token)
        .return_consumed_capacity(ReturnConsumedCapacity::Total)
        .send()
        .await;
    let err = match sent {
        Ok(output) => {
            capacity::record(Kind::Write, output.consumed_capacity());
            return Ok(Step::Done(Ok(())));
        }
        Err(err) => err,
    };
    match &err {
        SdkError::ServiceError(context) => match context.err() {
            TransactWriteItemsError::TransactionCanceledException(cancelled) => {
                match judge(&transaction.checks, cancelled.cancellation_reasons()) {
                    Verdict::Refused(refused) => Ok(Step::Done(Err(refused))),
                    Verdict::Retry(why) => Ok(Step::Cancelled(why)),
                    Verdict::Invalid(why) => Err(StoreError::Internal(why.into())),
                }
            }
            TransactWriteItemsError::TransactionInProgressException(_) => Ok(Step::InProgress),
            _ => Err(classify("TransactWriteItems", err)),
        },
        _ => Err(classify("TransactWriteItems", err)),
    }
}

#[cfg(test)]
mod tests {
    use twinstack_core::UserId;

    use super::*;
    use crate::keys::Key;
    use crate::scripted::Scripted;

    fn reason(code: &str) -> CancellationReason {
        CancellationReason::builder().code(code).build()
    }

    const ORDER: [Check; 4] = [
        Check::UserExists,
        Check::NewOrder,
        Check::NewOrder,
        Check::KeyFree,
    ];

    #[test]
    fn refused_conditions_are_named_by_their_position() {
        let held = Key::user(UserId::new(1).unwrap()).to_item();
        let with_item = CancellationReason::builder()
            .code("ConditionalCheckFailed")
            .set_item(Some(held.clone()))
            .build();
        let reasons = [reason("None"), reason("None"), reason("None"), with_item];

        let Verdict::Refused(refused) = judge(&ORDER, &reasons) else {
            panic!("not refused");
        };

        assert_eq!(refused.get(Check::KeyFree), Some(Some(&held)));
        assert_eq!(refused.get(Check::UserExists), None);
    }

    #[test]
    fn several_refusals_are_all_reported_with_or_without_an_item() {
        let reasons = [
            reason("ConditionalCheckFailed"),
            reason("None"),
            reason("None"),
            reason("ConditionalCheckFailed"),
        ];

        let Verdict::Refused(refused) = judge(&ORDER, &reasons) else {
            panic!("not refused");
        };

        assert_eq!(refused.get(Check::UserExists), Some(None));
        assert_eq!(refused.get(Check::KeyFree), Some(None));
    }

    #[test]
    fn a_conflict_is_retried_even_next_to_a_refused_condition() {
        let reasons = [
            reason("TransactionConflict"),
            reason("None"),
            reason("None"),
            reason("ConditionalCheckFailed"),
        ];

        assert_eq!(
            judge(&ORDER, &reasons),
            Verdict::Retry("transaction conflict")
        );
        assert_eq!(
            judge(&ORDER[..1], &[reason("ThrottlingError")]),
            Verdict::Retry("transaction throttled")
        );
    }

    #[test]
    fn validation_errors_and_mismatched_reasons_are_bugs() {
        let validation = CancellationReason::builder()
            .code("ValidationError")
            .message("bad expression")
            .build();

        assert!(matches!(
            judge(&ORDER[..1], &[validation]),
            Verdict::Invalid(why) if why.contains("bad expression")
        ));
        assert!(matches!(
            judge(&ORDER, &[reason("None")]),
            Verdict::Invalid(_)
        ));
        assert!(matches!(
            judge(&ORDER[..1], &[reason("None")]),
            Verdict::Invalid(_)
        ));
    }

    const CONFLICT: &str = r#"{
        "__type": "com.amazonaws.dynamodb.v20120810#TransactionCanceledException",
        "message": "Transaction cancelled",
        "CancellationReasons": [
            {"Code": "TransactionConflict", "Message": "Transaction is ongoing for the item"},
            {"Code": "None"}
        ]}"#;
    const IN_PROGRESS: &str = r#"{
        "__type": "com.amazonaws.dynamodb.v20120810#TransactionInProgressException",
        "message": "in progress"}"#;
    const REFUSED: &str = r#"{
        "__type": "com.amazonaws.dynamodb.v20120810#TransactionCanceledException",
        "message": "Transaction cancelled",
        "CancellationReasons": [
            {"Code": "None"},
            {"Code": "ConditionalCheckFailed", "Message": "The conditional request failed",
             "Item": {"PK": {"S": "USER#1"}, "SK": {"S": "PROFILE"}}}
        ]}"#;

    fn two_items() -> Transaction {
        let user = UserId::new(1).unwrap();
        Transaction::default()
            .with(
                Check::UserExists,
                put_new("t", Key::user(user).to_item()).unwrap(),
            )
            .with(
                Check::KeyFree,
                put_new("t", Key::user_id_counter().to_item()).unwrap(),
            )
    }

    #[tokio::test]
    async fn a_transaction_that_loses_races_is_retried_until_it_commits() {
        let script = Scripted::serve(vec![(400, CONFLICT), (400, IN_PROGRESS), (200, "{}")]).await;

        let outcome = run(&script.client().await, &two_items()).await;

        assert!(matches!(outcome, Ok(Ok(()))), "{outcome:?}");
        let tokens: Vec<String> = script
            .bodies()
            .iter()
            .map(|body| {
                let body: serde_json::Value = serde_json::from_str(body).unwrap();
                body["ClientRequestToken"].as_str().unwrap().to_owned()
            })
            .collect();
        assert_eq!(tokens.len(), 3, "the SDK itself does not retry these");
        assert_ne!(
            tokens[0], tokens[1],
            "a cancelled transaction is tried anew"
        );
        assert_eq!(
            tokens[1], tokens[2],
            "one in progress is asked after with its token"
        );
    }

    #[tokio::test]
    async fn a_refused_condition_ends_the_transaction_with_the_item_as_it_was() {
        let script = Scripted::serve(vec![(400, REFUSED), (200, "{}")]).await;

        let outcome = run(&script.client().await, &two_items()).await;

        let Ok(Err(refused)) = outcome else {
            panic!("not refused: {outcome:?}");
        };
        let held = Key::user(UserId::new(1).unwrap()).to_item();
        assert_eq!(refused.get(Check::KeyFree), Some(Some(&held)));
        assert_eq!(refused.get(Check::UserExists), None);
        assert_eq!(script.bodies().len(), 1);
    }
}
