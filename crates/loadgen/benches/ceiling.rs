//! The load generator's own ceiling on this machine, next to `wrk` against the same trivial local server in
//! the same run, so a benchmark can show the generator is not its bottleneck.
//!
//! `cargo bench -p twinstack-loadgen --bench ceiling`
//!
//! - The server answers `GET /api/health` with a small JSON body, on one thread (a current-thread runtime).
//! - `wrk -t1 -c$CEILING_CONNECTIONS -d$CEILING_SECONDS` measures a closed-loop peak.
//! - The load generator runs open-model steps of `$CEILING_SECONDS` on a one-worker runtime (like `wrk -t1`),
//!   doubling the arrival rate, then bisecting, to find the highest rate it keeps on schedule: no drops, no
//!   errors, p99 from intended start under 25 ms. Its peak achieved throughput is reported too.
//! - Both tools' CPU time per request (the load generator's worker threads from `/proc/self/task`, wrk's from
//!   the shell's `times`), which gives each one's ceiling per core even on a busy shared machine, where
//!   wall-clock throughput is noisy.
//!
//! Loopback only, bounded in time (about a minute). Needs `wrk` (`deploy/scripts/install-deps.sh wrk`);
//! without it only the load generator's figures are printed.

use std::net::SocketAddr;
use std::process::Command;
use std::time::Duration;

use twinstack_loadgen::{Report, RunOptions, Scale, Script};

const P99_LIMIT_MS: f64 = 25.0;
/// Names the load generator's threads, to read their CPU time.
const LOADGEN_THREAD: &str = "loadgen";

fn main() {
    let seconds = env_u64("CEILING_SECONDS", 4);
    let connections = env_u64("CEILING_CONNECTIONS", 64);
    let address = start_server();
    let url = format!("http://{address}");
    println!("trivial server: {url}/api/health (one thread); steps of {seconds} s");

    let wrk = run_wrk(&url, seconds, connections);

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .thread_name(LOADGEN_THREAD)
        .enable_all()
        .build()
        .expect("a runtime");
    let step = |rate: u64| {
        let cpu_before = thread_cpu_seconds(LOADGEN_THREAD);
        let report = runtime.block_on(run_step(&url, rate, seconds));
        let cpu = thread_cpu_seconds(LOADGEN_THREAD) - cpu_before;
        let step = Step::from_report(rate, &report, cpu);
        println!(
            "  loadgen at {rate:>6}/s: {:>8.0} responses/s, p99 {:>8.2} ms, dropped {}, errors {}, {:>5.1} µs CPU/request -> {}",
            step.achieved,
            step.p99_ms,
            step.dropped,
            step.errors,
            step.cpu_us_per_request,
            if step.on_schedule() {
                "on schedule"
            } else {
                "falls behind"
            }
        );
        step
    };

    println!("load generator (open model, 1 worker thread):");
    let mut best: Option<Step> = None;
    let mut worst: Option<Step> = None;
    let mut peak = 0.0f64;
    let mut rate = 2_000;
    while worst.is_none() && rate <= 256_000 {
        let result = step(rate);
        peak = peak.max(result.achieved);
        if result.on_schedule() {
            best = Some(result);
            rate *= 2;
        } else {
            worst = Some(result);
        }
    }
    if let (Some(low), Some(high)) = (
        best.as_ref().map(|s| s.rate),
        worst.as_ref().map(|s| s.rate),
    ) {
        let (mut low, mut high) = (low, high);
        for _ in 0..3 {
            let middle = (low + high) / 2;
            let result = step(middle);
            peak = peak.max(result.achieved);
            if result.on_schedule() {
                low = middle;
                best = Some(result);
            } else {
                high = middle;
            }
        }
    }

    let sustained = best.as_ref().map_or(0.0, |s| s.achieved);
    let loadgen_cpu = best.as_ref().map_or(f64::NAN, |s| s.cpu_us_per_request);
    println!();
    println!(
        "loadgen sustained on schedule: {sustained:>9.0} requests/s (p99 < {P99_LIMIT_MS} ms, no drops)"
    );
    println!("loadgen peak achieved:         {peak:>9.0} requests/s");
    println!(
        "loadgen CPU per request:       {loadgen_cpu:>9.1} µs (highest on-schedule step) = {:.0} requests/s per core",
        1e6 / loadgen_cpu
    );
    match wrk {
        Some(wrk) => {
            println!(
                "wrk -t1 -c{connections}:                {:>9.0} requests/s",
                wrk.rps
            );
            println!(
                "wrk CPU per request:           {:>9.1} µs = {:.0} requests/s per core",
                wrk.cpu_us_per_request,
                1e6 / wrk.cpu_us_per_request
            );
            println!(
                "ratio loadgen/wrk: sustained {:.2}, peak {:.2}, per-core ceiling {:.2}",
                sustained / wrk.rps,
                peak / wrk.rps,
                wrk.cpu_us_per_request / loadgen_cpu
            );
        }
        None => println!("wrk: not installed (deploy/scripts/install-deps.sh wrk)"),
    }
}

