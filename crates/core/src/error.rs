//! The domain's error type: what a caller did wrong, or what the store could not do.

use std::fmt;

use crate::order::OrderStatus;
use crate::path::FieldPath;
use crate::store::{BoxError, StoreError};

/// One broken rule, at one field path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldError {
    pub field: FieldPath,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<FieldPath>, message: impl Into<String>) -> Self {
        FieldError {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// The kinds of thing a request can name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Resource {
    User,
    Order,
    Product,
}

impl fmt::Display for Resource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Resource::User => "user",
            Resource::Order => "order",
            Resource::Product => "product",
        })
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DomainError {
    /// Broken rules, sorted by field path.
    #[error("validation failed")]
    Validation {
        message: String,
        details: Vec<FieldError>,
    },
    #[error("{0} not found")]
    NotFound(Resource),
    #[error("email already taken")]
    EmailTaken,
    #[error("user has orders")]
    UserHasOrders,
    #[error("cannot move an order from {from} to {to}")]
    InvalidTransition { from: OrderStatus, to: OrderStatus },
    #[error("idempotency key reused with another command")]
    IdempotencyKeyReused,
    #[error("store unavailable")]
    Unavailable(#[source] BoxError),
    #[error("internal error")]
    Internal(#[source] BoxError),
}

impl DomainError {
    pub fn validation(mut details: Vec<FieldError>) -> Self {
        details.sort_by(|a, b| a.field.cmp(&b.field));
        DomainError::Validation {
            message: "the request is not valid".into(),
            details,
        }
    }
}

impl From<StoreError> for DomainError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::EmailTaken => DomainError::EmailTaken,
            StoreError::UserHasOrders => DomainError::UserHasOrders,
            StoreError::UserNotFound => {
                DomainError::validation(vec![FieldError::new("userId", "no user has this id")])
            }
            StoreError::Unavailable(source) => DomainError::Unavailable(source),
            StoreError::Internal(source) => DomainError::Internal(source),
        }
    }
}
