//! `twinstack seed`: loads the deterministic data set, reads it back, and prints the checksum of what
//! the store now holds (the same value for every store).

use std::time::Instant;

use anyhow::{Context, bail};
use clap::Args;
use sqlx::postgres::PgPoolOptions;
use twinstack_core::seed::{DEFAULT_ORDERS_PER_USER, DEFAULT_USERS, DataSet};

#[derive(Args)]
pub struct SeedArgs {
    /// Postgres URL to seed (the schema is migrated first).
    #[arg(long, value_name = "URL")]
    postgres: String,

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

    let pool = PgPoolOptions::new()
        .max_connections(2)
        .connect(&args.postgres)
        .await
        .context("connecting to Postgres")?;
    twinstack_store_postgres::migrate(&pool)
        .await
        .context("migrating")?;
    twinstack_store_postgres::load_data_set(&pool, &data)
        .await
        .context("loading the data set")?;
    let stored = twinstack_store_postgres::read_data_set(&pool)
        .await
        .context("reading the data set back")?;
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
