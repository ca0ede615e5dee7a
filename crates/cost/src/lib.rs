//! twinstack's cost model: what each twin costs a month at a given traffic, line item by line item,
//! and where the two cost curves cross.
//!
//! `twinstack cost` (see [`CostArgs`]) prices the serverless twin (API Gateway, Lambda, DynamoDB,
//! CloudWatch, X-Ray) and the Kubernetes twin (EKS, EC2 nodes, RDS, load balancer, NAT gateway,
//! volumes, the same logs) at the article's scale points — 10K, 100K, 1M, 10M and 50M
//! requests/day — finds the crossover by bisection, and draws both curves on a log–log SVG chart.
//! The article is the benchmark this project compares against ("AWS Serverless vs. Kubernetes: A
//! Cost & Performance Benchmark (2026)", [`article`]): `--assumptions article` models its setup next
//! to its published table and explains every row that differs by more than 25%;
//! `crates/cost/COMPARISON.md` is that output.
//!
//! # Inputs
//!
//! - **Prices** are data: `crates/cost/pricing/<region>.json`, one per region, each figure with its
//!   unit, source and the date it was read ([`pricing`]). `--pricing FILE` takes your own.
//! - **Workload** figures default to [`assumptions`]; measured figures replace them:
//!   - `--from-cloudwatch FILE` reads Lambda `REPORT` lines ([`cloudwatch`]).
//!   - `--from results.json` reads the `cost_inputs` key a benchmark run writes ([`results`]):
//!
//! ```json
//! {
//!   "cost_inputs": {
//!     "version": 1,
//!     "endpoints": [
//!       { "name": "POST /api/orders", "share": 0.33, "read_units": 2.5, "write_units": 4 }
//!     ],
//!     "lambda": {
//!       "architecture": "arm64",
//!       "memory_mb": 128,
//!       "billed_duration_ms": { "mean": 9.4, "p50": 8, "p99": 21 },
//!       "init_duration_ms": { "mean": 31.6, "p50": 30.9, "p99": 44.2 },
//!       "cold_start_rate": 0.004,
//!       "max_memory_used_mb": 31,
//!       "local_cpu_ms": 0.5,
//!       "local_io_ms": 6.0
//!     },
//!     "kubernetes": {
//!       "requests_per_vcpu": 3850,
//!       "target_p95_ms": 20,
//!       "max_rss_mb": 42,
//!       "database_requests_per_vcpu": 2400,
//!       "log_bytes_per_request": 180
//!     },
//!     "request_bytes": 380,
//!     "response_bytes": 740,
//!     "log_bytes_per_request": 560
//!   }
//! }
//! ```
//!
//! Only `version` (1) is required; every other field falls back to its default in [`assumptions`].
//! - `endpoints`: the mix (`share`s need not add up to 1) and the DynamoDB capacity the Lambda twin
//!   reported consuming per request; an endpoint without units keeps the default for the same name.
//! - `lambda.billed_duration_ms`: warm invocations measured on Lambda at `memory_mb`; the `mean` (of
//!   each invocation's duration rounded up to the millisecond) is billed, or the `p50` when there is
//!   no mean. Without it, `local_cpu_ms` and `local_io_ms` (measured off Lambda on a full core) are
//!   scaled to the function's CPU share ([`lambda::cpu_share`]), plus half a millisecond of rounding.
//! - `lambda.init_duration_ms`: cold starts, billed on top at the rate [`cold_start`] gives for each
//!   traffic; `lambda.cold_start_rate` (the run's own) is reported, not extrapolated.
//! - `kubernetes.requests_per_vcpu`: what one vCPU of the server twin sustains at `target_p95_ms`,
//!   sized onto the nodes' baseline with surplus credits above it; `database_requests_per_vcpu`
//!   sizes RDS; `kubernetes.log_bytes_per_request` is the server's own log volume.
//! - `max_memory_used_mb`, `max_rss_mb`, `target_p95_ms` are reported with the figures taken.
//! - Byte counts are per request; `log_bytes_per_request` is the Lambda's (platform lines included).
//!
//! # Options
//!
//! [`options::Options`]: `--savings-plan 1y|3y`, `--reserved-db`, `--spot-share F`,
//! `--provisioned-concurrency N`, `--dynamodb provisioned`, `--multi-az`, `--nat per-az|endpoints`,
//! `--kubernetes-logs loki|cloudwatch` and `--dr` (deploy/DR.md's standby, [`bill`]'s `dr` lines);
//! the report prints each next to on demand.

pub mod article;
pub mod assumptions;
pub mod bill;
pub mod chart;
mod cli;
pub mod cloudwatch;
pub mod cold_start;
pub mod comparison;
pub mod cost_chart;
pub mod crossover;
pub mod dynamodb_units;
pub mod lambda;
pub mod options;
pub mod pipeline;
pub mod pricing;
pub mod realtime;
pub mod report;
pub mod results;
pub mod seed_floor;
mod stats;
pub mod traffic;
pub mod workload;

pub use cli::{Assumptions, CostArgs, CostError, Output, render, run};
