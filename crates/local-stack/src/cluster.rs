//! [`PostgresCluster`]: a throwaway Postgres server, or a handle on the one `DATABASE_URL` names.

use std::fs::DirBuilder;
use std::io::Write as _;
use std::os::unix::fs::DirBuilderExt as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};

use anyhow::{Context, bail};

use crate::command::{as_owner, as_owner_prefix, postgres_user_ids, run, running_as_root};
use crate::net::free_port;
use crate::pg_bin::pg_server_bin;
use crate::psql;
use crate::watchdog::Watchdog;

/// The env var that points the harness at an existing server instead of starting one.
pub const DATABASE_URL_ENV: &str = "DATABASE_URL";

/// Where cluster dirs go. Fixed rather than `$TMPDIR` or the checkout: the `postgres` user
/// must be able to reach it, and checkouts often live under `/root`.
const TEMP_ROOT: &str = "/tmp";

/// Attempts at finding a port nobody grabs between [`free_port`] and the postmaster's bind.
const PORT_ATTEMPTS: u32 = 5;

/// Log lines that mean "the port was taken under us" rather than a real start failure.
const PORT_TAKEN_MARKERS: [&str; 2] = [
    "Address already in use",
    "could not create any TCP/IP sockets",
];

/// The error [`PostgresCluster::stop`] and [`PostgresCluster::start_again`] return for a
/// cluster backed by `DATABASE_URL`: the harness does not own that server, so it must not
/// stop it. Tests that need a database outage can check for it and skip:
///
/// ```no_run
/// # use twinstack_local_stack::{PostgresCluster, RestartUnsupported};
/// # fn t() -> anyhow::Result<()> {
/// let mut pg = PostgresCluster::start()?;
/// if let Err(err) = pg.stop() {
///     if err.is::<RestartUnsupported>() {
///         eprintln!("skipped: {err}");
///         return Ok(());
///     }
///     return Err(err);
/// }
/// # Ok(()) }
/// ```
///
/// (Or sidestep it with [`PostgresCluster::start_local`], which ignores `DATABASE_URL`.)
#[derive(Debug)]
pub struct RestartUnsupported;

impl std::fmt::Display for RestartUnsupported {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "the cluster is the external server from {DATABASE_URL_ENV}; it cannot be stopped or restarted"
        )
    }
}

impl std::error::Error for RestartUnsupported {}

/// A Postgres server for tests; see the [crate docs](crate) for usage.
///
/// Dropping a local cluster stops it (immediate mode) and deletes its directory; it never
/// panics. For an external (`DATABASE_URL`) server, dropping does nothing.
pub struct PostgresCluster {
    url: String,
    port: u16,
    local: Option<LocalCluster>,
}

/// The parts only a cluster we started has.
struct LocalCluster {
    /// `/tmp/twinstack-pg-…`, owned by the cluster owner: holds `data/`, `log` and the socket.
    dir: PathBuf,
    pg_ctl: PathBuf,
    /// Whether we believe the postmaster is up; decides whether `Drop` has to stop it.
    running: bool,
    /// Cleans up if this process dies before `Drop` runs; `None` only after `Drop` fired it.
    watchdog: Option<Watchdog>,
}

impl PostgresCluster {
    /// Uses the server in `DATABASE_URL` when that is set (and non-empty), else starts a
    /// local throwaway cluster ([`start_local`](Self::start_local)).
    ///
    /// Blocks for the one or two seconds `initdb` + `pg_ctl start` take.
    pub fn start() -> anyhow::Result<Self> {
        match std::env::var(DATABASE_URL_ENV) {
            Ok(url) if !url.trim().is_empty() => Ok(Self::external(url)),
            _ => Self::start_local(),
        }
    }

