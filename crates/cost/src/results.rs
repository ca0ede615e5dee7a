//! `--from results.json`: the figures a benchmark run (`make bench`) measured, under the top-level key
//! `cost_inputs`. The schema is documented in the crate docs; every field but `version` is optional
//! and a missing one keeps its documented default.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::workload::{Architecture, Endpoint, LambdaTiming, Workload};

/// The schema version this crate reads.
pub const VERSION: u32 = 1;

#[derive(Debug, thiserror::Error)]
pub enum ResultsError {
    #[error("reading {path}: {message}")]
    Read { path: String, message: String },
    #[error("{path}: {message}")]
    Invalid { path: String, message: String },
}

/// The part of results.json the cost model reads; the benchmark's other keys are ignored.
#[derive(Debug, Deserialize)]
struct ResultsFile {
    cost_inputs: CostInputs,
}

#[derive(Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct CostInputs {
    pub version: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub endpoints: Option<Vec<MeasuredEndpoint>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lambda: Option<MeasuredLambda>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kubernetes: Option<MeasuredKubernetes>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_bytes: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response_bytes: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub log_bytes_per_request: Option<f64>,
}

/// One endpoint as the benchmark drove it: its share of requests and the DynamoDB capacity the
/// Lambda twin reported consuming per request (`ReturnConsumedCapacity`).
#[derive(Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct MeasuredEndpoint {
    pub name: String,
    pub share: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub read_units: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub write_units: Option<f64>,
}

#[derive(Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Distribution {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mean: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub p50: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub p99: Option<f64>,
}

impl Distribution {
    /// The mean is what a bill adds up; without one, the median stands in (it understates a skewed mean).
    fn representative(&self) -> Option<f64> {
        self.mean.or(self.p50)
    }

    /// "mean 9.4, p50 8, p99 21 ms" with whichever figures were reported.
    fn describe(&self) -> String {
        let parts: Vec<String> = [("mean", self.mean), ("p50", self.p50), ("p99", self.p99)]
            .into_iter()
            .filter_map(|(name, value)| value.map(|value| format!("{name} {value}")))
            .collect();
        format!("{} ms", parts.join(", "))
    }
}

#[derive(Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct MeasuredLambda {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub architecture: Option<Architecture>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub memory_mb: Option<f64>,
    /// Warm invocations, billed (rounded-up) durations, measured on Lambda at `memory_mb`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub billed_duration_ms: Option<Distribution>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub init_duration_ms: Option<Distribution>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cold_start_rate: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_memory_used_mb: Option<f64>,
    /// Measured off Lambda on one full core: CPU time and waiting time per request.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub local_cpu_ms: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub local_io_ms: Option<f64>,
}

#[derive(Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct MeasuredKubernetes {
    /// Requests per second one vCPU of the server twin sustained with p95 at `target_p95_ms`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requests_per_vcpu: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_p95_ms: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_rss_mb: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database_requests_per_vcpu: Option<f64>,
    /// The server's own log bytes per request (its log file over the responses served).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub log_bytes_per_request: Option<f64>,
}

impl CostInputs {
    pub fn from_file(path: &Path) -> Result<CostInputs, ResultsError> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|error| ResultsError::Read {
            path: shown.clone(),
            message: error.to_string(),
        })?;
        CostInputs::from_json(&text).map_err(|message| ResultsError::Invalid {
            path: shown,
            message,
        })
    }

    pub fn from_json(text: &str) -> Result<CostInputs, String> {
        let file: ResultsFile = serde_json::from_str(text).map_err(|error| error.to_string())?;
        let inputs = file.cost_inputs;
        if inputs.version != VERSION {
            return Err(format!(
                "cost_inputs.version is {}; this build reads version {VERSION}",
                inputs.version
            ));
        }
        Ok(inputs)
    }

    /// Puts the measured figures into `workload`; returns one line per figure taken, for the report.
    pub fn apply(&self, workload: &mut Workload) -> Result<Vec<String>, String> {
        let mut taken = Vec::new();
        if let Some(endpoints) = &self.endpoints {
            workload.mix = endpoints
                .iter()
                .map(|measured| endpoint(measured, &workload.mix))
                .collect::<Result<_, _>>()?;
            taken.push(format!("endpoint mix ({} endpoints)", endpoints.len()));
        }
        for (name, value, target) in [
            (
                "request_bytes",
                self.request_bytes,
                &mut workload.request_bytes,
            ),
            (
                "response_bytes",
                self.response_bytes,
                &mut workload.response_bytes,
            ),
            (
                "log_bytes_per_request",
                self.log_bytes_per_request,
                &mut workload.log_bytes_per_request,
            ),
        ] {
            if let Some(value) = value {
                *target = value;
                taken.push(format!("{name} = {value}"));
            }
        }
        if let Some(lambda) = &self.lambda {
            taken.extend(lambda.apply(workload));
        }
        if let Some(k8s) = &self.kubernetes {
            taken.extend(k8s.apply(workload));
        }
        Ok(taken)
    }
}

