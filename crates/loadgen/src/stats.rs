//! What virtual users report, and its aggregation into HDR histograms per request name, per phase, in total,
//! and per second of the run.
//!
//! One collector task owns every histogram; virtual users send it small events, so recording never takes a
//! lock on the request path.

use std::collections::BTreeMap;

use hdrhistogram::Histogram;

use crate::consumed_capacity::{self, Capacity};

/// Latencies and server timings are recorded in µs up to an hour (3 significant digits).
const HIGHEST_US: u64 = 3_600_000_000;
/// Per-second buckets only feed charts: 2 significant digits up to a minute keeps 80 minutes of them small.
const TIMELINE_HIGHEST_US: u64 = 60_000_000;

/// One thing that happened during the run.
#[derive(Debug)]
pub enum Event {
    Request(Sample),
    /// An arrival not started because `--max-in-flight` virtual users were already running.
    Dropped {
        phase: usize,
        at_us: u64,
    },
    /// A virtual user's flow ended; `completed` is false when an error or a failed capture cut it short.
    VuFinished {
        completed: bool,
    },
    /// A WebSocket virtual user's socket closed, having received `messages` data frames.
    Received {
        messages: u64,
    },
}

/// One request: which, when it was meant to start (µs from the start of the run), and how it went.
#[derive(Debug)]
pub struct Sample {
    pub name: usize,
    pub phase: usize,
    pub at_us: u64,
    pub outcome: Outcome,
    pub server_timing: Vec<(String, f64)>,
    /// DynamoDB capacity units, when the response reported them.
    pub consumed_capacity: Option<Capacity>,
}

#[derive(Debug)]
pub enum Outcome {
    /// A response arrived; latency runs from the intended start to the end of the body.
    Response {
        status: u16,
        latency_us: u64,
        capture_failed: bool,
    },
    /// A WebSocket step done, which has no HTTP status: a connection opened (latency to the end of
    /// the handshake) or a frame sent (latency to its write).
    Completed { latency_us: u64 },
    /// No response.
    Failed(ErrorKind),
}

impl Outcome {
    /// Why the request counts as an error, if it does: no response, a status outside 2xx, or a
    /// 2xx whose strict capture failed.
    fn error(&self) -> Option<ErrorKind> {
        match *self {
            Outcome::Response { status, .. } if !(200..300).contains(&status) => {
                Some(ErrorKind::Non2xx)
            }
            Outcome::Response {
                capture_failed: true,
                ..
            } => Some(ErrorKind::CaptureFailed),
            Outcome::Response { .. } | Outcome::Completed { .. } => None,
            Outcome::Failed(kind) => Some(kind),
        }
    }
}

/// Error categories, as reported under `errors.byKind`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ErrorKind {
    /// A response with a status outside 2xx (also counted by status).
    Non2xx,
    /// No complete response within the request timeout.
    Timeout,
    /// The connection could not be made.
    Connect,
    /// Any other transport failure (reset, malformed response, an unsendable header value).
    Other,
    /// A 2xx response without the value a strict capture needs; the flow stops there.
    CaptureFailed,
    /// An arrival skipped at the `--max-in-flight` cap.
    Dropped,
    /// A virtual user still running when the drain timeout ended the run.
    Aborted,
}

impl ErrorKind {
    pub fn key(self) -> &'static str {
        match self {
            Self::Non2xx => "non2xx",
            Self::Timeout => "timeout",
            Self::Connect => "connect",
            Self::Other => "other",
            Self::CaptureFailed => "captureFailed",
            Self::Dropped => "dropped",
            Self::Aborted => "aborted",
        }
    }
}

/// Counters and histograms for one slice of the run (a request name, a phase, or everything).
pub struct Stats {
    pub count: u64,
    pub responses: u64,
    pub latency_us: Histogram<u64>,
    pub by_status: BTreeMap<u16, u64>,
    pub by_kind: BTreeMap<ErrorKind, u64>,
    pub server_timing_us: BTreeMap<String, Histogram<u64>>,
    pub consumed_capacity: consumed_capacity::Totals,
}

