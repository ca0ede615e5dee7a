//! Cold starts get a probe of their own: `cargo lambda watch` with N instances cold-starts only N
//! times, so `twinstack-lambda-probe init` starts the release binary afresh `starts` times against a
//! minimal Runtime API and times spawn → first `next` call (what Lambda bills as INIT).

use std::path::Path;
use std::process::Stdio;

use anyhow::{Context, bail};
use serde::{Deserialize, Serialize};

/// Init durations over fresh starts, ms.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ColdStarts {
    pub starts: u64,
    pub init_p50_ms: f64,
    pub init_p90_ms: f64,
    pub init_p99_ms: f64,
    pub init_max_ms: f64,
}

/// The probe's `--json` report, as far as it is read here.
#[derive(Deserialize)]
struct ProbeReport {
    init_us: ProbeSummary,
}

#[derive(Deserialize)]
struct ProbeSummary {
    count: u64,
    p50: u64,
    p90: u64,
    p99: u64,
    max: u64,
}

/// Runs `probe init` on `function` with `env` (`KEY=VALUE`), writing the probe's JSON to `json`.
pub async fn measure(
    probe: &Path,
    function: &Path,
    env: &[String],
    starts: u32,
    json: &Path,
) -> anyhow::Result<ColdStarts> {
    let mut command = tokio::process::Command::new(probe);
    command
        .arg("init")
        .arg("--bin")
        .arg(function)
        .args(["--starts", &starts.to_string(), "--json"])
        .arg(json)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .kill_on_drop(true);
    for pair in env {
        command.args(["--env", pair]);
    }
    let status = command
        .status()
        .await
        .with_context(|| format!("running {}", probe.display()))?;
    if !status.success() {
        bail!("{} init failed with {status}", probe.display());
    }
    let text =
        std::fs::read_to_string(json).with_context(|| format!("reading {}", json.display()))?;
    from_probe_json(&text)
}

fn from_probe_json(text: &str) -> anyhow::Result<ColdStarts> {
    let report: ProbeReport = serde_json::from_str(text).context("reading the probe's report")?;
    let ms = |us: u64| us as f64 / 1000.0;
    let init = report.init_us;
    Ok(ColdStarts {
        starts: init.count,
        init_p50_ms: ms(init.p50),
        init_p90_ms: ms(init.p90),
        init_p99_ms: ms(init.p99),
        init_max_ms: ms(init.max),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_probes_microseconds_become_milliseconds() {
        let json = r#"{"mode":"init","function":"f","binary":"b","starts":20,
            "init_us":{"count":20,"min":5000,"p50":6840,"p90":7000,"p99":8150,"max":8200}}"#;

        let cold = from_probe_json(json).unwrap();

        assert_eq!(
            cold,
            ColdStarts {
                starts: 20,
                init_p50_ms: 6.84,
                init_p90_ms: 7.0,
                init_p99_ms: 8.15,
                init_max_ms: 8.2,
            }
        );
    }
}
