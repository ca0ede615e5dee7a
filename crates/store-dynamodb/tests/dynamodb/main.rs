//! Integration tests against Amazon's DynamoDB Local (from `twinstack-local-stack`): each test uses a
//! table of its own on one shared server, and the outage test a server of its own. The store
//! contract runs in `contract`; the rest is what only DynamoDB has.

mod capacity;
mod concurrency;
mod contract;
mod outage;
mod support;
mod table;
