//! Integration tests against a real Postgres, named by `DATABASE_URL`; each test gets a database
//! of its own on that server. Without `DATABASE_URL` the database tests print a note and pass.

mod errors;
mod idempotency;
mod orders;
mod seed;
mod support;
mod users;