/// A measured endpoint; units it does not report keep the default for the same endpoint name.
fn endpoint(measured: &MeasuredEndpoint, defaults: &[Endpoint]) -> Result<Endpoint, String> {
    let default = defaults
        .iter()
        .find(|endpoint| endpoint.name == measured.name);
    let units = |value: Option<f64>, pick: fn(&Endpoint) -> f64, what: &str| {
        value.or(default.map(pick)).ok_or_else(|| {
            format!(
                "endpoint \"{}\" reports no {what} and has no default",
                measured.name
            )
        })
    };
    Ok(Endpoint {
        name: measured.name.clone(),
        share: measured.share,
        read_units: units(measured.read_units, |e| e.read_units, "read_units")?,
        write_units: units(measured.write_units, |e| e.write_units, "write_units")?,
    })
}

impl MeasuredLambda {
    fn apply(&self, workload: &mut Workload) -> Vec<String> {
        let lambda = &mut workload.serverless.lambda;
        let mut taken = Vec::new();
        if let Some(architecture) = self.architecture {
            lambda.architecture = architecture;
            taken.push(format!("Lambda architecture = {architecture}"));
        }
        if let Some(memory) = self.memory_mb {
            lambda.memory_mb = memory;
            taken.push(format!("Lambda memory = {memory} MB"));
        }
        let init = self
            .init_duration_ms
            .as_ref()
            .and_then(Distribution::representative)
            .map(f64::ceil)
            .unwrap_or(lambda.timing.init_ms());
        let warm = self
            .billed_duration_ms
            .as_ref()
            .and_then(Distribution::representative);
        lambda.timing = match (warm, &lambda.timing) {
            (Some(warm), _) => {
                let reported = self.billed_duration_ms.as_ref().map(Distribution::describe);
                taken.push(format!(
                    "Lambda warm billed duration = {warm} ms (measured on Lambda: {})",
                    reported.unwrap_or_default()
                ));
                LambdaTiming::OnLambda {
                    warm_billed_ms: warm,
                    init_billed_ms: init,
                }
            }
            (None, LambdaTiming::Local { cpu_ms, io_ms, .. }) => {
                let cpu = self.local_cpu_ms.unwrap_or(*cpu_ms);
                let io = self.local_io_ms.unwrap_or(*io_ms);
                if self.local_cpu_ms.is_some() || self.local_io_ms.is_some() {
                    taken.push(format!("local CPU {cpu} ms + waiting {io} ms per request (scaled to the Lambda's CPU share)"));
                }
                LambdaTiming::Local {
                    cpu_ms: cpu,
                    io_ms: io,
                    init_ms: init,
                }
            }
            (None, LambdaTiming::OnLambda { warm_billed_ms, .. }) => LambdaTiming::OnLambda {
                warm_billed_ms: *warm_billed_ms,
                init_billed_ms: init,
            },
        };
        if let Some(reported) = &self.init_duration_ms {
            taken.push(format!(
                "Lambda init = {init} ms billed (cold start {})",
                reported.describe()
            ));
        }
        if let Some(rate) = self.cold_start_rate {
            taken.push(format!(
                "cold-start rate = {:.2}% at the run's traffic (reported only: the rate at each traffic comes from the cold-start model)",
                rate * 100.0
            ));
        }
        if let Some(used) = self.max_memory_used_mb {
            taken.push(format!(
                "Lambda max memory used = {used} MB of {} MB",
                lambda.memory_mb
            ));
        }
        taken
    }
}

