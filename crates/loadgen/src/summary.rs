//! Plain-text tables: the scaled plan before a run, the results after it.

use std::fmt::Write;

use crate::phases::Phase;
use crate::report::{Report, StatsReport};

/// The phases as they will run, with their arrival counts.
pub fn plan_table(phases: &[Phase]) -> String {
    let width = name_width(phases.iter().map(|p| p.name.as_str()), "phase");
    let mut out = format!(
        "{:<width$}  {:>9}  {:>9}  {:>16}  {:>10}\n",
        "phase", "start s", "length s", "arrivals/s", "arrivals"
    );
    for phase in phases {
        let rate = match phase.ramp_to {
            Some(to) => format!("{} -> {}", number(phase.arrival_rate), number(to)),
            None => number(phase.arrival_rate),
        };
        let _ = writeln!(
            out,
            "{:<width$}  {:>9.1}  {:>9.1}  {:>16}  {:>10}",
            phase.name,
            phase.start_us as f64 / 1e6,
            phase.duration_us as f64 / 1e6,
            rate,
            phase.arrival_count()
        );
    }
    let total: u64 = phases.iter().map(Phase::arrival_count).sum();
    let _ = writeln!(
        out,
        "total: {:.1} s, {total} virtual users",
        crate::phases::total_duration_us(phases) as f64 / 1e6
    );
    out
}

/// Per request name and per phase: counts, errors, throughput and latency percentiles (ms), plus the
/// `Server-Timing` medians when the target sends them.
pub fn results_table(report: &Report) -> String {
    let names = report.requests.iter().map(|r| r.name.as_str());
    let width = name_width(
        names.chain(report.phases.iter().map(|p| p.name.as_str())),
        "request",
    );
    let header = |first: &str| {
        format!(
            "{first:<width$}  {:>8}  {:>7}  {:>8}  {:>8}  {:>8}  {:>8}  {:>8}  {:>8}  {:>8}\n",
            "count", "errors", "rps", "p50", "p95", "p99", "max", "app p50", "db p50"
        )
    };
    let row = |name: &str, stats: &StatsReport| {
        let latency = |pick: fn(&crate::report::Percentiles) -> f64| {
            stats
                .latency_ms
                .as_ref()
                .map_or("-".into(), |p| format!("{:.2}", pick(p)))
        };
        let timing = |metric: &str| {
            stats
                .server_timing_ms
                .get(metric)
                .map_or("-".into(), |t| format!("{:.2}", t.percentiles.p50))
        };
        format!(
            "{name:<width$}  {:>8}  {:>7}  {:>8.1}  {:>8}  {:>8}  {:>8}  {:>8}  {:>8}  {:>8}\n",
            stats.count,
            stats.errors.total,
            stats.rps,
            latency(|p| p.p50),
            latency(|p| p.p95),
            latency(|p| p.p99),
            latency(|p| p.max),
            timing("app"),
            timing("db"),
        )
    };
    let mut out = header("request");
    for named in &report.requests {
        out.push_str(&row(&named.name, &named.stats));
    }
    out.push('\n');
    out.push_str(&header("phase"));
    for phase in &report.phases {
        out.push_str(&row(&phase.name, &phase.stats));
    }
    out.push_str(&row("total", &report.totals));
    let vusers = &report.vusers;
    let _ = writeln!(
        out,
        "\nvirtual users: {} planned, {} created, {} completed, {} failed, {} dropped, {} aborted",
        vusers.planned,
        vusers.created,
        vusers.completed,
        vusers.failed,
        vusers.dropped,
        vusers.aborted
    );
    if let Some(messages) = report.messages_received {
        let _ = writeln!(out, "websocket messages received: {messages}");
    }
    let errors = &report.totals.errors;
    if errors.total > 0 {
        let list = |map: &std::collections::BTreeMap<String, u64>| {
            map.iter()
                .map(|(k, n)| format!("{k} {n}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let _ = writeln!(out, "errors by kind: {}", list(&errors.by_kind));
        if !errors.by_status.is_empty() {
            let _ = writeln!(out, "errors by status: {}", list(&errors.by_status));
        }
    }
    let _ = writeln!(
        out,
        "latency in ms from each request's intended start; {:.1} s scheduled, {:.1} s elapsed",
        report.scheduled_seconds, report.elapsed_seconds
    );
    out
}

fn name_width<'a>(names: impl Iterator<Item = &'a str>, heading: &str) -> usize {
    names
        .map(str::len)
        .chain([heading.len()])
        .max()
        .unwrap_or(0)
}

/// A rate without a pointless `.0`.
fn number(value: f64) -> String {
    if value.fract() == 0.0 {
        format!("{value:.0}")
    } else {
        format!("{value:.2}")
    }
}
