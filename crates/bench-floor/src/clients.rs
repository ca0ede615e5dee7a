//! A fixed set of Postgres connections, each with the one statement prepared, taken in turn.
//!
//! A tokio-postgres client pipelines: requests sharing a connection are written back to back
//! without waiting for each other's answers, so a few connections serve many HTTP clients.

use std::sync::atomic::{AtomicUsize, Ordering};

use anyhow::Context;
use tokio_postgres::{Client, NoTls, Row, Statement};

/// The columns `twinstack-store-postgres` reads for a user, in its order.
const GET_USER: &str = "SELECT id, name, email, created_at, updated_at FROM users WHERE id = $1";

pub struct Clients {
    connections: Vec<Prepared>,
    next: AtomicUsize,
}

struct Prepared {
    client: Client,
    get_user: Statement,
}

impl Clients {
    pub async fn connect(database_url: &str, count: u16) -> anyhow::Result<Self> {
        let mut connections = Vec::with_capacity(usize::from(count));
        for _ in 0..count {
            let (client, connection) = tokio_postgres::connect(database_url, NoTls)
                .await
                .context("connecting to Postgres")?;
            tokio::spawn(async move {
                if let Err(err) = connection.await {
                    eprintln!("postgres connection: {err}");
                }
            });
            let get_user = client
                .prepare(GET_USER)
                .await
                .context("preparing the statement")?;
            connections.push(Prepared { client, get_user });
        }
        Ok(Self {
            connections,
            next: AtomicUsize::new(0),
        })
    }

    /// The user's row, on the next connection in turn.
    pub async fn user(&self, id: i64) -> Result<Option<Row>, tokio_postgres::Error> {
        let turn = self.next.fetch_add(1, Ordering::Relaxed) % self.connections.len();
        let prepared = &self.connections[turn];
        prepared.client.query_opt(&prepared.get_user, &[&id]).await
    }
}
