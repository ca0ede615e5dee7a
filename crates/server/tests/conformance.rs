//! The conformance suite against the Kubernetes twin: axum on a real Postgres.

mod support;

twinstack_conformance::conformance_suite!(support::spawn_postgres_twin);
twinstack_conformance::raw_body_checks!(support::spawn_postgres_twin);
