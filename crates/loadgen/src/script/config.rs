//! The `config:` section: target, phases, variables, the request timeout and plugins.

use std::time::Duration;

use serde_json::Value;

use super::document::{ConfigEntry, PhaseEntry};
use super::error::ScriptError;
use super::{PhaseSpec, Script, Variable};

/// Plugins that only shape reports: accepted, with a note that we report our own way.
const REPORTING_PLUGINS: &[&str] = &["metrics-by-endpoint", "apdex", "ensure", "publish-metrics"];

pub fn parse(config: ConfigEntry) -> Result<Script, ScriptError> {
    if config.phases.is_empty() {
        return Err(ScriptError::invalid("config", "`phases` is empty"));
    }
    let phases = config
        .phases
        .into_iter()
        .enumerate()
        .map(|(index, phase)| parse_phase(phase, &format!("config.phases[{index}]")))
        .collect::<Result<_, _>>()?;
    let variables = config
        .variables
        .unwrap_or_default()
        .into_iter()
        .map(|(name, value)| parse_variable(name, value))
        .collect::<Result<_, _>>()?;
    // `config.timeout`, else `config.http.timeout`: the order of Artillery's HTTP engine
    // (`config.timeout || config.http.timeout || 10`, in seconds, fractions allowed).
    let request_timeout = match config.timeout.or(config.http.and_then(|http| http.timeout)) {
        Some(seconds) if seconds.0 <= 0.0 => {
            return Err(ScriptError::invalid(
                "config",
                "the request timeout must be positive",
            ));
        }
        other => other.map(|seconds| Duration::from_secs_f64(seconds.0)),
    };
    let mut notes = Vec::new();
    for name in config.plugins.unwrap_or_default().keys() {
        if !REPORTING_PLUGINS.contains(&name.as_str()) {
            return Err(ScriptError::Unsupported {
                at: format!("config.plugins.{name}"),
                key: name.clone(),
                supported: format!(
                    "the reporting-only plugins {}",
                    REPORTING_PLUGINS.join(", ")
                ),
            });
        }
        notes.push(format!(
            "plugins.{name}: reporting only, not run; twinstack load always reports per request name \
             and per phase"
        ));
    }
    if config.ensure.is_some() {
        notes.push(
            "config.ensure: thresholds are not checked; read them against the results".into(),
        );
    }
    Ok(Script {
        config_target: config.target,
        phases,
        variables,
        scenarios: Vec::new(),
        request_names: Vec::new(),
        request_timeout,
        notes,
    })
}

fn parse_phase(phase: PhaseEntry, at: &str) -> Result<PhaseSpec, ScriptError> {
    if phase.duration.0 <= 0.0 {
        return Err(ScriptError::invalid(at, "`duration` must be positive"));
    }
    Ok(PhaseSpec {
        name: phase.name,
        duration_secs: phase.duration.0,
        arrival_rate: phase.arrival_rate.0,
        ramp_to: phase.ramp_to.map(|rate| rate.0),
    })
}

fn parse_variable(name: String, value: Value) -> Result<(String, Variable), ScriptError> {
    let variable = match value {
        Value::Array(items) if items.is_empty() => {
            return Err(ScriptError::invalid(
                &format!("config.variables.{name}"),
                "an empty list has nothing to pick",
            ));
        }
        Value::Array(items) => Variable::OneOf(items),
        other => Variable::Fixed(other),
    };
    Ok((name, variable))
}
