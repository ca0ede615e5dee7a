//! The pipeline section of results.json: per via, what the run measured and what follows from it.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use twinstack_cost::lambda::{billed_ms, cpu_share};
use twinstack_cost::pipeline::AwsRequests;
use twinstack_pipeline::{DEFAULT_CHECKSUM, DEFAULT_CHUNKS, DEFAULT_RECORDS, RunSummary};

use crate::bench::procs::Usage;
use crate::bench::results::round;

/// The Lambda memory sizes the CPU per chunk is priced at, MB.
pub const LAMBDA_MEMORY_MB: [u32; 3] = [128, 512, 1024];

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PipelineBench {
    pub records: u64,
    pub chunks: u32,
    pub generate_seconds: f64,
    pub runs: Vec<ViaRun>,
    /// Every run finished, and all gave one checksum.
    pub checksums_equal: bool,
    /// Whether that checksum is `DEFAULT_CHECKSUM`; only for the default input.
    pub default_checksum_matches: Option<bool>,
    /// What one run of this many chunks makes on AWS, counted from the definitions.
    pub step_functions: RequestCounts,
    pub argo: RequestCounts,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ViaRun {
    pub via: String,
    /// `twinstack …`, as the bench ran it (scratch paths included).
    pub command: String,
    pub wall_seconds: f64,
    /// The run's process tree: peak RSS sampled, CPU from its own account.
    pub usage: Usage,
    /// The run's whole CPU time (generation excluded) over its chunks, ms.
    pub cpu_per_chunk_ms: f64,
    /// The lambda via only: the function's mean time in its handler per chunk, ms (the time the
    /// GB-seconds are billed on for that via).
    #[serde(default)]
    pub handler_ms_per_chunk: Option<f64>,
    /// GB-seconds a Lambda per chunk would bill for its CPU (the handler's time for the lambda
    /// via), at each of [`LAMBDA_MEMORY_MB`].
    pub lambda_gb_seconds: Vec<LambdaGbSeconds>,
    /// Stages 1–5: records in over the stage's time summed over chunks (each chunk on one core).
    pub stages: Vec<StageRate>,
    pub summary: Option<RunSummary>,
    pub error: Option<String>,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LambdaGbSeconds {
    pub memory_mb: u32,
    pub gb_seconds: f64,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StageRate {
    pub stage: String,
    pub records_in: u64,
    pub milliseconds: f64,
    pub records_per_second_per_core: Option<f64>,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RequestCounts {
    pub state_transitions: u64,
    pub s3_lists: u64,
    pub s3_gets: u64,
    pub s3_puts: u64,
}

impl From<AwsRequests> for RequestCounts {
    fn from(requests: AwsRequests) -> Self {
        RequestCounts {
            state_transitions: requests.transitions as u64,
            s3_lists: requests.s3_lists as u64,
            s3_gets: requests.s3_gets as u64,
            s3_puts: requests.s3_puts as u64,
        }
    }
}

impl ViaRun {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        via: &str,
        command: &[&str],
        wall: Duration,
        usage: Usage,
        summary: Option<RunSummary>,
        error: Option<String>,
        chunks: u32,
        handler_ms_per_chunk: Option<f64>,
    ) -> ViaRun {
        let cpu_per_chunk_ms = usage.cpu_seconds * 1000.0 / f64::from(chunks.max(1));
        let billed_per_chunk_ms = handler_ms_per_chunk.unwrap_or(cpu_per_chunk_ms);
        let stages = summary.as_ref().map_or_else(Vec::new, |summary| {
            summary
                .stages
                .named()
                .into_iter()
                .map(|(stage, stats)| StageRate {
                    stage: stage.to_owned(),
                    records_in: stats.records_in,
                    milliseconds: round(stats.micros as f64 / 1000.0, 1),
                    records_per_second_per_core: (stats.micros > 0)
                        .then(|| round(stats.records_in as f64 * 1e6 / stats.micros as f64, 0)),
                })
                .collect()
        });
        ViaRun {
            via: via.to_owned(),
            command: format!("twinstack {}", command.join(" ")),
            wall_seconds: round(wall.as_secs_f64(), 3),
            usage,
            cpu_per_chunk_ms: round(cpu_per_chunk_ms, 1),
            handler_ms_per_chunk: handler_ms_per_chunk.map(|ms| round(ms, 1)),
            lambda_gb_seconds: LAMBDA_MEMORY_MB
                .iter()
                .map(|&memory_mb| LambdaGbSeconds {
                    memory_mb,
                    gb_seconds: round(lambda_gb_seconds(chunks, billed_per_chunk_ms, memory_mb), 3),
                })
                .collect(),
            stages,
            summary,
            error,
        }
    }
}

/// One invocation per chunk, each billed for the chunk's CPU stretched to the function's share
/// of a core and rounded up to the millisecond. CPU only: the S3 requests' waiting is not in it.
pub fn lambda_gb_seconds(chunks: u32, cpu_per_chunk_ms: f64, memory_mb: u32) -> f64 {
    let memory = f64::from(memory_mb);
    let billed = billed_ms(cpu_per_chunk_ms / cpu_share(memory));
    f64::from(chunks) * billed / 1000.0 * memory / 1024.0
}

impl PipelineBench {
    pub fn new(records: u64, chunks: u32, generate: Duration, runs: Vec<ViaRun>) -> PipelineBench {
        let checksums: Vec<Option<&str>> = runs
            .iter()
            .map(|run| run.summary.as_ref().map(|s| s.checksum.as_str()))
            .collect();
        let checksums_equal =
            !checksums.is_empty() && checksums.iter().all(|c| c.is_some() && *c == checksums[0]);
        let default_input = records == DEFAULT_RECORDS && chunks == DEFAULT_CHUNKS;
        let default_checksum_matches = default_input
            .then(|| checksums_equal && checksums.first() == Some(&Some(DEFAULT_CHECKSUM)));
        PipelineBench {
            records,
            chunks,
            generate_seconds: round(generate.as_secs_f64(), 3),
            runs,
            checksums_equal,
            default_checksum_matches,
            step_functions: AwsRequests::step_functions(u64::from(chunks)).into(),
            argo: AwsRequests::argo(u64::from(chunks)).into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chunk_bills_its_cpu_stretched_to_the_memorys_share_of_a_core() {
        // 100 ms of CPU at 128 MB (128/1769 of a core) bills 1,383 ms; 100 chunks of it at 0.125 GB.
        let at_128 = lambda_gb_seconds(100, 100.0, 128);
        let at_1769 = lambda_gb_seconds(100, 100.0, 1769);

        assert!((at_128 - 100.0 * 1.383 * 0.125).abs() < 1e-9, "{at_128}");
        assert!(
            (at_1769 - 100.0 * 0.1 * 1769.0 / 1024.0).abs() < 1e-9,
            "{at_1769}"
        );
    }
}
