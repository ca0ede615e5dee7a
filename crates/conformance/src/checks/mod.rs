//! The checks, one module per concern; each function is one behaviour (Arrange / Act / Assert).

pub mod concurrency;
pub mod errors;
pub mod health;
pub mod idempotency;
pub mod input;
pub mod orders;
pub mod products;
pub mod server_timing;
pub mod users;
