//! The function process: started with the environment Lambda gives a custom runtime, and nothing
//! of the probe's own (so a stray `RUST_LOG` or `AWS_PROFILE` in the caller's shell cannot change
//! what is measured); `--env` adds the function's own configuration.

use std::ffi::OsStr;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Stdio;

use anyhow::{Context, bail};
use clap::Args;
use tokio::process::{Child, Command};

/// Options shared by every subcommand: which binary, and as what function.
#[derive(Args, Debug, Clone)]
pub struct FunctionArgs {
    /// The function binary (a custom runtime's `bootstrap`).
    #[arg(long = "bin", value_name = "PATH")]
    pub binary: PathBuf,

    /// AWS_LAMBDA_FUNCTION_NAME; defaults to the binary's file name.
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,

    /// AWS_LAMBDA_FUNCTION_MEMORY_SIZE, in MB (nothing enforces it).
    #[arg(long, default_value_t = 128, value_name = "MB")]
    pub memory: u32,

    /// AWS_REGION and AWS_DEFAULT_REGION.
    #[arg(long, default_value = "us-east-1")]
    pub region: String,

    /// Extra environment for the function: `KEY=VALUE`, or `KEY` to pass the probe's own value on.
    /// Repeatable; applied last, so it can override the Lambda variables too.
    #[arg(long = "env", value_name = "KEY=VALUE", value_parser = parse_env)]
    pub env: Vec<(String, String)>,

    /// Let the function write to the probe's stdout and stderr (discarded otherwise).
    #[arg(long)]
    pub show_output: bool,

    /// Longest wait for a start or an invocation, in seconds; the deadline the function is told.
    #[arg(long, default_value_t = 30, value_name = "SECONDS")]
    pub timeout: u64,
}

fn parse_env(text: &str) -> Result<(String, String), String> {
    let (key, value) = match text.split_once('=') {
        Some((key, value)) => (key, value.to_owned()),
        None => (
            text,
            std::env::var(text)
                .map_err(|_| format!("{text} is not set in the probe's environment"))?,
        ),
    };
    if key.is_empty() {
        return Err(format!("no variable name in {text:?}"));
    }
    Ok((key.to_owned(), value))
}

impl FunctionArgs {
    pub fn function_name(&self) -> String {
        self.name.clone().unwrap_or_else(|| {
            self.binary
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| "function".to_owned())
        })
    }

    pub fn function_arn(&self) -> String {
        format!(
            "arn:aws:lambda:{}:123456789012:function:{}",
            self.region,
            self.function_name()
        )
    }

    pub fn timeout(&self) -> std::time::Duration {
        std::time::Duration::from_secs(self.timeout)
    }

    /// Fails early, with the path, when the binary is missing: a spawn error says less.
    pub fn check_binary(&self) -> anyhow::Result<()> {
        if !self.binary.is_file() {
            bail!("no function binary at {}", self.binary.display());
        }
        Ok(())
    }

    /// The function process, talking to the Runtime API at `runtime_api`. Killed when dropped.
    pub fn command(&self, runtime_api: SocketAddr) -> Command {
        let name = self.function_name();
        let mut command = Command::new(&self.binary);
        command
            .env_clear()
            .envs(passthrough(["PATH", "LD_LIBRARY_PATH"]))
            .env("LANG", "en_US.UTF-8")
            .env("TZ", ":UTC")
            .env("AWS_LAMBDA_RUNTIME_API", runtime_api.to_string())
            .env("AWS_LAMBDA_FUNCTION_NAME", &name)
            .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", self.memory.to_string())
            .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
            .env("AWS_LAMBDA_LOG_GROUP_NAME", format!("/aws/lambda/{name}"))
            .env(
                "AWS_LAMBDA_LOG_STREAM_NAME",
                "2026/01/01/[$LATEST]00000000000000000000000000000000",
            )
            .env("AWS_LAMBDA_INITIALIZATION_TYPE", "on-demand")
            .env("AWS_EXECUTION_ENV", "AWS_Lambda_provided.al2023")
            .env("AWS_REGION", &self.region)
            .env("AWS_DEFAULT_REGION", &self.region)
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .kill_on_drop(true);
        if !self.show_output {
            command.stdout(Stdio::null()).stderr(Stdio::null());
        }
        command
    }

    /// Starts the function; see [`command`](Self::command).
    pub fn spawn(&self, runtime_api: SocketAddr) -> anyhow::Result<Child> {
        self.command(runtime_api)
            .spawn()
            .with_context(|| format!("starting {}", self.binary.display()))
    }

    /// What to say when the function exits on its own.
    pub fn exited(&self, status: std::io::Result<std::process::ExitStatus>) -> anyhow::Error {
        let status = match status {
            Ok(status) => status.to_string(),
            Err(err) => format!("an unknown status ({err})"),
        };
        let hint = if self.show_output {
            ""
        } else {
            " (rerun with --show-output to see its output)"
        };
        anyhow::anyhow!("{} exited with {status}{hint}", display_name(&self.binary))
    }
}

fn passthrough<const N: usize>(
    names: [&'static str; N],
) -> Vec<(&'static str, std::ffi::OsString)> {
    names
        .into_iter()
        .filter_map(|name| std::env::var_os(name).map(|value| (name, value)))
        .collect()
}

fn display_name(path: &Path) -> String {
    path.file_name()
        .unwrap_or(OsStr::new("the function"))
        .to_string_lossy()
        .into_owned()
}

/// Stops a function process and reaps it.
pub async fn stop(mut child: Child) {
    let _ = child.start_kill();
    let _ = child.wait().await;
}

/// The resident set size of process `pid`, in KiB: `VmRSS` in `/proc/PID/status`.
pub fn vm_rss_kib(pid: u32) -> anyhow::Result<u64> {
    let path = format!("/proc/{pid}/status");
    let status = std::fs::read_to_string(&path).with_context(|| format!("reading {path}"))?;
    parse_vm_rss(&status).with_context(|| format!("no VmRSS line in {path}"))
}

fn parse_vm_rss(status: &str) -> Option<u64> {
    let line = status.lines().find(|line| line.starts_with("VmRSS:"))?;
    let mut fields = line["VmRSS:".len()..].split_whitespace();
    let value = fields.next()?.parse().ok()?;
    (fields.next() == Some("kB")).then_some(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vm_rss_is_read_in_kib() {
        let status =
            "Name:\tbootstrap\nVmHWM:\t   15000 kB\nVmRSS:\t   14336 kB\nRssAnon:\t 9000 kB\n";

        assert_eq!(parse_vm_rss(status), Some(14336));
        assert_eq!(parse_vm_rss("Name:\tkthreadd\n"), None);
    }

    #[test]
    fn env_takes_a_value_or_passes_the_probes_own_on() {
        // PATH is set in any test environment.
        let path = std::env::var("PATH").unwrap();

        assert_eq!(
            parse_env("TABLE_NAME=t=1").unwrap(),
            ("TABLE_NAME".into(), "t=1".into())
        );
        assert_eq!(parse_env("PATH").unwrap(), ("PATH".into(), path));
        assert!(parse_env("=x").is_err());
        assert!(parse_env("TWINSTACK_PROBE_SURELY_UNSET").is_err());
    }
}
