//! Integration tests against Amazon's DynamoDB Local (from `twinstack-testkit`): each test uses a
//! table of its own on one shared server, and the outage test a server of its own.

mod capacity;
mod concurrency;
mod idempotency;
mod orders;
mod outage;
mod products;
mod seed;
mod support;
mod table;
mod users;
