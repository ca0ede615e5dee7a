//! The Kubernetes twin: the shared router on a Postgres store, with readiness and graceful shutdown.

pub mod config;
mod connection;
pub mod metrics;
pub mod realtime;

use std::future::Future;

use anyhow::Context;
use sqlx::PgPool;
use sqlx::postgres::PgPoolOptions;
use tokio::net::TcpListener;
use tokio::sync::watch;
use twinstack_core::{Clock, Service, SystemClock};
use twinstack_http::{LoadShed, Readiness, Settings, load_shed};
use twinstack_store_postgres::PgStore;

pub use config::{Config, ConnectionLimits, RequestTimeout};

/// A pool that connects on first use, so the server starts (not ready) while the database is away.
pub fn pool(config: &Config) -> anyhow::Result<PgPool> {
    PgPoolOptions::new()
        .max_connections(config.database_max_connections)
        .acquire_timeout(config.acquire_timeout())
        // A ping before every acquire costs a round trip per request; a connection that died with
        // the database fails its query instead (503, Retry-After) and is replaced by the pool.
        .test_before_acquire(false)
        .connect_lazy(&config.database_url)
        .context("DATABASE_URL is not a valid Postgres URL")
}

/// Applies the embedded migrations.
pub async fn migrate(config: &Config) -> anyhow::Result<()> {
    let pool = pool(config)?;
    twinstack_store_postgres::migrate(&pool)
        .await
        .context("migrating the database")?;
    Ok(())
}

/// Serves until `shutdown` resolves, then stops accepting, flips readiness, and gives in-flight
/// requests the shutdown timeout to finish.
pub async fn serve(
    config: Config,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let pool = pool(&config)?;
    let store = PgStore::new(pool.clone());
    let readiness = Readiness::default();
    tokio::spawn(wait_for_database(pool, readiness.clone()));
    tokio::spawn(purge_expired_idempotency_keys(store.clone()));
    // Before the router, so no request goes unrecorded; METRICS_PORT=0 installs nothing.
    let metrics = match config.metrics_port {
        0 => None,
        port => Some(metrics::MetricsServer::start(config.host, port, store.clone()).await?),
    };

    let hub = realtime::Hub::new(config.ws_outbox_frames);
    let order_events = tokio::spawn(realtime::listener::run(
        config.database_url.clone(),
        store.clone(),
        hub.clone(),
    ));

    // One budget of in-flight requests for the API and the WebSocket upgrades.
    let slots = LoadShed::new(config.max_in_flight_requests);
    // The WebSocket route stays outside the API's request timeout: its connections live on.
    let app = twinstack_http::router(
        Service::new(store.clone()),
        Settings {
            request_timeout: config.request_timeout.duration(),
            readiness: readiness.clone(),
            load_shed: Some(slots.clone()),
        },
    )
    .merge(realtime::router(store.clone(), hub.clone()).layer(
        axum::middleware::from_fn_with_state(slots, load_shed::layer),
    ));

    let (stopping_tx, mut stopping_rx) = watch::channel(false);
    let signal = async move {
        shutdown.await;
        readiness.set_draining();
        tracing::info!("shutdown requested: draining in-flight requests");
        let _ = stopping_tx.send(true);
    };
    let server = connection::serve(listener, app, &config.connections, signal);
    let deadline = async {
        let _ = stopping_rx.wait_for(|stopping| *stopping).await;
        tokio::time::sleep(config.shutdown_timeout()).await;
    };
    tokio::select! {
        () = server => {}
        () = deadline => tracing::warn!("shutdown deadline passed with requests still in flight"),
    }
    // Upgraded connections are no longer the HTTP server's: they close once requests have drained.
    close_websockets(&hub).await;
    order_events.abort();
    if let Some(metrics) = metrics {
        metrics.stop().await;
    }
    store.close().await;
    Ok(())
}

/// Asks every WebSocket client to go elsewhere (1001) and waits, briefly, for the closes to be sent.
async fn close_websockets(hub: &realtime::Hub) {
    hub.close_all(axum::extract::ws::close_code::AWAY);
    let deadline = tokio::time::Instant::now() + realtime::CLOSE_GRACE;
    while hub.connection_count() > 0 && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

/// Marks the process ready once the database has answered once.
async fn wait_for_database(pool: PgPool, readiness: Readiness) {
    loop {
        match pool.acquire().await {
            Ok(_) => {
                readiness.set_ready();
                tracing::info!("database reached: ready");
                return;
            }
            Err(error) => {
                tracing::warn!(%error, "database not reachable yet");
                tokio::time::sleep(std::time::Duration::from_millis(500)).await;
            }
        }
    }
}

/// Expired keys are already ignored and may be reclaimed; deleting them only bounds the table.
async fn purge_expired_idempotency_keys(store: PgStore) {
    let mut every = tokio::time::interval(std::time::Duration::from_secs(600));
    loop {
        every.tick().await;
        match store.delete_expired_idempotency(SystemClock.now()).await {
            Ok(0) => {}
            Ok(deleted) => tracing::info!(deleted, "purged expired idempotency keys"),
            Err(error) => tracing::warn!(%error, "could not purge expired idempotency keys"),
        }
    }
}

/// Resolves on SIGTERM or SIGINT.
pub async fn shutdown_signal() {
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::error!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        () = terminate => {}
    }
}
