//! Aggregates into Postgres: `pipeline_aggregates`, upserted with one UNNEST statement per batch.

use sqlx::PgPool;
use sqlx::postgres::PgPoolOptions;
use twinstack_pipeline::{AggregateRow, Aggregates, Dimension, LoadError, LoadTarget, Stats};

const CREATE_TABLE: &str = include_str!("../sql/pipeline_aggregates.sql");
const UPSERT: &str = include_str!("../sql/upsert.sql");
/// Rows per statement: six arrays of this many elements.
const BATCH: usize = 5_000;

/// The `pipeline_aggregates` table of one database.
#[derive(Clone, Debug)]
pub struct PgTarget {
    pool: PgPool,
}

impl PgTarget {
    pub fn new(pool: PgPool) -> Self {
        PgTarget { pool }
    }

    /// A target on the database at `url`, with a small pool of its own.
    pub async fn connect(url: &str) -> Result<Self, LoadError> {
        let pool = PgPoolOptions::new()
            .max_connections(2)
            .connect(url)
            .await
            .map_err(|err| LoadError(format!("connecting to Postgres: {err}")))?;
        Ok(PgTarget { pool })
    }
}

impl LoadTarget for PgTarget {
    fn describe(&self) -> String {
        "postgres table pipeline_aggregates".into()
    }

    async fn load(&self, aggregates: &Aggregates) -> Result<(), LoadError> {
        let rows: Vec<AggregateRow> = aggregates.rows().collect();
        let mut tx = self.pool.begin().await.map_err(pg)?;
        sqlx::raw_sql(CREATE_TABLE)
            .execute(&mut *tx)
            .await
            .map_err(pg)?;
        for batch in rows.chunks(BATCH) {
            let column = |f: fn(&Stats) -> u64| -> Result<Vec<i64>, LoadError> {
                batch.iter().map(|r| bigint(f(&r.stats), r)).collect()
            };
            sqlx::query(UPSERT)
                .bind(
                    batch
                        .iter()
                        .map(|r| r.dimension.as_str())
                        .collect::<Vec<_>>(),
                )
                .bind(batch.iter().map(|r| r.key.as_str()).collect::<Vec<_>>())
                .bind(column(|s| s.count)?)
                .bind(column(|s| s.sum_cents)?)
                .bind(column(|s| s.min_cents)?)
                .bind(column(|s| s.max_cents)?)
                .execute(&mut *tx)
                .await
                .map_err(pg)?;
        }
        tx.commit().await.map_err(pg)
    }

    async fn read(&self) -> Result<Aggregates, LoadError> {
        let rows: Vec<(String, String, i64, i64, i64, i64)> = sqlx::query_as(
            "SELECT dimension, key, count, sum_cents, min_cents, max_cents FROM pipeline_aggregates",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(pg)?;
        let rows = rows
            .into_iter()
            .map(|(dimension, key, count, sum, min, max)| {
                let dimension = Dimension::parse(&dimension)
                    .ok_or_else(|| LoadError(format!("unknown dimension {dimension:?}")))?;
                let cents = |v: i64| {
                    u64::try_from(v).map_err(|_| LoadError(format!("{key}: negative value {v}")))
                };
                Ok(AggregateRow {
                    dimension,
                    stats: Stats {
                        count: cents(count)?,
                        sum_cents: cents(sum)?,
                        min_cents: cents(min)?,
                        max_cents: cents(max)?,
                    },
                    key,
                })
            })
            .collect::<Result<Vec<_>, LoadError>>()?;
        Aggregates::from_rows(rows).map_err(LoadError)
    }
}

fn bigint(value: u64, row: &AggregateRow) -> Result<i64, LoadError> {
    i64::try_from(value).map_err(|_| {
        LoadError(format!(
            "{} {}: {value} does not fit a bigint",
            row.dimension.as_str(),
            row.key
        ))
    })
}

fn pg(err: sqlx::Error) -> LoadError {
    LoadError(format!("Postgres: {err}"))
}
