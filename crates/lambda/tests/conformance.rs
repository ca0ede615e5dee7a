//! The conformance suite against the serverless twin: `twinstack-lambda` under `cargo lambda watch`
//! (a real Lambda runtime API), on Amazon's DynamoDB Local.

twinstack_conformance::conformance_suite!(twinstack_twins::lambda::spawn_lambda_twin);
