//! The conformance suite against the serverless twin: `twinstack-lambda` under `cargo lambda watch`
//! (a real Lambda runtime API), on Amazon's DynamoDB Local.

mod support;

twinstack_conformance::conformance_suite!(support::spawn_lambda_twin);
