//! Integration tests against a real Postgres (a throwaway cluster from `twinstack-testkit`, or the
//! server `DATABASE_URL` names); each test gets a database of its own on it.

mod errors;
mod idempotency;
mod orders;
mod seed;
mod support;
mod users;
