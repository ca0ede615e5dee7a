//! Running Postgres tools as the right OS user and turning failures into readable errors.
//!
//! `initdb` and `postgres` refuse to run as root, and the harness usually runs as root in
//! CI and dev containers. So when the effective uid is 0 every server command goes through
//! `runuser -u postgres --`; otherwise it runs directly as the current user, who then owns
//! the cluster (the usual setup on a developer laptop).

use std::ffi::OsStr;
use std::path::Path;
use std::process::{Command, Output};

use anyhow::{Context, bail};

/// The account Debian's `postgresql` package creates and that owns the clusters we start as root.
const POSTGRES_USER: &str = "postgres";

/// Whether this process runs as root, in which case server tools need [`POSTGRES_USER`].
pub(crate) fn running_as_root() -> bool {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

/// The argv prefix that runs a server tool as the cluster owner: `runuser -u postgres --` under
/// root, nothing otherwise. Shared with the watchdog, which must stop the cluster the same way.
pub(crate) fn as_owner_prefix() -> Vec<String> {
    if running_as_root() {
        ["runuser", "-u", POSTGRES_USER, "--"]
            .map(String::from)
            .to_vec()
    } else {
        Vec::new()
    }
}

/// Builds `program args…` to run as the cluster owner, with `cwd` as working directory.
///
/// The working directory matters: the test's own cwd is often under `/root`, which the
/// `postgres` user cannot enter, and `initdb`/`pg_ctl` complain when they cannot stat it.
pub(crate) fn as_owner(program: &Path, cwd: &Path) -> Command {
    let prefix = as_owner_prefix();
    let mut cmd = match prefix.split_first() {
        Some((runner, rest)) => {
            let mut cmd = Command::new(runner);
            cmd.args(rest).arg(program);
            cmd
        }
        None => Command::new(program),
    };
    cmd.current_dir(cwd);
    cmd
}

/// The uid/gid of [`POSTGRES_USER`], to hand the cluster's temp dir over to it.
pub(crate) fn postgres_user_ids() -> anyhow::Result<(u32, u32)> {
    let name = std::ffi::CString::new(POSTGRES_USER).expect("no NUL in a constant");
    // The reentrant variant: tests run on many threads, and getpwnam's static buffer is shared.
    // SAFETY: `passwd` is plain old data (integers and raw pointers); all-zero is valid.
    let mut entry: libc::passwd = unsafe { std::mem::zeroed() };
    let mut buf = vec![0 as libc::c_char; 16 * 1024];
    let mut found: *mut libc::passwd = std::ptr::null_mut();
    // SAFETY: every pointer is valid for the call and `buf.len()` is the buffer's real size;
    // `entry` (whose strings point into `buf`) is only read for its integer fields.
    let rc = unsafe {
        libc::getpwnam_r(
            name.as_ptr(),
            &mut entry,
            buf.as_mut_ptr(),
            buf.len(),
            &mut found,
        )
    };
    if rc != 0 || found.is_null() {
        bail!(
            "user `{POSTGRES_USER}` not found (getpwnam_r rc={rc}); {}",
            crate::pg_bin::INSTALL_HINT
        );
    }
    Ok((entry.pw_uid, entry.pw_gid))
}

/// Runs `cmd` to completion and fails with its stdout/stderr when it exits non-zero.
pub(crate) fn run(cmd: &mut Command) -> anyhow::Result<Output> {
    let shown = describe(cmd);
    tracing::debug!(command = %shown, "running");
    let output = cmd
        .stdin(std::process::Stdio::null())
        .output()
        .with_context(|| format!("could not run `{shown}`"))?;
    if !output.status.success() {
        bail!(
            "`{shown}` failed ({}):\n--- stdout\n{}\n--- stderr\n{}",
            output.status,
            String::from_utf8_lossy(&output.stdout).trim_end(),
            String::from_utf8_lossy(&output.stderr).trim_end(),
        );
    }
    Ok(output)
}

/// `program arg arg…` for error messages.
fn describe(cmd: &Command) -> String {
    std::iter::once(cmd.get_program())
        .chain(cmd.get_args())
        .map(OsStr::to_string_lossy)
        .collect::<Vec<_>>()
        .join(" ")
}