struct Step {
    rate: u64,
    achieved: f64,
    p99_ms: f64,
    dropped: u64,
    errors: u64,
    cpu_us_per_request: f64,
}

impl Step {
    fn from_report(rate: u64, report: &Report, cpu_seconds: f64) -> Self {
        Self {
            rate,
            achieved: report.totals.responses as f64 / report.scheduled_seconds,
            cpu_us_per_request: cpu_seconds * 1e6 / report.totals.count.max(1) as f64,
            p99_ms: report.totals.latency_ms.map_or(f64::INFINITY, |l| l.p99),
            dropped: report.vusers.dropped,
            errors: report.totals.errors.total,
        }
    }

    fn on_schedule(&self) -> bool {
        self.dropped == 0 && self.errors == 0 && self.p99_ms < P99_LIMIT_MS
    }
}

async fn run_step(url: &str, rate: u64, seconds: u64) -> Report {
    let yaml = format!(
        "config:\n  phases:\n    - duration: {seconds}\n      arrivalRate: {rate}\n\
         scenarios:\n  - flow:\n      - get:\n          url: /api/health\n          name: health\n"
    );
    let script = Script::parse(&yaml).expect("the step config parses");
    twinstack_loadgen::run(
        script,
        RunOptions {
            target: url.to_owned(),
            scale: Scale::default(),
            max_in_flight: 2000,
            request_timeout: Some(Duration::from_secs(5)),
            drain_timeout: Duration::from_secs(6),
            progress: false,
        },
    )
    .await
    .expect("the step runs")
}

struct Wrk {
    rps: f64,
    cpu_us_per_request: f64,
}

/// Runs wrk under a shell whose `times` builtin then prints the CPU time wrk used.
fn run_wrk(url: &str, seconds: u64, connections: u64) -> Option<Wrk> {
    let command = format!("wrk -t1 -c{connections} -d{seconds}s {url}/api/health");
    let script = format!("command -v wrk >/dev/null || exit 3; {command}; times");
    let output = Command::new("bash").args(["-c", &script]).output().ok()?;
    if !output.status.success() {
        return None;
    }
    let text = String::from_utf8_lossy(&output.stdout);
    let rps: f64 = text
        .lines()
        .find_map(|line| line.strip_prefix("Requests/sec:"))
        .and_then(|value| value.trim().parse().ok())?;
    // "123456 requests in 4.00s, …"
    let requests: f64 = text
        .lines()
        .find(|line| line.contains(" requests in "))
        .and_then(|line| line.split_whitespace().next())
        .and_then(|n| n.parse().ok())?;
    // The last line of `times`: the children's user and system time, e.g. "0m1.234s 0m0.567s".
    let cpu_seconds: f64 = text
        .lines()
        .last()?
        .split_whitespace()
        .map(minutes_seconds)
        .sum::<Option<f64>>()?;
    let cpu_us_per_request = cpu_seconds * 1e6 / requests;
    println!("{command}: {rps:.0} requests/s, {cpu_us_per_request:.1} µs CPU/request");
    Some(Wrk {
        rps,
        cpu_us_per_request,
    })
}

/// `0m1.234s` → 1.234.
fn minutes_seconds(text: &str) -> Option<f64> {
    let (minutes, seconds) = text.strip_suffix('s')?.split_once('m')?;
    Some(minutes.parse::<f64>().ok()? * 60.0 + seconds.parse::<f64>().ok()?)
}

/// User + system CPU seconds of this process's threads named `name` (fields 14 and 15 of
/// `/proc/self/task/*/stat`, in clock ticks of 1/100 s on Linux).
fn thread_cpu_seconds(name: &str) -> f64 {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return f64::NAN;
    };
    let ticks: u64 = tasks
        .filter_map(|task| std::fs::read_to_string(task.ok()?.path().join("stat")).ok())
        .filter_map(|stat| {
            let (head, tail) = stat.rsplit_once(')')?;
            let comm = head.split_once('(')?.1;
            if !comm.starts_with(name) {
                return None;
            }
            // After "pid (comm)": state is field 3, so utime (14) and stime (15) are the 12th and 13th here.
            let fields: Vec<&str> = tail.split_whitespace().collect();
            Some(fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?)
        })
        .sum();
    ticks as f64 / 100.0
}

/// Serves the trivial endpoint on a thread of its own until the process ends.
fn start_server() -> SocketAddr {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
    let address = listener.local_addr().expect("an address");
    listener.set_nonblocking(true).expect("non-blocking");
    std::thread::Builder::new()
        .name("server".into())
        .spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a runtime");
            runtime.block_on(async move {
                let listener =
                    tokio::net::TcpListener::from_std(listener).expect("a tokio listener");
                let app = axum::Router::new().route(
                    "/api/health",
                    axum::routing::get(|| async {
                        axum::Json(serde_json::json!({"status": "ok"}))
                    }),
                );
                axum::serve(listener, app).await.expect("the server runs");
            });
        })
        .expect("a server thread");
    address
}

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}
