//! Exercises real Postgres clusters: databases, outages, cleanup on drop and on process death.

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use twinstack_local_stack::{PostgresCluster, RestartUnsupported, pg_bin, psql, shared};

/// Tells the [`watchdog_child`] helper test what to do (`exit`, `hang` or `external`).
const CHILD_MODE_ENV: &str = "TWINSTACK_TESTKIT_CHILD_MODE";
/// How the helper reports its cluster to the parent on stdout.
const CHILD_REPORT_PREFIX: &str = "TESTKIT_CLUSTER";

fn port_is_free(port: u16) -> bool {
    TcpListener::bind(("127.0.0.1", port)).is_ok()
}

/// Polls `cond` for up to `timeout`: the watchdog works asynchronously (and sleeps in `cat`).
fn eventually(timeout: Duration, mut cond: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        if cond() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    cond()
}

#[test]
fn shared_cluster_gives_each_test_its_own_database() {
    let pg = shared();
    let first = pg.create_database("first db").unwrap();
    let second = pg.create_database("first db").unwrap();
    assert_ne!(first, second);

    assert_eq!(psql(&first, "SELECT 1").unwrap(), "1");
    assert_eq!(psql(&second, "SELECT 1").unwrap(), "1");

    // Separate databases, not just separate names: a table in one is absent from the other.
    psql(&first, "CREATE TABLE only_here (id int)").unwrap();
    assert_eq!(
        psql(
            &first,
            "SELECT count(*) FROM pg_tables WHERE tablename = 'only_here'"
        )
        .unwrap(),
        "1"
    );
    assert_eq!(
        psql(
            &second,
            "SELECT count(*) FROM pg_tables WHERE tablename = 'only_here'"
        )
        .unwrap(),
        "0"
    );
    let name = psql(&first, "SELECT current_database()").unwrap();
    assert!(name.starts_with("first_db_"), "{name}");
}

#[test]
fn shared_cluster_is_started_once() {
    assert!(std::ptr::eq(shared(), shared()));
}

#[test]
fn stop_start_again_and_drop() {
    let mut pg = PostgresCluster::start_local().unwrap();
    let port = pg.port();
    let dir = pg.dir().unwrap().to_path_buf();
    assert!(dir.starts_with("/tmp"), "{}", dir.display());
    assert_eq!(
        pg.url(),
        format!("postgres://postgres@127.0.0.1:{port}/postgres")
    );
    assert!(!pg.is_external());

    let db = pg.create_database("outage").unwrap();
    psql(
        &db,
        "CREATE TABLE kept (v int); INSERT INTO kept VALUES (42)",
    )
    .unwrap();
    assert_eq!(psql(&db, "SELECT 1").unwrap(), "1");

    pg.stop().unwrap();
    let err = psql(&db, "SELECT 1").expect_err("the server is down");
    assert!(format!("{err:#}").contains("psql"), "{err:#}");
    assert!(pg.stop().is_err(), "stopping twice should fail");

    pg.start_again().unwrap();
    assert_eq!(psql(&db, "SELECT 1").unwrap(), "1");
    // Same data dir: what was committed before the immediate stop survived crash recovery.
    assert_eq!(psql(&db, "SELECT v FROM kept").unwrap(), "42");
    assert!(
        pg.start_again().is_err(),
        "starting a running cluster should fail"
    );

    drop(pg);
    assert!(!dir.exists(), "{} should be gone", dir.display());
    assert!(port_is_free(port), "port {port} should be free");
    assert!(psql(&db, "SELECT 1").is_err());
}

#[test]
fn two_private_clusters_run_side_by_side() {
    let a = PostgresCluster::start_local().unwrap();
    let b = PostgresCluster::start_local().unwrap();
    assert_ne!(a.port(), b.port());
    assert_ne!(a.dir(), b.dir());
    assert_eq!(psql(a.url(), "SELECT 1").unwrap(), "1");
    assert_eq!(psql(b.url(), "SELECT 1").unwrap(), "1");
}

#[test]
fn database_url_selects_an_external_server_that_cannot_be_restarted() {
    // A private cluster stands in for "someone else's server"; a child process gets its URL
    // as DATABASE_URL (setting it in this multi-threaded process would race other tests).
    let real = PostgresCluster::start_local().unwrap();
    let (mut child, report) = spawn_child("external", Some(real.url()));
    assert!(child.wait().unwrap().success());
    let [external, url, port, db, stop_err] = &report[..] else {
        panic!("unexpected report {report:?}");
    };
    assert_eq!(external, "external=true");
    assert_eq!(url, real.url());
    assert_eq!(port.parse::<u16>().unwrap(), real.port());
    assert_eq!(stop_err, "stop=RestartUnsupported");
    assert!(
        db.starts_with(&format!(
            "postgres://postgres@127.0.0.1:{}/ext_",
            real.port()
        )),
        "{db}"
    );
    // The database it made is real, and dropping its handle left the server running.
    assert_eq!(psql(db, "SELECT 1").unwrap(), "1");
    assert_eq!(psql(real.url(), "SELECT 1").unwrap(), "1");
}

