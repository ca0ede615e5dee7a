//! Prometheus `/metrics` on a listener of its own (`METRICS_PORT`, same `HOST`), never on the API
//! port: the request metrics the shared router records (see `twinstack_http::metrics`) and the
//! store's connection pool, read when scraped:
//!
//! - `db_pool_connections{state="idle"|"in_use"}`: the pool's open connections, idle or lent out;
//! - `db_pool_connections_max`: `DATABASE_MAX_CONNECTIONS`;
//! - `websocket_connections`: open WebSocket connections on `/api/ws`.
//!
//! The recorder is process-global (the `metrics` facade has one), so it is installed once per process
//! and every later server in the same process (tests) shares it.

use std::net::{IpAddr, SocketAddr};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use anyhow::Context;
use axum::Router;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use twinstack_http::metrics::{DURATION_BUCKETS, REQUEST_DURATION_SECONDS};
use twinstack_store_postgres::PgStore;

pub const POOL_CONNECTIONS: &str = "db_pool_connections";
pub const POOL_CONNECTIONS_MAX: &str = "db_pool_connections_max";

/// The Prometheus text format's content type.
const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// Histograms are drained into their buckets at each scrape; without scrapes, this bounds the memory
/// the pending samples take.
const UPKEEP_EVERY: Duration = Duration::from_secs(5);

static HANDLE: Mutex<Option<PrometheusHandle>> = Mutex::new(None);

/// The process's Prometheus recorder, installed on first use.
fn recorder() -> anyhow::Result<PrometheusHandle> {
    let mut installed = HANDLE.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(handle) = &*installed {
        return Ok(handle.clone());
    }
    let handle = PrometheusBuilder::new()
        .set_buckets_for_metric(
            Matcher::Full(REQUEST_DURATION_SECONDS.to_owned()),
            &DURATION_BUCKETS,
        )
        .context("histogram buckets")?
        .install_recorder()
        .context("installing the Prometheus recorder")?;
    twinstack_http::metrics::describe();
    describe_pool();
    crate::realtime::describe();
    *installed = Some(handle.clone());
    Ok(handle)
}

/// The pool's gauges and their help texts; both count connections.
const POOL_GAUGES: [(&str, &str); 2] = [
    (
        POOL_CONNECTIONS,
        "Open database connections, idle or in use, when scraped",
    ),
    (
        POOL_CONNECTIONS_MAX,
        "The database pool's maximum size (DATABASE_MAX_CONNECTIONS)",
    ),
];

fn describe_pool() {
    for (name, help) in POOL_GAUGES {
        metrics::describe_gauge!(name, metrics::Unit::Count, help);
    }
}

/// The running metrics listener. Dropping it stops it too.
pub struct MetricsServer {
    address: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<()>,
}

impl MetricsServer {
    /// Installs the recorder (once per process) and serves `/metrics` on `host:port`.
    pub async fn start(host: IpAddr, port: u16, store: PgStore) -> anyhow::Result<Self> {
        let handle = recorder()?;
        let listener = TcpListener::bind((host, port))
            .await
            .with_context(|| format!("binding the metrics listener on {host}:{port}"))?;
        let address = listener.local_addr()?;
        let app = Router::new()
            .route("/metrics", get(scrape))
            .with_state(Scrape {
                handle: handle.clone(),
                store,
            });
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let upkeep = async {
                let mut every = tokio::time::interval(UPKEEP_EVERY);
                loop {
                    every.tick().await;
                    handle.run_upkeep();
                }
            };
            // A dropped sender stops it as well as a sent `()`.
            let serve = axum::serve(listener, app).with_graceful_shutdown(async {
                let _ = stopped.await;
            });
            tokio::select! {
                result = serve => {
                    if let Err(error) = result {
                        tracing::error!(%error, "metrics listener failed");
                    }
                }
                () = upkeep => {}
            }
        });
        tracing::info!(%address, "metrics on /metrics");
        Ok(MetricsServer {
            address,
            stop: Some(stop),
            task,
        })
    }

    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// Stops listening and waits for open scrapes to finish.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let _ = (&mut self.task).await;
    }
}

impl Drop for MetricsServer {
    fn drop(&mut self) {
        // `stop` was not awaited (the API server failed): the dropped sender stops the listener.
        self.stop.take();
    }
}

#[derive(Clone)]
struct Scrape {
    handle: PrometheusHandle,
    store: PgStore,
}

async fn scrape(State(scrape): State<Scrape>) -> impl IntoResponse {
    record_pool(&scrape.store);
    (
        [(header::CONTENT_TYPE, CONTENT_TYPE)],
        scrape.handle.render(),
    )
}

/// The pool's figures as gauges, read now, so each scrape sees the pool as it is.
fn record_pool(store: &PgStore) {
    let status = store.pool_status();
    let idle = status.available.min(status.size);
    metrics::gauge!(POOL_CONNECTIONS, "state" => "idle").set(idle as f64);
    metrics::gauge!(POOL_CONNECTIONS, "state" => "in_use").set((status.size - idle) as f64);
    metrics::gauge!(POOL_CONNECTIONS_MAX).set(status.max_size as f64);
}
