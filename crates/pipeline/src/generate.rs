//! The pipeline's input: order events generated deterministically, chunk by chunk.
//!
//! Each chunk has its own ChaCha8 stream (the API data set's seed, stream = chunk index), so chunks
//! can be generated in any order, in parallel, and come out byte-identical every time. One record
//! in [`DEFECT_ONE_IN`] (2%) is defective, of one of the [`Defect`] kinds chosen at random.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use twinstack_core::seed::{BASE_MILLIS, DEFAULT_USERS, SEED};
use twinstack_core::{OrderId, Timestamp};

use crate::catalogue::Catalogue;
use crate::record::{CURRENCY, OrderEvent, STATUSES};

pub const DEFAULT_RECORDS: u64 = 1_000_000;
pub const DEFAULT_CHUNKS: u32 = 100;
/// One record in this many is defective.
pub const DEFECT_ONE_IN: u32 = 50;
/// The object listing the chunks: a JSON array of [`ManifestEntry`], the shape Step Functions'
/// Distributed Map (S3 JSON ItemReader) and Argo's `withParam` both iterate over.
pub const MANIFEST_KEY: &str = "manifest.json";

const DAY_MILLIS: i64 = 86_400_000;
const DAYS: i64 = 365;

/// The ways a generated record is broken, each rejected by `validate` with its own reason.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Defect {
    /// The line is cut in half: not JSON.
    BadJson,
    /// A sku the catalogue does not sell.
    UnknownSku,
    /// Quantity zero or below.
    NonPositiveQty,
    /// A date that does not exist (30 February).
    BadTimestamp,
    /// A currency other than the catalogue's.
    UnsupportedCurrency,
}

const DEFECTS: [Defect; 5] = [
    Defect::BadJson,
    Defect::UnknownSku,
    Defect::NonPositiveQty,
    Defect::BadTimestamp,
    Defect::UnsupportedCurrency,
];

/// How much input, in how many chunks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputSpec {
    pub records: u64,
    pub chunks: u32,
}

impl Default for InputSpec {
    fn default() -> Self {
        InputSpec {
            records: DEFAULT_RECORDS,
            chunks: DEFAULT_CHUNKS,
        }
    }
}

/// One chunk of the input, as the manifest lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestEntry {
    /// The chunk's object key, relative to the input location.
    pub chunk: String,
    pub records: u64,
}

impl InputSpec {
    /// The chunks' keys and sizes; the first `records % chunks` chunks hold one record more.
    pub fn manifest(&self) -> Vec<ManifestEntry> {
        let chunks = u64::from(self.chunks.max(1));
        (0..chunks)
            .map(|i| ManifestEntry {
                chunk: chunk_key(i as u32),
                records: self.records / chunks + u64::from(i < self.records % chunks),
            })
            .collect()
    }
}

/// `chunk-00042.ndjson`.
pub fn chunk_key(index: u32) -> String {
    format!("chunk-{index:05}.ndjson")
}

/// Chunk `index` of `records` records as NDJSON, one event per line.
pub fn generate_chunk(catalogue: &Catalogue, index: u32, records: u64) -> Vec<u8> {
    let mut rng = ChaCha8Rng::seed_from_u64(SEED);
    rng.set_stream(u64::from(index));
    let mut out = Vec::with_capacity(records as usize * 200);
    for _ in 0..records {
        write_record(&mut rng, catalogue, &mut out);
    }
    out
}

fn write_record(rng: &mut ChaCha8Rng, catalogue: &Catalogue, out: &mut Vec<u8>) {
    let millis = BASE_MILLIS + rng.random_range(0..DAYS * DAY_MILLIS);
    let at = Timestamp::from_millis(millis);
    let order_id = OrderId::from_parts(at, rng.random()).to_string();
    let product = rng.random_range(0..catalogue.len());
    let qty = rng.random_range(1..=5);
    let status = STATUSES[rng.random_range(0..STATUSES.len())];
    let defect = (rng.random_range(0..DEFECT_ONE_IN) == 0)
        .then(|| DEFECTS[rng.random_range(0..DEFECTS.len())]);
    let timestamp = match defect {
        Some(Defect::BadTimestamp) => "2026-02-30T12:00:00.000Z".to_owned(),
        _ => at.to_string(),
    };
    let event = OrderEvent {
        order_id: &order_id,
        user_id: rng.random_range(1..=i64::from(DEFAULT_USERS)),
        sku: match defect {
            Some(Defect::UnknownSku) => "PROD-999",
            _ => catalogue.sku(product),
        },
        qty: match defect {
            Some(Defect::NonPositiveQty) => -qty,
            _ => qty,
        },
        unit_price_cents: catalogue.price_cents(product) as i64,
        currency: match defect {
            Some(Defect::UnsupportedCurrency) => "EUR",
            _ => CURRENCY,
        },
        status,
        timestamp: &timestamp,
    };
    let start = out.len();
    serde_json::to_writer(&mut *out, &event).expect("an event serialises");
    if defect == Some(Defect::BadJson) {
        out.truncate(start + (out.len() - start) / 2);
    }
    out.push(b'\n');
}
