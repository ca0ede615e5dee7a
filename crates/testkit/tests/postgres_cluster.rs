//! Exercises real Postgres clusters: databases, outages, cleanup on drop and on process death.

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use twinstack_testkit::{PostgresCluster, pg_bin, psql, shared};

/// Tells the [`watchdog_child`] helper test to start the shared cluster (`exit` or `hang`).
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
fn external_database_url_is_used_and_not_restartable() {
    // Stand in a local cluster for "someone else's server" by handing its URL over.
    let real = PostgresCluster::start_local().unwrap();
    let mut external = with_database_url(real.url(), PostgresCluster::start).unwrap();
    assert!(external.is_external());
    assert_eq!(external.url(), real.url());
    assert_eq!(external.port(), real.port());
    assert_eq!(external.dir(), None);

    let db = external.create_database("ext").unwrap();
    assert!(db.starts_with(&format!(
        "postgres://postgres@127.0.0.1:{}/ext_",
        real.port()
    )));
    assert_eq!(psql(&db, "SELECT 1").unwrap(), "1");

    let err = external.stop().unwrap_err();
    assert!(err.is::<twinstack_testkit::RestartUnsupported>(), "{err:#}");
    let err = external.start_again().unwrap_err();
    assert!(err.is::<twinstack_testkit::RestartUnsupported>(), "{err:#}");

    drop(external);
    // Dropping the handle must leave the external server alone.
    assert_eq!(psql(real.url(), "SELECT 1").unwrap(), "1");
}

/// Runs `f` with `DATABASE_URL` set to `url`.
///
/// Only this test reads the variable at a time it matters: every other test here either
/// calls `start_local` or got the shared cluster before (`shared()` is primed first), and
/// the child-process tests clear the variable explicitly.
fn with_database_url<T>(url: &str, f: impl FnOnce() -> T) -> T {
    shared();
    // SAFETY: no other thread in this test binary reads or writes the environment
    // concurrently except libtest and `Command` spawns, which only read it; see above.
    unsafe { std::env::set_var("DATABASE_URL", url) };
    let result = f();
    // SAFETY: as above.
    unsafe { std::env::remove_var("DATABASE_URL") };
    result
}

#[test]
fn pg_bin_finds_installed_tools_and_explains_missing_ones() {
    let psql_path = pg_bin("psql").unwrap();
    assert!(psql_path.is_file(), "{}", psql_path.display());
    let err = pg_bin("no-such-pg-tool").unwrap_err().to_string();
    assert!(err.contains("apt-get install -y postgresql"), "{err}");
}

/// Not a test on its own: the child-process tests below re-run this binary with
/// [`CHILD_MODE_ENV`] set to get a process holding the shared cluster. Without it, no-op.
#[test]
fn watchdog_child() {
    let Ok(mode) = std::env::var(CHILD_MODE_ENV) else {
        return;
    };
    let pg = shared();
    println!(
        "{CHILD_REPORT_PREFIX} {} {}",
        pg.port(),
        pg.dir().unwrap().display()
    );
    if mode == "hang" {
        loop {
            std::thread::sleep(Duration::from_secs(60));
        }
    }
}

/// Starts this test binary running only [`watchdog_child`] in `mode`, and returns it once it
/// has reported its shared cluster's port and dir.
fn spawn_child(mode: &str) -> (Child, u16, PathBuf) {
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "watchdog_child",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_MODE_ENV, mode)
        .env_remove("DATABASE_URL")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let stdout = BufReader::new(child.stdout.take().unwrap());
    for line in stdout.lines() {
        let line = line.unwrap();
        if let Some(report) = line.strip_prefix(CHILD_REPORT_PREFIX) {
            let (port, dir) = report.trim().split_once(' ').unwrap();
            return (child, port.parse().unwrap(), PathBuf::from(dir));
        }
    }
    panic!(
        "child exited without reporting its cluster: {:?}",
        child.wait()
    );
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
    let (mut child, port, dir) = spawn_child("exit");
    assert!(child.wait().unwrap().success());
    assert_cleaned_up(port, &dir);
}

#[test]
fn shared_cluster_is_cleaned_up_when_the_process_is_killed() {
    let (mut child, port, dir) = spawn_child("hang");
    let url = format!("postgres://postgres@127.0.0.1:{port}/postgres");
    assert_eq!(psql(&url, "SELECT 1").unwrap(), "1");
    child.kill().unwrap(); // SIGKILL: no destructors, no atexit
    child.wait().unwrap();
    assert_cleaned_up(port, &dir);
    assert!(psql(&url, "SELECT 1").is_err());
}
