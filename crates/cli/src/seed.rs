//! `twinstack seed`: loads the deterministic data set, reads it back, and prints the checksum of what
//! the store now holds — the same value for both stores.

use std::time::Instant;

use anyhow::{Context, bail};
use clap::Args;
use sqlx::postgres::PgPoolOptions;
use twinstack_core::seed::{DEFAULT_ORDERS_PER_USER, DEFAULT_USERS, DataSet};

use crate::store_args::{Store, StoreArgs};

#[derive(Args)]
pub struct SeedArgs {
    #[command(flatten)]
    store: StoreArgs,

    /// Number of users (ids 1..=N).
    #[arg(long, default_value_t = DEFAULT_USERS, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    users: u32,

    /// Orders per user.
    #[arg(long, default_value_t = DEFAULT_ORDERS_PER_USER, value_parser = clap::value_parser!(u32).range(0..=100))]
    orders_per_user: u32,
}

pub async fn run(args: SeedArgs) -> anyhow::Result<()> {
    let started = Instant::now();
    let data = DataSet::generate(args.users, args.orders_per_user);
    let expected = data.checksum();

    let stored = match args.store.store()? {
        Store::Postgres { url } => seed_postgres(url, &data).await?,
        Store::DynamoDb {
            endpoint,
            table,
            region,
        } => seed_dynamodb_in(endpoint, table, region, &data).await?,
    };
    let checksum = stored.checksum();
    if checksum != expected {
        bail!(
            "the store holds other data than was loaded: checksum {checksum}, expected {expected}"
        );
    }
    eprintln!(
        "seeded {} products, {} users, {} orders in {:.1?}",
        stored.products.len(),
        stored.users.len(),
        stored.orders.len(),
        started.elapsed()
    );
    println!("{checksum}");
    Ok(())
}

pub(crate) async fn seed_postgres(url: &str, data: &DataSet) -> anyhow::Result<DataSet> {
    let pool = PgPoolOptions::new()
        .max_connections(2)
        .connect(url)
        .await
        .context("connecting to Postgres")?;
    twinstack_store_postgres::migrate(&pool)
        .await
        .context("migrating")?;
    twinstack_store_postgres::load_data_set(&pool, data)
        .await
        .context("loading the data set")?;
    let stored = twinstack_store_postgres::read_data_set(&pool)
        .await
        .context("reading the data set back")?;
    pool.close().await;
    Ok(stored)
}

/// [`seed_dynamodb_in`] the region `AWS_REGION` names, if any.
pub(crate) async fn seed_dynamodb(
    endpoint: &str,
    table: &str,
    data: &DataSet,
) -> anyhow::Result<DataSet> {
    let region = std::env::var("AWS_REGION").ok();
    seed_dynamodb_in(endpoint, table, region.as_deref(), data).await
}

async fn seed_dynamodb_in(
    endpoint: &str,
    table: &str,
    region: Option<&str>,
    data: &DataSet,
) -> anyhow::Result<DataSet> {
    let client = crate::dynamodb::batch_client(endpoint, table, region).await?;
    twinstack_store_dynamodb::create_table(&client, table)
        .await
        .context("creating the table")?;
    twinstack_store_dynamodb::load_data_set(&client, table, data)
        .await
        .context("loading the data set")?;
    twinstack_store_dynamodb::read_data_set(&client, table)
        .await
        .context("reading the data set back")
}
