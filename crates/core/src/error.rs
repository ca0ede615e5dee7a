//! The domain's error type: what a caller did wrong, or what the store could not do.

use std::fmt;

use crate::ids::Sku;
use crate::order::OrderStatus;
use crate::store::{BoxError, StoreError};

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
    /// A new order names a user or products that do not exist: every one of them.
    #[error("the order names what does not exist")]
    UnknownReferences(UnknownReferences),
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

/// What a new order names that the store does not hold.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownReferences {
    /// The user does not exist.
    pub user: bool,
    /// Each unknown sku with the index of its line.
    pub skus: Vec<(usize, Sku)>,
}

impl From<StoreError> for DomainError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::EmailTaken => DomainError::EmailTaken,
            StoreError::UserHasOrders => DomainError::UserHasOrders,
            StoreError::UserNotFound => DomainError::UnknownReferences(UnknownReferences {
                user: true,
                skus: Vec::new(),
            }),
            StoreError::Unavailable(source) => DomainError::Unavailable(source),
            StoreError::Internal(source) => DomainError::Internal(source),
        }
    }
}