#[test]
fn pg_bin_finds_installed_tools_and_explains_missing_ones() {
    let psql_path = pg_bin("psql").unwrap();
    assert!(psql_path.is_file(), "{}", psql_path.display());
    let err = pg_bin("no-such-pg-tool").unwrap_err().to_string();
    assert!(err.contains("apt-get install -y postgresql"), "{err}");
}

/// Not a test on its own: the child-process tests below re-run this binary with
/// [`CHILD_MODE_ENV`] set, to get a process that holds a cluster. Without it, a no-op.
#[test]
fn watchdog_child() {
    let Ok(mode) = std::env::var(CHILD_MODE_ENV) else {
        return;
    };
    let report = |fields: &[&str]| println!("\n{CHILD_REPORT_PREFIX} {}", fields.join(" "));
    if mode == "external" {
        let mut pg = PostgresCluster::start().unwrap();
        let db = pg.create_database("ext").unwrap();
        let stop = match pg.stop() {
            Err(err) if err.is::<RestartUnsupported>() => "stop=RestartUnsupported".to_owned(),
            other => format!("stop={other:?}"),
        };
        let external = format!("external={}", pg.is_external());
        report(&[&external, pg.url(), &pg.port().to_string(), &db, &stop]);
        return;
    }
    let pg = shared();
    report(&[&pg.port().to_string(), &pg.dir().unwrap().to_string_lossy()]);
    if mode == "hang" {
        // Bounded, so a parent that fails before killing us cannot leave us around for
        // ever (we share its stderr, which would keep a CI log pipe open).
        std::thread::sleep(Duration::from_secs(120));
    }
}

/// Starts this test binary running only [`watchdog_child`] in `mode` (with `DATABASE_URL`
/// set to `database_url` or removed), and returns it with the fields it reported.
fn spawn_child(mode: &str, database_url: Option<&str>) -> (Child, Vec<String>) {
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.args([
        "--exact",
        "watchdog_child",
        "--nocapture",
        "--test-threads=1",
    ])
    .env(CHILD_MODE_ENV, mode)
    .stdout(Stdio::piped())
    .stderr(Stdio::inherit());
    match database_url {
        Some(url) => cmd.env("DATABASE_URL", url),
        None => cmd.env_remove("DATABASE_URL"),
    };
    let mut child = cmd.spawn().unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    while stdout.read_line(&mut line).unwrap() > 0 {
        // libtest prints "test watchdog_child ... " on the same line before our output.
        if let Some((_, report)) = line.split_once(CHILD_REPORT_PREFIX) {
            let fields = report.split_whitespace().map(str::to_owned).collect();
            // Keep reading: closing the pipe would fail the child's remaining output (EPIPE).
            std::thread::spawn(move || std::io::copy(&mut stdout, &mut std::io::sink()));
            return (child, fields);
        }
        line.clear();
    }
    panic!("child exited without reporting: {:?}", child.wait());
}

/// [`spawn_child`] for the shared-cluster modes: the child's cluster port and dir.
fn spawn_cluster_child(mode: &str) -> (Child, u16, PathBuf) {
    let (child, report) = spawn_child(mode, None);
    let [port, dir] = &report[..] else {
        panic!("unexpected report {report:?}");
    };
    (child, port.parse().unwrap(), PathBuf::from(dir))
}

fn assert_cleaned_up(port: u16, dir: &Path) {
    assert!(
        eventually(Duration::from_secs(30), || !dir.exists()),
        "{} should have been removed",
        dir.display()
    );
    assert!(
        eventually(Duration::from_secs(10), || port_is_free(port)),
        "port {port} should be free"
    );
}

#[test]
fn shared_cluster_is_cleaned_up_when_the_process_exits() {
    let (mut child, port, dir) = spawn_cluster_child("exit");
    assert!(child.wait().unwrap().success());
    assert_cleaned_up(port, &dir);
}

/// Kills the child when dropped, so a failing assertion does not leave it running.
struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn shared_cluster_is_cleaned_up_when_the_process_is_killed() {
    let (child, port, dir) = spawn_cluster_child("hang");
    let child = KillOnDrop(child);
    let url = format!("postgres://postgres@127.0.0.1:{port}/postgres");
    assert_eq!(psql(&url, "SELECT 1").unwrap(), "1");
    drop(child); // SIGKILL: no destructors, no atexit
    assert_cleaned_up(port, &dir);
    assert!(psql(&url, "SELECT 1").is_err());
}
