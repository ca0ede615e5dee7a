//! A real Lambda runtime API for tests: `cargo lambda watch` (PyPI `cargo-lambda`), serving a
//! binary of this workspace behind emulated function URLs on a loopback port of its own.
//!
//! `cargo lambda watch` builds the binary with `cargo run` on the first invocation, starts up to
//! `concurrency` instances, and forwards `http://127.0.0.1:PORT/lambda-url/<binary>/…` to them as
//! function-URL events. Stopping it (on drop, or by the watchdog when the test process dies) stops
//! the whole process tree: `cargo`, `cargo-lambda` and every function instance.

use std::ffi::OsStr;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use anyhow::{Context, bail};

use crate::net::free_port;
use crate::watchdog::Watchdog;

/// `$1` = the `cargo` process. `cargo-lambda` puts itself and each function instance in process
/// groups of their own, so a group kill misses them: walk the tree while it is still parented,
/// then stop every process in it.
const KILL_TREE: &str = r#"tree() { echo "$1"; for child in $(ps -o pid= --ppid "$1"); do tree "$child"; done; }
pids=$(tree "$1")
kill -TERM $pids 2>/dev/null; sleep 1; kill -KILL $pids 2>/dev/null; true"#;

/// Which build `cargo lambda watch` runs (`cargo run`, or `cargo run --release`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Profile {
    Debug,
    Release,
}

pub struct LambdaEmulator {
    child: Child,
    port: u16,
    binary: String,
    watchdog: Option<Watchdog>,
}

impl LambdaEmulator {
    /// Starts `cargo lambda watch -A 127.0.0.1 -P PORT --ignore-changes --concurrency N --bin BINARY`
    /// in `workspace`, with `env` as the function's environment. Returns once the emulator listens;
    /// the first invocation still waits for the build.
    pub fn start(
        workspace: &Path,
        binary: &str,
        concurrency: u32,
        env: &[(&str, &str)],
    ) -> anyhow::Result<Self> {
        Self::start_with(workspace, binary, concurrency, env, Profile::Debug)
    }

    /// [`start`](Self::start) with the build profile chosen: benchmarks run release builds.
    pub fn start_with(
        workspace: &Path,
        binary: &str,
        concurrency: u32,
        env: &[(&str, &str)],
        profile: Profile,
    ) -> anyhow::Result<Self> {
        Self::spawn(workspace, binary, concurrency, env, profile, None)
    }

    /// [`start`](Self::start), with the output of the emulator and its function instances (their
    /// log lines) appended to `log` instead of discarded.
    pub fn start_logging_to(
        workspace: &Path,
        binary: &str,
        concurrency: u32,
        env: &[(&str, &str)],
        log: &Path,
    ) -> anyhow::Result<Self> {
        Self::spawn(
            workspace,
            binary,
            concurrency,
            env,
            Profile::Debug,
            Some(log),
        )
    }

    fn spawn(
        workspace: &Path,
        binary: &str,
        concurrency: u32,
        env: &[(&str, &str)],
        profile: Profile,
        log: Option<&Path>,
    ) -> anyhow::Result<Self> {
        which_cargo_lambda()?;
        prebuild(workspace, binary, profile)?;
        let port = free_port();
        let mut command = Command::new("cargo");
        command
            .args([
                "lambda",
                "watch",
                "-A",
                "127.0.0.1",
                "-P",
                &port.to_string(),
                "--ignore-changes",
            ])
            .args(["--concurrency", &concurrency.to_string(), "--bin", binary])
            .args((profile == Profile::Release).then_some("--release"))
            .current_dir(workspace)
            .stdin(Stdio::null())
            .process_group(0);
        for (key, value) in env {
            command.arg("--env-var").arg(format!("{key}={value}"));
        }
        if let Some(log) = log {
            let file = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(log)
                .with_context(|| format!("opening {}", log.display()))?;
            command.stdout(file.try_clone()?).stderr(file);
        } else if std::env::var_os("TWINSTACK_LAMBDA_LOGS").is_none() {
            command.stdout(Stdio::null()).stderr(Stdio::null());
        }
        let child = command.spawn().context("starting `cargo lambda watch`")?;
        let root = child.id().to_string();
        let watchdog =
            Watchdog::arm_with("twinstack-lambda-watchdog", KILL_TREE, [OsStr::new(&root)])?;
        let mut emulator = LambdaEmulator {
            child,
            port,
            binary: binary.to_owned(),
            watchdog: Some(watchdog),
        };
        emulator.wait_listening(Duration::from_secs(60))?;
        Ok(emulator)
    }

    /// The function URL base, such as `http://127.0.0.1:PORT/lambda-url/twinstack-lambda`.
    pub fn function_url(&self) -> String {
        format!("http://127.0.0.1:{}/lambda-url/{}", self.port, self.binary)
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The function's Invoke API, for events other than HTTP requests.
    pub fn invoker(&self) -> crate::LambdaInvoker {
        crate::LambdaInvoker::new(self.port, &self.binary)
    }

    fn wait_listening(&mut self, timeout: Duration) -> anyhow::Result<()> {
        let deadline = std::time::Instant::now() + timeout;
        while std::time::Instant::now() < deadline {
            if std::net::TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
                return Ok(());
            }
            if let Some(status) = self.child.try_wait()? {
                bail!(
                    "`cargo lambda watch` exited with {status} (set TWINSTACK_LAMBDA_LOGS=1 to see why)"
                );
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        bail!(
            "`cargo lambda watch` did not listen on port {} within {timeout:?}",
            self.port
        )
    }
}

impl Drop for LambdaEmulator {
    fn drop(&mut self) {
        if let Some(watchdog) = self.watchdog.take() {
            watchdog.fire_and_wait();
        }
        let _ = self.child.wait();
    }
}

/// Builds the function as `cargo lambda watch` will (`cargo run --bin`, same profile and features),
/// so its instances start at once instead of each waiting on the same build while the emulator
/// queues requests.
fn prebuild(workspace: &Path, binary: &str, profile: Profile) -> anyhow::Result<()> {
    let status = Command::new("cargo")
        .args(["build", "--bin", binary])
        .args((profile == Profile::Release).then_some("--release"))
        .current_dir(workspace)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .status()
        .context("running `cargo build`")?;
    if !status.success() {
        bail!("`cargo build --bin {binary}` failed with {status}");
    }
    Ok(())
}

fn which_cargo_lambda() -> anyhow::Result<()> {
    let found = Command::new("cargo")
        .args(["lambda", "--version"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !found {
        bail!(
            "cargo-lambda is not installed: run `deploy/scripts/install-deps.sh cargo-lambda` (pip install cargo-lambda)"
        );
    }
    Ok(())
}
