//! What is being priced: the traffic, and how each twin serves it. The figures either come from a
//! benchmark run (`--from`, `--from-cloudwatch`) or from the documented defaults in [`crate::assumptions`].

use std::fmt;

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
pub enum Architecture {
    #[serde(rename = "x86_64")]
    X86_64,
    #[serde(rename = "arm64")]
    Arm64,
}

impl fmt::Display for Architecture {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Architecture::X86_64 => "x86_64",
            Architecture::Arm64 => "arm64",
        })
    }
}

/// The two API Gateway flavours in front of the Lambda twin.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ApiKind {
    Rest,
    Http,
}

impl fmt::Display for ApiKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ApiKind::Rest => "REST API",
            ApiKind::Http => "HTTP API",
        })
    }
}

/// One endpoint of the mix: its share of requests and the DynamoDB capacity one request consumes.
#[derive(Clone, Debug, PartialEq)]
pub struct Endpoint {
    pub name: String,
    pub share: f64,
    pub read_units: f64,
    pub write_units: f64,
}

/// How long one invocation is billed for.
#[derive(Clone, Debug, PartialEq)]
pub enum LambdaTiming {
    /// Measured off Lambda on one full core: the CPU-bound part is stretched to the function's CPU
    /// share, the waiting part (DynamoDB round trips) is not. `init_ms` is a Lambda figure.
    Local {
        cpu_ms: f64,
        io_ms: f64,
        init_ms: f64,
    },
    /// Measured on Lambda at the configured memory: the mean of the invocations' billed (rounded up)
    /// durations, and the billed init duration.
    OnLambda {
        warm_billed_ms: f64,
        init_billed_ms: f64,
    },
}

impl LambdaTiming {
    /// Init milliseconds, whichever way the warm duration was measured.
    pub fn init_ms(&self) -> f64 {
        match *self {
            LambdaTiming::Local { init_ms, .. } => init_ms,
            LambdaTiming::OnLambda { init_billed_ms, .. } => init_billed_ms,
        }
    }
}

