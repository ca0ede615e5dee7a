//! The run summary: records in = loaded + rejected, per-stage counts and times, the checksum.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::chunk::Stages;

/// A chunk that failed every attempt.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChunkFailure {
    pub chunk: String,
    pub attempts: u32,
    pub error: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RunSummary {
    /// Chunks whose partials were reduced.
    pub chunks: u64,
    pub failed_chunks: Vec<ChunkFailure>,
    pub records_in: u64,
    /// Records folded into the loaded aggregates.
    pub loaded: u64,
    pub rejected: u64,
    pub stages: Stages,
    /// Aggregate rows loaded.
    pub rows: u64,
    /// Where they were loaded.
    pub target: String,
    /// [`Aggregates::checksum`](crate::Aggregates::checksum) of what was loaded.
    pub checksum: String,
}

impl fmt::Display for RunSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "records in  {:>12}", self.records_in)?;
        writeln!(f, "loaded      {:>12}", self.loaded)?;
        writeln!(f, "rejected    {:>12}", self.rejected)?;
        writeln!(
            f,
            "chunks      {:>12}  (failed: {})",
            self.chunks + self.failed_chunks.len() as u64,
            self.failed_chunks.len()
        )?;
        for failure in &self.failed_chunks {
            writeln!(
                f,
                "  failed {} after {} attempts: {}",
                failure.chunk, failure.attempts, failure.error
            )?;
        }
        writeln!(
            f,
            "{:<10} {:>12} {:>12} {:>12}",
            "stage", "records in", "records out", "time ms"
        )?;
        for (name, stats) in self.stages.named() {
            writeln!(
                f,
                "{name:<10} {:>12} {:>12} {:>12.1}",
                stats.records_in,
                stats.records_out,
                stats.micros as f64 / 1000.0
            )?;
        }
        writeln!(f, "rows        {:>12}  into {}", self.rows, self.target)?;
        write!(f, "checksum    {}", self.checksum)
    }
}