    /// Always starts a fresh local cluster from the newest `/usr/lib/postgresql/*/bin`,
    /// ignoring `DATABASE_URL`: for tests that stop the database and would rather not skip.
    pub fn start_local() -> anyhow::Result<Self> {
        let initdb = pg_server_bin("initdb")?;
        let pg_ctl = pg_server_bin("pg_ctl")?;
        let dir = make_cluster_dir()?;
        let watchdog = match arm_watchdog(&dir, &pg_ctl) {
            Ok(watchdog) => watchdog,
            Err(err) => {
                let _ = std::fs::remove_dir_all(&dir);
                return Err(err);
            }
        };
        // From here on `Drop` owns the cleanup, including on the error paths below.
        let mut cluster = Self {
            url: String::new(),
            port: 0,
            local: Some(LocalCluster {
                dir,
                pg_ctl,
                running: false,
                watchdog: Some(watchdog),
            }),
        };
        let local = cluster.local.as_mut().expect("just set");

        run(as_owner(&initdb, &local.dir)
            .arg("-D")
            .arg(local.data_dir())
            .args([
                "-A",
                "trust",
                "-U",
                "postgres",
                "--no-sync",
                "-E",
                "UTF8",
                "--locale=C",
            ]))
        .context("initdb failed")?;

        // free_port releases the port before the postmaster binds it, so someone else may
        // take it in between; that shows up as a bind error in the log and earns a new port.
        let mut attempt = 1;
        let port = loop {
            let port = free_port();
            match local.pg_ctl_start(port) {
                Ok(()) => break port,
                Err(StartError::PortTaken(err)) if attempt < PORT_ATTEMPTS => {
                    tracing::debug!(
                        port,
                        "port taken before postgres bound it, retrying: {err:#}"
                    );
                    attempt += 1;
                }
                Err(StartError::PortTaken(err) | StartError::Other(err)) => return Err(err),
            }
        };
        local.running = true;
        cluster.port = port;
        cluster.url = format!("postgres://postgres@127.0.0.1:{port}/postgres");
        Ok(cluster)
    }

    fn external(url: String) -> Self {
        let port = url::Url::parse(&url)
            .ok()
            .and_then(|u| u.port())
            .unwrap_or(5432);
        Self {
            url,
            port,
            local: None,
        }
    }

    /// The server's URL, connected to its maintenance database (`postgres` for a local
    /// cluster: `postgres://postgres@127.0.0.1:PORT/postgres`; `DATABASE_URL` verbatim otherwise).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The TCP port the server listens on (for an external server: the URL's, else 5432).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The cluster's temp dir (holding `data/`, `log` and the Unix socket); `None` when external.
    pub fn dir(&self) -> Option<&Path> {
        self.local.as_ref().map(|local| local.dir.as_path())
    }

    /// Whether this handle wraps the `DATABASE_URL` server (then `stop`/`start_again` fail
    /// with [`RestartUnsupported`]).
    pub fn is_external(&self) -> bool {
        self.local.is_none()
    }

    /// Creates a new, uniquely named database (named after `name_hint`, sanitised) and
    /// returns its URL, so each test gets an empty database on the shared server.
    ///
    /// Databases are not dropped individually: a local cluster takes them along when it
    /// goes; on an external server they remain (their names start with the hint).
    pub fn create_database(&self, name_hint: &str) -> anyhow::Result<String> {
        psql::create_database(&self.url, name_hint)
    }

    /// Stops the server at once (`pg_ctl -m immediate`, i.e. like a crash), keeping its data,
    /// so a test can watch the application cope with a database outage.
    pub fn stop(&mut self) -> anyhow::Result<()> {
        let local = self.local.as_mut().ok_or(RestartUnsupported)?;
        local.pg_ctl_stop()?;
        local.running = false;
        Ok(())
    }

    /// Starts a [`stop`](Self::stop)ped server again, on the same directory and port
    /// (so URLs handed out earlier work again; it fails if the port was taken meanwhile).
    pub fn start_again(&mut self) -> anyhow::Result<()> {
        let port = self.port;
        let local = self.local.as_mut().ok_or(RestartUnsupported)?;
        if local.running {
            bail!("the cluster on port {port} is already running");
        }
        local.pg_ctl_start(port).map_err(StartError::into_inner)?;
        local.running = true;
        Ok(())
    }
}

impl std::fmt::Debug for PostgresCluster {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresCluster")
            .field("url", &self.url)
            .field("dir", &self.dir())
            .field("running", &self.local.as_ref().map(|l| l.running))
            .finish()
    }
}

