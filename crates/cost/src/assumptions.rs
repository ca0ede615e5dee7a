//! The documented defaults: twinstack's own figures (Rust, 128 MB, arm64) and the article's setup
//! (Node.js 20 at 512 or 1024 MB, REST API, 3 × t3.medium, db.t3.medium).
//!
//! Where a figure is the article's, it says so; where it is ours, the comment says why. Timings marked
//! "placeholder" stand until a benchmark run replaces them through `--from` or `--from-cloudwatch`.

use crate::dynamodb_units::{Read, Write, read_units, write_units};

/// The Kubernetes twin's node type (Graviton, as the chart's Karpenter NodePool provisions); the
/// pipeline's and the real-time feed's costs price their pods on it too.
pub const KUBERNETES_NODE_TYPE: &str = "t4g.medium";
use crate::workload::{
    ApiKind, Architecture, ColdStarts, Database, Endpoint, Kubernetes, Lambda, LambdaTiming,
    Serverless, Workload, Xray,
};

/// Lambda does not document either figure. An idle environment is commonly observed to be
/// reclaimed after 5 to 15 minutes; a busy one is replaced every couple of hours.
fn cold_starts() -> ColdStarts {
    ColdStarts {
        idle_timeout_s: 7.0 * 60.0,
        lifetime_s: 2.0 * 3600.0,
    }
}

/// Every request's share is equal: the article's Artillery scenario runs these three in a row.
fn article_flow(
    get_user: (f64, f64),
    create_order: (f64, f64),
    list_orders: (f64, f64),
) -> Vec<Endpoint> {
    [
        ("GET /api/users/{id}", get_user),
        ("POST /api/orders", create_order),
        ("GET /api/orders?userId&limit=10", list_orders),
    ]
    .into_iter()
    .map(|(name, (read, write))| Endpoint {
        name: name.to_owned(),
        share: 1.0,
        read_units: read,
        write_units: write,
    })
    .collect()
}

/// X-Ray's default sampling rule: the first request each second, then 5% of the rest.
fn default_xray() -> Xray {
    Xray {
        reservoir_per_second: 1.0,
        rate: 0.05,
    }
}

/// The Kubernetes figures both setups share; node type, throughput and database classes differ.
fn kubernetes(
    node_type: &str,
    node_alternatives: &[&str],
    requests_per_vcpu: f64,
    classes: &[&str],
) -> Kubernetes {
    Kubernetes {
        node_type: node_type.to_owned(),
        node_alternatives: node_alternatives.iter().map(|t| (*t).to_owned()).collect(),
        // The chart's `resources.requests.cpu: 250m` and `autoscaling.minReplicas: 3`.
        pod_vcpu: 0.25,
        min_pods: 3.0,
        // The article runs 3 nodes and `minReplicas: 3`, one per availability zone.
        min_nodes: 3,
        // The article's `targetCPUUtilizationPercentage: 70`.
        hpa_target: 0.7,
        requests_per_vcpu,
        // kubelet, kube-proxy, VPC CNI and a log shipper on every node.
        node_overhead_vcpu: 0.2,
        // The article's Prometheus requests 500m; Grafana and the NGINX ingress controller take ~0.2 more.
        cluster_overhead_vcpu: 0.7,
        node_disk_gb: 20.0,
        // The article's monitoring volumes: Prometheus 50Gi, Grafana 10Gi; Loki 50Gi apart.
        cluster_disk_gb: 60.0,
        loki_disk_gb: 50.0,
        // One JSON request line (method, route, status, latency, trace id): assumed until measured.
        log_bytes_per_request: 250.0,
        // A query with its parameters and the rows it returns: about the request and response sizes.
        database_bytes_per_request: 1200.0,
        availability_zones: 3.0,
        database: Database {
            classes: classes.iter().map(|class| (*class).to_owned()).collect(),
            // One request makes one to three indexed queries; pgbench -S serves well over that per vCPU.
            requests_per_vcpu: 2_000.0,
            target_utilisation: 0.7,
            storage_gb: 20.0,
            // An orders row (~150 bytes with its tuple header), its JSON items and two index entries.
            bytes_per_order: 400.0,
            // The chart's `database.maxConnections: 10`.
            connections_per_pod: 10.0,
        },
        nat_gateways: 1.0,
        load_balancers: 1.0,
        // The load balancer's addresses in two availability zones and the NAT gateway's.
        public_ipv4_addresses: 3.0,
        // API clients keep connections alive; one request in ten opens a new one.
        new_connections_per_request: 0.1,
    }
}