/// One second of the run, by intended start.
pub struct Second {
    pub count: u64,
    pub errors: u64,
    pub latency_us: Histogram<u32>,
}

#[derive(Debug, Default, Clone, Copy)]
pub struct VuCounts {
    pub completed: u64,
    pub failed: u64,
    pub dropped: u64,
    pub aborted: u64,
}

/// Everything recorded so far.
pub struct Collector {
    pub by_name: Vec<Stats>,
    pub by_phase: Vec<Stats>,
    pub totals: Stats,
    pub timeline: Vec<Second>,
    pub vusers: VuCounts,
    /// Data frames received by WebSocket virtual users; `None` when none ran.
    pub messages_received: Option<u64>,
}

impl Collector {
    pub fn new(names: usize, phases: usize) -> Self {
        Self {
            by_name: (0..names).map(|_| Stats::new()).collect(),
            by_phase: (0..phases).map(|_| Stats::new()).collect(),
            totals: Stats::new(),
            timeline: Vec::new(),
            vusers: VuCounts::default(),
            messages_received: None,
        }
    }

    pub fn record(&mut self, event: Event) {
        match event {
            Event::Request(sample) => {
                self.by_name[sample.name].record(&sample);
                self.by_phase[sample.phase].record(&sample);
                self.totals.record(&sample);
                self.second(sample.at_us).record(&sample);
            }
            Event::Dropped { phase, at_us } => {
                self.vusers.dropped += 1;
                self.by_phase[phase].add_error(ErrorKind::Dropped);
                self.totals.add_error(ErrorKind::Dropped);
                self.second(at_us).errors += 1;
            }
            Event::VuFinished { completed: true } => self.vusers.completed += 1,
            Event::VuFinished { completed: false } => self.vusers.failed += 1,
            Event::Received { messages } => {
                *self.messages_received.get_or_insert(0) += messages;
            }
        }
    }

    /// Virtual users cut off at the end of the drain timeout.
    pub fn record_aborted(&mut self, count: u64) {
        if count > 0 {
            self.vusers.aborted += count;
            *self.totals.by_kind.entry(ErrorKind::Aborted).or_default() += count;
        }
    }

    fn second(&mut self, at_us: u64) -> &mut Second {
        let index = (at_us / 1_000_000) as usize;
        if self.timeline.len() <= index {
            self.timeline.resize_with(index + 1, Second::new);
        }
        &mut self.timeline[index]
    }
}

impl Stats {
    fn new() -> Self {
        Self {
            count: 0,
            responses: 0,
            latency_us: histogram(),
            by_status: BTreeMap::new(),
            by_kind: BTreeMap::new(),
            server_timing_us: BTreeMap::new(),
            consumed_capacity: consumed_capacity::Totals::default(),
        }
    }

    fn record(&mut self, sample: &Sample) {
        self.count += 1;
        match sample.outcome {
            Outcome::Response {
                status, latency_us, ..
            } => {
                self.responses += 1;
                self.latency_us.saturating_record(latency_us);
                if !(200..300).contains(&status) {
                    *self.by_status.entry(status).or_default() += 1;
                }
            }
            Outcome::Completed { latency_us } => {
                self.responses += 1;
                self.latency_us.saturating_record(latency_us);
            }
            Outcome::Failed(_) => {}
        }
        if let Some(kind) = sample.outcome.error() {
            self.add_error(kind);
        }
        for (metric, ms) in &sample.server_timing {
            self.server_timing_us
                .entry(metric.clone())
                .or_insert_with(histogram)
                .saturating_record((ms * 1000.0).round() as u64);
        }
        if let Some(capacity) = sample.consumed_capacity {
            self.consumed_capacity.add(capacity);
        }
    }

    fn add_error(&mut self, kind: ErrorKind) {
        *self.by_kind.entry(kind).or_default() += 1;
    }

    /// Every error of this slice, one per failed request (plus dropped and aborted virtual users).
    pub fn error_total(&self) -> u64 {
        self.by_kind.values().sum()
    }
}

impl Second {
    fn new() -> Self {
        Self {
            count: 0,
            errors: 0,
            latency_us: Histogram::new_with_bounds(10, TIMELINE_HIGHEST_US, 2)
                .expect("valid bounds"),
        }
    }

