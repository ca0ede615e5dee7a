//! The real-time conformance suite against the Kubernetes twin: `/api/ws` fed by Postgres
//! LISTEN/NOTIFY on a real database.

twinstack_conformance::realtime_suite!(twinstack_twins::postgres::spawn_realtime_postgres_twin);
