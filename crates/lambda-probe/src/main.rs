//! `twinstack-lambda-probe`: a minimal Lambda Runtime API that starts a function binary against
//! itself and measures it.
//!
//! - `init`: N fresh starts; init duration = process spawn → first `next` call (Lambda's INIT for a
//!   custom runtime). Count, p50, p99, max.
//! - `invoke`: one process, N invocations cycling through proxy events; handler time = event
//!   delivered → response posted, per event name; throughput; VmRSS after the last invocation.
//!   Answers are checked by status, and misses fail the run.
//!
//! Both print a table and, with `--json FILE`, write the figures (µs) as JSON.

mod events;
mod function;
mod init;
mod invoke;
mod stats;

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use twinstack_lambda_probe::runtime_api;

#[derive(Parser)]
#[command(
    version,
    about = "A minimal Lambda Runtime API for measuring a function binary: init duration over fresh starts, warm handler time and RSS"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Start the function N times afresh and time spawn → first `next` call.
    Init(init::InitArgs),
    /// Invoke one function process N times with proxy events and time each handler.
    Invoke(invoke::InvokeArgs),
}

// One thread: the probe only moves a few KiB per invocation, and on a small machine every core it
// leaves alone is one the function under test can use.
#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let result = match Cli::parse().command {
        Command::Init(args) => init::run(args).await,
        Command::Invoke(args) => invoke::run(args).await,
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        // The chain of causes, without the backtrace `RUST_BACKTRACE` would add to `Debug`.
        Err(err) => {
            eprintln!("twinstack-lambda-probe: {err:#}");
            ExitCode::FAILURE
        }
    }
}
