//! `twinstack bench`: the side-by-side benchmark (`make bench`). Starts both twins locally (or takes
//! deployed URLs), replays the same Artillery config against each in turn — never both at once —,
//! probes cold starts, and writes results.json, report.md and report.html, ending with the cost
//! projection from the figures just measured.

mod charts;
mod cold_start;
mod machine;
mod markdown;
mod pipeline;
mod procs;
mod realtime;
mod report;
mod results;
mod stack;
mod table;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{Context, bail};
use clap::Args;
use twinstack_core::seed::{DEFAULT_ORDERS_PER_USER, DEFAULT_USERS};
use twinstack_loadgen::script::PhaseSpec;
use twinstack_loadgen::{Report, RunOptions, Scale, Script};

use machine::{Machine, RunInfo, Versions};
use procs::Sampler;
use results::{Results, Twin, TwinRun};
use stack::{LocalStack, StackOptions};

#[derive(Args, Debug, Clone)]
pub struct BenchArgs {
    /// The Artillery config both twins are driven with.
    #[arg(long, default_value = "loadtest/crud.yml")]
    pub config: PathBuf,
    /// Multiply every phase duration (0.02 turns the article's 82 minutes into 98 s per twin).
    #[arg(long, default_value_t = 0.02)]
    pub time_scale: f64,
    /// Multiply every arrival rate (0.05: sustained 25 virtual users/s, spike 100/s, 5 requests
    /// each). At 0.1 the spike's 1,000 req/s saturated the local serverless stack (emulator and
    /// DynamoDB Local on 2 cores): requests timed out during and after the spike.
    #[arg(long, default_value_t = 0.05)]
    pub rate_scale: f64,
    /// Seconds of warm-up traffic per twin before its measured run.
    #[arg(long, default_value_t = 10.0)]
    pub warm_up: f64,
    /// Virtual users per second during the warm-up.
    #[arg(long, default_value_t = 10.0)]
    pub warm_up_rate: f64,
    /// Users in the seeded data set (both stores).
    #[arg(long, default_value_t = DEFAULT_USERS)]
    pub users: u32,
    /// Orders per seeded user.
    #[arg(long, default_value_t = DEFAULT_ORDERS_PER_USER)]
    pub orders_per_user: u32,
    /// Function instances `cargo lambda watch` may run at once.
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u32).range(1..=64))]
    pub lambda_concurrency: u32,
    /// Fresh starts of the Lambda binary for the cold-start probe.
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..))]
    pub cold_starts: u32,
    /// Drive a deployed serverless twin (API Gateway URL, stage included) instead of a local one.
    #[arg(long, value_name = "URL")]
    pub serverless_url: Option<String>,
    /// Drive a deployed Kubernetes twin (ingress URL) instead of a local one.
    #[arg(long, value_name = "URL")]
    pub kubernetes_url: Option<String>,
    /// Where results.json, report.md and report.html go.
    #[arg(long, default_value = "target/twinstack/report")]
    pub out: PathBuf,
    /// Pricing region for the cost projection (see `twinstack cost --region`).
    #[arg(long, default_value = "ap-south-1")]
    pub region: String,
    /// Which build of the twins to run, from target/<profile>/ (`make bench` builds release;
    /// debug is for the harness's own test).
    #[arg(long, value_enum, default_value_t = BuildProfile::Release)]
    pub profile: BuildProfile,
    /// Run nothing: write report.md, report.html and cost.svg into --out from an earlier run's
    /// results.json (to read a run again, or a report from a run made elsewhere).
    #[arg(long, value_name = "results.json")]
    pub report_from: Option<PathBuf>,
    #[command(flatten)]
    pub pipeline: pipeline::PipelineBenchArgs,
    #[command(flatten)]
    pub realtime: realtime::RealtimeArgs,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum BuildProfile {
    Debug,
    Release,
}

impl BuildProfile {
    fn bin_dir(self) -> PathBuf {
        PathBuf::from(match self {
            BuildProfile::Debug => "target/debug",
            BuildProfile::Release => "target/release",
        })
    }
}

impl BenchArgs {
    fn deployed(&self) -> bool {
        self.serverless_url.is_some() || self.kubernetes_url.is_some()
    }

    fn command_line(&self) -> String {
        let mut line = format!(
            "twinstack bench --time-scale {} --rate-scale {} --warm-up {} --users {} --lambda-concurrency {}",
            self.time_scale, self.rate_scale, self.warm_up, self.users, self.lambda_concurrency
        );
        for (flag, url) in [
            ("--serverless-url", &self.serverless_url),
            ("--kubernetes-url", &self.kubernetes_url),
        ] {
            if let Some(url) = url {
                line += &format!(" {flag} {url}");
            }
        }
        line + &self.pipeline.flags() + &self.realtime.command_line()
    }
}

