//! The real-time conformance suite against the serverless twin, all real parts and no AWS:
//! WebSocket clients talk to the API Gateway harness, which invokes `twinstack-realtime-lambda`
//! under `cargo lambda watch`; orders written through `twinstack-lambda` reach DynamoDB Local's
//! stream, whose poller invokes the same function to fan them out through `@connections`.

twinstack_conformance::realtime_suite!(
    twinstack_twins::realtime_lambda::spawn_realtime_lambda_twin
);