/// Traffic shape shared by every setup, so the two twins are compared on identical behaviour.
fn workload(
    label: String,
    mix: Vec<Endpoint>,
    serverless: Serverless,
    kubernetes: Kubernetes,
) -> Workload {
    Workload {
        label,
        mix,
        // The article's traffic has "peak/off-peak cycles"; a peak hour at three times the daily average.
        peak_to_average: 3.0,
        request_bytes: 400.0,
        // A user or a page of ten orders as JSON.
        response_bytes: 800.0,
        // Lambda's START/END/REPORT lines (~300 bytes) and one request log line.
        log_bytes_per_request: 600.0,
        log_retention_months: 1.0,
        // A year of orders kept online, then archived or deleted.
        order_retention_days: 365.0,
        serverless,
        kubernetes,
    }
}

/// twinstack: Rust on `provided.al2023`, arm64, 128 MB; axum on Graviton nodes.
pub fn twinstack() -> Workload {
    twinstack_with(ApiKind::Rest)
}

pub fn twinstack_with(api: ApiKind) -> Workload {
    // The Lambda twin's DynamoDB design (crates/store-dynamodb), whose reads are all strongly
    // consistent: a user is one item; an order is one transaction of three items — the user's
    // `orderCount + 1`, the order and its id pointer (a fourth, the idempotency record, under a key,
    // which the article's flow does not send) — after a batch read of the product; a page of ten
    // ~400-byte orders is one 4 KB query.
    let mix = article_flow(
        (read_units(Read::Strong, 1.0), 0.0),
        (
            read_units(Read::Strong, 1.0),
            write_units(Write::Transactional, 1.0) * 3.0,
        ),
        (read_units(Read::Strong, 4.0), 0.0),
    );
    let serverless = Serverless {
        lambda: Lambda {
            runtime: "Rust on provided.al2023".to_owned(),
            architecture: Architecture::Arm64,
            memory_mb: 128.0,
            // Placeholder until `make bench`: ~0.5 ms of CPU on a full core, one ~6 ms DynamoDB round
            // trip, a ~40 ms Rust cold start, one invocation in a hundred cold.
            timing: LambdaTiming::Local {
                cpu_ms: 0.5,
                io_ms: 6.0,
                init_ms: 40.0,
            },
            cold_starts: cold_starts(),
        },
        api,
        xray: default_xray(),
        // The Lambda's EMF lines (crates/lambda/src/emf.rs): a count and a duration per route,
        // method and status seen — the five of loadtest/crud.yml's flow when all goes well — plus
        // one cold-start count per function.
        custom_metrics: 11.0,
        dynamodb_storage_gb: 1.0,
        // An order item (~400 bytes) and its id pointer (~60), each with 100 bytes of overhead.
        dynamodb_bytes_per_order: 660.0,
    };
    let mut twinstack = workload(
        String::new(),
        mix,
        serverless,
        // Placeholder until `make bench`: an axum handler with one Postgres round trip per request.
        kubernetes(
            KUBERNETES_NODE_TYPE,
            &["c6g.large"],
            4_000.0,
            &[
                "db.t4g.medium",
                "db.m6g.large",
                "db.m6g.xlarge",
                "db.m6g.2xlarge",
                "db.m6g.4xlarge",
                "db.m6g.8xlarge",
            ],
        ),
    );
    relabel(&mut twinstack);
    twinstack
}

/// Names a twinstack workload after its current Lambda figures (measured ones may replace defaults).
pub fn relabel(workload: &mut Workload) {
    let serverless = &workload.serverless;
    let lambda = &serverless.lambda;
    workload.label = format!(
        "twinstack ({}, {:.0} MB, {}, {})",
        lambda.runtime, lambda.memory_mb, lambda.architecture, serverless.api
    );
}

