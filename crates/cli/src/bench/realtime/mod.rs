//! The real-time section of `twinstack bench`: on each local twin, `--realtime-subscribers`
//! WebSockets over `--realtime-users` users while orders are created over HTTP at `--realtime-rate`
//! per second ([`drive`]); connect time, delivery latency from the POST's 201, lost and duplicated
//! deliveries, the server's memory per connection and, on the serverless twin, the real-time
//! function's invocations per delivered message. Written to results.json as `realtime`, and as a
//! table in the report.
//!
//! The Kubernetes twin is the bench's `twinstack-server` (`/api/ws`); the serverless twin is
//! `twinstack-realtime-lambda` under its own `cargo lambda watch`, behind the local API Gateway
//! WebSocket harness and fed by the DynamoDB Streams poller harness on the bench's table
//! ([`serverless`]), as the real-time conformance suite runs it.

mod drive;
mod serverless;
mod table;

use anyhow::Context;
use clap::Args;
use serde::{Deserialize, Serialize};
use twinstack_loadgen::report::{Percentiles, percentiles};

use super::procs::{self, Select};
use super::results::Twin;
use super::stack::LocalStack;
use super::{BenchArgs, BuildProfile};
pub use table::table;

#[derive(Args, Debug, Clone)]
pub struct RealtimeArgs {
    /// Real-time section: WebSocket subscribers held open on each twin.
    #[arg(long, default_value_t = 1000)]
    pub realtime_subscribers: u32,
    /// Real-time section: users the subscribers are spread over (ids 1..=N, within --users).
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u32).range(1..))]
    pub realtime_users: u32,
    /// Real-time section: orders created per second over HTTP, round-robin over the users; each is
    /// delivered to subscribers / users connections.
    #[arg(long, default_value_t = 10.0)]
    pub realtime_rate: f64,
    /// Real-time section: seconds of order creation.
    #[arg(long, default_value_t = 20.0)]
    pub realtime_seconds: f64,
    /// Which twins the real-time section runs on.
    #[arg(long, value_enum, default_value_t = RealtimeTwins::Both)]
    pub realtime_twins: RealtimeTwins,
    /// Leave the real-time section out.
    #[arg(long)]
    pub skip_realtime: bool,
    /// With --kubernetes-url of a server on this machine: its process id, so the section reads its
    /// memory per connection (local runs know their server).
    #[arg(long, value_name = "PID")]
    pub realtime_server_pid: Option<u32>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum RealtimeTwins {
    Both,
    Kubernetes,
    Serverless,
}

impl RealtimeArgs {
    pub fn command_line(&self) -> String {
        if self.skip_realtime {
            return " --skip-realtime".to_owned();
        }
        let mut line = format!(
            " --realtime-subscribers {} --realtime-users {} --realtime-rate {} --realtime-seconds {} --realtime-twins {}",
            self.realtime_subscribers,
            self.realtime_users,
            self.realtime_rate,
            self.realtime_seconds,
            format!("{:?}", self.realtime_twins).to_lowercase()
        );
        if let Some(pid) = self.realtime_server_pid {
            line += &format!(" --realtime-server-pid {pid}");
        }
        line
    }

    fn runs_on(&self, twin: Twin) -> bool {
        match self.realtime_twins {
            RealtimeTwins::Both => true,
            RealtimeTwins::Kubernetes => twin == Twin::Kubernetes,
            RealtimeTwins::Serverless => twin == Twin::Serverless,
        }
    }

    fn results(&self, twins: Vec<RealtimeRun>) -> RealtimeResults {
        RealtimeResults {
            subscribers: self.realtime_subscribers,
            users: self.realtime_users,
            orders_per_second: self.realtime_rate,
            seconds: self.realtime_seconds,
            twins,
        }
    }

    fn plan(&self) -> drive::Plan {
        drive::Plan {
            subscribers: self.realtime_subscribers,
            users: self.realtime_users,
            rate: self.realtime_rate,
            seconds: self.realtime_seconds,
        }
    }
}

/// `realtime` in results.json.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RealtimeResults {
    pub subscribers: u32,
    pub users: u32,
    pub orders_per_second: f64,
    pub seconds: f64,
    pub twins: Vec<RealtimeRun>,
}

