//! One cluster per test binary, started on first use.
//!
//! Starting Postgres costs a second or two; sharing it and giving each test its own
//! database ([`PostgresCluster::create_database`]) keeps tests isolated and the suite fast.

use std::sync::OnceLock;

use crate::PostgresCluster;

/// The start result is kept as a string: `anyhow::Error` is not `Clone`, and every caller
/// after a failed start should see the same message rather than retry `initdb`.
static SHARED: OnceLock<Result<PostgresCluster, String>> = OnceLock::new();

/// The process-wide cluster ([`PostgresCluster::start`] on first call, so `DATABASE_URL`
/// is honoured). Only `&` access is handed out, so nobody can stop it under other tests.
///
/// It lives in a `static`, which Rust never drops: a watchdog stops it and deletes its
/// directory when the test process exits (see the crate docs).
///
/// # Panics
/// When the cluster cannot be started; use [`try_shared`] to handle that instead.
pub fn shared() -> &'static PostgresCluster {
    try_shared().unwrap_or_else(|err| panic!("{err:#}"))
}

/// [`shared`] without the panic. Blocks while another thread starts the cluster.
pub fn try_shared() -> anyhow::Result<&'static PostgresCluster> {
    SHARED
        .get_or_init(|| {
            PostgresCluster::start()
                .map_err(|err| format!("starting the shared test cluster: {err:#}"))
        })
        .as_ref()
        .map_err(|err| anyhow::anyhow!("{err}"))
}
