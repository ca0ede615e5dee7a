//! `results.json`: everything a run measured, versioned, and the `cost_inputs` the cost model reads.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use twinstack_cost::results::{
    CostInputs, Distribution, MeasuredEndpoint, MeasuredKubernetes, MeasuredLambda,
};
use twinstack_cost::workload::Architecture;
use twinstack_loadgen::Report;

use super::cold_start::ColdStarts;
use super::machine::RunInfo;
use super::procs::Usage;

pub const RESULTS_VERSION: u32 = 1;
/// What the CDK stack deploys (`lambdaMemoryMb`'s default) and the cost model prices.
pub const LAMBDA_MEMORY_MB: f64 = 128.0;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Twin {
    Serverless,
    Kubernetes,
}

impl Twin {
    pub fn label(self) -> &'static str {
        match self {
            Twin::Serverless => "Serverless",
            Twin::Kubernetes => "Kubernetes",
        }
    }
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TwinRun {
    pub twin: Twin,
    /// What served it: `twinstack-lambda under cargo lambda watch on DynamoDB Local`, or a URL.
    pub served_by: String,
    pub target: String,
    /// The warm-up's results (not in any table).
    pub warm_up: Report,
    pub load: Report,
    /// Per process group (local runs only): memory and CPU while under load.
    pub processes: BTreeMap<String, Usage>,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Results {
    pub version: u32,
    pub run: RunInfo,
    pub twins: Vec<TwinRun>,
    /// Local runs only: the probe's fresh starts of the release binary.
    pub cold_starts: Option<ColdStarts>,
    /// The real-time section (local runs, unless skipped).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub realtime: Option<super::realtime::RealtimeResults>,
    /// The key `twinstack cost --from` reads (snake_case, as the cost model's schema is).
    #[serde(rename = "cost_inputs")]
    pub cost_inputs: CostInputs,
    /// Local runs only: the data pipeline, per via (`--skip-pipeline` leaves it out).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pipeline: Option<super::pipeline::PipelineBench>,
}

impl Results {
    pub fn twin(&self, twin: Twin) -> Option<&TwinRun> {
        self.twins.iter().find(|run| run.twin == twin)
    }
}

/// The cost model's inputs from what was measured; whatever was not measured stays out (the cost
/// model keeps its documented default). `server_log_bytes`: the size of the server's log file.
pub fn cost_inputs(
    twins: &[TwinRun],
    cold_starts: Option<&ColdStarts>,
    local: bool,
    server_log_bytes: Option<u64>,
) -> CostInputs {
    let serverless = twins.iter().find(|run| run.twin == Twin::Serverless);
    let kubernetes = twins.iter().find(|run| run.twin == Twin::Kubernetes);
    CostInputs {
        version: twinstack_cost::results::VERSION,
        // DynamoDB Local's reported capacity does not follow DynamoDB's billing (it reports 2 units
        // for the 3-item transaction of `create order`, which DynamoDB bills at 6 or more): locally
        // the cost model keeps its units computed from DynamoDB's rules.
        endpoints: serverless
            .filter(|_| !local)
            .and_then(|run| endpoints(&run.load)),
        lambda: serverless.map(|run| lambda(run, cold_starts, local)),
        kubernetes: kubernetes
            .filter(|_| local)
            .map(|run| kubernetes_inputs(run, server_log_bytes)),
        ..CostInputs::default()
    }
}

/// The request mix and the capacity each request consumed, when every request reported it.
fn endpoints(load: &Report) -> Option<Vec<MeasuredEndpoint>> {
    let total = load.totals.responses as f64;
    if total == 0.0 {
        return None;
    }
    load.requests
        .iter()
        .map(|named| {
            let capacity = named.stats.consumed_capacity.as_ref()?;
            Some(MeasuredEndpoint {
                name: named.name.clone(),
                share: named.stats.responses as f64 / total,
                read_units: Some(round(capacity.read_per_request, 4)),
                write_units: Some(round(capacity.write_per_request, 4)),
            })
        })
        .collect()
}

fn lambda(run: &TwinRun, cold_starts: Option<&ColdStarts>, local: bool) -> MeasuredLambda {
    let timing = &run.load.totals.server_timing_ms;
    let app = timing.get("app");
    let db = timing.get("db");
    let mut lambda = MeasuredLambda {
        architecture: Some(Architecture::Arm64),
        memory_mb: Some(LAMBDA_MEMORY_MB),
        init_duration_ms: cold_starts.map(|cold| Distribution {
            mean: None,
            p50: Some(cold.init_p50_ms),
            p99: Some(cold.init_p99_ms),
        }),
        max_memory_used_mb: run
            .processes
            .get("twinstack-lambda")
            .map(|u| u.peak_rss_mib),
        ..MeasuredLambda::default()
    };
    match (app, db, local) {
        // Off Lambda, on a full core: the CPU the function processes used per request (from /proc:
        // runtime, HTTP layer, SDK), which the cost model scales to the function's vCPU share. The
        // rest of the handler's time is waiting on DynamoDB Local, which says nothing about
        // DynamoDB's latency, so the model keeps its own round-trip figure for that.
        (Some(app), Some(db), true) => {
            let responses = run.load.totals.responses as f64;
            let cpu = run
                .processes
                .get("twinstack-lambda")
                .filter(|usage| usage.cpu_seconds > 0.0 && responses > 0.0)
                .map(|usage| usage.cpu_seconds * 1000.0 / responses)
                .unwrap_or(app.percentiles.mean - db.percentiles.mean);
            lambda.local_cpu_ms = Some(round(cpu, 3));
        }
        // On Lambda the handler's time is what is billed, each invocation rounded up to the
        // millisecond: the mean of the rounded times, not the rounded mean.
        (Some(app), _, false) => {
            lambda.billed_duration_ms = Some(Distribution {
                mean: app.billed_mean_ms.map(|mean| round(mean, 3)),
                p50: Some(app.percentiles.p50.ceil()),
                p99: Some(app.percentiles.p99.ceil()),
            });
        }
        _ => {}
    }
    lambda
}

/// Requests served per CPU-second of the server (and of Postgres), at the p95 the run saw; the
/// server's log bytes over every response it served (warm-up and load).
fn kubernetes_inputs(run: &TwinRun, server_log_bytes: Option<u64>) -> MeasuredKubernetes {
    let served = (run.warm_up.totals.responses + run.load.totals.responses) as f64;
    let responses = run.load.totals.responses as f64;
    let per_cpu_second = |group: &str| {
        run.processes
            .get(group)
            .filter(|usage| usage.cpu_seconds > 0.0)
            .map(|usage| round(responses / usage.cpu_seconds, 0))
    };
    MeasuredKubernetes {
        requests_per_vcpu: per_cpu_second("twinstack-server"),
        target_p95_ms: run.load.totals.latency_ms.map(|p| round(p.p95, 3)),
        max_rss_mb: run
            .processes
            .get("twinstack-server")
            .map(|u| u.peak_rss_mib),
        database_requests_per_vcpu: per_cpu_second("postgres"),
        log_bytes_per_request: server_log_bytes
            .filter(|_| served > 0.0)
            .map(|bytes| round(bytes as f64 / served, 1)),
    }
}

pub fn round(value: f64, decimals: i32) -> f64 {
    let factor = 10f64.powi(decimals);
    (value * factor).round() / factor
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A real serverless run's load report (timeline and phases trimmed).
    fn serverless_load() -> Report {
        serde_json::from_str(include_str!("testdata/serverless-load.json")).unwrap()
    }

    fn run(twin: Twin, processes: &[(&str, f64)]) -> TwinRun {
        let load = serverless_load();
        TwinRun {
            twin,
            served_by: "test".into(),
            target: "http://127.0.0.1:1".into(),
            warm_up: load.clone(),
            load,
            processes: processes
                .iter()
                .map(|(name, cpu_seconds)| {
                    let usage = Usage {
                        processes: 1,
                        peak_rss_mib: 12.5,
                        peak_total_rss_mib: 12.5,
                        cpu_seconds: *cpu_seconds,
                    };
                    ((*name).to_owned(), usage)
                })
                .collect(),
        }
    }

    fn cold() -> ColdStarts {
        ColdStarts {
            starts: 20,
            init_p50_ms: 6.8,
            init_p90_ms: 7.0,
            init_p99_ms: 8.2,
            init_max_ms: 8.3,
        }
    }

    #[test]
    fn a_deployed_runs_mix_and_capacity_per_request_come_from_the_serverless_twin() {
        let twins = [run(Twin::Serverless, &[])];

        let inputs = cost_inputs(&twins, None, false, None);

        let endpoints = inputs.endpoints.unwrap();
        let names: Vec<&str> = endpoints.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "health",
                "get user",
                "create order",
                "list orders",
                "user summary"
            ]
        );
        let shares: f64 = endpoints.iter().map(|e| e.share).sum();
        assert!((shares - 1.0).abs() < 1e-9, "{shares}");
        let create = &endpoints[2];
        assert_eq!(
            (create.read_units, create.write_units),
            (Some(1.0), Some(2.0))
        );
    }

    #[test]
    fn dynamodb_locals_capacity_is_not_priced() {
        let twins = [run(Twin::Serverless, &[("twinstack-lambda", 10.0)])];

        let inputs = cost_inputs(&twins, Some(&cold()), true, None);

        assert_eq!(inputs.endpoints, None);
    }

    #[test]
    fn off_lambda_the_functions_cpu_per_request_is_reported_and_dynamodb_locals_latency_is_not() {
        let twins = [run(Twin::Serverless, &[("twinstack-lambda", 10.0)])];
        let cpu = 10.0 * 1000.0 / twins[0].load.totals.responses as f64;

        let lambda = cost_inputs(&twins, Some(&cold()), true, None)
            .lambda
            .unwrap();

        assert_eq!(lambda.local_cpu_ms, Some(round(cpu, 3)));
        assert_eq!(lambda.local_io_ms, None);
        assert_eq!(lambda.billed_duration_ms, None);
        assert_eq!(lambda.init_duration_ms.unwrap().p99, Some(8.2));
        assert_eq!(lambda.max_memory_used_mb, Some(12.5));
    }

    #[test]
    fn on_lambda_the_handlers_time_is_the_billed_duration() {
        let mut twins = [run(Twin::Serverless, &[])];
        let app = twins[0]
            .load
            .totals
            .server_timing_ms
            .get_mut("app")
            .unwrap();
        app.billed_mean_ms = Some(1.8124);

        let lambda = cost_inputs(&twins, None, false, None).lambda.unwrap();

        let billed = lambda.billed_duration_ms.unwrap();
        assert_eq!(billed.p50, Some(2.0), "app p50 1.093 ms bills as 2 ms");
        assert_eq!(
            billed.mean,
            Some(1.812),
            "the mean of the per-request billed times"
        );
        assert_eq!(lambda.local_cpu_ms, None);
    }

    #[test]
    fn kubernetes_capacity_is_requests_per_cpu_second_of_server_and_database() {
        let twins = [run(
            Twin::Kubernetes,
            &[("twinstack-server", 4.0), ("postgres", 8.0)],
        )];
        let responses = twins[0].load.totals.responses as f64;

        let k8s = cost_inputs(&twins, None, true, Some(48_000))
            .kubernetes
            .unwrap();

        assert_eq!(k8s.requests_per_vcpu, Some((responses / 4.0).round()));
        let served = (twins[0].warm_up.totals.responses + responses as u64) as f64;
        assert_eq!(k8s.log_bytes_per_request, Some(round(48_000.0 / served, 1)));
        assert_eq!(
            k8s.database_requests_per_vcpu,
            Some((responses / 8.0).round())
        );
        assert_eq!(k8s.max_rss_mb, Some(12.5));
    }

    #[test]
    fn the_cost_model_reads_what_the_benchmark_writes() {
        let twins = [
            run(
                Twin::Kubernetes,
                &[("twinstack-server", 4.0), ("postgres", 8.0)],
            ),
            run(Twin::Serverless, &[("twinstack-lambda", 10.0)]),
        ];
        let written = serde_json::json!({
            "cost_inputs": cost_inputs(&twins, Some(&cold()), true, None)
        });

        let read = CostInputs::from_json(&written.to_string()).unwrap();

        assert_eq!(read, cost_inputs(&twins, Some(&cold()), true, None));
        let mut workload = twinstack_cost::assumptions::twinstack();
        let taken = read.apply(&mut workload).unwrap();
        assert!(
            taken.iter().any(|line| line.contains("req/s per vCPU")),
            "{taken:?}"
        );
    }
}