/// One twin's real-time figures.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RealtimeRun {
    pub twin: Twin,
    pub served_by: String,
    pub ws_url: String,
    /// Connections opened and acknowledged (`subscribed`).
    pub connected: u64,
    pub connect_failures: u64,
    /// From the handshake's start to `subscribed`.
    pub connect_ms: Option<Percentiles>,
    pub orders_created: u64,
    /// Orders not answered 201 (not delivered, not counted as lost).
    pub order_failures: u64,
    /// Σ over created orders of the connections following the order's user.
    pub expected_deliveries: u64,
    pub delivered: u64,
    /// Expected and never received within the settle time: must be 0.
    pub lost: u64,
    /// Received more than once by one connection.
    pub duplicated: u64,
    /// Deliveries per second from the first order to the last delivery.
    pub deliveries_per_second: f64,
    /// From the POST's 201 to the event's receipt.
    pub delivery_ms: Option<Percentiles>,
    /// Connections held × the seconds of order creation, in minutes (what API Gateway bills).
    pub connection_minutes: f64,
    /// The server's RSS before the first connection and with all of them open (Kubernetes twin).
    pub server_rss_before_mib: Option<f64>,
    pub server_rss_connected_mib: Option<f64>,
    /// (RSS with every connection open − RSS before) / connections, KiB.
    pub memory_per_connection_kib: Option<f64>,
    /// The real-time function's invocations during order creation (serverless twin).
    pub lambda_invocations: Option<u64>,
    pub lambda_invocations_per_delivery: Option<f64>,
}

/// Runs the section on the twins `args` asks for; `None` when skipped.
pub async fn run(args: &BenchArgs, stack: &LocalStack) -> anyhow::Result<Option<RealtimeResults>> {
    let realtime = &args.realtime;
    if realtime.skip_realtime {
        return Ok(None);
    }
    anyhow::ensure!(
        realtime.realtime_users <= args.users,
        "--realtime-users {} is more than the {} seeded users",
        realtime.realtime_users,
        args.users
    );
    let mut twins = Vec::new();
    if realtime.runs_on(Twin::Kubernetes) {
        let server = stack
            .kubernetes_processes()
            .into_iter()
            .find_map(|(name, select)| (name == "twinstack-server").then_some(select))
            .context("the server's process")?;
        let rss = move || Some(procs::rss_kib(&server));
        let ws_url = format!(
            "{}/api/ws",
            stack.kubernetes_url.replacen("http://", "ws://", 1)
        );
        twins.push(
            measure(
                realtime,
                Twin::Kubernetes,
                "twinstack-server /api/ws (LISTEN/NOTIFY on the throwaway Postgres)",
                &stack.kubernetes_url,
                &ws_url,
                drive::Probes {
                    rss_kib: &rss,
                    invocations: &|| None,
                },
            )
            .await?,
        );
    }
    if realtime.runs_on(Twin::Serverless) {
        let profile = match args.profile {
            BuildProfile::Debug => twinstack_local_stack::Profile::Debug,
            BuildProfile::Release => twinstack_local_stack::Profile::Release,
        };
        let twin = serverless::ServerlessRealtime::start(
            &std::env::current_dir()?,
            profile,
            args.lambda_concurrency,
            &stack.lambda_env,
        )
        .await?;
        let invocations = || Some(twin.invocations());
        twins.push(
            measure(
                realtime,
                Twin::Serverless,
                "twinstack-realtime-lambda under cargo lambda watch, behind the local API Gateway \
                 WebSocket harness, fed by the DynamoDB Streams poller harness on DynamoDB Local",
                &stack.serverless_url,
                &twin.ws_url,
                drive::Probes {
                    rss_kib: &|| None,
                    invocations: &invocations,
                },
            )
            .await?,
        );
    }
    Ok(Some(realtime.results(twins)))
}

