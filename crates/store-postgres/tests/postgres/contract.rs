//! The contract every store keeps, on Postgres.

twinstack_store_contract::store_contract_suite!(crate::support::TestDb::create);
