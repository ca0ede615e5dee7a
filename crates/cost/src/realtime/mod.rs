//! `twinstack cost --realtime`: the real-time feed (issue 12) a month on each stack, by concurrent
//! connections, and where the two cross.
//!
//! - **Serverless** (infra/lib/realtime.ts): API Gateway WebSocket connection minutes and messages
//!   (sent and received, each metered in 32 KB increments), Lambda invocations for every route
//!   message, `$connect`, `$disconnect` and stream batch, DynamoDB writes of the connection and
//!   subscription items and reads of the fan-out queries, and DynamoDB Streams reads (free to a
//!   Lambda trigger, shown at $0 with the page that says so).
//! - **Kubernetes** (`/api/ws` of twinstack-server): the pods the connections need — by memory per
//!   connection or by deliveries per second per core, whichever needs more, never fewer than the
//!   chart's minimum replicas — priced as their requests' share of the twin's nodes, and the load
//!   balancer that holds the sockets (its hour and its active-connection capacity units).
//!
//! The order writes that cause the events are the API's, priced by `twinstack cost`, not here.
//! Measured figures come from a results file's `realtime` section ([`inputs`]); every figure not
//! measured is a named assumption, printed as such.

mod inputs;
mod model;
mod prices;
mod report;

use std::path::{Path, PathBuf};

pub use inputs::{Figure, RealtimeInputs};
pub use model::{Month, StackMonth, crossover, month};
pub use prices::RealtimePrices;

use crate::pricing::{Pricing, PricingError};

/// `twinstack cost --realtime` and the traffic it prices per connection.
#[derive(clap::Args, Debug, Clone)]
pub struct RealtimeArgs {
    /// Price the real-time feed by concurrent connections instead of the API's month.
    #[arg(long)]
    pub realtime: bool,
    /// The concurrent connections whose line items are listed.
    #[arg(long, default_value_t = 10_000.0)]
    pub realtime_connections: f64,
    /// Order events each connection receives a minute.
    #[arg(long, default_value_t = inputs::DELIVERIES_PER_MINUTE)]
    pub deliveries_per_minute: f64,
    /// Pings each connection sends a minute (each answered by a pong).
    #[arg(long, default_value_t = inputs::PINGS_PER_MINUTE)]
    pub pings_per_minute: f64,
}

#[derive(Debug, thiserror::Error)]
pub enum RealtimeCostError {
    #[error("crates/cost/pricing/realtime.json: {0}")]
    Prices(String),
    #[error("crates/cost/pricing/realtime.json has no prices for {0} (it has {1})")]
    UnknownRegion(String, String),
    #[error("the region's pricing file has no {0} instance")]
    UnknownNode(String),
    #[error("{path}: {reason}")]
    Results { path: String, reason: String },
    #[error("{0}")]
    Inputs(String),
    #[error(transparent)]
    Pricing(#[from] PricingError),
}

/// Runs `twinstack cost --realtime` for `region` (the pricing file's, or `pricing`'s own),
/// measured figures from `from` when given.
pub fn run(
    region: &str,
    pricing: Option<&Path>,
    from: Option<&PathBuf>,
    args: &RealtimeArgs,
) -> Result<(), RealtimeCostError> {
    print!("{}", render(region, pricing, from, args)?);
    Ok(())
}

/// The report `run` prints.
pub fn render(
    region: &str,
    pricing: Option<&Path>,
    from: Option<&PathBuf>,
    args: &RealtimeArgs,
) -> Result<String, RealtimeCostError> {
    let pricing = match pricing {
        Some(path) => Pricing::from_file(path)?,
        None => Pricing::builtin(region)?,
    };
    let prices = RealtimePrices::builtin(&pricing.region)?;
    let mut inputs = match from {
        Some(path) => RealtimeInputs::from_results_file(path)?,
        None => RealtimeInputs::assumed(),
    };
    inputs.deliveries_per_minute = Figure::traffic(
        args.deliveries_per_minute,
        inputs::DELIVERIES_PER_MINUTE,
        "--deliveries-per-minute",
    );
    inputs.pings_per_minute = Figure::traffic(
        args.pings_per_minute,
        inputs::PINGS_PER_MINUTE,
        "--pings-per-minute",
    );
    inputs.check()?;
    if !(args.realtime_connections.is_finite() && args.realtime_connections >= 1.0) {
        return Err(RealtimeCostError::Inputs(format!(
            "--realtime-connections must be at least 1, got {}",
            args.realtime_connections
        )));
    }
    report::render(&inputs, &pricing, &prices, args.realtime_connections)
}
