//! The Kubernetes twin: a fresh database on the shared test cluster, migrated and seeded, behind
//! `twinstack-server` on a loopback port of its own.

use std::net::SocketAddr;
use std::time::Duration;

use sqlx::postgres::PgPoolOptions;
use tokio::net::TcpListener;
use twinstack_conformance::Api;
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