/// The article's setup at `memory_mb` (512 or 1024), with the article's own latency figures.
pub fn article(memory_mb: f64) -> Workload {
    // The article's handler reads with DocumentClient.get and writes with put: no transactions.
    let mix = article_flow(
        (read_units(Read::Eventual, 1.0), 0.0),
        (0.0, write_units(Write::Standard, 1.0)),
        (read_units(Read::Eventual, 4.0), 0.0),
    );
    // The article's cold and warm p50s (its latency table); the p50 stands in for the mean.
    let (warm, init) = if memory_mb >= 1024.0 {
        (5.0, 180.0)
    } else {
        (8.0, 320.0)
    };
    let serverless = Serverless {
        lambda: Lambda {
            runtime: "Node.js 20".to_owned(),
            architecture: Architecture::X86_64,
            memory_mb,
            timing: LambdaTiming::OnLambda {
                warm_billed_ms: warm,
                init_billed_ms: init,
            },
            cold_starts: cold_starts(),
        },
        api: ApiKind::Rest,
        xray: default_xray(),
        // The article's publishMetric examples: DBQueryLatency and CacheHitRate under one dimension.
        custom_metrics: 2.0,
        dynamodb_storage_gb: 1.0,
        // The article's order item (~300 bytes) with 100 bytes of overhead.
        dynamodb_bytes_per_order: 400.0,
    };
    workload(
        format!("article setup (Node.js 20, {memory_mb:.0} MB, x86_64, REST API)"),
        mix,
        serverless,
        // Node.js + Express with a Postgres round trip: an assumption, the article gives no throughput.
        kubernetes("t3.medium", &["c5.large"], 1_000.0, &["db.t3.medium"]),
    )
}

/// The figures of `workload` still at their documented defaults, each as "(assumed …)" with why:
/// what `--explain` lists so no assumption passes for a measurement.
pub fn unmeasured(workload: &Workload) -> Vec<String> {
    let default = twinstack_with(workload.serverless.api);
    let k8s = &workload.kubernetes;
    let mut assumed = Vec::new();
    let mut note = |same: bool, text: String| {
        if same {
            assumed.push(text);
        }
    };
    note(
        k8s.requests_per_vcpu == default.kubernetes.requests_per_vcpu,
        format!(
            "server twin: {} req/s per vCPU (assumed: an axum handler with one Postgres round trip)",
            k8s.requests_per_vcpu
        ),
    );
    note(
        k8s.database.requests_per_vcpu == default.kubernetes.database.requests_per_vcpu,
        format!(
            "database: {} req/s per vCPU (assumed: one to three indexed queries a request)",
            k8s.database.requests_per_vcpu
        ),
    );
    note(
        k8s.log_bytes_per_request == default.kubernetes.log_bytes_per_request,
        format!(
            "server twin log bytes per request: {} (assumed: one JSON request line; `twinstack bench` measures it)",
            k8s.log_bytes_per_request
        ),
    );
    note(
        workload.log_bytes_per_request == default.log_bytes_per_request,
        format!(
            "Lambda log bytes per request: {} (assumed: its request and EMF lines and the platform's START/END/REPORT lines)",
            workload.log_bytes_per_request
        ),
    );
    note(
        !matches!(
            workload.serverless.lambda.timing,
            LambdaTiming::OnLambda { .. }
        ),
        format!(
            "Lambda billed duration: the local mean + {} ms of per-invocation rounding (assumed; a run on Lambda measures the mean of rounded durations)",
            crate::lambda::ROUNDING_MS
        ),
    );
    let cold = &workload.serverless.lambda.cold_starts;
    assumed.push(format!(
        "cold starts: idle environments reclaimed after {:.0} s, busy ones replaced every {:.0} s (assumed; Lambda documents neither)",
        cold.idle_timeout_s, cold.lifetime_s
    ));
    assumed.push(format!(
        "orders kept {} days; {} bytes per order in DynamoDB, {} in Postgres; {} bytes per request between pods and Postgres (assumed)",
        workload.order_retention_days,
        workload.serverless.dynamodb_bytes_per_order,
        k8s.database.bytes_per_order,
        k8s.database_bytes_per_request
    ));
    assumed
}
