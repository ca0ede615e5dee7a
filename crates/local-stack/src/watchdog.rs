//! The safety net that stops a cluster and deletes its files when the test process dies
//! without running `Drop` (the shared cluster lives in a `static`, which Rust never drops;
//! a test binary can also be killed by a signal, a harness timeout or `panic = "abort"`).
//!
//! Why not the alternatives:
//! - `pg_ctl` daemonises the postmaster in its own session, so it never dies with us.
//! - `PR_SET_PDEATHSIG` fires when the spawning *thread* exits, and libtest runs each test
//!   on its own thread: the shared cluster would die with the first test that touched it.
//! - `atexit` does not run on signals or aborts.
//! - Polling `kill -0 PID` can be fooled by pid reuse and wakes up every second.
//!
//! Instead: a tiny `sh` runs `cat` on a pipe whose only write end this process holds (Rust
//! opens pipes close-on-exec, so no other child inherits it). However this process ends, the
//! kernel closes that end, `cat` sees EOF, and the script runs `pg_ctl stop -m immediate`
//! and `rm -rf DIR`. The watchdog sits in its own process group so a Ctrl-C aimed at the
//! test run does not kill it before it has cleaned up. Postgres adds a second net of its
//! own: a postmaster whose `postmaster.pid` disappears shuts itself down within a minute.
//!
//! DynamoDB Local (`dynamodb_local.rs`) uses the same watchdog with a cleanup of its own.

use std::ffi::OsStr;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};

use anyhow::Context;

/// `$1` = cluster dir, the remaining args = the `pg_ctl` command (maybe behind `runuser`).
const SCRIPT: &str = r#"dir=$1; shift
"$@" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1
rm -rf "$dir""#;

/// A running watchdog. Dropping it closes the pipe, which *triggers* the cleanup (it never
/// disarms it): only drop it once the cluster is meant to go away.
pub(crate) struct Watchdog {
    child: Child,
    /// The write end of the pipe; closing it (drop or process death) starts the cleanup.
    trigger: Option<ChildStdin>,
}

impl Watchdog {
    /// Starts a watchdog that will stop the cluster in `dir` with `pg_ctl_argv` and remove `dir`.
    pub(crate) fn arm(dir: &Path, pg_ctl_argv: &[String]) -> anyhow::Result<Self> {
        let args = std::iter::once(dir.as_os_str()).chain(pg_ctl_argv.iter().map(OsStr::new));
        Self::arm_with("twinstack-pg-watchdog", SCRIPT, args)
    }

    /// Starts a watchdog named `name` (its `$0`, shown in `ps`) that runs the `sh` script
    /// `cleanup` with `args` as `$1…` once the pipe closes.
    pub(crate) fn arm_with<'a>(
        name: &str,
        cleanup: &str,
        args: impl IntoIterator<Item = &'a OsStr>,
    ) -> anyhow::Result<Self> {
        let mut child = Command::new("sh")
            .arg("-c")
            .arg(format!("cat >/dev/null\n{cleanup}"))
            .arg(name)
            .args(args)
            .current_dir("/")
            .stdin(Stdio::piped())
            // Inheriting our stdout/stderr would keep a `cargo test | tee` pipeline open.
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .with_context(|| format!("could not start the watchdog {name} (`sh`)"))?;
        let trigger = child.stdin.take();
        Ok(Self { child, trigger })
    }

    /// Triggers the cleanup now and waits for it to finish. Used by `Drop`, after it has done
    /// the work itself, so this normally only reaps the watchdog (its commands are no-ops then).
    pub(crate) fn fire_and_wait(mut self) {
        drop(self.trigger.take());
        let _ = self.child.wait();
    }
}
