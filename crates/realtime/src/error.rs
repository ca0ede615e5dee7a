//! The contract's error codes and the error frames' messages, worded once for both twins.

use serde::Serialize;
use twinstack_core::UserId;

use crate::{MAX_FRAME_BYTES, MAX_SUBSCRIPTIONS};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// Not JSON text: unparsable text or a binary frame.
    MalformedJson,
    /// JSON, but not a valid frame for its action (missing or bad `userId`, unknown fields…).
    ValidationFailed,
    /// An `action` other than `subscribe`, `unsubscribe` and `ping`, or none.
    UnknownAction,
    /// `subscribe` to a user that does not exist.
    NotFound,
    /// A subscription over [`MAX_SUBSCRIPTIONS`] on one connection.
    TooManySubscriptions,
    /// A frame over [`MAX_FRAME_BYTES`].
    MessageTooLarge,
    /// The store could not be reached to check a subscription; the client may retry.
    Unavailable,
}

impl ErrorCode {
    pub const ALL: [ErrorCode; 7] = [
        ErrorCode::MalformedJson,
        ErrorCode::ValidationFailed,
        ErrorCode::UnknownAction,
        ErrorCode::NotFound,
        ErrorCode::TooManySubscriptions,
        ErrorCode::MessageTooLarge,
        ErrorCode::Unavailable,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::MalformedJson => "malformed_json",
            ErrorCode::ValidationFailed => "validation_failed",
            ErrorCode::UnknownAction => "unknown_action",
            ErrorCode::NotFound => "not_found",
            ErrorCode::TooManySubscriptions => "too_many_subscriptions",
            ErrorCode::MessageTooLarge => "message_too_large",
            ErrorCode::Unavailable => "unavailable",
        }
    }
}

/// What the `error` of an error frame holds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ProtocolError {
    pub code: ErrorCode,
    pub message: String,
}

impl ProtocolError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        ProtocolError {
            code,
            message: message.into(),
        }
    }

    pub fn binary_frame() -> Self {
        ProtocolError::new(
            ErrorCode::MalformedJson,
            "binary frames are not accepted: send JSON in a text frame",
        )
    }

    pub fn too_large(bytes: usize) -> Self {
        ProtocolError::new(
            ErrorCode::MessageTooLarge,
            format!("frame of {bytes} bytes is over the limit of {MAX_FRAME_BYTES} bytes"),
        )
    }

    pub fn user_not_found(user: UserId) -> Self {
        ProtocolError::new(ErrorCode::NotFound, format!("user {user} not found"))
    }

    pub fn too_many_subscriptions() -> Self {
        ProtocolError::new(
            ErrorCode::TooManySubscriptions,
            format!("a connection may subscribe to at most {MAX_SUBSCRIPTIONS} users"),
        )
    }

    pub fn unavailable() -> Self {
        ProtocolError::new(
            ErrorCode::Unavailable,
            "store unavailable: retry the subscription",
        )
    }
}
