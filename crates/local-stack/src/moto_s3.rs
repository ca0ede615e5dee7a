//! [`MotoS3`]: moto's server mode (`moto_server`, PyPI `moto[server]`, installed by
//! `deploy/scripts/install-deps.sh moto`) as an S3-compatible server on a free loopback port, for
//! the tests of code that reads and writes S3. It keeps everything in memory and accepts any
//! SigV4-looking credentials.
//!
//! [`MotoS3::requests_served`] counts the requests it has answered, by S3 operation, from its
//! access log: what a run costs in S3 requests, counted rather than assumed.
//!
//! Dropping it kills it; a watchdog does the same if the test process dies without running
//! `Drop` (see `watchdog.rs`).

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

use crate::net::free_port;
use crate::watchdog::Watchdog;

const INSTALL_HINT: &str = "install it with `deploy/scripts/install-deps.sh moto`";
const START_TIMEOUT: Duration = Duration::from_secs(60);
const PROBE_INTERVAL: Duration = Duration::from_millis(100);
const IO_TIMEOUT: Duration = Duration::from_secs(5);
/// Kills the server and removes its log: `$1` = pid, `$2` = the log.
const CLEANUP: &str = r#"kill -KILL "$1" 2>/dev/null; rm -f "$2""#;

/// A running `moto_server -H 127.0.0.1 -p PORT`.
pub struct MotoS3 {
    child: Child,
    port: u16,
    /// Its access log (werkzeug's, on stderr): one line per request answered.
    log: PathBuf,
    /// Kills it if this process dies first; `None` only once fired.
    watchdog: Option<Watchdog>,
}

impl MotoS3 {
    /// Starts a server on a free port and waits until it answers.
    pub fn start() -> anyhow::Result<Self> {
        let port = free_port();
        let log =
            std::env::temp_dir().join(format!("twinstack-moto-{}-{port}.log", std::process::id()));
        let log_file =
            std::fs::File::create(&log).with_context(|| format!("creating {}", log.display()))?;
        let mut child = Command::new("moto_server")
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log_file)
            .spawn()
            .with_context(|| format!("could not run `moto_server`; {INSTALL_HINT}"))?;
        let pid = child.id().to_string();
        let watchdog = match Watchdog::arm_with(
            "twinstack-moto-watchdog",
            CLEANUP,
            [pid.as_ref(), log.as_os_str()],
        ) {
            Ok(watchdog) => watchdog,
            Err(err) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(err);
            }
        };
        let moto = MotoS3 {
            child,
            port,
            log,
            watchdog: Some(watchdog),
        };
        moto.wait_until_ready()?;
        Ok(moto)
    }

    /// `http://127.0.0.1:PORT`, for an S3 client's endpoint override.
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Creates a bucket (path-style `PUT /BUCKET`; moto needs no signature for it).
    pub fn create_bucket(&self, bucket: &str) -> anyhow::Result<()> {
        let status = self.request(&format!(
            "PUT /{bucket} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        ))?;
        if !status.starts_with("HTTP/1.1 200") {
            bail!("creating bucket {bucket}: moto answered {status:?}");
        }
        Ok(())
    }

    /// The requests answered so far, by operation: `LIST` (a bucket listing), otherwise the
    /// method (`GET`, `PUT`, `HEAD`, …). Take one count before and one after what you measure.
    pub fn requests_served(&self) -> anyhow::Result<BTreeMap<String, u64>> {
        let log = std::fs::read_to_string(&self.log)
            .with_context(|| format!("reading {}", self.log.display()))?;
        let mut counts = BTreeMap::new();
        for operation in log.lines().filter_map(s3_operation) {
            *counts.entry(operation).or_insert(0) += 1;
        }
        Ok(counts)
    }

    fn wait_until_ready(&self) -> anyhow::Result<()> {
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            let probe = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
            match self.request(probe) {
                Ok(status) if status.starts_with("HTTP/1.") => return Ok(()),
                Ok(status) => bail!("something else answers on port {}: {status:?}", self.port),
                Err(err) if Instant::now() >= deadline => {
                    return Err(err)
                        .context(format!("moto_server: no answer in {START_TIMEOUT:?}"));
                }
                Err(_) => std::thread::sleep(PROBE_INTERVAL),
            }
        }
    }

    /// Sends a raw HTTP/1.1 request and returns the status line.
    fn request(&self, request: &str) -> anyhow::Result<String> {
        let address = SocketAddr::from((Ipv4Addr::LOCALHOST, self.port));
        let mut stream = TcpStream::connect_timeout(&address, IO_TIMEOUT)?;
        stream.set_read_timeout(Some(IO_TIMEOUT))?;
        stream.write_all(request.as_bytes())?;
        let mut answer = String::new();
        stream.read_to_string(&mut answer)?;
        Ok(answer.lines().next().unwrap_or_default().to_owned())
    }
}

impl Drop for MotoS3 {
    fn drop(&mut self) {
        let _ = self.child.kill();
        if let Some(watchdog) = self.watchdog.take() {
            watchdog.fire_and_wait();
        }
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.log);
    }
}

/// The S3 operation of an access-log line such as
/// `127.0.0.1 - - [03/Dec/2026 16:37:37] "GET /bucket/key HTTP/1.1" 200 -`; `None` for other
/// lines. A GET of the bucket itself (path-style, so one path segment) is a listing.
fn s3_operation(line: &str) -> Option<String> {
    let request = line.split('"').nth(1)?;
    let mut parts = request.split(' ');
    let (method, target) = (parts.next()?, parts.next()?);
    parts.next()?.strip_prefix("HTTP/")?;
    let path = target.split('?').next().unwrap_or_default();
    let bucket_only = path.trim_matches('/').split('/').count() == 1;
    let operation = match method {
        "GET" if bucket_only || target.contains("list-type=") => "LIST",
        method => method,
    };
    Some(operation.to_owned())
}

#[cfg(test)]
mod tests {
    use super::s3_operation;

    #[test]
    fn access_log_lines_count_as_their_s3_operation() {
        let line =
            |request: &str| format!("127.0.0.1 - - [03/Dec/2026 16:37:37] \"{request}\" 200 -");

        assert_eq!(
            s3_operation(&line("GET /b/in/chunk-00001.ndjson HTTP/1.1")).as_deref(),
            Some("GET")
        );
        assert_eq!(
            s3_operation(&line("GET /b?list-type=2&prefix=in%2F HTTP/1.1")).as_deref(),
            Some("LIST")
        );
        assert_eq!(
            s3_operation(&line("PUT /b/out/partials/chunk-00001.json HTTP/1.1")).as_deref(),
            Some("PUT")
        );
        assert_eq!(s3_operation(" * Running on http://127.0.0.1:5000"), None);
    }
}