/// How often an invocation starts cold, as a function of traffic (see [`crate::cold_start`]).
#[derive(Clone, Debug, PartialEq)]
pub struct ColdStarts {
    /// How long an idle execution environment is kept before Lambda reclaims it.
    pub idle_timeout_s: f64,
    /// How long Lambda keeps even a busy execution environment before replacing it.
    pub lifetime_s: f64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Lambda {
    pub runtime: String,
    pub architecture: Architecture,
    pub memory_mb: f64,
    pub timing: LambdaTiming,
    pub cold_starts: ColdStarts,
}

/// X-Ray's sampling rule: the first `reservoir_per_second` requests each second, then `rate` of the rest.
#[derive(Clone, Debug, PartialEq)]
pub struct Xray {
    pub reservoir_per_second: f64,
    pub rate: f64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Serverless {
    pub lambda: Lambda,
    pub api: ApiKind,
    pub xray: Xray,
    /// Distinct metric series the function emits through EMF (each name × dimension set is one metric).
    pub custom_metrics: f64,
    /// Table size before the orders (users, products).
    pub dynamodb_storage_gb: f64,
    /// Bytes an order adds to the table: the order item and its id pointer, with DynamoDB's
    /// 100-byte per-item overhead.
    pub dynamodb_bytes_per_order: f64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Database {
    /// Candidate RDS classes; the cheapest with enough vCPUs for the peak is chosen.
    pub classes: Vec<String>,
    /// Requests per second one database vCPU serves.
    pub requests_per_vcpu: f64,
    pub target_utilisation: f64,
    /// Allocated storage before the orders (gp3's 20 GB minimum).
    pub storage_gb: f64,
    /// Bytes an order adds to Postgres: its row, its items and index entries.
    pub bytes_per_order: f64,
    /// Connections each server pod's pool opens (`DATABASE_MAX_CONNECTIONS`).
    pub connections_per_pod: f64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Kubernetes {
    pub node_type: String,
    /// Non-burstable node types the model may choose instead, when they cost less at a rate.
    pub node_alternatives: Vec<String>,
    /// CPU each server pod requests; the HPA adds pods of this size.
    pub pod_vcpu: f64,
    pub min_pods: f64,
    pub min_nodes: u32,
    /// The HPA's target CPU utilisation: pods are added before CPU reaches 100%.
    pub hpa_target: f64,
    /// Requests per second one vCPU sustains at the target p95.
    pub requests_per_vcpu: f64,
    /// vCPU per node taken by the kubelet, kube-proxy, the CNI and log shipping.
    pub node_overhead_vcpu: f64,
    /// vCPU across the cluster for monitoring and the ingress controller.
    pub cluster_overhead_vcpu: f64,
    pub node_disk_gb: f64,
    /// Persistent volumes of Prometheus and Grafana.
    pub cluster_disk_gb: f64,
    /// Loki's volume as provisioned; it grows when the logs kept need more.
    pub loki_disk_gb: f64,
    /// The server's own log bytes per request (its request line).
    pub log_bytes_per_request: f64,
    /// Bytes between a pod and Postgres per request (query and rows).
    pub database_bytes_per_request: f64,
    /// Availability zones the nodes and subnets span.
    pub availability_zones: f64,
    pub database: Database,
    pub nat_gateways: f64,
    pub load_balancers: f64,
    pub public_ipv4_addresses: f64,
    /// Share of requests that open a new connection at the load balancer (clients keep connections alive).
    pub new_connections_per_request: f64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Workload {
    pub label: String,
    pub mix: Vec<Endpoint>,
    /// Peak hourly rate over the daily average; Kubernetes capacity is sized for the peak.
    pub peak_to_average: f64,
    pub request_bytes: f64,
    pub response_bytes: f64,
    /// The Lambda's log bytes per request: its request line and EMF line, plus the platform's
    /// START/END/REPORT lines. The server's own are [`Kubernetes::log_bytes_per_request`].
    pub log_bytes_per_request: f64,
    pub log_retention_months: f64,
    /// How long orders are kept: storage grows with orders/day × this × bytes per order.
    pub order_retention_days: f64,
    pub serverless: Serverless,
    pub kubernetes: Kubernetes,
}

impl Workload {
    /// Read request units per request, averaged over the mix.
    pub fn read_units_per_request(&self) -> f64 {
        self.weighted(|endpoint| endpoint.read_units)
    }

    pub fn write_units_per_request(&self) -> f64 {
        self.weighted(|endpoint| endpoint.write_units)
    }

    /// Share of requests that write, each an order in this workload.
    pub fn orders_per_request(&self) -> f64 {
        self.weighted(|endpoint| f64::from(u8::from(endpoint.write_units > 0.0)))
    }

    /// Shares need not add up to one (a measured mix is counts); they are normalised here.
    fn weighted(&self, units: impl Fn(&Endpoint) -> f64) -> f64 {
        let total: f64 = self.mix.iter().map(|endpoint| endpoint.share).sum();
        if total <= 0.0 {
            return 0.0;
        }
        self.mix
            .iter()
            .map(|endpoint| endpoint.share * units(endpoint))
            .sum::<f64>()
            / total
    }
}

#[cfg(test)]
mod tests {
    use crate::assumptions;

    #[test]
    fn units_per_request_are_the_mix_weighted_average() {
        let mut workload = assumptions::twinstack();
        workload.mix = vec![
            super::Endpoint {
                name: "a".into(),
                share: 3.0,
                read_units: 1.0,
                write_units: 0.0,
            },
            super::Endpoint {
                name: "b".into(),
                share: 1.0,
                read_units: 0.0,
                write_units: 4.0,
            },
        ];

        assert_eq!(workload.read_units_per_request(), 0.75);
        assert_eq!(workload.write_units_per_request(), 1.0);
    }
}
