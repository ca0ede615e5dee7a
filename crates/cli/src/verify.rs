//! `twinstack verify`: reads everything a store holds and prints its checksum, the one `twinstack
//! seed` prints for the same data; it writes nothing. A restored backup is checked by comparing
//! the two.

use std::time::Duration;

use anyhow::{Context, bail};
use clap::Args;
use sqlx::Connection;
use sqlx::postgres::{PgConnection, PgPoolOptions};
use twinstack_core::seed::DataSet;

use crate::store_args::{Store, StoreArgs};

/// How long to wait for a Postgres connection before calling the store unreachable.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Args)]
pub struct VerifyArgs {
    #[command(flatten)]
    store: StoreArgs,
}

pub async fn run(args: VerifyArgs) -> anyhow::Result<()> {
    let stored = match args.store.store()? {
        Store::Postgres { url } => read_postgres(url).await?,
        Store::DynamoDb {
            endpoint,
            table,
            region,
        } => read_dynamodb(endpoint, table, region).await?,
    };
    eprintln!(
        "read {} products, {} users, {} orders",
        stored.products.len(),
        stored.users.len(),
        stored.orders.len()
    );
    println!("{}", stored.checksum());
    Ok(())
}

async fn read_postgres(url: &str) -> anyhow::Result<DataSet> {
    // The pool retries a refused connection until it times out and then reports only the timeout;
    // one connection of our own first says why Postgres cannot be reached.
    let probe = tokio::time::timeout(CONNECT_TIMEOUT, PgConnection::connect(url))
        .await
        .map_err(|_| anyhow::anyhow!("connecting to Postgres: no answer in {CONNECT_TIMEOUT:?}"))?
        .context("connecting to Postgres")?;
    probe.close().await.context("connecting to Postgres")?;
    let pool = PgPoolOptions::new()
        .max_connections(1)
        .acquire_timeout(CONNECT_TIMEOUT)
        .connect(url)
        .await
        .context("connecting to Postgres")?;
    let stored = twinstack_store_postgres::read_data_set(&pool)
        .await
        .context("reading the data set")?;
    pool.close().await;
    Ok(stored)
}

async fn read_dynamodb(
    endpoint: &str,
    table: &str,
    region: Option<&str>,
) -> anyhow::Result<DataSet> {
    let client = crate::dynamodb::batch_client(endpoint, table, region).await?;
    match client.describe_table().table_name(table).send().await {
        Ok(_) => {}
        Err(err)
            if err
                .as_service_error()
                .is_some_and(|e| e.is_resource_not_found_exception()) =>
        {
            bail!("table {table} does not exist at {endpoint}")
        }
        Err(err) => {
            return Err(anyhow::Error::new(err).context(format!(
                "reaching DynamoDB at {endpoint} (DescribeTable {table})"
            )));
        }
    }
    twinstack_store_dynamodb::read_data_set(&client, table)
        .await
        .context("reading the data set")
}
