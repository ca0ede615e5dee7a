//! What one request line costs to format and hand to its writer: `tracing-subscriber`'s JSON format
//! next to ours ([`twinstack_telemetry::JsonLines`]), the same event through the same filter (the
//! twins' default) to `io::sink`, in alternating rounds of one run, so the ratio holds on a busy
//! shared machine.
//!
//! `cargo bench -p twinstack-telemetry --bench log_line` (`LOG_LINE_EVENTS` per round, 200,000;
//! `LOG_LINE_ROUNDS`, 5).

use std::io;
use std::time::Instant;

use tracing::Subscriber;
use tracing_subscriber::Layer;
use tracing_subscriber::filter::Targets;
use tracing_subscriber::layer::SubscriberExt;
use twinstack_telemetry::{DEFAULT_LOG_FILTER, JsonLines, REQUEST_LOG_TARGET};

fn main() {
    let events = env_u32("LOG_LINE_EVENTS", 200_000);
    let rounds = env_u32("LOG_LINE_ROUNDS", 5);
    let filter = || {
        DEFAULT_LOG_FILTER
            .parse::<Targets>()
            .expect("the default filter parses")
    };
    let (mut theirs, mut ours) = (Vec::new(), Vec::new());
    for round in 1..=rounds {
        let theirs_ns = ns_per_event(
            tracing_subscriber::registry().with(
                tracing_subscriber::fmt::layer()
                    .json()
                    .with_writer(io::sink)
                    .with_filter(filter()),
            ),
            events,
        );
        let ours_ns = ns_per_event(
            tracing_subscriber::registry().with(
                tracing_subscriber::fmt::layer()
                    .json()
                    .event_format(JsonLines::new(true))
                    .with_writer(io::sink)
                    .with_filter(filter()),
            ),
            events,
        );
        println!(
            "round {round}: tracing-subscriber {theirs_ns:.0} ns/line, JsonLines {ours_ns:.0} ns/line"
        );
        theirs.push(theirs_ns);
        ours.push(ours_ns);
    }
    let (theirs, ours) = (median(theirs), median(ours));
    println!(
        "log_line: the request line, medians of {rounds} rounds of {events}: tracing-subscriber's JSON \
         {theirs:.0} ns, JsonLines {ours:.0} ns ({:.2}x)",
        ours / theirs
    );
}

/// Nanoseconds per request line under `subscriber`, timestamps on, as the server writes them.
fn ns_per_event(subscriber: impl Subscriber + Send + Sync + 'static, events: u32) -> f64 {
    tracing::subscriber::with_default(subscriber, || {
        let started = Instant::now();
        for n in 0..events {
            // The fields of `twinstack_http`'s request line, as the server writes it.
            tracing::info!(
                target: REQUEST_LOG_TARGET,
                request_id = "0af76519-16cd-43dd-8448-eb211c80319c",
                method = "GET",
                route = "/api/users/{id}",
                status = 200u16,
                latency_ms = 0.125 + f64::from(n % 1000) / 1000.0,
                lambda_request_id = None::<&str>,
                cold_start = None::<bool>,
                "request"
            );
        }
        started.elapsed().as_nanos() as f64 / f64::from(events)
    })
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    let middle = values.len() / 2;
    if values.len() % 2 == 1 {
        values[middle]
    } else {
        (values[middle - 1] + values[middle]) / 2.0
    }
}

fn env_u32(name: &str, default: u32) -> u32 {
    std::env::var(name)
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(default)
}
