//! The Kubernetes twin: a fresh database on the shared test cluster, migrated and seeded, behind
//! `twinstack-server` on a loopback port of its own.

use std::net::SocketAddr;
use std::time::Duration;

use sqlx::postgres::PgPoolOptions;
use tokio::net::TcpListener;
use twinstack_conformance::Api;
use twinstack_conformance::realtime::RealtimeTwin;
use twinstack_server::{Config, RequestTimeout};

pub fn config(database_url: String) -> Config {
    Config {
        database_url,
        host: [127, 0, 0, 1].into(),
        port: 0,
        // Off: many servers share one test process; the metrics test turns it on for its own.
        metrics_port: 0,
        database_max_connections: 20,
        request_timeout: RequestTimeout::default(),
        shutdown_timeout_secs: 5,
        ws_outbox_frames: 256,
        max_in_flight_requests: 256,
        connections: twinstack_server::ConnectionLimits::default(),
    }
}

/// Migrates and seeds through the same functions `twinstack seed` uses.
pub async fn seed(database_url: &str) {
    let pool = PgPoolOptions::new()
        .max_connections(2)
        .connect(database_url)
        .await
        .expect("connect");
    twinstack_store_postgres::migrate(&pool)
        .await
        .expect("migrate");
    twinstack_store_postgres::load_data_set(&pool, &crate::seed_data())
        .await
        .expect("seed");
    pool.close().await;
}

/// Serves `config` until the calling test's runtime ends.
pub async fn serve(config: Config) -> SocketAddr {
    let listener = TcpListener::bind((config.host, 0)).await.expect("bind");
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        twinstack_server::serve(config, listener, std::future::pending())
            .await
            .expect("server runs");
    });
    address
}

/// A fresh seeded database behind a running server.
pub async fn spawn_postgres_twin() -> Api {
    let database_url = twinstack_local_stack::shared()
        .create_database("api")
        .expect("a test database");
    seed(&database_url).await;
    let address = serve(config(database_url)).await;
    let api = Api::new(format!("http://{address}"));
    twinstack_local_stack::wait_for_http(&api.url("/healthz"), Duration::from_secs(10))
        .await
        .expect("server up");
    api
}

/// [`spawn_postgres_twin`], with the WebSocket URL its clients open.
pub async fn spawn_realtime_postgres_twin() -> RealtimeTwin {
    let twin = realtime_twin(spawn_postgres_twin().await);
    assert!(
        twin.wait_until_accepting(Duration::from_secs(10)).await,
        "accepting WebSocket clients"
    );
    twin
}

/// The WebSocket URL of a server at `api`'s base URL.
pub fn realtime_twin(api: Api) -> RealtimeTwin {
    let ws_url = format!("{}/api/ws", api.base_url.replacen("http://", "ws://", 1));
    RealtimeTwin { api, ws_url }
}
