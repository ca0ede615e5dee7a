//! `invoke`: one process, N invocations, one at a time, cycling through the events. Handler time is
//! event delivered (the `next` response handed over) → the function's `response` post: what Lambda
//! bills as duration, without the network in front of it.
//!
//! Every response is an API Gateway / function URL / ALB proxy response; its `statusCode` is checked
//! against what the event's name expects (any 2xx, unless `--expect NAME=STATUS`). Answers that miss
//! are counted and left out of the percentiles, and make the run fail, so errors cannot pass for
//! speed.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use clap::Args;
use serde::{Deserialize, Serialize};

use crate::events::{self, Event};
use crate::function::{self, FunctionArgs};
use crate::runtime_api::{Identity, Invocation, Outcome, RuntimeApi};
use crate::stats::{self, Durations, Summary};

#[derive(Args, Debug)]
pub struct InvokeArgs {
    #[command(flatten)]
    pub function: FunctionArgs,

    /// `[NAME=]PATH`: an event JSON file, or a directory of them. Repeatable; invocations cycle
    /// through all files in the order given.
    #[arg(long, required = true, value_name = "[NAME=]DIR|FILE")]
    pub events: Vec<String>,

    /// Name unnamed events by their file's stem rather than by `METHOD /path`.
    #[arg(long)]
    pub name_from_path: bool,

    /// Measured invocations.
    #[arg(long, default_value_t = 10_000, value_parser = clap::value_parser!(u64).range(1..))]
    pub requests: u64,

    /// Invocations before the measured ones (same cycle, not recorded).
    #[arg(long, default_value_t = 0)]
    pub warmup: u64,

    /// `NAME=STATUS`: the events named NAME should answer STATUS instead of a 2xx. Repeatable.
    #[arg(long = "expect", value_name = "NAME=STATUS", value_parser = parse_expect)]
    pub expect: Vec<(String, u16)>,

    /// Also write the report as JSON here.
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
}

fn parse_expect(text: &str) -> Result<(String, u16), String> {
    let (name, status) = text
        .rsplit_once('=')
        .ok_or_else(|| format!("{text:?} is not NAME=STATUS"))?;
    let status: u16 = status
        .parse()
        .ok()
        .filter(|s| (100..=599).contains(s))
        .ok_or_else(|| format!("{status:?} is not an HTTP status"))?;
    Ok((name.to_owned(), status))
}

/// What an event name should answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Expected {
    AnySuccess,
    Status(u16),
}

impl Expected {
    fn accepts(self, status: u16) -> bool {
        match self {
            Expected::AnySuccess => (200..300).contains(&status),
            Expected::Status(expected) => status == expected,
        }
    }
}

impl Serialize for Expected {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Expected::AnySuccess => s.serialize_str("2xx"),
            Expected::Status(status) => s.serialize_str(&status.to_string()),
        }
    }
}

/// The part of a proxy response the probe reads.
#[derive(Deserialize)]
struct ProxyResponse {
    #[serde(rename = "statusCode")]
    status_code: u16,
}

/// The figures of one event name.
#[derive(Serialize)]
struct NameReport {
    name: String,
    files: Vec<PathBuf>,
    expected_status: Expected,
    /// Measured invocations.
    count: u64,
    /// Answered as expected; only these are in `handler_us`.
    ok: u64,
    /// Proxy responses whose status is outside 200–299, whatever was expected.
    non_2xx: u64,
    /// Responses with another status than expected, or no readable `statusCode`.
    unexpected: u64,
    /// Posted to the `error` endpoint instead of answered.
    function_errors: u64,
    /// Count by `statusCode` (`"none"`: no readable status).
    statuses: BTreeMap<String, u64>,
    /// The first answer that missed (error or proxy response), cut at 500 characters.
    first_miss: Option<String>,
    handler_us: Summary,
    #[serde(skip)]
    durations: Durations,
}

impl NameReport {
    /// Nothing measured yet.
    fn new(name: String, files: Vec<PathBuf>, expected_status: Expected) -> Self {
        NameReport {
            name,
            files,
            expected_status,
            count: 0,
            ok: 0,
            non_2xx: 0,
            unexpected: 0,
            function_errors: 0,
            statuses: BTreeMap::new(),
            first_miss: None,
            handler_us: Summary::default(),
            durations: Durations::default(),
        }
    }
}

#[derive(Serialize)]
struct Report {
    mode: &'static str,
    function: String,
    binary: PathBuf,
    requests: u64,
    warmup: u64,
    elapsed_s: f64,
    throughput_rps: f64,
    /// VmRSS of the function process after the last invocation.
    rss_kib: u64,
    ok: u64,
    non_2xx: u64,
    unexpected: u64,
    function_errors: u64,
    /// Every expected answer, all names together.
    handler_us: Summary,
    events: Vec<NameReport>,
}

