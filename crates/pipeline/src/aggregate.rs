//! Stage 4, aggregate: per user, per sku and per UTC day, the count, sum, min and max of line
//! totals. [`Aggregates`] of separate chunks [`merge`](Aggregates::merge) into those of their
//! union whatever the order or grouping (a commutative monoid), so fan-in order never changes
//! the result.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write;

use chrono::{DateTime, NaiveDate};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::catalogue::Catalogue;
use crate::transform::Enriched;

/// Count, sum, min and max of line totals, in cents.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Stats {
    pub count: u64,
    pub sum_cents: u64,
    pub min_cents: u64,
    pub max_cents: u64,
}

impl Stats {
    pub fn of(cents: u64) -> Stats {
        Stats {
            count: 1,
            sum_cents: cents,
            min_cents: cents,
            max_cents: cents,
        }
    }

    /// Saturating sums: associative and commutative on unsigned values, unlike wrapping ones.
    pub fn merge(&mut self, other: &Stats) {
        self.count = self.count.saturating_add(other.count);
        self.sum_cents = self.sum_cents.saturating_add(other.sum_cents);
        self.min_cents = self.min_cents.min(other.min_cents);
        self.max_cents = self.max_cents.max(other.max_cents);
    }
}

/// Which grouping a row belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Dimension {
    User,
    Sku,
    Day,
}

impl Dimension {
    pub const ALL: [Dimension; 3] = [Dimension::User, Dimension::Sku, Dimension::Day];

    pub fn as_str(self) -> &'static str {
        match self {
            Dimension::User => "user",
            Dimension::Sku => "sku",
            Dimension::Day => "day",
        }
    }

    pub fn parse(text: &str) -> Option<Dimension> {
        Dimension::ALL.into_iter().find(|d| d.as_str() == text)
    }
}

/// One aggregate row: a dimension, its key (user id, sku, `YYYY-MM-DD`) and its stats.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AggregateRow {
    pub dimension: Dimension,
    pub key: String,
    #[serde(flatten)]
    pub stats: Stats,
}

/// Aggregates of some records: one chunk's (a partial) or the whole run's.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Aggregates {
    pub by_user: BTreeMap<i64, Stats>,
    pub by_sku: BTreeMap<String, Stats>,
    /// Keyed `YYYY-MM-DD` (UTC), which sorts by date.
    pub by_day: BTreeMap<String, Stats>,
}

impl Aggregates {
    /// Folds `other` in.
    pub fn merge(&mut self, other: &Aggregates) {
        merge_map(&mut self.by_user, &other.by_user);
        merge_map(&mut self.by_sku, &other.by_sku);
        merge_map(&mut self.by_day, &other.by_day);
    }

    /// How many records went in (each record counts once per dimension).
    pub fn records(&self) -> u64 {
        self.by_user.values().map(|s| s.count).sum()
    }

    /// Every row, by dimension then key.
    pub fn rows(&self) -> impl Iterator<Item = AggregateRow> + '_ {
        let users = self
            .by_user
            .iter()
            .map(|(k, s)| row(Dimension::User, k.to_string(), s));
        let skus = self
            .by_sku
            .iter()
            .map(|(k, s)| row(Dimension::Sku, k.clone(), s));
        let days = self
            .by_day
            .iter()
            .map(|(k, s)| row(Dimension::Day, k.clone(), s));
        users.chain(skus).chain(days)
    }

    /// The aggregates holding `rows`; an error names a user row whose key is not a user id.
    pub fn from_rows(rows: impl IntoIterator<Item = AggregateRow>) -> Result<Aggregates, String> {
        let mut aggregates = Aggregates::default();
        for row in rows {
            match row.dimension {
                Dimension::User => {
                    let id = row
                        .key
                        .parse()
                        .map_err(|_| format!("user row key {:?} is not a user id", row.key))?;
                    aggregates.by_user.insert(id, row.stats);
                }
                Dimension::Sku => {
                    aggregates.by_sku.insert(row.key, row.stats);
                }
                Dimension::Day => {
                    aggregates.by_day.insert(row.key, row.stats);
                }
            }
        }
        Ok(aggregates)
    }

    /// Hex SHA-256 over one canonical line per row, `dimension key count sum min max`
    /// tab-separated, rows in [`rows`](Aggregates::rows) order.
    pub fn checksum(&self) -> String {
        let mut text = String::new();
        for row in self.rows() {
            let s = row.stats;
            let _ = writeln!(
                text,
                "{}\t{}\t{}\t{}\t{}\t{}",
                row.dimension.as_str(),
                row.key,
                s.count,
                s.sum_cents,
                s.min_cents,
                s.max_cents
            );
        }
        let digest = Sha256::digest(text.as_bytes());
        digest.iter().fold(String::with_capacity(64), |mut hex, b| {
            let _ = write!(hex, "{b:02x}");
            hex
        })
    }
}

fn row(dimension: Dimension, key: String, stats: &Stats) -> AggregateRow {
    AggregateRow {
        dimension,
        key,
        stats: *stats,
    }
}

fn merge_map<K: Ord + Clone>(into: &mut BTreeMap<K, Stats>, from: &BTreeMap<K, Stats>) {
    for (key, stats) in from {
        into.entry(key.clone())
            .and_modify(|s| s.merge(stats))
            .or_insert(*stats);
    }
}

/// Accumulates one chunk's enriched events with flat, cheap structures; [`finish`] turns them
/// into [`Aggregates`].
///
/// [`finish`]: ChunkAggregator::finish
pub struct ChunkAggregator<'c> {
    catalogue: &'c Catalogue,
    by_user: HashMap<i64, Stats>,
    by_product: Vec<Option<Stats>>,
    by_day: HashMap<i64, Stats>,
}

impl<'c> ChunkAggregator<'c> {
    pub fn new(catalogue: &'c Catalogue) -> Self {
        ChunkAggregator {
            catalogue,
            by_user: HashMap::new(),
            by_product: vec![None; catalogue.len()],
            by_day: HashMap::new(),
        }
    }

    pub fn add(&mut self, event: &Enriched) {
        let stats = Stats::of(event.line_total_cents);
        self.by_user
            .entry(event.user_id)
            .or_insert(EMPTY)
            .merge(&stats);
        self.by_product[event.product]
            .get_or_insert(EMPTY)
            .merge(&stats);
        self.by_day.entry(event.day).or_insert(EMPTY).merge(&stats);
    }

    pub fn finish(self) -> Aggregates {
        Aggregates {
            by_user: self.by_user.into_iter().collect(),
            by_sku: self
                .by_product
                .into_iter()
                .enumerate()
                .filter_map(|(i, s)| Some((self.catalogue.sku(i).to_owned(), s?)))
                .collect(),
            by_day: self
                .by_day
                .into_iter()
                .map(|(day, s)| (day_key(day), s))
                .collect(),
        }
    }
}

/// The identity of [`Stats::merge`].
const EMPTY: Stats = Stats {
    count: 0,
    sum_cents: 0,
    min_cents: u64::MAX,
    max_cents: 0,
};

/// `YYYY-MM-DD` of a day number (days since 1970-01-01).
pub fn day_key(day: i64) -> String {
    DateTime::from_timestamp(day.saturating_mul(86_400), 0)
        .map(|at| at.date_naive())
        .unwrap_or(NaiveDate::MIN)
        .format("%Y-%m-%d")
        .to_string()
}
