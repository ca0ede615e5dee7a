//! `twinstack-server`: `serve` (default) or `migrate`.

use anyhow::Context;
use clap::{Parser, Subcommand};
use tokio::net::TcpListener;
use twinstack_server::Config;

#[derive(Parser)]
#[command(version, about = "twinstack's Kubernetes twin: the API on Postgres")]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    config: Config,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API (the default).
    Serve,
    /// Apply the database migrations and exit.
    Migrate,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // JSON logs: warnings, errors and the one line per request, as on the Lambda, unless `RUST_LOG`
    // says otherwise (`info` adds every request's INFO span); traces when
    // OTEL_EXPORTER_OTLP_ENDPOINT is set.
    let telemetry = twinstack_telemetry::init(twinstack_telemetry::Options {
        service_name: "twinstack-server",
        default_log_filter: twinstack_telemetry::DEFAULT_LOG_FILTER,
        log_time: true,
        log_writer: twinstack_telemetry::LogWriter::Background,
        xray: false,
    });
    let cli = Cli::parse();
    let result = match cli.command.unwrap_or(Command::Serve) {
        Command::Migrate => twinstack_server::migrate(&cli.config).await,
        Command::Serve => {
            let address = (cli.config.host, cli.config.port);
            let listener = TcpListener::bind(address)
                .await
                .with_context(|| format!("binding {address:?}"))?;
            tracing::info!(address = %listener.local_addr()?, "listening");
            twinstack_server::serve(cli.config, listener, twinstack_server::shutdown_signal()).await
        }
    };
    // Exports the spans still queued.
    telemetry.shutdown();
    result
}
