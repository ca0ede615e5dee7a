//! `twinstack-server`: `serve` (default) or `migrate`.

use anyhow::Context;
use clap::{Parser, Subcommand};
use tokio::net::TcpListener;
use tracing_subscriber::EnvFilter;
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
    tracing_subscriber::fmt()
        .json()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .init();
    let cli = Cli::parse();
    match cli.command.unwrap_or(Command::Serve) {
        Command::Migrate => twinstack_server::migrate(&cli.config).await,
        Command::Serve => {
            let address = (cli.config.host, cli.config.port);
            let listener = TcpListener::bind(address)
                .await
                .with_context(|| format!("binding {address:?}"))?;
            tracing::info!(address = %listener.local_addr()?, "listening");
            twinstack_server::serve(cli.config, listener, twinstack_server::shutdown_signal()).await
        }
    }
}
