//! The local-stack runner: throwaway Postgres, Amazon's DynamoDB Local and `cargo lambda watch`,
//! started on loopback and cleaned up, for the shipped `twinstack bench` and for the integration tests.
//!
//! # Postgres
//!
//! [`PostgresCluster`] is a real, throwaway Postgres server. Most tests share one per test
//! binary and take a fresh database each:
//!
//! ```no_run
//! # fn t() -> anyhow::Result<()> {
//! let db_url = twinstack_local_stack::shared().create_database("orders_list")?;
//! // point the code under test at `db_url`; the database is empty and only yours
//! # Ok(()) }
//! ```
//!
//! Tests that take the database down need a cluster of their own:
//!
//! ```no_run
//! # fn t() -> anyhow::Result<()> {
//! use twinstack_local_stack::PostgresCluster;
//! let mut pg = PostgresCluster::start_local()?; // or start(), and skip on RestartUnsupported
//! let db_url = pg.create_database("outage")?;
//! pg.stop()?;        // immediate: like a crash
//! pg.start_again()?; // same dir, same port, so `db_url` works again
//! # Ok(()) }
//! ```
//!
//! Where the server comes from:
//! - `DATABASE_URL` set: [`PostgresCluster::start`] (and so [`shared`]) use that server and
//!   start nothing. It is not ours to stop, so [`PostgresCluster::stop`] and
//!   [`PostgresCluster::start_again`] fail with [`RestartUnsupported`]; databases created
//!   there are left behind.
//! - Otherwise a cluster is initialised in `/tmp/twinstack-pg-<pid>-<n>` from the newest
//!   `/usr/lib/postgresql/<major>/bin` (Debian's layout; `apt-get install -y postgresql`),
//!   with trust auth, superuser `postgres`, fsync off, listening on 127.0.0.1 at a free port:
//!   `postgres://postgres@127.0.0.1:PORT/postgres`. Under root the server tools run as the
//!   `postgres` user (`initdb` refuses root), which is why the dir is in `/tmp` and chowned.
//!
//! The calls block (they run `initdb`, `pg_ctl` and `psql` as subprocesses); from a
//! `#[tokio::test]` that only stalls that test's runtime for the second or two it takes.
//!
//! # Cleanup
//!
//! Dropping a local cluster stops it (`pg_ctl -m immediate`) and deletes its directory.
//! The shared cluster sits in a `static`, which is never dropped, and a test process can
//! also die by signal or abort; for those cases every local cluster has a watchdog process
//! that notices this process is gone (its pipe reaches EOF) and stops the cluster and
//! removes the directory. See `watchdog.rs` for why that design.
//!
//! # HTTP servers
//!
//! [`free_port`] picks a port for a server under test and [`wait_for_http`] waits until it
//! answers. [`pg_bin`] and [`psql()`] are there for tests that poke at Postgres directly.
//!
//! # DynamoDB
//!
//! [`DynamoDbLocal`] is Amazon's DynamoDB Local on a free port (`java`, and the jar that
//! `deploy/scripts/install-deps.sh dynamodb-local` installs): [`DynamoDbLocal::shared`] for
//! tests that each use tables of their own, [`DynamoDbLocal::start`] for one a test may stop.
//!
//! # S3
//!
//! [`MotoS3`] is moto's S3-compatible server (`moto_server`) on a free loopback port.
//!
//! # API Gateway WebSocket and DynamoDB Streams (test and bench harnesses)
//!
//! [`WebSocketGatewayHarness`] stands in for an API Gateway WebSocket API (routes, Lambda proxy
//! events, `@connections`) and [`StreamPollerHarness`] for Lambda's DynamoDB stream event source
//! mapping; both invoke a function under [`LambdaEmulator`] through [`LambdaInvoker`].

mod cluster;
mod command;
mod dynamodb_local;
mod dynamodb_streams;
mod lambda_emulator;
mod lambda_invoke;
mod moto_s3;
mod net;
mod pg_bin;
mod psql;
mod shared;
mod watchdog;
mod websocket_gateway;

pub use cluster::{DATABASE_URL_ENV, PostgresCluster, RestartUnsupported};
pub use dynamodb_local::{DYNAMODB_LOCAL_DIR_ENV, DynamoDbLocal};
pub use dynamodb_streams::{EventSourceMapping, StreamPollerHarness};
pub use lambda_emulator::{LambdaEmulator, Profile};
pub use lambda_invoke::LambdaInvoker;
pub use moto_s3::MotoS3;
pub use net::{free_port, wait_for_http, wait_for_status};
pub use pg_bin::pg_bin;
pub use psql::psql;
pub use shared::{shared, try_shared};
pub use websocket_gateway::{BoundGateway, GatewayRoutes, WebSocketGatewayHarness};
