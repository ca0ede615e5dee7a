//! The API's request and response shapes, one file per resource, with their OpenAPI schemas: what
//! goes over the wire, converted from and into core's types. Field names, their order and number
//! formatting are the contract, which the conformance suite checks byte for byte.
//!
//! Request bodies are walked as JSON (see [`crate::walk`]) rather than deserialised, so that every
//! broken rule is reported at its field path; their structs here only describe them.

pub mod order;
pub mod order_page;
pub mod product;
pub mod summary;
pub mod user;

use std::fmt;

use serde::{Serialize, Serializer};

/// A value written as its `Display` text: order ids, and instants as RFC 3339 UTC with
/// milliseconds.
#[derive(Clone, Copy, Debug)]
pub struct AsText<T>(pub T);

impl<T: fmt::Display> Serialize for AsText<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&self.0)
    }
}