impl Drop for PostgresCluster {
    fn drop(&mut self) {
        let Some(local) = self.local.as_mut() else {
            return;
        };
        if local.running
            && let Err(err) = local.pg_ctl_stop()
        {
            // Still remove the dir: a postmaster whose postmaster.pid vanished shuts down.
            warn(format_args!("stopping the test cluster failed: {err:#}"));
        }
        match std::fs::remove_dir_all(&local.dir) {
            Err(err) if err.kind() != std::io::ErrorKind::NotFound => {
                warn(format_args!(
                    "removing {} failed: {err}",
                    local.dir.display()
                ));
            }
            _ => {}
        }
        // Its stop/rm are no-ops now; this just reaps it so no zombie is left behind.
        if let Some(watchdog) = local.watchdog.take() {
            watchdog.fire_and_wait();
        }
    }
}

/// Drop must never panic, and `eprintln!` panics when stderr is broken.
fn warn(message: std::fmt::Arguments<'_>) {
    let _ = writeln!(std::io::stderr(), "twinstack-local-stack: {message}");
}

/// Why `pg_ctl start` failed: only a lost race for the port is worth a retry.
enum StartError {
    PortTaken(anyhow::Error),
    Other(anyhow::Error),
}

impl StartError {
    fn into_inner(self) -> anyhow::Error {
        match self {
            Self::PortTaken(err) | Self::Other(err) => err,
        }
    }
}

impl LocalCluster {
    fn data_dir(&self) -> PathBuf {
        self.dir.join("data")
    }

    fn log_file(&self) -> PathBuf {
        self.dir.join("log")
    }

    fn pg_ctl(&self) -> Command {
        let mut cmd = as_owner(&self.pg_ctl, &self.dir);
        cmd.arg("-D").arg(self.data_dir());
        cmd
    }

    fn pg_ctl_start(&self, port: u16) -> Result<(), StartError> {
        // The log is appended to across restarts; only this attempt's part explains a failure.
        let log = self.log_file();
        let log_offset = std::fs::metadata(&log).map_or(0, |m| m.len());
        // -k: the Unix socket goes into our dir, not /var/run/postgresql (which may not exist
        // or belong to a system cluster). fsync=off: throwaway data, faster tests.
        let options = format!(
            "-p {port} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200",
            self.dir.display()
        );
        let result = run(self
            .pg_ctl()
            .arg("-o")
            .arg(options)
            .arg("-l")
            .arg(&log)
            .args(["-w", "start"]));
        result.map(drop).map_err(|err| {
            let tail = read_from(&log, log_offset);
            let err = err.context(format!(
                "starting postgres on 127.0.0.1:{port} failed; server log:\n{tail}"
            ));
            if PORT_TAKEN_MARKERS.iter().any(|m| tail.contains(m)) {
                StartError::PortTaken(err)
            } else {
                StartError::Other(err)
            }
        })
    }

    fn pg_ctl_stop(&self) -> anyhow::Result<()> {
        run(self.pg_ctl().args(["-m", "immediate", "-w", "stop"]))
            .context("pg_ctl stop failed")
            .map(drop)
    }
}

/// Creates a fresh `/tmp/twinstack-pg-<pid>-<n>` (mode 0700) owned by the cluster owner.
fn make_cluster_dir() -> anyhow::Result<PathBuf> {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let owner = if running_as_root() {
        Some(postgres_user_ids()?)
    } else {
        None
    };
    loop {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let dir = Path::new(TEMP_ROOT).join(format!("twinstack-pg-{}-{n}", std::process::id()));
        match DirBuilder::new().mode(0o700).create(&dir) {
            Ok(()) => {}
            // Left behind by an earlier process with the same pid: pick the next name.
            Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(err) => return Err(err).with_context(|| format!("creating {}", dir.display())),
        }
        if let Some((uid, gid)) = owner
            && let Err(err) = std::os::unix::fs::chown(&dir, Some(uid), Some(gid))
        {
            let _ = std::fs::remove_dir(&dir);
            return Err(err).with_context(|| format!("chown postgres {}", dir.display()));
        }
        return Ok(dir);
    }
}

fn arm_watchdog(dir: &Path, pg_ctl: &Path) -> anyhow::Result<Watchdog> {
    let mut argv = as_owner_prefix();
    argv.push(pg_ctl.to_string_lossy().into_owned());
    Watchdog::arm(dir, &argv)
}

/// The part of `path` past `offset`, lossily decoded; empty when unreadable.
fn read_from(path: &Path, offset: u64) -> String {
    let bytes = std::fs::read(path).unwrap_or_default();
    let start = usize::try_from(offset).unwrap_or(0).min(bytes.len());
    String::from_utf8_lossy(&bytes[start..]).into_owned()
}