    fn record(&mut self, sample: &Sample) {
        self.count += 1;
        if let Outcome::Response { latency_us, .. } | Outcome::Completed { latency_us } =
            sample.outcome
        {
            self.latency_us.saturating_record(latency_us);
        }
        if sample.outcome.error().is_some() {
            self.errors += 1;
        }
    }
}

fn histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, HIGHEST_US, 3).expect("valid bounds")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(name: usize, phase: usize, at_us: u64, outcome: Outcome) -> Event {
        Event::Request(Sample {
            name,
            phase,
            at_us,
            outcome,
            server_timing: vec![("db".into(), 1.5)],
            consumed_capacity: None,
        })
    }

    fn response(status: u16, latency_us: u64) -> Outcome {
        Outcome::Response {
            status,
            latency_us,
            capture_failed: false,
        }
    }

    #[test]
    fn samples_land_in_their_name_phase_totals_and_second() {
        let mut collector = Collector::new(2, 2);
        collector.record(sample(0, 0, 10, response(200, 1_000)));
        collector.record(sample(1, 1, 2_500_000, response(503, 3_000)));
        collector.record(sample(1, 1, 2_600_000, Outcome::Failed(ErrorKind::Timeout)));
        collector.record(Event::Dropped {
            phase: 1,
            at_us: 2_700_000,
        });

        assert_eq!(collector.totals.count, 3);
        assert_eq!(collector.totals.responses, 2);
        assert_eq!(collector.by_name[1].by_status, BTreeMap::from([(503, 1)]));
        assert_eq!(
            collector.by_phase[1].by_kind,
            BTreeMap::from([
                (ErrorKind::Non2xx, 1),
                (ErrorKind::Timeout, 1),
                (ErrorKind::Dropped, 1)
            ])
        );
        assert_eq!(collector.by_name[0].error_total(), 0);
        assert_eq!(collector.timeline.len(), 3);
        assert_eq!(
            (collector.timeline[2].count, collector.timeline[2].errors),
            (2, 3)
        );
        assert_eq!(collector.by_name[0].server_timing_us["db"].max(), 1_500);
        assert_eq!(collector.vusers.dropped, 1);
    }

    #[test]
    fn a_failed_capture_counts_only_on_a_2xx_response() {
        let mut collector = Collector::new(1, 1);
        let failed_capture = |status| Outcome::Response {
            status,
            latency_us: 1,
            capture_failed: true,
        };
        collector.record(sample(0, 0, 0, failed_capture(200)));
        collector.record(sample(0, 0, 0, failed_capture(404)));
        assert_eq!(
            collector.totals.by_kind,
            BTreeMap::from([(ErrorKind::Non2xx, 1), (ErrorKind::CaptureFailed, 1)])
        );
    }

    #[test]
    fn consumed_capacity_is_summed_per_name_phase_and_total_from_responses_that_carry_it() {
        let mut collector = Collector::new(2, 1);
        let with_capacity = |name, read, write| {
            Event::Request(Sample {
                name,
                phase: 0,
                at_us: 0,
                outcome: response(200, 1),
                server_timing: Vec::new(),
                consumed_capacity: Some(Capacity { read, write }),
            })
        };
        collector.record(with_capacity(0, 1.0, 0.0));
        collector.record(with_capacity(0, 0.5, 0.0));
        collector.record(with_capacity(1, 0.0, 4.0));
        collector.record(sample(1, 0, 0, response(200, 1)));

        assert_eq!(
            collector.by_name[0].consumed_capacity,
            consumed_capacity::Totals {
                responses: 2,
                read: 1.5,
                write: 0.0
            }
        );
        assert_eq!(collector.by_name[1].consumed_capacity.responses, 1);
        assert_eq!(
            collector.totals.consumed_capacity,
            consumed_capacity::Totals {
                responses: 3,
                read: 1.5,
                write: 4.0
            }
        );
        assert_eq!(
            collector.by_phase[0].consumed_capacity,
            collector.totals.consumed_capacity
        );
    }
}
