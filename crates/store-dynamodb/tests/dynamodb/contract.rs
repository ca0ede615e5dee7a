//! The contract every store keeps, on DynamoDB.

twinstack_store_contract::store_contract_suite!(crate::support::TestTable::create);