/// The section on a deployed Kubernetes twin (`--kubernetes-url`); `None` when skipped or not
/// asked for. Its users must exist there (ids 1..=--realtime-users).
pub async fn run_deployed(args: &BenchArgs) -> anyhow::Result<Option<RealtimeResults>> {
    let realtime = &args.realtime;
    let Some(url) = args.kubernetes_url.as_deref() else {
        return Ok(None);
    };
    if realtime.skip_realtime || !realtime.runs_on(Twin::Kubernetes) {
        return Ok(None);
    }
    anyhow::ensure!(
        url.starts_with("http://"),
        "the real-time section opens ws:// only (no TLS for WebSockets in this build): \
         pass --skip-realtime for {url}"
    );
    let server = realtime.realtime_server_pid.map(Select::Tree);
    let run = kubernetes(realtime, "deployed", url.trim_end_matches('/'), server).await?;
    Ok(Some(realtime.results(vec![run])))
}

/// The Kubernetes twin at `api_base` (its feed at `/api/ws`), its memory read from `server`.
async fn kubernetes(
    args: &RealtimeArgs,
    served_by: &str,
    api_base: &str,
    server: Option<Select>,
) -> anyhow::Result<RealtimeRun> {
    let rss = move || server.as_ref().map(procs::rss_kib);
    let ws_url = format!("{}/api/ws", api_base.replacen("http://", "ws://", 1));
    measure(
        args,
        Twin::Kubernetes,
        served_by,
        api_base,
        &ws_url,
        drive::Probes {
            rss_kib: &rss,
            invocations: &|| None,
        },
    )
    .await
}

async fn measure(
    args: &RealtimeArgs,
    twin: Twin,
    served_by: &str,
    api_base: &str,
    ws_url: &str,
    probes: drive::Probes<'_>,
) -> anyhow::Result<RealtimeRun> {
    eprintln!(
        "\n{}: real-time, {} subscribers over {} users, {} orders/s for {} s ({ws_url})",
        twin.label(),
        args.realtime_subscribers,
        args.realtime_users,
        args.realtime_rate,
        args.realtime_seconds
    );
    let measured = drive::measure(api_base, ws_url, args.plan(), probes).await?;
    let mib = |kib: u64| super::results::round(kib as f64 / 1024.0, 1);
    let window = measured.delivery_window.as_secs_f64();
    let run = RealtimeRun {
        twin,
        served_by: served_by.to_owned(),
        ws_url: ws_url.to_owned(),
        connected: measured.connected,
        connect_failures: measured.connect_failures,
        connect_ms: percentiles(&measured.connect_us),
        orders_created: measured.orders_created,
        order_failures: measured.order_failures,
        expected_deliveries: measured.expected_deliveries,
        delivered: measured.delivered,
        lost: measured.expected_deliveries - measured.delivered,
        duplicated: measured.duplicated,
        deliveries_per_second: if window > 0.0 {
            super::results::round(measured.delivered as f64 / window, 1)
        } else {
            0.0
        },
        delivery_ms: percentiles(&measured.delivery_us),
        connection_minutes: super::results::round(
            measured.connected as f64 * args.realtime_seconds / 60.0,
            1,
        ),
        server_rss_before_mib: measured.rss_kib.map(|(before, _)| mib(before)),
        server_rss_connected_mib: measured.rss_kib.map(|(_, connected)| mib(connected)),
        memory_per_connection_kib: measured.rss_kib.filter(|_| measured.connected > 0).map(
            |(before, connected)| {
                super::results::round(
                    connected.saturating_sub(before) as f64 / measured.connected as f64,
                    2,
                )
            },
        ),
        lambda_invocations: measured.invocations,
        lambda_invocations_per_delivery: measured
            .invocations
            .filter(|_| measured.delivered > 0)
            .map(|calls| super::results::round(calls as f64 / measured.delivered as f64, 4)),
    };
    eprintln!(
        "{}: {} connected ({} failed), {} of {} deliveries ({} lost, {} duplicated), delivery p99 {} ms",
        twin.label(),
        run.connected,
        run.connect_failures,
        run.delivered,
        run.expected_deliveries,
        run.lost,
        run.duplicated,
        run.delivery_ms
            .map_or("–".to_owned(), |p| p.p99.to_string())
    );
    Ok(run)
}
