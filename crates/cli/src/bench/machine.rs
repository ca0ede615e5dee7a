//! What a report records about where and how it ran: machine, versions, commit and settings.

use std::process::Command;

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RunInfo {
    pub tool: String,
    pub started_at_unix_ms: u64,
    /// `local` (both twins on this machine) or `deployed` (`--serverless-url` / `--kubernetes-url`).
    pub mode: String,
    pub command: String,
    pub commit: Option<String>,
    pub machine: Machine,
    pub versions: Versions,
    pub config: String,
    pub time_scale: f64,
    pub rate_scale: f64,
    pub warm_up_seconds: f64,
    pub users: u32,
    pub orders_per_user: u32,
    /// The data set's checksum as read back from both stores (local runs).
    pub checksum: Option<String>,
    pub lambda_concurrency: Option<u32>,
    /// Warm-ups, load runs and the cold-start probe: everything but installs, builds and seeding.
    pub measured_seconds: f64,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Machine {
    pub cpu: Option<String>,
    pub cores: usize,
    pub memory_gib: Option<f64>,
    pub kernel: Option<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Versions {
    pub twinstack: String,
    pub rustc: Option<String>,
    pub postgres: Option<String>,
    pub cargo_lambda: Option<String>,
    pub java: Option<String>,
}

impl Machine {
    pub fn this() -> Machine {
        let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let cpu = cpuinfo
            .lines()
            .find(|line| line.starts_with("model name"))
            .and_then(|line| line.split_once(':'))
            .map(|(_, name)| name.trim().to_owned());
        let memory_gib = std::fs::read_to_string("/proc/meminfo")
            .ok()
            .and_then(|text| {
                let line = text.lines().find(|line| line.starts_with("MemTotal:"))?;
                let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
                Some((kib / 1024.0 / 1024.0 * 10.0).round() / 10.0)
            });
        Machine {
            cpu,
            cores: std::thread::available_parallelism().map_or(1, usize::from),
            memory_gib,
            kernel: first_line("uname", &["-sr"]),
        }
    }
}

impl Versions {
    pub fn here(local: bool) -> Versions {
        let postgres = local
            .then(|| twinstack_local_stack::pg_bin("postgres").ok())
            .flatten()
            .and_then(|bin| first_line(&bin.to_string_lossy(), &["--version"]));
        Versions {
            twinstack: env!("CARGO_PKG_VERSION").to_owned(),
            rustc: first_line("rustc", &["--version"]),
            postgres,
            cargo_lambda: local
                .then(|| first_line("cargo", &["lambda", "--version"]))
                .flatten(),
            // `java -version` writes to stderr.
            java: local.then(|| first_line("java", &["-version"])).flatten(),
        }
    }
}

pub fn commit() -> Option<String> {
    let commit = first_line("git", &["rev-parse", "HEAD"])?;
    let dirty = Command::new("git")
        .args(["status", "--porcelain", "--untracked-files=no"])
        .output()
        .ok()
        .is_some_and(|out| !out.stdout.is_empty());
    Some(if dirty {
        format!("{commit} (with local changes)")
    } else {
        commit
    })
}

/// The first line a command prints (stdout, else stderr), if it runs.
fn first_line(program: &str, args: &[&str]) -> Option<String> {
    let output = Command::new(program).args(args).output().ok()?;
    if !output.status.success() {
        return None;
    }
    let text = if output.stdout.is_empty() {
        output.stderr
    } else {
        output.stdout
    };
    String::from_utf8_lossy(&text)
        .lines()
        .next()
        .map(|line| line.trim().to_owned())
        .filter(|line| !line.is_empty())
}
