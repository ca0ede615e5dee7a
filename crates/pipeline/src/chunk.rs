//! Stages 1–4 over one chunk's bytes, each stage over the whole batch and timed on its own.

use std::time::Instant;

use serde::{Deserialize, Serialize};

use crate::aggregate::{Aggregates, ChunkAggregator};
use crate::catalogue::Catalogue;
use crate::transform::{Enriched, enrich};
use crate::validate::{Reject, ValidEvent, extract, validate};

/// Records into and out of one stage, and the time it took (summed over chunks in a run).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StageStats {
    pub records_in: u64,
    pub records_out: u64,
    pub micros: u64,
}

impl StageStats {
    fn add(&mut self, other: &StageStats) {
        self.records_in += other.records_in;
        self.records_out += other.records_out;
        self.micros += other.micros;
    }
}

/// Every stage's [`StageStats`]. For `aggregate` and `load`, records out are rows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Stages {
    pub extract: StageStats,
    pub validate: StageStats,
    pub transform: StageStats,
    pub aggregate: StageStats,
    pub load: StageStats,
}

impl Stages {
    pub fn add(&mut self, other: &Stages) {
        self.extract.add(&other.extract);
        self.validate.add(&other.validate);
        self.transform.add(&other.transform);
        self.aggregate.add(&other.aggregate);
        self.load.add(&other.load);
    }

    /// `(name, stats)` in pipeline order.
    pub fn named(&self) -> [(&'static str, StageStats); 5] {
        [
            ("extract", self.extract),
            ("validate", self.validate),
            ("transform", self.transform),
            ("aggregate", self.aggregate),
            ("load", self.load),
        ]
    }
}

/// What one chunk produced: its counts, stage stats and partial aggregates. This is the partial
/// object a chunk run writes and the reduce reads.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChunkReport {
    pub chunk: String,
    pub records_in: u64,
    pub rejected: u64,
    pub stages: Stages,
    pub aggregates: Aggregates,
}

/// A processed chunk: its report and every rejected record.
#[derive(Clone, Debug)]
pub struct ChunkOutput {
    pub report: ChunkReport,
    pub rejects: Vec<Reject>,
}

/// Runs extract → validate → transform → aggregate over `bytes`, the NDJSON chunk `chunk`.
/// Every line is a record (a final newline ends the last one); each either reaches the
/// aggregates or is rejected with its line number and reason.
pub fn process_chunk(chunk: &str, bytes: &[u8], catalogue: &Catalogue) -> ChunkOutput {
    let mut stages = Stages::default();
    let mut rejects = Vec::new();
    let mut reject = |line: usize, raw: &[u8], reason| {
        rejects.push(Reject {
            chunk: chunk.to_owned(),
            line: line as u64 + 1,
            reason,
            record: String::from_utf8_lossy(raw).into_owned(),
        })
    };

    let started = Instant::now();
    let body = bytes.strip_suffix(b"\n").unwrap_or(bytes);
    let lines: Vec<&[u8]> = if bytes.is_empty() {
        Vec::new()
    } else {
        body.split(|b| *b == b'\n')
            .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
            .collect()
    };
    let mut events = Vec::with_capacity(lines.len());
    for (n, line) in lines.iter().enumerate() {
        match extract(line) {
            Ok(event) => events.push((n, event)),
            Err(reason) => reject(n, line, reason),
        }
    }
    stages.extract = timed(started, lines.len(), events.len());

    let started = Instant::now();
    let mut valid: Vec<ValidEvent> = Vec::with_capacity(events.len());
    for (n, event) in &events {
        match validate(event, catalogue) {
            Ok(event) => valid.push(event),
            Err(reason) => reject(*n, lines[*n], reason),
        }
    }
    stages.validate = timed(started, events.len(), valid.len());

    let started = Instant::now();
    let enriched: Vec<Enriched> = valid.iter().map(enrich).collect();
    stages.transform = timed(started, valid.len(), enriched.len());

    let started = Instant::now();
    let mut aggregator = ChunkAggregator::new(catalogue);
    for event in &enriched {
        aggregator.add(event);
    }
    let aggregates = aggregator.finish();
    stages.aggregate = timed(started, enriched.len(), aggregates.rows().count());

    ChunkOutput {
        report: ChunkReport {
            chunk: chunk.to_owned(),
            records_in: lines.len() as u64,
            rejected: rejects.len() as u64,
            stages,
            aggregates,
        },
        rejects,
    }
}

fn timed(started: Instant, records_in: usize, records_out: usize) -> StageStats {
    StageStats {
        records_in: records_in as u64,
        records_out: records_out as u64,
        micros: started.elapsed().as_micros() as u64,
    }
}
