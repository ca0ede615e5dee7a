//! [`MotoS3`]: moto's server mode (`moto_server`, PyPI `moto[server]`, installed by
//! `deploy/scripts/install-deps.sh moto`) as an S3-compatible server on a free loopback port, for
//! the tests of code that reads and writes S3. It keeps everything in memory and accepts any
//! SigV4-looking credentials.
//!
//! Dropping it kills it; a watchdog does the same if the test process dies without running
//! `Drop` (see `watchdog.rs`).

use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

use crate::net::free_port;
use crate::watchdog::Watchdog;

const INSTALL_HINT: &str = "install it with `deploy/scripts/install-deps.sh moto`";
const START_TIMEOUT: Duration = Duration::from_secs(60);
const PROBE_INTERVAL: Duration = Duration::from_millis(100);
const IO_TIMEOUT: Duration = Duration::from_secs(5);
/// Kills the server: `$1` = pid.
const CLEANUP: &str = r#"kill -KILL "$1" 2>/dev/null"#;

/// A running `moto_server -H 127.0.0.1 -p PORT`.
pub struct MotoS3 {
    child: Child,
    port: u16,
    /// Kills it if this process dies first; `None` only once fired.
    watchdog: Option<Watchdog>,
}

impl MotoS3 {
    /// Starts a server on a free port and waits until it answers.
    pub fn start() -> anyhow::Result<Self> {
        let port = free_port();
        let mut child = Command::new("moto_server")
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .with_context(|| format!("could not run `moto_server`; {INSTALL_HINT}"))?;
        let pid = child.id().to_string();
        let watchdog = match Watchdog::arm_with("twinstack-moto-watchdog", CLEANUP, [pid.as_ref()])
        {
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
    }
}
