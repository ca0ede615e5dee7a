//! The real-time protocol: what a WebSocket client and either twin say to each other.
//!
//! Clients send JSON text frames ([`ClientFrame`]); the twins answer with [`ServerFrame`]s. Every
//! bad frame becomes an [`ProtocolError`] with one of the contract's [`ErrorCode`]s, and the
//! connection stays open. Order events ([`OrderEvent`]) carry the order through the HTTP API's own
//! DTO, so their `order` is byte-identical to `GET /api/orders/{id}`. No I/O: each twin owns its
//! transport and fan-out.

mod client;
mod error;
mod event;
mod server;
mod subscriptions;

pub use client::ClientFrame;
pub use error::{ErrorCode, ProtocolError};
pub use event::{OrderEvent, OrderEventKind};
pub use server::ServerFrame;
pub use subscriptions::Subscriptions;

/// A client frame longer than this (in bytes) is answered with `message_too_large`.
pub const MAX_FRAME_BYTES: usize = 32 * 1024;

/// A connection may follow at most this many users at once.
pub const MAX_SUBSCRIPTIONS: usize = 100;