/// Where a local run's server writes its log lines, under `--out`.
const SERVER_LOG: &str = "server.log";

pub async fn run(args: BenchArgs) -> anyhow::Result<()> {
    if let Some(path) = &args.report_from {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        let results: Results =
            serde_json::from_str(&text).with_context(|| format!("reading {}", path.display()))?;
        std::fs::create_dir_all(&args.out)
            .with_context(|| format!("creating {}", args.out.display()))?;
        return write_report(&args.out, &args.region, path, &results);
    }
    let script = twinstack_loadgen::cli::read_script(&args.config)?;
    let scale = Scale {
        time: args.time_scale,
        rate: args.rate_scale,
    };
    twinstack_loadgen::phases::plan(&script.phases, scale)?;
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("creating {}", args.out.display()))?;
    let started_at = SystemTime::now();

    let (twins, cold_starts, checksum, measured, realtime) = if args.deployed() {
        let (twins, measured) = deployed(&args, &script, scale).await?;
        let realtime = realtime::run_deployed(&args).await?;
        (twins, None, None, measured, realtime)
    } else {
        local(&args, &script, scale).await?
    };

    let local = !args.deployed();
    // The server's log file holds every line it wrote for the warm-up and the load.
    let server_log_bytes = std::fs::metadata(args.out.join(SERVER_LOG))
        .ok()
        .filter(|_| local)
        .map(|file| file.len());
    let cost_inputs = results::cost_inputs(&twins, cold_starts.as_ref(), local, server_log_bytes);
    // After the twins (stopped by now), so the pipeline has the cores to itself.
    let pipeline = if local && !args.pipeline.skip_pipeline {
        Some(pipeline::run(&args.pipeline).await?)
    } else {
        None
    };
    let results = Results {
        version: results::RESULTS_VERSION,
        run: RunInfo {
            tool: format!("twinstack bench {}", env!("CARGO_PKG_VERSION")),
            started_at_unix_ms: started_at
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.as_millis() as u64),
            mode: if local { "local" } else { "deployed" }.to_owned(),
            command: args.command_line(),
            commit: machine::commit(),
            machine: Machine::this(),
            versions: Versions::here(local),
            config: args.config.display().to_string(),
            time_scale: args.time_scale,
            rate_scale: args.rate_scale,
            warm_up_seconds: args.warm_up,
            users: args.users,
            orders_per_user: args.orders_per_user,
            checksum,
            lambda_concurrency: local.then_some(args.lambda_concurrency),
            measured_seconds: results::round(measured.as_secs_f64(), 1),
        },
        twins,
        cold_starts,
        realtime,
        cost_inputs,
        pipeline,
    };
    let results_path = args.out.join("results.json");
    write(&results_path, &serde_json::to_string_pretty(&results)?)?;
    write_report(&args.out, &args.region, &results_path, &results)
}

type LocalOutcome = (
    Vec<TwinRun>,
    Option<cold_start::ColdStarts>,
    Option<String>,
    Duration,
    Option<realtime::RealtimeResults>,
);

async fn local(args: &BenchArgs, script: &Script, scale: Scale) -> anyhow::Result<LocalOutcome> {
    let workspace = std::env::current_dir()?;
    if !workspace.join("Cargo.toml").is_file() || !workspace.join("crates/lambda").is_dir() {
        bail!(
            "run twinstack bench from the repository root (it starts the Lambda twin with cargo lambda watch)"
        );
    }
    let bin_dir = args.profile.bin_dir();
    let bin = |name: &str| bin_dir.join(name);
    let stack = LocalStack::start(&StackOptions {
        workspace,
        profile: args.profile,
        server_bin: bin("twinstack-server"),
        lambda_bin: bin("twinstack-lambda"),
        lambda_concurrency: args.lambda_concurrency,
        server_log: args.out.join(SERVER_LOG),
        users: args.users,
        orders_per_user: args.orders_per_user,
    })
    .await?;

    let clock = Instant::now();
    let mut twins = Vec::new();
    for (twin, target, served_by, processes) in [
        (
            Twin::Kubernetes,
            stack.kubernetes_url.clone(),
            "twinstack-server on Postgres (throwaway cluster)",
            stack.kubernetes_processes(),
        ),
        (
            Twin::Serverless,
            stack.serverless_url.clone(),
            "twinstack-lambda under cargo lambda watch --release, on DynamoDB Local",
            stack.serverless_processes(),
        ),
    ] {
        twins.push(
            drive(
                args,
                script,
                scale,
                twin,
                &target,
                served_by,
                Some(processes),
            )
            .await?,
        );
    }
    let realtime = realtime::run(args, &stack).await?;
    eprintln!(
        "cold-start probe: {} fresh starts of twinstack-lambda",
        args.cold_starts
    );
    let cold = cold_start::measure(
        &bin("twinstack-lambda-probe"),
        &bin("twinstack-lambda"),
        &stack.lambda_env,
        args.cold_starts,
        &args.out.join("cold-starts.json"),
    )
    .await?;
    let measured = clock.elapsed();
    let checksum = stack.checksum.clone();
    drop(stack);
    Ok((twins, Some(cold), Some(checksum), measured, realtime))
}

