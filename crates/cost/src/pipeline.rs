//! `twinstack cost --pipeline`: one run of the data pipeline (issue 11) priced on each stack, next
//! to the seed article's $0.85 / $0.12 and 12 / 8 minutes.
//!
//! - **Serverless** (infra/lib/pipeline-stack.ts): Step Functions Standard transitions — the Map
//!   state and the reduce task in the parent, one task per Distributed Map child execution — Lambda
//!   requests and GB-seconds (one invocation per chunk and one reduce), S3 requests (the ItemReader's
//!   and the reduce's LISTs, chunk and partial GETs, partial and ResultWriter PUTs), and the DynamoDB
//!   writes of the load.
//! - **Kubernetes** (helm/twinstack's WorkflowTemplate): node time, either *dedicated* (nodes
//!   started for the run and the EKS control plane for as long) or *amortised* (only the vCPU the
//!   pods request, for as long as they run, at the node's price per vCPU), and the same S3 requests.
//!
//! Inputs are the run's shape (records, chunks), the CPU one chunk's stages 1–4 and the reduce take
//! on one full core (measured: `twinstack pipeline run --records 1000000 --chunks 100` prints the
//! per-stage times this divides by the chunk count), the settings file's concurrency, and the named
//! latency assumptions below. Lambda, DynamoDB, EKS and EC2 prices come from the region's pricing
//! file; Step Functions and S3 request prices from `crates/cost/pricing/pipeline.json`.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use crate::lambda::{billed_ms, cpu_share};
use crate::pricing::{Pricing, PricingError, Source};

const PIPELINE_PRICES: &str = include_str!("../pricing/pipeline.json");
/// The one settings file the state machine, the chart and the local driver read.
const SETTINGS: &str = include_str!("../../../deploy/pipeline/settings.json");

/// The seed article's figures for "1 million records through a 5-stage ETL pipeline".
pub const SEED_SERVERLESS_USD: f64 = 0.85;
pub const SEED_KUBERNETES_USD: f64 = 0.12;
pub const SEED_SERVERLESS_MINUTES: f64 = 12.0;
pub const SEED_KUBERNETES_MINUTES: f64 = 8.0;

/// Derived from the target (1M records in-process in 10 s on 2 cores: 20 core-seconds over
/// 100 chunks); pass the measured figure from a run summary (see [`PipelineArgs`]).
pub const DEFAULT_CHUNK_CPU_MS: f64 = 200.0;
/// At most one chunk's budget: merging 100 partials is less work than aggregating 10,000 records.
pub const DEFAULT_REDUCE_CPU_MS: f64 = 200.0;
/// Per-user, per-sku and per-day rows: 10,000 users and 100 products of the API's data set and a
/// year of days, the `rows` that `twinstack pipeline run --records 100000 --chunks 10` loads.
pub const DEFAULT_AGGREGATE_ROWS: u64 = 10_000 + 100 + 365;

/// Assumed, not measured here: one S3 GET or PUT of a chunk-sized object from inside the region.
pub const S3_REQUEST_MS: f64 = 25.0;
/// Assumed: one DynamoDB BatchWriteItem of 25 items from Lambda.
pub const DYNAMODB_BATCH_MS: f64 = 10.0;
/// Assumed: scheduling and starting a pod whose image the node already holds, to its container running.
pub const POD_START_MS: f64 = 3_000.0;
/// Assumed: a node that Karpenter starts for a dedicated run, from launch to Ready (billed meanwhile).
pub const NODE_START_S: f64 = 60.0;
/// EC2 bills per second with a 60-second minimum per instance start.
pub const EC2_MINIMUM_BILLED_S: f64 = 60.0;
/// The chart's pipeline pods: `pipeline.resources` in helm/twinstack/values.yaml.
pub const POD_CPU_REQUEST: f64 = 0.5;
pub const POD_CPU_LIMIT: f64 = 1.0;
/// The cluster's node type: the Kubernetes twin's.
pub const NODE_TYPE: &str = crate::assumptions::KUBERNETES_NODE_TYPE;
/// S3 LIST returns at most 1,000 keys a page.
const LIST_PAGE: f64 = 1_000.0;
/// Step Functions writes the Map Run's manifest.json and one SUCCEEDED_n.json for a run this size.
const RESULT_WRITER_PUTS: f64 = 2.0;

