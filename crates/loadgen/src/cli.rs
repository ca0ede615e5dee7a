//! `twinstack load CONFIG --target URL`: arguments, the plan and notes on stderr, the results table on stdout,
//! the JSON results in `--output`.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context as _;

use crate::phases::{self, Scale};
use crate::runner::{self, RunOptions};
use crate::script::Script;
use crate::summary;

/// Replay an Artillery config (documented subset) against a target, open model.
#[derive(clap::Args, Debug, Clone)]
pub struct LoadArgs {
    /// Artillery YAML config, e.g. loadtest/crud.yml.
    pub config: PathBuf,
    /// Base URL each request path is appended to, as is (it may carry a prefix such as
    /// /lambda-url/twinstack-lambda). Required: `config.target` is never used.
    #[arg(long)]
    pub target: String,
    /// Multiply every phase duration (0.01 turns the 82-minute profile into about 50 s).
    #[arg(long, default_value_t = 1.0)]
    pub time_scale: f64,
    /// Multiply every arrival rate.
    #[arg(long, default_value_t = 1.0)]
    pub rate_scale: f64,
    /// Write the results as JSON (version 1) to this file.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
    /// Virtual users running at once; arrivals beyond are dropped and counted, never delayed.
    #[arg(long, default_value_t = 2000)]
    pub max_in_flight: u64,
    /// Request timeout in seconds [default: the config's `timeout` / `http.timeout`, else 10].
    #[arg(long)]
    pub timeout: Option<f64>,
    /// Seconds that in-flight virtual users get to finish after the last arrival.
    #[arg(long, default_value_t = 30.0)]
    pub drain_timeout: f64,
    /// No plan, notes or progress bar on stderr.
    #[arg(long, short)]
    pub quiet: bool,
    /// Print the scaled plan and stop without sending anything.
    #[arg(long)]
    pub dry_run: bool,
}

/// Reads and parses an Artillery config, naming the file in any error.
pub fn read_script(path: &Path) -> anyhow::Result<Script> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    Script::parse(&text).with_context(|| format!("in {}", path.display()))
}

pub async fn run(args: LoadArgs) -> anyhow::Result<()> {
    let script = read_script(&args.config)?;
    let scale = Scale {
        time: args.time_scale,
        rate: args.rate_scale,
    };
    let plan = phases::plan(&script.phases, scale)?;
    if !args.quiet || args.dry_run {
        for note in &script.notes {
            eprintln!("note: {note}");
        }
        eprint!("{}", summary::plan_table(&plan));
    }
    if args.dry_run {
        return Ok(());
    }
    let positive = |secs: f64, flag: &str| {
        anyhow::ensure!(
            secs.is_finite() && secs > 0.0,
            "{flag} must be a positive number of seconds"
        );
        Ok(Duration::from_secs_f64(secs))
    };
    let options = RunOptions {
        target: args.target,
        scale,
        max_in_flight: args.max_in_flight,
        request_timeout: args.timeout.map(|t| positive(t, "--timeout")).transpose()?,
        drain_timeout: positive(args.drain_timeout, "--drain-timeout")?,
        progress: !args.quiet,
    };
    let report = runner::run(script, options).await?;
    if let Some(output) = &args.output {
        let json = serde_json::to_vec_pretty(&report).expect("the report serialises");
        std::fs::write(output, json).with_context(|| format!("writing {}", output.display()))?;
    }
    print!("{}", summary::results_table(&report));
    Ok(())
}
