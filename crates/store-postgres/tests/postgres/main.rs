//! Integration tests against a real Postgres (a throwaway cluster from `twinstack-local-stack`, or the
//! server `DATABASE_URL` names); each test gets a database of its own on it. The store contract
//! runs in `contract`; the rest is what only Postgres has.

mod contract;
mod errors;
mod idempotency;
mod support;