/// `twinstack cost --pipeline` and the run it prices; the defaults are the 1M-record run.
#[derive(clap::Args, Debug, Clone)]
pub struct PipelineArgs {
    /// Price one run of the data pipeline on each stack instead of the API's month.
    #[arg(long)]
    pub pipeline: bool,
    #[arg(long, default_value_t = 1_000_000)]
    pub pipeline_records: u64,
    #[arg(long, default_value_t = 100)]
    pub pipeline_chunks: u64,
    /// CPU milliseconds of stages 1–4 on one chunk on one core: the run summary's extract + validate +
    /// transform + aggregate time of `twinstack pipeline run` over the chunk count.
    #[arg(long, default_value_t = DEFAULT_CHUNK_CPU_MS)]
    pub chunk_cpu_ms: f64,
    /// CPU milliseconds of merging every partial on one core (the run summary's reduce time).
    #[arg(long, default_value_t = DEFAULT_REDUCE_CPU_MS)]
    pub reduce_cpu_ms: f64,
    /// Items the load upserts (the run summary's `loaded` aggregates).
    #[arg(long, default_value_t = DEFAULT_AGGREGATE_ROWS)]
    pub aggregate_rows: u64,
    /// The pipeline function's memory (infra/lib/pipeline-settings.ts: DEFAULT_PIPELINE_LAMBDA_MEMORY_MB).
    #[arg(long, default_value_t = 1024.0)]
    pub pipeline_lambda_memory_mb: f64,
}

/// Runs `twinstack cost --pipeline` for `region` (the pricing file's, or `pricing`'s own).
pub fn run(
    region: &str,
    pricing: Option<&Path>,
    args: &PipelineArgs,
) -> Result<(), PipelineCostError> {
    let pricing = match pricing {
        Some(path) => Pricing::from_file(path)?,
        None => Pricing::builtin(region)?,
    };
    let prices = PipelinePrices::builtin(&pricing.region)?;
    let shape = RunShape {
        records: args.pipeline_records,
        chunks: args.pipeline_chunks,
        chunk_cpu_ms: args.chunk_cpu_ms,
        reduce_cpu_ms: args.reduce_cpu_ms,
        aggregate_rows: args.aggregate_rows,
        lambda_memory_mb: args.pipeline_lambda_memory_mb,
        concurrency: Concurrency::from_settings_file()?,
    };
    let cost = price_run(&shape, &pricing, &prices)?;
    print!("{}", report(&shape, &cost, &prices, &pricing.region));
    Ok(())
}