async fn deployed(
    args: &BenchArgs,
    script: &Script,
    scale: Scale,
) -> anyhow::Result<(Vec<TwinRun>, Duration)> {
    let clock = Instant::now();
    let mut twins = Vec::new();
    for (twin, url) in [
        (Twin::Kubernetes, &args.kubernetes_url),
        (Twin::Serverless, &args.serverless_url),
    ] {
        if let Some(url) = url {
            let target = url.trim_end_matches('/').to_owned();
            twins.push(drive(args, script, scale, twin, &target, "deployed", None).await?);
        }
    }
    Ok((twins, clock.elapsed()))
}

/// Warm-up, then the measured run with the twin's processes sampled.
async fn drive(
    args: &BenchArgs,
    script: &Script,
    scale: Scale,
    twin: Twin,
    target: &str,
    served_by: &str,
    processes: Option<Vec<(String, procs::Select)>>,
) -> anyhow::Result<TwinRun> {
    eprintln!(
        "\n{}: warm-up, {} s at {} virtual users/s ({target})",
        twin.label(),
        args.warm_up,
        args.warm_up_rate
    );
    let mut warm = script.clone();
    warm.phases = vec![PhaseSpec {
        name: Some("warm-up".to_owned()),
        duration_secs: args.warm_up,
        arrival_rate: args.warm_up_rate,
        ramp_to: None,
    }];
    let warm_up = load(warm, target, Scale::default()).await?;
    eprintln!("{}: measured run", twin.label());
    let sampler = processes.map(|groups| Sampler::start(groups, Duration::from_millis(250)));
    let report = load(script.clone(), target, scale).await?;
    let processes = sampler.map(Sampler::finish).unwrap_or_default();
    print!("{}", twinstack_loadgen::summary::results_table(&report));
    Ok(TwinRun {
        twin,
        served_by: served_by.to_owned(),
        target: target.to_owned(),
        warm_up,
        load: report,
        processes,
    })
}

async fn load(script: Script, target: &str, scale: Scale) -> anyhow::Result<Report> {
    let options = RunOptions {
        target: target.to_owned(),
        scale,
        max_in_flight: 2000,
        request_timeout: None,
        drain_timeout: Duration::from_secs(30),
        progress: true,
    };
    Ok(twinstack_loadgen::run(script, options).await?)
}

/// report.md, report.html and cost.svg into `out`, the cost projected from `results_path`'s
/// `cost_inputs`.
fn write_report(
    out: &Path,
    region: &str,
    results_path: &Path,
    results: &Results,
) -> anyhow::Result<()> {
    let cost = twinstack_cost::render(&twinstack_cost::CostArgs {
        region: region.to_owned(),
        pricing: None,
        from: Some(results_path.to_path_buf()),
        from_cloudwatch: None,
        api: twinstack_cost::workload::ApiKind::Rest,
        explain: false,
        assumptions: None,
        svg: out.join("cost.svg"),
        markdown: None,
        options: Default::default(),
    })?;
    write(&out.join("cost.svg"), &cost.svg)?;
    let markdown = report::markdown(results, &cost.report);
    write(&out.join("report.md"), &markdown)?;
    write(
        &out.join("report.html"),
        &report::html(results, &cost.report, &cost.svg),
    )?;
    println!("\n{markdown}");
    eprintln!(
        "wrote {} and {} from {}",
        out.join("report.md").display(),
        out.join("report.html").display(),
        results_path.display()
    );
    Ok(())
}

fn write(path: &Path, text: &str) -> anyhow::Result<()> {
    std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))
}
