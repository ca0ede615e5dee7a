//! The conformance suite against the Kubernetes twin: axum on a real Postgres.

twinstack_conformance::conformance_suite!(twinstack_twins::postgres::spawn_postgres_twin);
twinstack_conformance::raw_body_checks!(twinstack_twins::postgres::spawn_postgres_twin);
