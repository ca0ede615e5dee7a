//! The results document (`--output FILE`): versioned JSON, milliseconds throughout, camelCase keys.
//!
//! Version 1. A consumer should check `version` and refuse what it does not know; additions that keep every
//! existing field's meaning do not bump it.

use std::collections::BTreeMap;

use hdrhistogram::Histogram;
use serde::{Deserialize, Serialize};

use crate::consumed_capacity;
use crate::phases::Phase;
use crate::stats::{Collector, Stats};

pub const REPORT_VERSION: u32 = 1;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    pub version: u32,
    /// `twinstack-loadgen <crate version>`.
    pub tool: String,
    /// Where the traffic went (`--target`).
    pub target: String,
    /// `config.target` as written; never used.
    pub config_target: Option<String>,
    pub time_scale: f64,
    pub rate_scale: f64,
    pub started_at_unix_ms: u64,
    /// Length of the scaled profile; every `rps` divides by it (phases by their own duration).
    pub scheduled_seconds: f64,
    /// Wall time including the drain of in-flight requests.
    pub elapsed_seconds: f64,
    pub request_timeout_seconds: f64,
    pub drain_timeout_seconds: f64,
    pub max_in_flight: u64,
    pub vusers: VuReport,
    pub totals: StatsReport,
    /// Per request `name` (or `METHOD url-as-written` when unnamed), in config order.
    pub requests: Vec<NamedStats>,
    /// Per phase, by the phase in which each virtual user arrived.
    pub phases: Vec<PhaseReport>,
    /// Per second of the run, by intended start.
    pub timeline: Vec<SecondReport>,
    /// What the config asked for that does not act (reporting-only plugins, …).
    pub notes: Vec<String>,
    /// Data frames WebSocket virtual users received (`engine: ws`); absent when none ran.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub messages_received: Option<u64>,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct VuReport {
    pub planned: u64,
    pub created: u64,
    pub completed: u64,
    /// Flows cut short by a transport error or a failed capture.
    pub failed: u64,
    pub dropped: u64,
    pub aborted: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct StatsReport {
    /// Requests sent.
    pub count: u64,
    /// Requests answered (any status), or WebSocket steps done (connections opened, frames sent).
    pub responses: u64,
    pub rps: f64,
    pub errors: ErrorsReport,
    /// From each request's intended start to the end of its response body; `null` without responses.
    pub latency_ms: Option<Percentiles>,
    /// Per `Server-Timing` metric (`app`, `db`, …), from the responses that carried one.
    pub server_timing_ms: BTreeMap<String, TimingReport>,
    /// DynamoDB capacity from `x-dynamodb-consumed-capacity` (the serverless twin); absent when no
    /// response carried it.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub consumed_capacity: Option<CapacityReport>,
}

/// Capacity units summed over the responses that reported them; per request means per such response.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct CapacityReport {
    pub responses: u64,
    pub read: f64,
    pub write: f64,
    pub read_per_request: f64,
    pub write_per_request: f64,
}