pub async fn run(args: InvokeArgs) -> anyhow::Result<()> {
    let function = &args.function;
    function.check_binary()?;
    let events = events::load(&args.events, args.name_from_path)?;
    let mut names = name_reports(&events, &args.expect)?;
    let slot_of: Vec<usize> = events
        .iter()
        .map(|e| {
            names
                .iter()
                .position(|n| n.name == e.name)
                .expect("every name has a report")
        })
        .collect();

    let mut api = RuntimeApi::start(Identity {
        function_arn: function.function_arn(),
        timeout: function.timeout(),
    })
    .await?;
    let mut child = function.spawn(api.addr)?;
    let pid = child.id().context("the function exited at once")?;
    let mut all = Durations::default();
    let mut measured_from = Instant::now();
    let result: anyhow::Result<()> = async {
        for seq in 0..args.warmup + args.requests {
            if seq == args.warmup {
                measured_from = Instant::now();
            }
            let i = (seq % events.len() as u64) as usize;
            let event = &events[i];
            api.invocations
                .send(Invocation {
                    seq,
                    payload: event.payload.clone(),
                })
                .await
                .context("the Runtime API stopped")?;
            let outcome = tokio::select! {
                outcome = api.outcomes.recv() => outcome.context("the Runtime API stopped")?,
                status = child.wait() => return Err(function.exited(status)),
                () = tokio::time::sleep(function.timeout()) => {
                    bail!("no answer within {:?}", function.timeout())
                }
            };
            let measured = seq >= args.warmup;
            let report = &mut names[slot_of[i]];
            record(report, &mut all, outcome, seq, measured)
                .with_context(|| format!("invocation {seq} ({})", event.file.display()))?;
        }
        Ok(())
    }
    .await;
    let elapsed = measured_from.elapsed();
    // Before the kill, and only if the loop got to the end: the figure is "after the last request".
    let rss_kib = match &result {
        Ok(()) => function::vm_rss_kib(pid),
        Err(_) => Ok(0),
    };
    function::stop(child).await;
    result?;
    let rss_kib = rss_kib?;

    let report = report(&args, names, &all, elapsed, rss_kib);
    print!("{}", render(&report));
    if let Some(path) = &args.json {
        stats::write_json(path, &report)?;
    }
    let failed = report.unexpected + report.function_errors;
    if failed > 0 {
        bail!(
            "{failed} of {} invocations did not answer as expected ({} unexpected statuses, {} function errors)",
            report.requests,
            report.unexpected,
            report.function_errors
        );
    }
    Ok(())
}

/// One report per distinct name, in order of first appearance.
fn name_reports(events: &[Event], expect: &[(String, u16)]) -> anyhow::Result<Vec<NameReport>> {
    let mut names: Vec<NameReport> = Vec::new();
    for event in events {
        match names.iter_mut().find(|n| n.name == event.name) {
            Some(existing) => existing.files.push(event.file.clone()),
            None => names.push(NameReport::new(
                event.name.clone(),
                vec![event.file.clone()],
                expect
                    .iter()
                    .rev()
                    .find(|(name, _)| *name == event.name)
                    .map_or(Expected::AnySuccess, |(_, s)| Expected::Status(*s)),
            )),
        }
    }
    for (name, _) in expect {
        if !names.iter().any(|n| n.name == *name) {
            let known: Vec<&str> = names.iter().map(|n| n.name.as_str()).collect();
            bail!("--expect names {name:?}, but no event has that name (names: {known:?})");
        }
    }
    Ok(names)
}

fn record(
    report: &mut NameReport,
    all: &mut Durations,
    outcome: Outcome,
    seq: u64,
    measured: bool,
) -> anyhow::Result<()> {
    let expected_id = Invocation::request_id(seq);
    // `status`: `None` for a function error; `Some(None)` for a response without a readable status.
    let (id, handler, status, text) = match outcome {
        Outcome::Response {
            id,
            handler,
            payload,
        } => {
            let status = serde_json::from_slice::<ProxyResponse>(&payload)
                .ok()
                .map(|r| r.status_code);
            let text = String::from_utf8_lossy(&payload).into_owned();
            (id, handler, Some(status), text)
        }
        Outcome::Error {
            id,
            handler,
            error_type,
            body,
        } => (id, handler, None, format!("{error_type}: {body}")),
        Outcome::InitError { error_type, body } => {
            bail!("the function reported an init error: {error_type}: {body}")
        }
    };
    if id != expected_id {
        bail!("the function answered {id}, but {expected_id} was the one delivered");
    }
    if !measured {
        return Ok(());
    }
    report.count += 1;
    let note_miss = |report: &mut NameReport| {
        if report.first_miss.is_none() {
            report.first_miss = Some(text.chars().take(500).collect());
        }
    };
    match status {
        None => {
            report.function_errors += 1;
            note_miss(report);
        }
        Some(status) => {
            let key = status.map_or_else(|| "none".to_owned(), |s| s.to_string());
            *report.statuses.entry(key).or_default() += 1;
            if !status.is_some_and(|s| (200..300).contains(&s)) {
                report.non_2xx += 1;
            }
            if status.is_some_and(|s| report.expected_status.accepts(s)) {
                report.ok += 1;
                report.durations.record(handler);
                all.record(handler);
            } else {
                report.unexpected += 1;
                note_miss(report);
            }
        }
    }
    Ok(())
}

