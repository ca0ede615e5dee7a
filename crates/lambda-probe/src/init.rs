//! `init`: N fresh processes of the function; each one's init duration is process spawn → its first
//! `next` call, which is what Lambda bills as INIT for a custom runtime. Each process is killed once
//! it has asked for work, before the next one starts.
//!
//! The binary and its libraries sit in the page cache after the first start, as they rarely do on a
//! real cold start: these figures are a floor for the code's own init, not for Lambda's.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, bail};
use clap::Args;
use serde::Serialize;

use crate::function::{self, FunctionArgs};
use crate::runtime_api::{Identity, Outcome, RuntimeApi};
use crate::stats::{self, Durations, Summary};

#[derive(Args, Debug)]
pub struct InitArgs {
    #[command(flatten)]
    pub function: FunctionArgs,

    /// Fresh processes to start.
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..))]
    pub starts: u32,

    /// Also write the report as JSON here.
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
}

#[derive(Serialize)]
struct Report {
    mode: &'static str,
    function: String,
    binary: PathBuf,
    starts: u32,
    /// Process spawn → first `next` call, µs.
    init_us: Summary,
}

pub async fn run(args: InitArgs) -> anyhow::Result<()> {
    let function = &args.function;
    function.check_binary()?;
    let mut api = RuntimeApi::start(Identity {
        function_arn: function.function_arn(),
        timeout: function.timeout(),
    })
    .await?;
    let mut durations = Durations::default();
    for start in 1..=args.starts {
        api.forget_next_calls();
        let spawned = Instant::now();
        let mut child = function.spawn(api.addr)?;
        let first_next = tokio::select! {
            at = api.next_calls.recv() => Ok(at.context("the Runtime API stopped")?),
            outcome = api.outcomes.recv() => Err(match outcome {
                Some(Outcome::InitError { error_type, body }) => {
                    anyhow::anyhow!("the function reported an init error: {error_type}: {body}")
                }
                other => anyhow::anyhow!("unexpected before the first `next` call: {other:?}"),
            }),
            status = child.wait() => Err(function.exited(status)),
            () = tokio::time::sleep(function.timeout()) => {
                Err(anyhow::anyhow!("no `next` call within {:?}", function.timeout()))
            }
        };
        function::stop(child).await;
        let first_next = first_next.with_context(|| format!("start {start} of {}", args.starts))?;
        durations.record(first_next.saturating_duration_since(spawned));
    }
    let report = Report {
        mode: "init",
        function: function.function_name(),
        binary: function.binary.clone(),
        starts: args.starts,
        init_us: durations.summary(),
    };
    print!("{}", render(&report));
    if let Some(path) = &args.json {
        stats::write_json(path, &report)?;
    }
    if report.init_us.count != u64::from(args.starts) {
        bail!(
            "recorded {} of {} starts",
            report.init_us.count,
            args.starts
        );
    }
    Ok(())
}

fn render(report: &Report) -> String {
    let s = &report.init_us;
    format!(
        "init duration of {} (spawn → first `next`), {} fresh starts\n{}",
        report.function,
        report.starts,
        stats::table(
            &["", "count", "min", "p50", "p99", "max"],
            &[vec![
                "init".into(),
                s.count.to_string(),
                stats::micros(s.min),
                stats::micros(s.p50),
                stats::micros(s.p99),
                stats::micros(s.max),
            ]],
        )
    )
}
