//! Configuration from the environment; every variable has a flag of the same meaning.

use std::net::IpAddr;
use std::time::Duration;

use clap::Args;
/// The type of [`Config::request_timeout`], for those who build a `Config` in code.
pub use twinstack_http::RequestTimeout;

#[derive(Args, Clone, Debug)]
pub struct Config {
    /// Postgres connection URL.
    #[arg(long, env = "DATABASE_URL", hide_env_values = true)]
    pub database_url: String,

    /// Address to listen on.
    #[arg(long, env = "HOST", default_value = "0.0.0.0")]
    pub host: IpAddr,

    /// Port to listen on (0 picks a free one and logs it).
    #[arg(long, env = "PORT", default_value_t = 8080)]
    pub port: u16,

    /// Port of the Prometheus `/metrics` listener, on the same HOST and never on the API port.
    /// 0 disables metrics entirely: no recorder is installed and nothing listens.
    #[arg(long, env = "METRICS_PORT", default_value_t = 9090)]
    pub metrics_port: u16,

    /// Pool size. Replicas × this must fit the database's max_connections at the autoscaler's maximum.
    #[arg(long, env = "DATABASE_MAX_CONNECTIONS", default_value_t = 10)]
    pub database_max_connections: u32,

    /// A request still running after this many milliseconds (at least 100) answers 503 `unavailable`.
    #[arg(
        long = "request-timeout-ms",
        value_name = "REQUEST_TIMEOUT_MS",
        env = "REQUEST_TIMEOUT_MS",
        default_value_t
    )]
    pub request_timeout: RequestTimeout,

    /// After SIGTERM/SIGINT, in-flight requests get this long to finish.
    #[arg(long, env = "SHUTDOWN_TIMEOUT_SECS", default_value_t = 25)]
    pub shutdown_timeout_secs: u64,

    /// Frames queued for one WebSocket client; a client this far behind is closed with 1013.
    #[arg(long, env = "WS_OUTBOX_FRAMES", default_value_t = 256)]
    pub ws_outbox_frames: usize,

    /// Requests served at once; past this, a request answers 503 `unavailable` with Retry-After
    /// at once. Probes are never refused.
    #[arg(long, env = "MAX_IN_FLIGHT_REQUESTS", default_value_t = 256)]
    pub max_in_flight_requests: usize,

    #[command(flatten)]
    pub connections: ConnectionLimits,
}

/// What one client connection may hold: time, header bytes, and its share of the server.
#[derive(Args, Clone, Debug, PartialEq, Eq)]
pub struct ConnectionLimits {
    /// A request's headers must arrive within this many seconds of the connection's accept, or on
    /// a kept-alive connection of the next request's first byte; then the connection is closed.
    #[arg(long, env = "HEADER_READ_TIMEOUT_SECS", default_value_t = 10)]
    pub header_read_timeout_secs: u64,

    /// A keep-alive connection that has neither sent nor received a byte for this many seconds is
    /// closed (after its request in flight, if any). Behind a load balancer, keep it above the
    /// balancer's idle timeout, or it may reuse a connection being closed and answer 502.
    #[arg(long, env = "KEEP_ALIVE_TIMEOUT_SECS", default_value_t = 5)]
    pub keep_alive_timeout_secs: u64,

    /// Request line and headers larger than this answer 431 (at least 8192).
    #[arg(
        long,
        env = "MAX_HEADER_BYTES",
        default_value_t = 32 * 1024,
        value_parser = clap::value_parser!(u32).range(8192..)
    )]
    pub max_header_bytes: u32,

    /// Connections served at once; further ones wait in the listen backlog until one closes.
    #[arg(long, env = "MAX_CONNECTIONS", default_value_t = 2048)]
    pub max_connections: usize,
}

impl Default for ConnectionLimits {
    /// The defaults the flags have.
    fn default() -> Self {
        Self {
            header_read_timeout_secs: 10,
            keep_alive_timeout_secs: 5,
            max_header_bytes: 32 * 1024,
            max_connections: 2048,
        }
    }
}

impl ConnectionLimits {
    pub fn header_read_timeout(&self) -> Duration {
        Duration::from_secs(self.header_read_timeout_secs)
    }

    pub fn keep_alive_timeout(&self) -> Duration {
        Duration::from_secs(self.keep_alive_timeout_secs)
    }
}

impl Config {
    /// Half the request timeout: waiting for a connection must leave the query time to run and the
    /// 503 time to be sent before the request timeout fires.
    pub fn acquire_timeout(&self) -> Duration {
        self.request_timeout.duration() / 2
    }

    pub fn shutdown_timeout(&self) -> Duration {
        Duration::from_secs(self.shutdown_timeout_secs)
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::ConnectionLimits;

    #[derive(Parser)]
    struct Flags {
        #[command(flatten)]
        limits: ConnectionLimits,
    }

    #[test]
    fn connection_limits_default_to_what_their_flags_default_to() {
        assert_eq!(
            Flags::parse_from(["twinstack-server"]).limits,
            ConnectionLimits::default()
        );
    }
}