impl MeasuredKubernetes {
    fn apply(&self, workload: &mut Workload) -> Vec<String> {
        let k8s = &mut workload.kubernetes;
        let mut taken = Vec::new();
        if let Some(rps) = self.requests_per_vcpu {
            k8s.requests_per_vcpu = rps;
            let at = self
                .target_p95_ms
                .map(|p95| format!(" at p95 {p95} ms"))
                .unwrap_or_default();
            taken.push(format!("server twin: {rps} req/s per vCPU{at}"));
        }
        if let Some(rps) = self.database_requests_per_vcpu {
            k8s.database.requests_per_vcpu = rps;
            taken.push(format!("database: {rps} req/s per vCPU"));
        }
        if let Some(rss) = self.max_rss_mb {
            taken.push(format!("server twin max RSS = {rss} MB"));
        }
        if let Some(bytes) = self.log_bytes_per_request {
            k8s.log_bytes_per_request = bytes;
            taken.push(format!("server twin log bytes per request = {bytes}"));
        }
        taken
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::assumptions;

    #[test]
    fn the_sample_results_file_is_read_and_applied() {
        // Arrange
        let inputs = CostInputs::from_json(include_str!("../testdata/results.json")).unwrap();
        let mut workload = assumptions::twinstack();

        // Act
        let taken = inputs.apply(&mut workload).unwrap();

        // Assert
        assert!(!taken.is_empty());
        assert_eq!(workload.kubernetes.requests_per_vcpu, 3_850.0);
        assert_eq!(
            workload.serverless.lambda.timing,
            LambdaTiming::OnLambda {
                warm_billed_ms: 9.4,
                init_billed_ms: 32.0,
            }
        );
        let create = workload
            .mix
            .iter()
            .find(|e| e.name == "POST /api/orders")
            .unwrap();
        assert_eq!((create.read_units, create.write_units), (2.5, 4.0));
    }

    #[test]
    fn missing_fields_keep_their_defaults() {
        let mut workload = assumptions::twinstack();
        let before = workload.clone();
        let inputs = CostInputs::from_json(r#"{"cost_inputs": {"version": 1}}"#).unwrap();

        let taken = inputs.apply(&mut workload).unwrap();

        assert!(taken.is_empty());
        assert_eq!(workload, before);
    }

    #[test]
    fn an_endpoint_without_units_takes_the_default_for_its_name() {
        let mut workload = assumptions::twinstack();
        let inputs = CostInputs::from_json(
            r#"{"cost_inputs": {"version": 1, "endpoints": [{"name": "GET /api/users/{id}", "share": 2}]}}"#,
        )
        .unwrap();

        inputs.apply(&mut workload).unwrap();

        assert_eq!(workload.mix.len(), 1);
        assert_eq!(
            workload.mix[0].read_units, 1.0,
            "a strongly consistent read of one user"
        );
    }

    #[test]
    fn an_unknown_endpoint_without_units_is_refused() {
        let mut workload = assumptions::twinstack();
        let inputs = CostInputs::from_json(
            r#"{"cost_inputs": {"version": 1, "endpoints": [{"name": "GET /nowhere", "share": 1}]}}"#,
        )
        .unwrap();

        let error = inputs.apply(&mut workload).unwrap_err();

        assert!(error.contains("GET /nowhere"), "{error}");
    }

    #[test]
    fn another_schema_version_is_refused() {
        let error = CostInputs::from_json(r#"{"cost_inputs": {"version": 2}}"#).unwrap_err();

        assert!(error.contains("version is 2"), "{error}");
    }

    #[test]
    fn a_misspelt_field_is_refused_instead_of_ignored() {
        let error =
            CostInputs::from_json(r#"{"cost_inputs": {"version": 1, "log_byte": 5}}"#).unwrap_err();

        assert!(error.contains("log_byte"), "{error}");
    }
}
