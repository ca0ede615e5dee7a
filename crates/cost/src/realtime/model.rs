//! A month of the feed at `connections` concurrent connections, line by line, on each stack, and
//! the connection count where they cross. Monthly quantities are over [`MINUTES_PER_MONTH`], paid
//! rates only (free tiers are the API's to use up).

use super::RealtimeCostError;
use super::inputs::RealtimeInputs;
use super::prices::RealtimePrices;
use crate::pricing::Pricing;

/// 730 hours, as AWS's monthly estimates count a month.
pub const MINUTES_PER_MONTH: f64 = 730.0 * 60.0;
/// API Gateway meters WebSocket messages in 32 KB increments.
pub const MESSAGE_UNIT_BYTES: f64 = 32.0 * 1024.0;
/// The realtime function's memory (infra/lib/realtime.ts), arm64.
pub const LAMBDA_MEMORY_MB: f64 = 128.0;
/// The chart's pod requests (helm/twinstack/values.yaml `resources.requests`) and minimum
/// replicas (`autoscaling.minReplicas`: one per availability zone).
pub const POD_CPU_REQUEST: f64 = 0.25;
pub const POD_MEMORY_REQUEST_MIB: f64 = 256.0;
pub const MIN_REPLICAS: f64 = 3.0;
/// Assumed: the server's RSS before any connection; the rest of the memory request holds sockets.
pub const POD_BASELINE_MIB: f64 = 32.0;
/// The Kubernetes twin's node type.
pub const NODE_TYPE: &str = crate::assumptions::KUBERNETES_NODE_TYPE;
/// Write request units a session makes: the connection item put and deleted.
const SESSION_WRITES: f64 = 2.0;
/// Per subscription: a transaction of the connection's count and both subscription items (3
/// items, billed double as a transaction), then both items deleted on disconnect.
const SUBSCRIPTION_WRITES: f64 = 3.0 * 2.0 + 2.0;
/// Per session: the user lookup of each subscribe and the disconnect's query of its subscriptions.
const SESSION_READS: f64 = 1.0;