#[derive(Debug, thiserror::Error)]
pub enum PipelineCostError {
    #[error("crates/cost/pricing/pipeline.json: {0}")]
    Prices(String),
    #[error("deploy/pipeline/settings.json: {0}")]
    Settings(String),
    #[error("crates/cost/pricing/pipeline.json has no prices for {0} (it has {1})")]
    UnknownRegion(String, String),
    #[error("the region's pricing file has no {0} instance")]
    UnknownNode(String),
    #[error("{0}")]
    Inputs(String),
    #[error(transparent)]
    Pricing(#[from] PricingError),
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequestPrice {
    pub unit: String,
    pub price: f64,
    pub source: Source,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PipelinePrices {
    pub step_functions_transitions: RequestPrice,
    pub s3_put_list: RequestPrice,
    pub s3_get: RequestPrice,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PricesFile {
    #[serde(rename = "note")]
    _note: String,
    regions: BTreeMap<String, PipelinePrices>,
}

impl PipelinePrices {
    /// The shipped prices for `region`; each unit is checked, so a figure per request is never read as per thousand.
    pub fn builtin(region: &str) -> Result<PipelinePrices, PipelineCostError> {
        let file: PricesFile = serde_json::from_str(PIPELINE_PRICES)
            .map_err(|e| PipelineCostError::Prices(e.to_string()))?;
        let known = file.regions.keys().cloned().collect::<Vec<_>>().join(", ");
        let prices = file
            .regions
            .get(region)
            .cloned()
            .ok_or_else(|| PipelineCostError::UnknownRegion(region.to_owned(), known))?;
        for (name, price, unit) in [
            (
                "step_functions_transitions",
                &prices.step_functions_transitions,
                "USD/thousand transitions",
            ),
            ("s3_put_list", &prices.s3_put_list, "USD/thousand requests"),
            ("s3_get", &prices.s3_get, "USD/thousand requests"),
        ] {
            if price.unit != unit || !price.price.is_finite() || price.price < 0.0 {
                return Err(PipelineCostError::Prices(format!(
                    "{region}.{name}: expected a non-negative price in {unit}, got {} {}",
                    price.price, price.unit
                )));
            }
        }
        Ok(prices)
    }
}

/// What the cost model reads of the settings file.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Concurrency {
    /// Distributed Map `MaxConcurrency`.
    pub max_concurrency: u64,
    /// Argo Workflows `parallelism`.
    pub parallelism: u64,
}

impl Concurrency {
    pub fn from_settings_file() -> Result<Concurrency, PipelineCostError> {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Settings {
            max_concurrency: u64,
            parallelism: u64,
        }
        let settings: Settings = serde_json::from_str(SETTINGS)
            .map_err(|e| PipelineCostError::Settings(e.to_string()))?;
        Ok(Concurrency {
            max_concurrency: settings.max_concurrency,
            parallelism: settings.parallelism,
        })
    }
}

/// The run being priced.
#[derive(Clone, Debug, PartialEq)]
pub struct RunShape {
    pub records: u64,
    pub chunks: u64,
    /// Stages 1–4 of one chunk on one full core.
    pub chunk_cpu_ms: f64,
    /// Merging every partial on one full core.
    pub reduce_cpu_ms: f64,
    /// Items the load upserts (per-user, per-sku and per-day aggregates).
    pub aggregate_rows: u64,
    pub lambda_memory_mb: f64,
    pub concurrency: Concurrency,
}

impl RunShape {
    fn check(&self) -> Result<(), PipelineCostError> {
        if self.chunks == 0 || self.records < self.chunks {
            return Err(PipelineCostError::Inputs(format!(
                "--pipeline-chunks must be at least 1 and at most --pipeline-records ({} records, {} chunks)",
                self.records, self.chunks
            )));
        }
        if !self.chunk_cpu_ms.is_finite()
            || self.chunk_cpu_ms <= 0.0
            || !self.reduce_cpu_ms.is_finite()
            || self.reduce_cpu_ms < 0.0
        {
            return Err(PipelineCostError::Inputs(
                "--chunk-cpu-ms must be positive and --reduce-cpu-ms not negative".into(),
            ));
        }
        if !(128.0..=10_240.0).contains(&self.lambda_memory_mb) {
            return Err(PipelineCostError::Inputs(format!(
                "--pipeline-lambda-memory-mb must be in 128..10240, got {}",
                self.lambda_memory_mb
            )));
        }
        if self.concurrency.max_concurrency == 0 || self.concurrency.parallelism == 0 {
            return Err(PipelineCostError::Inputs(
                "maxConcurrency and parallelism must be at least 1".into(),
            ));
        }
        Ok(())
    }
}

/// One priced line: what, how many, at what price, for how much.
#[derive(Clone, Debug, PartialEq)]
pub struct Line {
    pub item: String,
    pub quantity: f64,
    pub unit: &'static str,
    pub usd: f64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct StackRun {
    pub lines: Vec<Line>,
    pub minutes: f64,
}

impl StackRun {
    pub fn usd(&self) -> f64 {
        self.lines.iter().map(|line| line.usd).sum()
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct RunCost {
    pub serverless: StackRun,
    /// Node time of the pods' CPU requests on the existing cluster, S3 included.
    pub kubernetes_amortised: StackRun,
    /// Nodes and the EKS control plane brought up for this run alone, S3 included.
    pub kubernetes_dedicated: StackRun,
    /// Facts the sentences beside the seed quote.
    pub facts: Facts,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Facts {
    pub chunk_lambda_ms: f64,
    pub lambda_gb_seconds: f64,
    pub lambda_gb_second_usd: f64,
    pub transitions: f64,
    pub lambda_waves: u64,
    pub pod_ms: f64,
    pub kubernetes_waves: u64,
    pub requested_vcpu_seconds: f64,
    pub dedicated_nodes: u64,
}

/// The requests one run of `chunks` chunks makes on AWS, counted from the state machine and the
/// WorkflowTemplate (not measured): what [`price_run`] prices and `twinstack bench` reports.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AwsRequests {
    /// Step Functions Standard transitions; 0 under Argo.
    pub transitions: f64,
    pub s3_lists: f64,
    pub s3_gets: f64,
    pub s3_puts: f64,
}

impl AwsRequests {
    /// Step Functions + Lambda: the parent enters the Map state and the reduce task, each child
    /// execution its one task; the ItemReader and the reduce list the chunks and the partials,
    /// each chunk is read and its partial written and read, and the ResultWriter writes its files.
    pub fn step_functions(chunks: u64) -> AwsRequests {
        let chunks = chunks as f64;
        AwsRequests {
            transitions: 2.0 + chunks,
            s3_lists: 2.0 * list_pages(chunks),
            s3_gets: 2.0 * chunks,
            s3_puts: chunks + RESULT_WRITER_PUTS,
        }
    }

    /// Argo Workflows: a pod lists the chunks, each chunk pod reads its chunk and writes its
    /// partial, the reduce pod lists and reads the partials.
    pub fn argo(chunks: u64) -> AwsRequests {
        let chunks = chunks as f64;
        AwsRequests {
            transitions: 0.0,
            s3_lists: 2.0 * list_pages(chunks),
            s3_gets: 2.0 * chunks,
            s3_puts: chunks,
        }
    }

    fn s3_lines(&self, prices: &PipelinePrices) -> Vec<Line> {
        s3_lines(prices, self.s3_lists, self.s3_gets, self.s3_puts)
    }
}

fn list_pages(chunks: f64) -> f64 {
    (chunks / LIST_PAGE).ceil()
}

fn waves(chunks: u64, concurrency: u64) -> u64 {
    chunks.div_ceil(concurrency)
}

fn s3_lines(prices: &PipelinePrices, lists: f64, gets: f64, puts: f64) -> Vec<Line> {
    vec![
        Line {
            item: "S3 LIST + PUT requests".into(),
            quantity: lists + puts,
            unit: "requests",
            usd: (lists + puts) / 1_000.0 * prices.s3_put_list.price,
        },
        Line {
            item: "S3 GET requests".into(),
            quantity: gets,
            unit: "requests",
            usd: gets / 1_000.0 * prices.s3_get.price,
        },
    ]
}

/// Prices one run on each stack. Monthly free tiers are left out: one run is priced at the paid rates.
pub fn price_run(
    shape: &RunShape,
    pricing: &Pricing,
    prices: &PipelinePrices,
) -> Result<RunCost, PipelineCostError> {
    shape.check()?;
    let chunks = shape.chunks as f64;
    let list_pages = list_pages(chunks);
    let step_functions = AwsRequests::step_functions(shape.chunks);

    // Serverless: each chunk reads its object and writes its partial; the reduce lists and reads
    // every partial, then writes the aggregates in batches of 25.
    let share = cpu_share(shape.lambda_memory_mb);
    let chunk_lambda_ms = billed_ms(shape.chunk_cpu_ms / share + 2.0 * S3_REQUEST_MS);
    let batches = (shape.aggregate_rows as f64 / 25.0).ceil();
    let reduce_lambda_ms = billed_ms(
        shape.reduce_cpu_ms / share
            + (list_pages + chunks) * S3_REQUEST_MS
            + batches * DYNAMODB_BATCH_MS,
    );
    let gb = shape.lambda_memory_mb / 1024.0;
    let lambda_gb_seconds = gb * (chunks * chunk_lambda_ms + reduce_lambda_ms) / 1_000.0;
    let lambda_gb_second_usd = pricing.lambda_arm64.tiers.headline_price();
    let invocations = chunks + 1.0;
    let transitions = step_functions.transitions;
    let lambda_waves = waves(shape.chunks, shape.concurrency.max_concurrency);
    let mut serverless = vec![
        Line {
            item: "Step Functions state transitions".into(),
            quantity: transitions,
            unit: "transitions",
            usd: transitions / 1_000.0 * prices.step_functions_transitions.price,
        },
        Line {
            item: "Lambda requests".into(),
            quantity: invocations,
            unit: "requests",
            usd: invocations / 1e6 * pricing.lambda_requests.tiers.headline_price(),
        },
        Line {
            item: format!("Lambda duration, arm64 at {} MB", shape.lambda_memory_mb),
            quantity: lambda_gb_seconds,
            unit: "GB-seconds",
            usd: lambda_gb_seconds * lambda_gb_second_usd,
        },
        Line {
            item: "DynamoDB writes (the load)".into(),
            quantity: shape.aggregate_rows as f64,
            unit: "write units",
            usd: shape.aggregate_rows as f64 / 1e6 * pricing.dynamodb_writes.tiers.headline_price(),
        },
    ];
    serverless.extend(step_functions.s3_lines(prices));
    let serverless_minutes = (lambda_waves as f64 * chunk_lambda_ms + reduce_lambda_ms) / 60_000.0;

    // Kubernetes: a pod lists the chunks, one pod per chunk under `parallelism`, one reduces.
    let node = pricing
        .ec2_instances
        .get(NODE_TYPE)
        .ok_or_else(|| PipelineCostError::UnknownNode(NODE_TYPE.into()))?;
    let node_hour_usd = node.price.tiers.headline_price();
    let pod_ms = POD_START_MS + shape.chunk_cpu_ms / POD_CPU_LIMIT + 2.0 * S3_REQUEST_MS;
    let list_pod_ms = POD_START_MS + list_pages * S3_REQUEST_MS;
    let reduce_pod_ms =
        POD_START_MS + shape.reduce_cpu_ms / POD_CPU_LIMIT + (list_pages + chunks) * S3_REQUEST_MS;
    let kubernetes_waves = waves(shape.chunks, shape.concurrency.parallelism);
    let kubernetes_ms = list_pod_ms + kubernetes_waves as f64 * pod_ms + reduce_pod_ms;
    let requested_vcpu_seconds =
        POD_CPU_REQUEST * (list_pod_ms + chunks * pod_ms + reduce_pod_ms) / 1_000.0;
    let kubernetes_s3 = AwsRequests::argo(shape.chunks).s3_lines(prices);
    let mut amortised = vec![Line {
        item: format!("{NODE_TYPE} vCPU time the pods request ({POD_CPU_REQUEST} vCPU each)"),
        quantity: requested_vcpu_seconds,
        unit: "vCPU-seconds",
        usd: requested_vcpu_seconds / 3_600.0 * node_hour_usd / node.vcpu,
    }];
    amortised.extend(kubernetes_s3.iter().cloned());
    let concurrent_pods = shape.concurrency.parallelism.min(shape.chunks) as f64;
    let dedicated_nodes = (concurrent_pods * POD_CPU_REQUEST / node.vcpu).ceil() as u64;
    let billed_node_s = (NODE_START_S + kubernetes_ms / 1_000.0).max(EC2_MINIMUM_BILLED_S);
    let mut dedicated = vec![
        Line {
            item: format!("{dedicated_nodes} × {NODE_TYPE} started for the run"),
            quantity: dedicated_nodes as f64 * billed_node_s / 3_600.0,
            unit: "node-hours",
            usd: dedicated_nodes as f64 * billed_node_s / 3_600.0 * node_hour_usd,
        },
        Line {
            item: "EKS control plane for as long".into(),
            quantity: billed_node_s / 3_600.0,
            unit: "hours",
            usd: billed_node_s / 3_600.0 * pricing.eks_control_plane.tiers.headline_price(),
        },
    ];
    dedicated.extend(kubernetes_s3);
    let kubernetes_minutes = kubernetes_ms / 60_000.0;

    Ok(RunCost {
        serverless: StackRun {
            lines: serverless,
            minutes: serverless_minutes,
        },
        kubernetes_amortised: StackRun {
            lines: amortised,
            minutes: kubernetes_minutes,
        },
        kubernetes_dedicated: StackRun {
            lines: dedicated,
            minutes: kubernetes_minutes + NODE_START_S / 60.0,
        },
        facts: Facts {
            chunk_lambda_ms,
            lambda_gb_seconds,
            lambda_gb_second_usd,
            transitions,
            lambda_waves,
            pod_ms,
            kubernetes_waves,
            requested_vcpu_seconds,
            dedicated_nodes,
        },
    })
}

fn usd(value: f64) -> String {
    if value < 0.01 {
        format!("${value:.6}")
    } else {
        format!("${value:.2}")
    }
}

fn stack_table(title: &str, run: &StackRun) -> String {
    let mut out = format!("\n{title}\n\n| item | quantity | cost |\n|---|---:|---:|\n");
    for line in &run.lines {
        out += &format!(
            "| {} | {:.2} {} | {} |\n",
            line.item,
            line.quantity,
            line.unit,
            usd(line.usd)
        );
    }
    out += &format!(
        "| **total** | {:.2} minutes | **{}** |\n",
        run.minutes,
        usd(run.usd())
    );
    out
}

/// The report: a table per stack, then each figure beside the seed's with a sentence on the difference.
pub fn report(shape: &RunShape, cost: &RunCost, prices: &PipelinePrices, region: &str) -> String {
    let f = &cost.facts;
    let mut out = format!(
        "## One pipeline run: {} records in {} chunks ({region})\n",
        shape.records, shape.chunks
    );
    out += &format!(
        "\nInputs: {} ms CPU per chunk and {} ms for the reduce on one core, {} aggregate rows, Lambda at {} MB, MaxConcurrency {} and parallelism {} (deploy/pipeline/settings.json).\n",
        shape.chunk_cpu_ms,
        shape.reduce_cpu_ms,
        shape.aggregate_rows,
        shape.lambda_memory_mb,
        shape.concurrency.max_concurrency,
        shape.concurrency.parallelism
    );
    out += &format!(
        "Assumed (not measured): {S3_REQUEST_MS} ms per S3 request, {DYNAMODB_BATCH_MS} ms per DynamoDB batch of 25, {POD_START_MS} ms per pod start, {NODE_START_S} s per node start.\n"
    );
    out += &stack_table("Step Functions + Lambda", &cost.serverless);
    out += &stack_table(
        "Argo Workflows on the existing cluster (amortised)",
        &cost.kubernetes_amortised,
    );
    out += &stack_table(
        "Argo Workflows on nodes started for the run (dedicated)",
        &cost.kubernetes_dedicated,
    );

    let serverless_usd = cost.serverless.usd();
    let amortised_usd = cost.kubernetes_amortised.usd();
    out += "\n| figure | seed | twinstack |\n|---|---:|---:|\n";
    out += &format!(
        "| Step Functions + Lambda, cost | {} | {} |\n| Argo Workflows + Kubernetes, cost (amortised) | {} | {} (dedicated {}) |\n| Step Functions + Lambda, time | {SEED_SERVERLESS_MINUTES} min | {:.2} min |\n| Argo Workflows + Kubernetes, time | {SEED_KUBERNETES_MINUTES} min | {:.2} min |\n",
        usd(SEED_SERVERLESS_USD),
        usd(serverless_usd),
        usd(SEED_KUBERNETES_USD),
        usd(amortised_usd),
        usd(cost.kubernetes_dedicated.usd()),
        cost.serverless.minutes,
        cost.kubernetes_amortised.minutes,
    );
    out += "\nWhy they differ:\n\n";
    out += &format!(
        "- Serverless cost: the seed's {} would buy {:.0} GB-seconds at ${}/GB-s, {:.0}× the {:.1} this run bills: each of its {} invocations handles a {}-record chunk in {:.0} ms, and invocations, transitions ({:.0}) and S3 requests grow with chunks, not records.\n",
        usd(SEED_SERVERLESS_USD),
        SEED_SERVERLESS_USD / f.lambda_gb_second_usd,
        f.lambda_gb_second_usd,
        SEED_SERVERLESS_USD / f.lambda_gb_second_usd / f.lambda_gb_seconds.max(f64::MIN_POSITIVE),
        f.lambda_gb_seconds,
        shape.chunks + 1,
        shape.records / shape.chunks,
        f.chunk_lambda_ms,
        f.transitions,
    );
    out += &format!(
        "- Kubernetes cost: the seed amortises over an unstated share of its cluster; priced as the {:.0} vCPU-seconds the pods request, this run costs {}, and {} if {} node(s) must start for it alone.\n",
        f.requested_vcpu_seconds,
        usd(amortised_usd),
        usd(cost.kubernetes_dedicated.usd()),
        f.dedicated_nodes,
    );
    out += &format!(
        "- Serverless time: {} wave(s) of chunks under MaxConcurrency {} at {:.0} ms each, then the reduce, is {:.2} minutes; the seed's {SEED_SERVERLESS_MINUTES} minutes are {:.0}× that. Child-execution start-up and S3 latency beyond the assumed {S3_REQUEST_MS} ms are not modelled: a deployed run's start and stop dates (`aws stepfunctions describe-execution`) are the figure to set beside it.\n",
        f.lambda_waves,
        shape.concurrency.max_concurrency,
        f.chunk_lambda_ms,
        cost.serverless.minutes,
        SEED_SERVERLESS_MINUTES / cost.serverless.minutes,
    );
    out += &format!(
        "- Kubernetes time: {} wave(s) of pods under parallelism {} at {:.0} ms each ({:.0}% of it the assumed pod start), plus listing and the reduce, is {:.2} minutes; the seed's {SEED_KUBERNETES_MINUTES} minutes are {:.0}× that, and a larger parallelism shortens it only while the cluster has room.\n",
        f.kubernetes_waves,
        shape.concurrency.parallelism,
        f.pod_ms,
        100.0 * POD_START_MS / f.pod_ms,
        cost.kubernetes_amortised.minutes,
        SEED_KUBERNETES_MINUTES / cost.kubernetes_amortised.minutes,
    );
    out += "\nSources:\n\n";
    for (name, price) in [
        (
            "Step Functions transitions",
            &prices.step_functions_transitions,
        ),
        ("S3 PUT/LIST", &prices.s3_put_list),
        ("S3 GET", &prices.s3_get),
    ] {
        out += &format!(
            "- {name}: {} {} — {} ({}, read {}{})\n",
            price.price,
            price.unit,
            price.source.name,
            price.source.kind,
            price.source.read,
            price
                .source
                .url
                .as_deref()
                .map(|url| format!(", {url}"))
                .unwrap_or_default()
        );
    }
    out += "- Lambda, DynamoDB, EC2 and EKS: the region's pricing file (`twinstack cost --explain` lists their sources).\n";
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape() -> RunShape {
        RunShape {
            records: 1_000_000,
            chunks: 100,
            chunk_cpu_ms: 50.0,
            reduce_cpu_ms: 20.0,
            aggregate_rows: 10_000,
            lambda_memory_mb: 1024.0,
            concurrency: Concurrency::from_settings_file().unwrap(),
        }
    }

    fn priced(shape: &RunShape) -> RunCost {
        let pricing = Pricing::builtin("us-east-1").unwrap();
        let prices = PipelinePrices::builtin("us-east-1").unwrap();
        price_run(shape, &pricing, &prices).unwrap()
    }

    fn line<'a>(run: &'a StackRun, item: &str) -> &'a Line {
        run.lines
            .iter()
            .find(|line| line.item.starts_with(item))
            .unwrap()
    }

    #[test]
    fn transitions_are_the_two_parent_states_and_one_per_child_at_the_pages_price() {
        let cost = priced(&shape());

        let transitions = line(&cost.serverless, "Step Functions state transitions");
        assert_eq!(transitions.quantity, 102.0);
        assert!((transitions.usd - 102.0 * 0.025 / 1000.0).abs() < 1e-12);
    }

    #[test]
    fn lambda_bills_each_chunk_at_its_cpu_share_plus_its_two_s3_requests() {
        let cost = priced(&shape());

        let share = 1024.0 / 1769.0;
        assert_eq!(cost.facts.chunk_lambda_ms, (50.0 / share + 50.0_f64).ceil());
        assert_eq!(line(&cost.serverless, "Lambda requests").quantity, 101.0);
    }

    #[test]
    fn s3_requests_follow_the_chunks_on_both_stacks() {
        let cost = priced(&shape());

        // Two LIST pages (ItemReader, reduce), 100 partial PUTs and the ResultWriter's two.
        assert_eq!(line(&cost.serverless, "S3 LIST + PUT").quantity, 104.0);
        assert_eq!(line(&cost.serverless, "S3 GET").quantity, 200.0);
        assert_eq!(
            line(&cost.kubernetes_amortised, "S3 LIST + PUT").quantity,
            102.0
        );
    }

    #[test]
    fn dedicated_nodes_fit_the_parallel_pods_requests_and_cost_more_than_amortised() {
        let cost = priced(&shape());
        let parallel = shape().concurrency.parallelism.min(100) as f64;

        assert_eq!(
            cost.facts.dedicated_nodes,
            (parallel * POD_CPU_REQUEST / 2.0).ceil() as u64
        );
        assert!(cost.kubernetes_dedicated.usd() > cost.kubernetes_amortised.usd());
    }

    #[test]
    fn more_concurrency_than_chunks_is_one_wave() {
        let mut wide = shape();
        wide.concurrency.max_concurrency = 1_000;
        wide.concurrency.parallelism = 7;

        let cost = priced(&wide);
        assert_eq!(cost.facts.lambda_waves, 1);
        assert_eq!(cost.facts.kubernetes_waves, 15);
    }

    #[test]
    fn the_report_sets_every_figure_beside_the_seeds_and_cites_its_prices() {
        let shape = shape();
        let prices = PipelinePrices::builtin("us-east-1").unwrap();
        let text = report(&shape, &priced(&shape), &prices, "us-east-1");

        for seed in ["$0.85", "$0.12", "12 min", "8 min"] {
            assert!(text.contains(seed), "{seed} missing");
        }
        assert_eq!(text.matches("\n- ").count(), 4 + 4);
        assert!(text.contains("https://aws.amazon.com/step-functions/pricing/"));
    }

    #[test]
    fn bad_inputs_and_unknown_regions_are_refused_with_their_names() {
        let mut zero = shape();
        zero.chunks = 0;
        let pricing = Pricing::builtin("us-east-1").unwrap();
        let prices = PipelinePrices::builtin("us-east-1").unwrap();

        let error = price_run(&zero, &pricing, &prices).unwrap_err();
        assert!(error.to_string().contains("--pipeline-chunks"));
        let error = PipelinePrices::builtin("eu-west-9").unwrap_err();
        assert!(error.to_string().contains("eu-west-9"));
        assert!(error.to_string().contains("ap-south-1, us-east-1"));
    }
}