impl CapacityReport {
    fn from_totals(totals: &consumed_capacity::Totals) -> Option<Self> {
        let per_request = |units: f64| units / totals.responses as f64;
        (totals.responses > 0).then(|| CapacityReport {
            responses: totals.responses,
            read: totals.read,
            write: totals.write,
            read_per_request: per_request(totals.read),
            write_per_request: per_request(totals.write),
        })
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ErrorsReport {
    pub total: u64,
    /// Non-2xx responses by status code.
    pub by_status: BTreeMap<String, u64>,
    /// `non2xx`, `timeout`, `connect`, `other`, `captureFailed`, `dropped`, `aborted`.
    pub by_kind: BTreeMap<String, u64>,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Percentiles {
    pub min: f64,
    pub mean: f64,
    pub p50: f64,
    pub p90: f64,
    pub p95: f64,
    pub p99: f64,
    pub p999: f64,
    pub max: f64,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct TimingReport {
    pub count: u64,
    #[serde(flatten)]
    pub percentiles: Percentiles,
    /// The mean of each value rounded up to the millisecond: what Lambda bills for a handler's time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub billed_mean_ms: Option<f64>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct NamedStats {
    pub name: String,
    #[serde(flatten)]
    pub stats: StatsReport,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct PhaseReport {
    pub index: usize,
    pub name: String,
    pub start_seconds: f64,
    pub duration_seconds: f64,
    pub arrival_rate: f64,
    pub ramp_to: Option<f64>,
    /// Virtual users scheduled to arrive in this phase.
    pub arrivals: u64,
    #[serde(flatten)]
    pub stats: StatsReport,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct SecondReport {
    pub second: u64,
    pub count: u64,
    pub errors: u64,
    pub p50_ms: Option<f64>,
    pub p99_ms: Option<f64>,
}

/// What the runner knows besides the collector.
pub struct RunFacts<'a> {
    pub target: &'a str,
    pub config_target: Option<String>,
    pub time_scale: f64,
    pub rate_scale: f64,
    pub started_at_unix_ms: u64,
    pub elapsed_seconds: f64,
    pub request_timeout_seconds: f64,
    pub drain_timeout_seconds: f64,
    pub max_in_flight: u64,
    pub created: u64,
    pub names: &'a [String],
    pub phases: &'a [Phase],
    pub notes: Vec<String>,
}

impl Report {
    pub fn build(collector: Collector, facts: RunFacts<'_>) -> Self {
        let scheduled_seconds = seconds(crate::phases::total_duration_us(facts.phases));
        let per_second = |count: u64, window: f64| {
            if window > 0.0 {
                count as f64 / window
            } else {
                0.0
            }
        };
        let stats = |stats: &Stats, window: f64| StatsReport {
            count: stats.count,
            responses: stats.responses,
            rps: per_second(stats.count, window),
            errors: ErrorsReport {
                total: stats.error_total(),
                by_status: stats
                    .by_status
                    .iter()
                    .map(|(s, n)| (s.to_string(), *n))
                    .collect(),
                by_kind: stats
                    .by_kind
                    .iter()
                    .map(|(k, n)| (k.key().to_owned(), *n))
                    .collect(),
            },
            latency_ms: percentiles(&stats.latency_us),
            server_timing_ms: stats
                .server_timing_us
                .iter()
                .filter_map(|(metric, histogram)| {
                    Some((
                        metric.clone(),
                        TimingReport {
                            count: histogram.len(),
                            percentiles: percentiles(histogram)?,
                            billed_mean_ms: billed_mean_ms(histogram),
                        },
                    ))
                })
                .collect(),
            consumed_capacity: CapacityReport::from_totals(&stats.consumed_capacity),
        };
        Self {
            version: REPORT_VERSION,
            tool: format!("twinstack-loadgen {}", env!("CARGO_PKG_VERSION")),
            target: facts.target.to_owned(),
            config_target: facts.config_target,
            time_scale: facts.time_scale,
            rate_scale: facts.rate_scale,
            started_at_unix_ms: facts.started_at_unix_ms,
            scheduled_seconds,
            elapsed_seconds: facts.elapsed_seconds,
            request_timeout_seconds: facts.request_timeout_seconds,
            drain_timeout_seconds: facts.drain_timeout_seconds,
            max_in_flight: facts.max_in_flight,
            vusers: VuReport {
                planned: facts.phases.iter().map(Phase::arrival_count).sum(),
                created: facts.created,
                completed: collector.vusers.completed,
                failed: collector.vusers.failed,
                dropped: collector.vusers.dropped,
                aborted: collector.vusers.aborted,
            },
            totals: stats(&collector.totals, scheduled_seconds),
            requests: facts
                .names
                .iter()
                .zip(&collector.by_name)
                .map(|(name, s)| NamedStats {
                    name: name.clone(),
                    stats: stats(s, scheduled_seconds),
                })
                .collect(),
            phases: facts
                .phases
                .iter()
                .zip(&collector.by_phase)
                .map(|(phase, s)| PhaseReport {
                    index: phase.index,
                    name: phase.name.clone(),
                    start_seconds: seconds(phase.start_us),
                    duration_seconds: seconds(phase.duration_us),
                    arrival_rate: phase.arrival_rate,
                    ramp_to: phase.ramp_to,
                    arrivals: phase.arrival_count(),
                    stats: stats(s, seconds(phase.duration_us)),
                })
                .collect(),
            timeline: collector
                .timeline
                .iter()
                .enumerate()
                .map(|(second, bucket)| {
                    let quantile = |q| {
                        (!bucket.latency_us.is_empty())
                            .then(|| ms(bucket.latency_us.value_at_quantile(q)))
                    };
                    SecondReport {
                        second: second as u64,
                        count: bucket.count,
                        errors: bucket.errors,
                        p50_ms: quantile(0.5),
                        p99_ms: quantile(0.99),
                    }
                })
                .collect(),
            notes: facts.notes,
            messages_received: collector.messages_received,
        }
    }
}

/// The percentiles, in ms, of a histogram of µs; `None` when it is empty.
pub fn percentiles(histogram: &Histogram<u64>) -> Option<Percentiles> {
    if histogram.is_empty() {
        return None;
    }
    let at = |q| ms(histogram.value_at_quantile(q));
    Some(Percentiles {
        min: ms(histogram.min()),
        mean: histogram.mean() / 1000.0,
        p50: at(0.5),
        p90: at(0.9),
        p95: at(0.95),
        p99: at(0.99),
        p999: at(0.999),
        max: ms(histogram.max()),
    })
}

/// Each recorded value rounded up to the millisecond, averaged.
fn billed_mean_ms(histogram: &Histogram<u64>) -> Option<f64> {
    if histogram.is_empty() {
        return None;
    }
    let billed: f64 = histogram
        .iter_recorded()
        .map(|value| {
            let recorded = histogram.lowest_equivalent(value.value_iterated_to());
            ms(recorded).ceil().max(1.0) * value.count_at_value() as f64
        })
        .sum();
    Some(billed / histogram.len() as f64)
}

fn ms(us: u64) -> f64 {
    us as f64 / 1000.0
}

fn seconds(us: u64) -> f64 {
    us as f64 / 1_000_000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_billed_mean_rounds_each_value_up_before_averaging() {
        let mut histogram = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3).unwrap();
        for us in [1_093, 1_500, 2_000, 2_001, 300] {
            histogram.record(us).unwrap();
        }

        // 2 + 2 + 2 + 3 + 1 (never below 1 ms) over 5, where the rounded mean would say ceil(1.38) = 2.
        assert_eq!(billed_mean_ms(&histogram), Some(2.0));
    }

    #[test]
    fn capacity_means_divide_by_the_responses_that_reported_it() {
        let totals = consumed_capacity::Totals {
            responses: 4,
            read: 2.0,
            write: 10.0,
        };

        assert_eq!(
            CapacityReport::from_totals(&totals),
            Some(CapacityReport {
                responses: 4,
                read: 2.0,
                write: 10.0,
                read_per_request: 0.5,
                write_per_request: 2.5,
            })
        );
        assert_eq!(
            CapacityReport::from_totals(&consumed_capacity::Totals::default()),
            None
        );
    }

    #[test]
    fn consumed_capacity_is_absent_without_it_and_old_reports_still_parse() {
        let old = serde_json::json!({
            "count": 1, "responses": 1, "rps": 1.0,
            "errors": {"total": 0, "byStatus": {}, "byKind": {}},
            "latencyMs": null, "serverTimingMs": {}
        });

        let stats: StatsReport = serde_json::from_value(old.clone()).unwrap();

        assert_eq!(stats.consumed_capacity, None);
        assert_eq!(serde_json::to_value(&stats).unwrap(), old);
        let with = StatsReport {
            consumed_capacity: Some(CapacityReport {
                responses: 1,
                read: 1.0,
                write: 0.0,
                read_per_request: 1.0,
                write_per_request: 0.0,
            }),
            ..stats
        };
        assert_eq!(
            serde_json::to_value(&with).unwrap()["consumedCapacity"],
            serde_json::json!({
                "responses": 1, "read": 1.0, "write": 0.0,
                "readPerRequest": 1.0, "writePerRequest": 0.0
            })
        );
    }
}