/// One priced line.
#[derive(Clone, Debug, PartialEq)]
pub struct Line {
    pub item: String,
    pub quantity: f64,
    pub unit: &'static str,
    pub usd: f64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct StackMonth {
    pub lines: Vec<Line>,
}

impl StackMonth {
    pub fn usd(&self) -> f64 {
        self.lines.iter().map(|line| line.usd).sum()
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Month {
    pub connections: f64,
    pub serverless: StackMonth,
    pub kubernetes: StackMonth,
    /// Pods the Kubernetes twin runs, and what decided it.
    pub pods: f64,
    pub pods_by: &'static str,
}

/// A month at `connections` concurrent connections.
pub fn month(
    connections: f64,
    inputs: &RealtimeInputs,
    pricing: &Pricing,
    prices: &RealtimePrices,
) -> Result<Month, RealtimeCostError> {
    let connection_minutes = connections * MINUTES_PER_MONTH;
    let sessions = connection_minutes / inputs.session_minutes.value;
    let subscriptions = sessions * inputs.subscriptions_per_connection.value;
    let pings = connection_minutes * inputs.pings_per_minute.value;
    let deliveries = connection_minutes * inputs.deliveries_per_minute.value;
    let units_per_frame = (inputs.frame_bytes.value / MESSAGE_UNIT_BYTES)
        .ceil()
        .max(1.0);

    // Serverless. Each ping and subscribe is received and answered (two messages); each order
    // frame is sent, in as many 32 KB units as it takes.
    let messages = 2.0 * (pings + subscriptions) + deliveries * units_per_frame;
    let stream_invocations = deliveries * inputs.lambda_invocations_per_delivery.value;
    let invocations = 2.0 * sessions + subscriptions + pings + stream_invocations;
    let gb_seconds =
        invocations * inputs.lambda_billed_ms.value / 1_000.0 * LAMBDA_MEMORY_MB / 1024.0;
    let writes = sessions * SESSION_WRITES + subscriptions * SUBSCRIPTION_WRITES;
    // One consistent Query of the user's subscribers per delivered event.
    let reads = subscriptions * SESSION_READS + sessions * SESSION_READS + deliveries;
    let per_million = |quantity: f64, price: f64| quantity / 1e6 * price;
    let serverless = StackMonth {
        lines: vec![
            Line {
                item: "API Gateway WebSocket connection minutes".into(),
                quantity: connection_minutes,
                unit: "connection-minutes",
                usd: per_million(
                    connection_minutes,
                    prices.websocket_connection_minutes.price,
                ),
            },
            Line {
                item: format!(
                    "API Gateway WebSocket messages ({units_per_frame} × 32 KB unit per order frame)"
                ),
                quantity: messages,
                unit: "messages",
                usd: per_million(messages, prices.websocket_messages.price),
            },
            Line {
                item: "Lambda requests (routes, $connect/$disconnect, stream batches)".into(),
                quantity: invocations,
                unit: "requests",
                usd: per_million(invocations, pricing.lambda_requests.tiers.headline_price()),
            },
            Line {
                item: format!("Lambda duration, arm64 at {LAMBDA_MEMORY_MB} MB"),
                quantity: gb_seconds,
                unit: "GB-seconds",
                usd: gb_seconds * pricing.lambda_arm64.tiers.headline_price(),
            },
            Line {
                item: "DynamoDB writes (connection and subscription items)".into(),
                quantity: writes,
                unit: "write request units",
                usd: per_million(writes, pricing.dynamodb_writes.tiers.headline_price()),
            },
            Line {
                item: "DynamoDB reads (fan-out queries, user lookups)".into(),
                quantity: reads,
                unit: "read request units",
                usd: per_million(reads, pricing.dynamodb_reads.tiers.headline_price()),
            },
            Line {
                item: "DynamoDB Streams reads by the Lambda trigger".into(),
                quantity: stream_invocations,
                unit: "GetRecords calls",
                usd: per_million(
                    stream_invocations,
                    prices.dynamodb_stream_reads_by_lambda.price,
                ),
            },
        ],
    };

    // Kubernetes: pods enough for the sockets' memory and the frames' CPU, at least the minimum.
    let node = pricing
        .ec2_instances
        .get(NODE_TYPE)
        .ok_or_else(|| RealtimeCostError::UnknownNode(NODE_TYPE.into()))?;
    let hours = MINUTES_PER_MONTH / 60.0;
    let socket_mib = POD_MEMORY_REQUEST_MIB - POD_BASELINE_MIB;
    let by_memory =
        (connections * inputs.memory_per_connection_kb.value / 1024.0 / socket_mib).ceil();
    let frames_per_second =
        connections * (inputs.deliveries_per_minute.value + inputs.pings_per_minute.value) / 60.0;
    let by_cpu =
        (frames_per_second / (inputs.deliveries_per_cpu_second.value * POD_CPU_REQUEST)).ceil();
    let (pods, pods_by) = [
        (MIN_REPLICAS, "the minimum replicas"),
        (by_memory, "memory per connection"),
        (by_cpu, "deliveries per core"),
    ]
    .into_iter()
    .fold(
        (0.0, ""),
        |best, next| if next.0 > best.0 { next } else { best },
    );
    // A pod costs the larger of its CPU and memory requests' shares of a node.
    let node_share =
        (POD_CPU_REQUEST / node.vcpu).max(POD_MEMORY_REQUEST_MIB / 1024.0 / node.memory_gib);
    let node_hour = node.price.tiers.headline_price();
    let new_connections_per_second = connections / inputs.session_minutes.value / 60.0;
    let gb_per_hour = frames_per_second * 3_600.0 * inputs.frame_bytes.value / 1e9;
    let lcus = (connections / prices.alb_active_connections_per_lcu.price)
        .max(new_connections_per_second / pricing.lcu.new_connections_per_second)
        .max(gb_per_hour / pricing.lcu.processed_gb_per_hour);
    let kubernetes = StackMonth {
        lines: vec![
            Line {
                item: format!(
                    "{pods} pods ({POD_CPU_REQUEST} vCPU, {POD_MEMORY_REQUEST_MIB} MiB requested) on {NODE_TYPE}, by {pods_by}"
                ),
                quantity: pods * node_share * hours,
                unit: "node-hours",
                usd: pods * node_share * hours * node_hour,
            },
            Line {
                item: "Application Load Balancer of its own".into(),
                quantity: hours,
                unit: "hours",
                usd: hours * pricing.load_balancer_hours.tiers.headline_price(),
            },
            Line {
                item: "Load balancer capacity units (active connections, new connections, bytes)"
                    .into(),
                quantity: lcus * hours,
                unit: "LCU-hours",
                usd: lcus * hours * pricing.load_balancer_lcu.tiers.headline_price(),
            },
        ],
    };
    Ok(Month {
        connections,
        serverless,
        kubernetes,
        pods,
        pods_by,
    })
}

/// The fewest concurrent connections (within 1 to 10^8) at which the Kubernetes twin costs no more
/// than the serverless one; `None` if it never does in that range.
pub fn crossover(
    inputs: &RealtimeInputs,
    pricing: &Pricing,
    prices: &RealtimePrices,
) -> Result<Option<f64>, RealtimeCostError> {
    let kubernetes_wins = |connections: f64| -> Result<bool, RealtimeCostError> {
        let month = month(connections, inputs, pricing, prices)?;
        Ok(month.kubernetes.usd() <= month.serverless.usd())
    };
    // Scan a log grid for the first point Kubernetes wins, then bisect the step before it.
    let steps = 400;
    let mut below = 1.0;
    for step in 0..=steps {
        let connections = 10f64.powf(8.0 * f64::from(step) / f64::from(steps));
        if kubernetes_wins(connections)? {
            if step == 0 {
                return Ok(Some(connections));
            }
            let mut above = connections;
            while above - below > 1.0 {
                let middle = ((below + above) / 2.0).floor();
                if kubernetes_wins(middle)? {
                    above = middle;
                } else {
                    below = middle;
                }
            }
            return Ok(Some(above));
        }
        below = connections;
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn priced(connections: f64, inputs: &RealtimeInputs) -> Month {
        let pricing = Pricing::builtin("us-east-1").unwrap();
        let prices = RealtimePrices::builtin("us-east-1").unwrap();
        month(connections, inputs, &pricing, &prices).unwrap()
    }

    fn line<'a>(stack: &'a StackMonth, item: &str) -> &'a Line {
        stack
            .lines
            .iter()
            .find(|l| l.item.starts_with(item))
            .unwrap()
    }

    #[test]
    fn connection_minutes_are_every_connection_all_month_at_the_pages_price() {
        let month = priced(1_000.0, &RealtimeInputs::assumed());

        let minutes = line(
            &month.serverless,
            "API Gateway WebSocket connection minutes",
        );
        assert_eq!(minutes.quantity, 1_000.0 * 43_800.0);
        assert!((minutes.usd - 43.8 * 0.25).abs() < 1e-9, "{}", minutes.usd);
    }

    #[test]
    fn a_frame_over_32_kb_is_billed_as_two_messages() {
        let mut small = RealtimeInputs::assumed();
        small.pings_per_minute.value = 0.0;
        let mut large = small.clone();
        large.frame_bytes.value = 40_000.0;

        let small = priced(100.0, &small);
        let large = priced(100.0, &large);

        let messages = |m: &Month| line(&m.serverless, "API Gateway WebSocket messages").quantity;
        let deliveries = 100.0 * 43_800.0;
        assert!((messages(&large) - messages(&small) - deliveries).abs() < 1e-6);
    }

    #[test]
    fn pods_never_drop_below_the_minimum_and_grow_with_memory_per_connection() {
        let inputs = RealtimeInputs::assumed();
        let mut heavy = inputs.clone();
        heavy.memory_per_connection_kb.value = 150.0;

        assert_eq!(priced(10.0, &inputs).pods, MIN_REPLICAS);
        let month = priced(100_000.0, &heavy);
        // 100,000 × 150 KB over 224 MiB of sockets per pod.
        assert_eq!(month.pods, (100_000.0 * 150.0 / 1024.0 / 224.0_f64).ceil());
        assert_eq!(month.pods_by, "memory per connection");
    }

    #[test]
    fn busy_connections_are_sized_by_deliveries_per_core() {
        let mut busy = RealtimeInputs::assumed();
        busy.deliveries_per_minute.value = 600.0;

        let month = priced(100_000.0, &busy);

        assert_eq!(month.pods_by, "deliveries per core");
        let frames_per_second = 100_000.0 * 601.0 / 60.0;
        assert_eq!(
            month.pods,
            (frames_per_second / (20_000.0 * 0.25_f64)).ceil()
        );
    }

    #[test]
    fn streams_reads_by_the_trigger_are_listed_and_free() {
        let month = priced(1_000.0, &RealtimeInputs::assumed());

        let streams = line(&month.serverless, "DynamoDB Streams reads");
        assert!(streams.quantity > 0.0);
        assert_eq!(streams.usd, 0.0);
    }

    #[test]
    fn the_crossover_is_where_the_pods_floor_meets_the_per_connection_bill() {
        let pricing = Pricing::builtin("us-east-1").unwrap();
        let prices = RealtimePrices::builtin("us-east-1").unwrap();
        let inputs = RealtimeInputs::assumed();

        let at = crossover(&inputs, &pricing, &prices).unwrap().unwrap();

        let cost = |c: f64| month(c, &inputs, &pricing, &prices).unwrap();
        assert!(cost(at).kubernetes.usd() <= cost(at).serverless.usd());
        assert!(cost(at - 1.0).kubernetes.usd() > cost(at - 1.0).serverless.usd());
        // Quieter connections cost serverless less, so Kubernetes wins only further out.
        let mut quiet = inputs.clone();
        quiet.pings_per_minute.value = 0.0;
        quiet.deliveries_per_minute.value = 0.1;
        let later = crossover(&quiet, &pricing, &prices).unwrap().unwrap();
        assert!(later > at, "{later} > {at}");
    }
}