fn report(
    args: &InvokeArgs,
    mut names: Vec<NameReport>,
    all: &Durations,
    elapsed: Duration,
    rss_kib: u64,
) -> Report {
    for name in &mut names {
        name.handler_us = name.durations.summary();
    }
    let sum = |f: fn(&NameReport) -> u64| names.iter().map(f).sum::<u64>();
    Report {
        mode: "invoke",
        function: args.function.function_name(),
        binary: args.function.binary.clone(),
        requests: args.requests,
        warmup: args.warmup,
        elapsed_s: elapsed.as_secs_f64(),
        throughput_rps: args.requests as f64 / elapsed.as_secs_f64().max(f64::EPSILON),
        rss_kib,
        ok: sum(|n| n.ok),
        non_2xx: sum(|n| n.non_2xx),
        unexpected: sum(|n| n.unexpected),
        function_errors: sum(|n| n.function_errors),
        handler_us: all.summary(),
        events: names,
    }
}

fn render(report: &Report) -> String {
    let row = |name: &str, count: u64, non_2xx: u64, unexpected: u64, s: &Summary| {
        vec![
            name.to_owned(),
            count.to_string(),
            non_2xx.to_string(),
            unexpected.to_string(),
            stats::micros(s.p50),
            stats::micros(s.p90),
            stats::micros(s.p99),
            stats::micros(s.max),
        ]
    };
    let mut rows: Vec<Vec<String>> = report
        .events
        .iter()
        .map(|n| {
            row(
                &n.name,
                n.count,
                n.non_2xx,
                n.unexpected + n.function_errors,
                &n.handler_us,
            )
        })
        .collect();
    rows.push(row(
        "all",
        report.requests,
        report.non_2xx,
        report.unexpected + report.function_errors,
        &report.handler_us,
    ));
    format!(
        "{}: {} invocations in {:.2} s ({:.0}/s, one at a time), VmRSS {:.1} MiB after the last\n\
         handler time (event delivered → response posted), expected answers only:\n{}",
        report.function,
        report.requests,
        report.elapsed_s,
        report.throughput_rps,
        report.rss_kib as f64 / 1024.0,
        stats::table(
            &[
                "event",
                "count",
                "non-2xx",
                "unexpected",
                "p50",
                "p90",
                "p99",
                "max"
            ],
            &rows,
        )
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expectations_name_an_event_and_a_status() {
        assert_eq!(
            parse_expect("rest-v1-post-invalid-order=422").unwrap(),
            ("rest-v1-post-invalid-order".into(), 422)
        );
        assert_eq!(parse_expect("a=b=404").unwrap(), ("a=b".into(), 404));
        assert!(parse_expect("x=700").is_err());
        assert!(parse_expect("x").is_err());
    }

    #[test]
    fn without_an_expectation_any_2xx_is_right() {
        assert!(Expected::AnySuccess.accepts(201));
        assert!(!Expected::AnySuccess.accepts(404));
        assert!(Expected::Status(422).accepts(422));
        assert!(!Expected::Status(422).accepts(200));
    }

    fn report_for(expected: Expected) -> NameReport {
        NameReport::new("e".into(), vec![], expected)
    }

    fn response(seq: u64, payload: &'static str) -> Outcome {
        Outcome::Response {
            id: Invocation::request_id(seq),
            handler: Duration::from_micros(100),
            payload: payload.into(),
        }
    }

    #[test]
    fn errors_are_counted_and_kept_out_of_the_percentiles() {
        let mut report = report_for(Expected::AnySuccess);
        let mut all = Durations::default();
        let error = Outcome::Error {
            id: Invocation::request_id(3),
            handler: Duration::from_micros(5),
            error_type: "unhandled".into(),
            body: String::new(),
        };

        record(
            &mut report,
            &mut all,
            response(0, r#"{"statusCode":200}"#),
            0,
            true,
        )
        .unwrap();
        record(
            &mut report,
            &mut all,
            response(1, r#"{"statusCode":503}"#),
            1,
            true,
        )
        .unwrap();
        record(&mut report, &mut all, response(2, "not json"), 2, true).unwrap();
        record(&mut report, &mut all, error, 3, true).unwrap();

        assert_eq!((report.count, report.ok), (4, 1));
        assert_eq!((report.non_2xx, report.unexpected), (2, 2));
        assert_eq!(report.function_errors, 1);
        assert_eq!(report.durations.summary().count, 1);
        assert_eq!(report.statuses.get("none"), Some(&1));
        assert_eq!(report.first_miss.as_deref(), Some(r#"{"statusCode":503}"#));
    }

    #[test]
    fn warmup_answers_are_checked_but_not_counted() {
        let mut report = report_for(Expected::Status(422));
        let mut all = Durations::default();

        record(
            &mut report,
            &mut all,
            response(0, r#"{"statusCode":422}"#),
            0,
            false,
        )
        .unwrap();
        let wrong_id = record(
            &mut report,
            &mut all,
            response(5, r#"{"statusCode":422}"#),
            1,
            true,
        );

        assert_eq!(report.count, 0);
        assert!(wrong_id.is_err());
    }
}
