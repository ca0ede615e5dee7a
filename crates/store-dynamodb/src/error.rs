//! The one mapping from SDK errors onto the port's [`StoreError`], by DynamoDB's error codes.

use aws_sdk_dynamodb::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use twinstack_core::StoreError;

/// Codes that say "not now" rather than "never". The SDK has already retried most of these; what
/// outlasts its retries (or ours) is `Unavailable`.
const TRANSIENT_CODES: [&str; 8] = [
    "ProvisionedThroughputExceededException",
    "ThrottlingException",
    "RequestLimitExceeded",
    "LimitExceededException",
    "InternalServerError",
    "ServiceUnavailable",
    // A write met an item that an unfinished transaction holds; ours retry these themselves.
    "TransactionConflictException",
    "TransactionInProgressException",
];

/// Codes of a write losing a race with a transaction on the same item: worth another attempt.
const CONTENDED_CODES: [&str; 2] = [
    "TransactionConflictException",
    "TransactionInProgressException",
];

/// A call that found DynamoDB out of reach: no connection, or no answer in time, after the SDK's
/// retries. Unlike throttling, a server error or a lost race (DynamoDB answered), it says the next
/// call will most likely fail too, so it opens the store's breaker.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub(crate) struct Unreachable(String);

/// Transient failures become `Unavailable`, everything else `Internal`. `operation` names the
/// call in the message, which is all the HTTP layer logs of the cause.
pub(crate) fn classify<E, R>(operation: &str, err: SdkError<E, R>) -> StoreError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    let (transient, unreachable) = match &err {
        // Timeouts, refused or dropped connections, and answers cut short.
        SdkError::TimeoutError(_) | SdkError::DispatchFailure(_) | SdkError::ResponseError(_) => {
            (true, true)
        }
        SdkError::ServiceError(context) => (is_transient_code(context.err().code()), false),
        // ConstructionFailure: the request could not even be built, a bug.
        _ => (false, false),
    };
    let message = format!("DynamoDB {operation}: {}", DisplayErrorContext(&err));
    match (transient, unreachable) {
        (_, true) => StoreError::Unavailable(Box::new(Unreachable(message))),
        (true, false) => StoreError::Unavailable(message.into()),
        (false, false) => StoreError::Internal(message.into()),
    }
}

/// Whether `err` found DynamoDB out of reach (see [`Unreachable`]).
pub(crate) fn is_outage(err: &StoreError) -> bool {
    matches!(err, StoreError::Unavailable(source) if source.is::<Unreachable>())
}

/// Whether `err` is a write that lost a race with a transaction and may simply be repeated.
pub(crate) fn is_contended<E: ProvideErrorMetadata, R>(err: &SdkError<E, R>) -> bool {
    err.as_service_error()
        .and_then(ProvideErrorMetadata::code)
        .is_some_and(|code| CONTENDED_CODES.contains(&code))
}

fn is_transient_code(code: Option<&str>) -> bool {
    code.is_some_and(|code| TRANSIENT_CODES.contains(&code))
}

/// A request the SDK's builder refuses (a required field unset): a bug here.
pub(crate) fn build_error(err: aws_sdk_dynamodb::error::BuildError) -> StoreError {
    StoreError::Internal(Box::new(err))
}

/// An item the domain rejects: the table holds what the adapter never writes.
pub(crate) fn corrupt(what: impl std::fmt::Display) -> StoreError {
    StoreError::Internal(format!("corrupt item: {what}").into())
}

#[cfg(test)]
mod tests {
    use aws_sdk_dynamodb::error::{ConnectorError, ErrorMetadata};
    use aws_sdk_dynamodb::operation::get_item::GetItemError;

    use super::*;

    /// The raw response plays no part in the mapping.
    fn service_error(code: &str) -> SdkError<GetItemError, ()> {
        let err = GetItemError::generic(ErrorMetadata::builder().code(code).build());
        SdkError::service_error(err, ())
    }

    #[test]
    fn throttling_and_server_errors_are_unavailable() {
        for code in [
            "ProvisionedThroughputExceededException",
            "ThrottlingException",
            "RequestLimitExceeded",
            "InternalServerError",
            "TransactionConflictException",
        ] {
            let err = classify("GetItem", service_error(code));
            assert!(matches!(err, StoreError::Unavailable(_)), "{code}: {err:?}");
        }
    }

    #[test]
    fn timeouts_and_refused_connections_are_unavailable_and_name_the_call() {
        let refused = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
        let dispatch: SdkError<GetItemError, ()> =
            SdkError::dispatch_failure(ConnectorError::io(refused.into()));
        let timeout: SdkError<GetItemError, ()> = SdkError::timeout_error("operation timed out");

        for err in [dispatch, timeout] {
            let mapped = classify("GetItem", err);
            assert!(matches!(&mapped, StoreError::Unavailable(_)), "{mapped:?}");
            assert!(mapped.to_string().contains("DynamoDB GetItem"), "{mapped}");
        }
    }

    #[test]
    fn only_lost_connections_and_timeouts_are_outages() {
        let refused = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
        let dispatch: SdkError<GetItemError, ()> =
            SdkError::dispatch_failure(ConnectorError::io(refused.into()));
        let timeout: SdkError<GetItemError, ()> = SdkError::timeout_error("operation timed out");

        assert!(is_outage(&classify("GetItem", dispatch)));
        assert!(is_outage(&classify("GetItem", timeout)));
        for code in [
            "InternalServerError",
            "ThrottlingException",
            "ProvisionedThroughputExceededException",
            "TransactionConflictException",
            "ValidationException",
        ] {
            assert!(
                !is_outage(&classify("GetItem", service_error(code))),
                "{code}"
            );
        }
    }

    #[test]
    fn client_mistakes_are_internal() {
        for code in [
            "ValidationException",
            "ResourceNotFoundException",
            "ConditionalCheckFailedException",
            "UnrecognizedClientException",
        ] {
            let err = classify("GetItem", service_error(code));
            assert!(matches!(err, StoreError::Internal(_)), "{code}: {err:?}");
        }
    }

    #[test]
    fn only_transaction_races_count_as_contended() {
        assert!(is_contended(&service_error("TransactionConflictException")));
        assert!(is_contended(&service_error(
            "TransactionInProgressException"
        )));
        assert!(!is_contended(&service_error("ThrottlingException")));
    }
}
