//! `twinstack verify`: reads everything a store holds and prints its checksum, the one `twinstack
//! seed` prints for the same data; it writes nothing. A restored backup is checked by comparing
//! the two.

use std::time::Duration;

use anyhow::{Context, bail};
use clap::Args;
use sqlx::Connection;
use sqlx::postgres::{PgConnection, PgPoolOptions};
use twinstack_core::seed::DataSet;

/// How long to wait for a Postgres connection before calling the store unreachable.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Args)]
#[command(group(clap::ArgGroup::new("store").required(true).args(["postgres", "dynamodb"])))]
pub struct VerifyArgs {
    /// Postgres URL to read.
    #[arg(long, value_name = "URL")]
    postgres: Option<String>,

    /// DynamoDB endpoint to read: DynamoDB Local's, such as http://127.0.0.1:8000, or AWS's,
    /// https://dynamodb.<region>.amazonaws.com (credentials from the SDK's default chain).
    #[arg(long, value_name = "ENDPOINT", requires = "table")]
    dynamodb: Option<String>,

    /// DynamoDB table name.
    #[arg(long, value_name = "T")]
    table: Option<String>,

    /// AWS region of the DynamoDB table; needed for AWS's endpoint.
    #[arg(long, env = "AWS_REGION")]
    region: Option<String>,
}

pub async fn run(args: VerifyArgs) -> anyhow::Result<()> {
    let stored = match (&args.postgres, &args.dynamodb, &args.table) {
        (Some(url), _, _) => read_postgres(url).await?,
        (None, Some(endpoint), Some(table)) => {
            read_dynamodb(endpoint, table, args.region.as_deref()).await?
        }
        _ => bail!("give --postgres URL, or --dynamodb ENDPOINT --table T"),
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
